//! 2D images (PNG, JPEG, TIFF) as samples: whole, or cut into tiles over tissue, with their
//! masks.
use super::assemble::{Samples, NO_MASK};
use super::fit::{center_crop, Resample};
use super::normalize::{apply_window, chosen, finite_mean_std, window_to, zscore, Normalize};
use super::split::{split, ItemKey};
use super::{slices, tiles, FileOptions};
use crate::data::{DataConfig, Dataset, Progress};
use crate::io::{raster, Volume, Window};
use anyhow::Context;
use std::path::{Path, PathBuf};
use tch::{Device, Kind, Tensor};

#[derive(Debug, Clone, PartialEq)]
pub struct ImageFile {
    pub path: PathBuf,
    pub label: i64,
}

/// Image files and the names of their classes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageSet {
    pub classes: Vec<String>,
    pub files: Vec<ImageFile>,
}

pub fn is_image(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "tif" | "tiff")
}

pub fn is_npz(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("npz"))
}

/// The images in `dir` (and its subfolders when `recursive`), sorted, without masks and
/// hidden files.
pub fn list_images(dir: &Path, recursive: bool) -> anyhow::Result<Vec<PathBuf>> {
    let files = crate::io::list_files(dir, recursive)?;
    Ok(files.into_iter().filter(|p| is_image(p) && !tiles::is_mask(p)).collect())
}

/// Every file under `dir` is an image (or a mask), and there is at least one.
pub fn holds_only_images(dir: &Path) -> anyhow::Result<bool> {
    let files = crate::io::list_files(dir, true)?;
    Ok(!files.is_empty() && files.iter().all(|p| is_image(p)))
}

/// An image file, or the images in a folder and its subfolders, all of one class.
pub fn unlabelled(path: &Path) -> anyhow::Result<ImageSet> {
    let paths = if path.is_dir() { list_images(path, true)? } else { vec![path.to_path_buf()] };
    anyhow::ensure!(!paths.is_empty(), "{} holds no PNG, JPEG or TIFF image", path.display());
    let files = paths.into_iter().map(|path| ImageFile { path, label: 0 }).collect();
    Ok(ImageSet { classes: vec!["unlabelled".into()], files })
}

/// Rows of tiles per split unit when one image is split by rows: fewer boundaries between the
/// splits, so fewer training tiles dropped beside held-out ones.
const TILE_ROWS_PER_UNIT: usize = 4;

/// The dataset of `set`: each image whole, or the tiles over tissue of each.
pub fn load(
    set: ImageSet,
    config: &DataConfig,
    device: Device,
    progress: Progress,
) -> anyhow::Result<Dataset> {
    if config.files.tile_size == 0 {
        load_whole(set, config, device, progress)
    } else {
        load_tiles(set, config, device, progress)
    }
}

/// One sample per file: the file list is split first, and only the files kept are read.
fn load_whole(
    set: ImageSet,
    config: &DataConfig,
    device: Device,
    progress: Progress,
) -> anyhow::Result<Dataset> {
    let keys: Vec<ItemKey> = set
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| ItemKey { label: f.label, group: i, position: 0 })
        .collect();
    let s = split(&keys, 1, config.train_count, config.heldout_count, config.seed)?;
    let chosen: Vec<usize> = s.train.iter().chain(&s.heldout).copied().collect();
    let mut samples = Samples::new(config.files.normalize);
    for (done, &i) in chosen.iter().enumerate() {
        progress("Images", done, chosen.len())?;
        add_image(&mut samples, &set.files[i], keys[i], config)?;
    }
    progress("Images", chosen.len(), chosen.len())?;
    let (train, heldout): (Vec<usize>, Vec<usize>) = (0..chosen.len()).partition(|&i| i < s.train.len());
    Ok(samples.into_dataset(&train, &heldout, set.classes, &config.files, device))
}

/// The tiles over tissue of every file. A class with several images is split by image, so no
/// slide lends tiles to both sides; a class with one image is split by bands of tile rows.
fn load_tiles(
    set: ImageSet,
    config: &DataConfig,
    device: Device,
    progress: Progress,
) -> anyhow::Result<Dataset> {
    let per_class = |label: i64| set.files.iter().filter(|f| f.label == label).count();
    let mut samples = Samples::new(config.files.normalize);
    for (i, file) in set.files.iter().enumerate() {
        progress("Tiles", i, set.files.len())?;
        let key = ItemKey { label: file.label, group: i, position: 0 };
        add_tiles(&mut samples, file, key, per_class(file.label) > 1, config)?;
    }
    progress("Tiles", set.files.len(), set.files.len())?;
    anyhow::ensure!(
        samples.len() > 0,
        "no tile of the {} image(s) is at least {:.0} % tissue: lower min_tissue or the tile size",
        set.files.len(),
        config.files.min_tissue * 100.0
    );
    let s = split(&samples.keys, TILE_ROWS_PER_UNIT, config.train_count, config.heldout_count, config.seed)?;
    Ok(samples.into_dataset(&s.train, &s.heldout, set.classes, &config.files, device))
}

/// An image read from disk: its values in [0, 1] through the window (for the tissue filter),
/// and as the network will see them, both `[C, H, W]`.
struct Loaded {
    unit: Tensor,
    values: Tensor,
    mask: Option<Tensor>,
}

fn read(file: &ImageFile, options: &FileOptions) -> anyhow::Result<Loaded> {
    let volume = raster::load(&file.path).with_context(|| format!("cannot read {}", file.path.display()))?;
    anyhow::ensure!(volume.dims[2] == 1, "{} is not a 2D image", file.path.display());
    let raw = colour_channels(&slices::volume_tensor(&volume).squeeze_dim(1));
    let unit = apply_window(&raw, &image_window(&volume, options.window), volume.inverted);
    let values = match options.normalize {
        Normalize::Window | Normalize::ChannelStats => unit.shallow_clone(),
        Normalize::ZScore => zscore(&raw, finite_mean_std(&volume.voxels), volume.inverted),
    };
    let mask = match tiles::mask_for(&file.path) {
        Some(path) => {
            Some(read_mask(&path, &volume).with_context(|| format!("bad mask {}", path.display()))?)
        }
        None => None,
    };
    Ok(Loaded { unit, values, mask })
}

/// Grey stays one channel, colour keeps red, green and blue (an alpha channel is dropped).
fn colour_channels(image: &Tensor) -> Tensor {
    let channels = image.size()[0];
    image.narrow(0, 0, if channels >= 3 { 3 } else { 1 })
}

/// The window asked for, else the full range of the image's sample type: a photograph's
/// intensities are absolute, and stretching each image to its own percentiles would change
/// stain colours from image to image.
fn image_window(volume: &Volume, asked: Option<[f64; 2]>) -> Window {
    chosen(asked).unwrap_or_else(|| window_to(type_top(&volume.provenance.encoding)))
}

/// The largest value of the `image` crate's colour type named `encoding` ("L8", "Rgb16",
/// "Rgb32F", ...).
fn type_top(encoding: &str) -> f64 {
    if encoding.ends_with("16") {
        65535.0
    } else if encoding.ends_with("32F") {
        1.0
    } else {
        255.0
    }
}

/// A label map the size of `image`, as bytes `[1, H, W]`. Binary masks saved as 0 and 255
/// are read as 0 and 1.
fn read_mask(path: &Path, image: &Volume) -> anyhow::Result<Tensor> {
    let mask = raster::load(path)?;
    anyhow::ensure!(
        mask.dims == image.dims,
        "the mask is {}×{} px, its image {}×{} px",
        mask.dims[0],
        mask.dims[1],
        image.dims[0],
        image.dims[1]
    );
    let labels = slices::volume_tensor(&mask).squeeze_dim(1).narrow(0, 0, 1);
    let binary = labels.eq(0.0).logical_or(&labels.eq(255.0)).all().int64_value(&[]) == 1;
    let labels = if binary { labels / 255.0 } else { labels };
    let top = labels.max().double_value(&[]);
    anyhow::ensure!(top < NO_MASK as f64, "mask labels must lie below {NO_MASK}, found {top}");
    Ok(labels.round().to_kind(Kind::Uint8))
}

fn add_image(
    samples: &mut Samples,
    file: &ImageFile,
    key: ItemKey,
    config: &DataConfig,
) -> anyhow::Result<()> {
    let image = read(file, &config.files)?;
    let size = config.image_size;
    let values = center_crop(&image.values.unsqueeze(0), size, Resample::Bilinear);
    let mask = image.mask.map(|m| center_crop(&m.unsqueeze(0), size, Resample::Nearest));
    samples.push(values, mask, vec![key]);
    Ok(())
}

/// The tiles of one image that pass the tissue filter; `by_image` puts all of them in one
/// split unit, otherwise each row of tiles is its own.
fn add_tiles(
    samples: &mut Samples,
    file: &ImageFile,
    key: ItemKey,
    by_image: bool,
    config: &DataConfig,
) -> anyhow::Result<()> {
    let options = &config.files;
    let image = read(file, options)?;
    let tile = options.tile_size as i64;
    let (unit_tiles, _, columns) =
        tiles::grid(&image.unit, tile).with_context(|| file.path.display().to_string())?;
    let kept = tiles::tissue_fraction(&unit_tiles).ge(options.min_tissue).nonzero().squeeze_dim(1);
    if kept.numel() == 0 {
        return Ok(());
    }
    let cut = |t: &Tensor| tiles::grid(t, tile).map(|(g, ..)| g.index_select(0, &kept));
    let values = center_crop(&cut(&image.values)?, config.image_size, Resample::Bilinear);
    let mask = image
        .mask
        .as_ref()
        .map(cut)
        .transpose()?
        .map(|m| center_crop(&m, config.image_size, Resample::Nearest));
    let keys = Vec::<i64>::try_from(&kept)?
        .into_iter()
        .map(|i| ItemKey { position: if by_image { 0 } else { (i / columns) as usize }, ..key })
        .collect();
    samples.push(values, mask, keys);
    Ok(())
}
