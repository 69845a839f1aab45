//! MedMNIST-style `.npz` archives as a labelled dataset with the archive's own splits: `train`
//! is trained on, `val` or `test` held out.
use super::assemble::Samples;
use super::fit::{center_crop, Resample};
use super::normalize::{apply_window, chosen, window_to, zscore_each, Normalize};
use super::split::ItemKey;
use super::{Axis, FileOptions};
use crate::data::{DataConfig, Dataset, Progress};
use crate::io::npz::{self, NpzSplit};
use crate::io::Window;
use std::path::Path;
use tch::{Device, Tensor};

/// Images converted at a time.
const CHUNK: usize = 1024;

/// The first `train_count` images of `train` and the first `heldout_count` of the held-out
/// split (MedMNIST's splits come shuffled, so the first images are a fair sample). 3D arrays
/// give their middle slice across `axis`. Classes are named by their label values.
pub fn load(path: &Path, config: &DataConfig, device: Device, progress: Progress) -> anyhow::Result<Dataset> {
    let options = &config.files;
    let held_name = options.heldout_split.name();
    progress("MedMNIST train split", 0, 2)?;
    let train = npz::load_split(path, "train")?;
    progress(&format!("MedMNIST {held_name} split"), 1, 2)?;
    let heldout = npz::load_split(path, held_name)?;
    progress("MedMNIST", 2, 2)?;
    anyhow::ensure!(
        train.dims == heldout.dims && train.channels == heldout.channels,
        "the train and {held_name} images differ in size or colour"
    );
    let (n_train, n_heldout) = (train.count.min(config.train_count), heldout.count.min(config.heldout_count));
    anyhow::ensure!(
        n_train > 0 && n_heldout > 0,
        "{} has an empty train or {held_name} split",
        path.display()
    );
    // One window for both splits, so the same value looks the same in each.
    let window = chosen(options.window).unwrap_or_else(|| window_to(range_top(&train)));
    let mut samples = Samples::new(options.normalize);
    add_split(&mut samples, &train, n_train, &window, config)?;
    add_split(&mut samples, &heldout, n_heldout, &window, config)?;
    let classes = train.labels.iter().chain(&heldout.labels).copied().max().unwrap_or(0).max(0);
    let classes = (0..=classes).map(|c| format!("class {c}")).collect();
    let (train_idx, heldout_idx): (Vec<usize>, Vec<usize>) = (0..samples.len()).partition(|&i| i < n_train);
    Ok(samples.into_dataset(&train_idx, &heldout_idx, classes, options, device))
}

/// The largest value a split's pixels are stored in: 1 for [0, 1] floats, 255 for bytes,
/// 65535 for 16-bit data.
fn range_top(split: &NpzSplit) -> f64 {
    let top = split.images.iter().copied().filter(|v| v.is_finite()).fold(0.0f32, f32::max) as f64;
    [1.0, 255.0, 65535.0].into_iter().find(|&t| top <= t).unwrap_or(top)
}

fn add_split(
    samples: &mut Samples,
    split: &NpzSplit,
    count: usize,
    window: &Window,
    config: &DataConfig,
) -> anyhow::Result<()> {
    anyhow::ensure!(split.labels.iter().all(|&l| l >= 0), "class labels must not be negative");
    let [w, h, d] = split.dims.map(|v| v as i64);
    let c = split.channels as i64;
    let image_len = split.image_len();
    for start in (0..count).step_by(CHUNK) {
        let n = CHUNK.min(count - start);
        let raw = Tensor::from_slice(&split.images[start * image_len..(start + n) * image_len])
            .view([n as i64, d, h, w, c])
            .permute([0, 4, 1, 2, 3]);
        let raw = middle_slice(&raw, &config.files);
        let values = match config.files.normalize {
            Normalize::ZScore => zscore_each(&raw),
            Normalize::Window | Normalize::ChannelStats => apply_window(&raw, window, false),
        };
        let images = center_crop(&values, config.image_size, Resample::Bilinear);
        let keys =
            split.labels[start..start + n].iter().map(|&label| ItemKey { label, group: 0, position: 0 });
        samples.push(images, None, keys.collect());
    }
    Ok(())
}

/// Images `[N, C, D, H, W]` as 2D `[N, C, rows, columns]`: the middle slice across the axis,
/// in the orientation [`super::slices`] documents.
fn middle_slice(images: &Tensor, options: &FileOptions) -> Tensor {
    let size = images.size();
    match options.axis {
        Axis::Z => images.select(2, size[2] / 2),
        Axis::Y => images.select(3, size[3] / 2),
        Axis::X => images.select(4, size[4] / 2),
    }
}
