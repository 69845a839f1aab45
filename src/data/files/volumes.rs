//! DICOM series and NIfTI volumes as 2D slices.
use super::assemble::Samples;
use super::fit::letterbox;
use super::normalize::{apply_window, finite_mean_std, window_for, zscore, Normalize};
use super::slices::{indices, pixel_spacing, stack, volume_tensor};
use super::split::{split, ItemKey};
use super::FileOptions;
use crate::data::{DataConfig, Dataset, Progress};
use crate::io::{self, Source, Volume};
use anyhow::Context;
use std::path::Path;
use tch::{Device, Tensor};

/// Slices per split unit: about a centimetre of a thin-slice CT, so held-out slices come in
/// runs and few training slices sit next to one (those that do are dropped by the split).
const SLICE_BLOCK: usize = 8;

/// Slices cut, normalised and resized at a time: a chunk of a 512² CT in f32 is 64 MiB.
const CHUNK: usize = 64;

/// The slices of every volume at `path` (all of class 0).
pub fn load(path: &Path, config: &DataConfig, device: Device, progress: Progress) -> anyhow::Result<Dataset> {
    let discovery = io::discover(path, progress)?;
    let found: Vec<_> = discovery
        .found
        .into_iter()
        .filter(|f| matches!(f.source, Source::Dicom(_) | Source::Nifti { .. }))
        .collect();
    anyhow::ensure!(!found.is_empty(), "{} holds no DICOM series or NIfTI volume", path.display());
    let mut notes: Vec<String> =
        discovery.skipped.iter().map(|s| format!("skipped {}: {}", s.path.display(), s.reason)).collect();
    let mut samples = Samples::new(config.files.normalize);
    for (group, f) in found.iter().enumerate() {
        progress(&format!("Slicing {}", f.label), group, found.len())?;
        let volume = io::load(&f.source, progress).with_context(|| format!("cannot load {}", f.label))?;
        notes.extend(volume.notes.iter().map(|n| format!("{}: {n}", f.label)));
        add_slices(&mut samples, &volume, group, config).with_context(|| f.label.clone())?;
    }
    progress("Slices", found.len(), found.len())?;
    let s = split(&samples.keys, SLICE_BLOCK, config.train_count, config.heldout_count, config.seed)?;
    let mut dataset =
        samples.into_dataset(&s.train, &s.heldout, vec!["unlabelled".into()], &config.files, device);
    dataset.notes = notes;
    Ok(dataset)
}

/// Adds the slices of `volume` to `samples`; `group` tells the split which volume they are.
fn add_slices(
    samples: &mut Samples,
    volume: &Volume,
    group: usize,
    config: &DataConfig,
) -> anyhow::Result<()> {
    let images = slice_images(volume, &config.files, config.image_size)?;
    let keys = (0..images.size()[0] as usize).map(|position| ItemKey { label: 0, group, position }).collect();
    samples.push(images, None, keys);
    Ok(())
}

/// The slices `options` chooses from `volume`, in slice order, normalised with statistics of
/// the whole volume and letterboxed to `size`: `[N, C, size, size]` f32, C being 1 for grey
/// and 3 for colour. What a dataset made from the volume holds before the split.
pub fn slice_images(volume: &Volume, options: &FileOptions, size: i64) -> anyhow::Result<Tensor> {
    let at = indices(volume, options.axis, options.slices, options.slice_step)?;
    let voxels = volume_tensor(volume).narrow(0, 0, if volume.channels >= 3 { 3 } else { 1 });
    let window = window_for(volume, options.window);
    let stats = (options.normalize == Normalize::ZScore).then(|| finite_mean_std(&volume.voxels));
    let spacing = pixel_spacing(volume, options.axis);
    let slabs = stack(&voxels, options.axis);
    // Across x and y the stack is a reordered copy: free the first copy before cutting.
    drop(voxels);
    let chunks: Vec<Tensor> = at
        .chunks(CHUNK)
        .map(|chunk| {
            let idx = Tensor::from_slice(&chunk.iter().map(|&i| i as i64).collect::<Vec<_>>());
            let raw = slabs.index_select(0, &idx);
            let values = match stats {
                Some(stats) => zscore(&raw, stats, volume.inverted),
                None => apply_window(&raw, &window, volume.inverted),
            };
            letterbox(&values, size, spacing)
        })
        .collect();
    Ok(Tensor::cat(&chunks, 0))
}
