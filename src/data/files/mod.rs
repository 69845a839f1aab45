//! Datasets from files on disk, in the same form as the built-in data: a folder with one
//! subfolder per class, a folder (or file) of 2D images, whole or cut into tiles, the slices of
//! DICOM and NIfTI volumes, and MedMNIST-style `.npz` archives with their own splits.
//!
//! Every source ends as [`Samples`] at the run's image size, split by [`split::split`] so that
//! neighbouring slices and tiles do not straddle the split, then stored like built-in images.
mod assemble;
mod class_folders;
pub mod crops3d;
mod fit;
mod images;
mod medmnist;
pub mod normalize;
pub mod slices;
mod split;
pub mod tiles;
mod volumes;

pub use normalize::Normalize;
pub use slices::Axis;
pub use volumes::slice_images;

use super::{DataConfig, Dataset, Device, Progress};
use crate::range::Range;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How a `files:` source is read. Every field has a default, so a config names only what it
/// changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileOptions {
    pub layout: Layout,
    /// The axis volumes are sliced across (voxel axes: z is axial for axial acquisitions).
    pub axis: Axis,
    /// First and last slice (inclusive, 0-based) along `axis`; unset: all.
    pub slices: Option<[usize; 2]>,
    /// Every this many slices.
    pub slice_step: usize,
    /// Cut 2D images into square tiles of this many source pixels; 0 keeps images whole.
    pub tile_size: usize,
    /// A tile is kept when at least this fraction of it is tissue (see [`tiles::tissue_fraction`]).
    pub min_tissue: f64,
    pub normalize: Normalize,
    /// Window [center, width] in the file's units; unset: the file's first window.
    pub window: Option<[f64; 2]>,
    /// Per-channel mean and standard deviation for `normalize = "channel_stats"`, in [0, 1]
    /// units; unset: measured on the training split.
    pub mean: Option<[f64; 3]>,
    pub std: Option<[f64; 3]>,
    /// The `.npz` split held out (its `train` split is trained on).
    pub heldout_split: NpzHeldout,
}

impl Default for FileOptions {
    fn default() -> Self {
        Self {
            layout: Layout::Auto,
            axis: Axis::Z,
            slices: None,
            slice_step: 1,
            tile_size: 0,
            min_tissue: 0.5,
            normalize: Normalize::Window,
            window: None,
            mean: None,
            std: None,
            heldout_split: NpzHeldout::Val,
        }
    }
}

/// What the files hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// `.npz`: MedMNIST; a folder whose subfolders hold images and whose top holds none: class
    /// folders; only images: images; otherwise volumes.
    Auto,
    /// One subfolder per class, named after it; label i is the i-th name in sorted order.
    ClassFolders,
    /// PNG, JPEG or TIFF files, all of class 0.
    Images,
    /// DICOM series and NIfTI volumes, sliced along `axis`, all of class 0.
    Volumes,
    /// `{train,val,test}_images` and `_labels` arrays.
    Medmnist,
}

impl Layout {
    pub const ALL: [Layout; 5] =
        [Layout::Auto, Layout::ClassFolders, Layout::Images, Layout::Volumes, Layout::Medmnist];

    pub fn label(self) -> &'static str {
        match self {
            Layout::Auto => "auto",
            Layout::ClassFolders => "class folders",
            Layout::Images => "images",
            Layout::Volumes => "volumes (slices)",
            Layout::Medmnist => "MedMNIST .npz",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NpzHeldout {
    Val,
    Test,
}

impl NpzHeldout {
    pub fn name(self) -> &'static str {
        match self {
            NpzHeldout::Val => "val",
            NpzHeldout::Test => "test",
        }
    }
}

impl FileOptions {
    pub const SLICE_STEP: Range<usize> = Range::at_least(1);
    /// A share of a tile's pixels.
    pub const MIN_TISSUE: Range<f64> = Range::closed(0.0, 1.0);

    pub fn is_default(&self) -> bool {
        *self == FileOptions::default()
    }

    /// Refuses options no dataset can be made from, and a path that is not there.
    pub fn check(&self, path: &Path) -> anyhow::Result<()> {
        anyhow::ensure!(path.exists(), "{} does not exist", path.display());
        Self::SLICE_STEP.check("data.files.slice_step", self.slice_step)?;
        if let Some([first, last]) = self.slices {
            anyhow::ensure!(first <= last, "the slice range {first}-{last} is empty");
        }
        anyhow::ensure!(
            self.tile_size == 0 || self.tile_size >= 8,
            "tile size must be 0 (whole images) or at least 8 px"
        );
        Self::MIN_TISSUE.check("data.files.min_tissue", self.min_tissue)?;
        if let Some([center, width]) = self.window {
            anyhow::ensure!(
                center.is_finite() && width.is_finite() && width > 0.0,
                "window width must be positive"
            );
        }
        anyhow::ensure!(self.mean.is_some() == self.std.is_some(), "give both mean and std, or neither");
        if let Some(std) = self.std {
            anyhow::ensure!(std.iter().all(|s| *s > 0.0), "std must be positive");
        }
        Ok(())
    }
}

/// The dataset `config` describes from the files at `path`.
pub fn load(path: &Path, config: &DataConfig, device: Device, progress: Progress) -> anyhow::Result<Dataset> {
    config.files.check(path)?;
    load_as(config.files.layout, path, config, device, progress)
}

fn load_as(
    layout: Layout,
    path: &Path,
    config: &DataConfig,
    device: Device,
    progress: Progress,
) -> anyhow::Result<Dataset> {
    match layout {
        Layout::Auto => load_as(detect(path)?, path, config, device, progress),
        Layout::ClassFolders => {
            let classes = class_folders::scan(path)?;
            images::load(classes, config, device, progress)
        }
        Layout::Images => {
            let files = images::unlabelled(path)?;
            images::load(files, config, device, progress)
        }
        Layout::Volumes => volumes::load(path, config, device, progress),
        Layout::Medmnist => medmnist::load(path, config, device, progress),
    }
}

/// The layout `Layout::Auto` stands for at `path` (never `Auto` itself).
fn detect(path: &Path) -> anyhow::Result<Layout> {
    if path.is_file() {
        return Ok(if images::is_npz(path) {
            Layout::Medmnist
        } else if images::is_image(path) {
            Layout::Images
        } else {
            Layout::Volumes
        });
    }
    if class_folders::looks_like_class_folders(path)? {
        Ok(Layout::ClassFolders)
    } else if images::holds_only_images(path)? {
        Ok(Layout::Images)
    } else {
        Ok(Layout::Volumes)
    }
}
