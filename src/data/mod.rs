//! Datasets built from loaded files or generated in process, split into a training set and a
//! held-out labelled set, and kept on the training device as whole tensors.
pub mod builtin;
pub mod files;

use crate::range::Range;
use anyhow::Context;
use builtin::BuiltinKind;
use files::FileOptions;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tch::{Device, Kind, Tensor};

/// Where images come from: a built-in set, written `builtin:ct`, `builtin:histo` or
/// `builtin:natural`, or files on disk, written `files:PATH` (a class folder, a folder or file
/// of images, volumes, or a MedMNIST `.npz`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    Builtin(BuiltinKind),
    Files(PathBuf),
}

impl DataSource {
    pub fn parse(s: &str) -> anyhow::Result<Self> {
        if let Some(path) = s.strip_prefix("files:") {
            anyhow::ensure!(!path.trim().is_empty(), "'files:' needs a path, e.g. files:/data/tiles");
            return Ok(DataSource::Files(PathBuf::from(path)));
        }
        let builtin = s.strip_prefix("builtin:").with_context(|| {
            format!("unknown data source '{s}': use builtin:ct, builtin:histo, builtin:natural or files:PATH")
        })?;
        BuiltinKind::parse(builtin)
            .map(DataSource::Builtin)
            .with_context(|| format!("unknown built-in dataset '{builtin}': use ct, histo or natural"))
    }

    pub fn id(&self) -> String {
        match self {
            DataSource::Builtin(k) => format!("builtin:{}", k.id()),
            DataSource::Files(path) => format!("files:{}", path.display()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    pub source: String,
    pub image_size: i64,
    /// Images the method trains on (their labels are used only by the kNN monitor).
    pub train_count: usize,
    /// Labelled images never trained on, for evaluation.
    pub heldout_count: usize,
    pub seed: u64,
    /// How a `files:` source is read; built-in sources ignore it, and configs that leave it at
    /// its defaults do not write it.
    #[serde(skip_serializing_if = "FileOptions::is_default")]
    pub files: FileOptions,
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            source: "builtin:ct".into(),
            image_size: 64,
            train_count: 2000,
            heldout_count: 500,
            seed: 0,
            files: FileOptions::default(),
        }
    }
}

pub use crate::io::{no_progress, Progress};

/// Images `[N, 3, H, W]` stored as bytes (a quarter of f32's memory, so 224 px datasets fit on
/// a GPU) or, when normalised beyond [0, 1], as f32; their class labels `[N]`; and, for images
/// that came with masks, the masks `[N, 1, H, W]` as bytes (255 where an image had no mask).
pub struct LabelledImages {
    pub images: Tensor,
    pub labels: Tensor,
    pub masks: Option<Tensor>,
}

impl LabelledImages {
    pub fn len(&self) -> i64 {
        self.images.size()[0]
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The images at `idx` as f32 in [0, 1], on the storage device.
    pub fn batch(&self, idx: &Tensor) -> Tensor {
        to_float(&self.images.index_select(0, idx))
    }

    fn split(self, first: i64) -> (LabelledImages, LabelledImages) {
        let n = self.len();
        let part = |start, len| LabelledImages {
            images: self.images.narrow(0, start, len),
            labels: self.labels.narrow(0, start, len),
            masks: self.masks.as_ref().map(|m| m.narrow(0, start, len)),
        };
        (part(0, first), part(first, n - first))
    }
}

/// Images as f32 in [0, 1]: stored bytes are scaled, float images pass through.
pub fn to_float(images: &Tensor) -> Tensor {
    match images.kind() {
        Kind::Uint8 => images.to_kind(Kind::Float) / 255.0,
        _ => images.shallow_clone(),
    }
}

/// The two splits of a run's data.
pub struct Dataset {
    pub train: LabelledImages,
    pub heldout: LabelledImages,
    /// Label `i` names `classes[i]`.
    pub classes: Vec<String>,
    /// What loading noticed that the user should know: files skipped and why, uneven slice
    /// spacing. Written to the run's log and shown when training starts.
    pub notes: Vec<String>,
}

impl DataConfig {
    /// The networks downsample by up to 32, so smaller images leave no feature map to pool. The
    /// top is what memory allows: images are made 256 at a time as floats (3 GiB at 1024 px,
    /// 48 GiB at 4096 px, which aborts the process instead of failing).
    pub const IMAGE_SIZE: Range<i64> = Range::closed(16, 1024);
    /// A batch needs two images.
    pub const TRAIN_COUNT: Range<usize> = Range::at_least(2).control(16, 100_000);
    pub const HELDOUT_COUNT: Range<usize> = Range::at_least(1).control(16, 20_000);

    pub fn load(&self, device: Device) -> anyhow::Result<Dataset> {
        self.load_with_progress(device, &no_progress)
    }

    /// Refuses settings no dataset can be made from, before any work starts.
    pub fn validate(&self) -> anyhow::Result<DataSource> {
        Self::IMAGE_SIZE.check("data.image_size", self.image_size)?;
        Self::TRAIN_COUNT.check("data.train_count", self.train_count)?;
        Self::HELDOUT_COUNT.check("data.heldout_count", self.heldout_count)?;
        let source = DataSource::parse(&self.source)?;
        if let DataSource::Files(path) = &source {
            self.files.check(path)?;
        }
        Ok(source)
    }

    /// For a `files:` source, the counts are maxima: a smaller collection is used whole.
    pub fn load_with_progress(&self, device: Device, progress: Progress) -> anyhow::Result<Dataset> {
        match self.validate()? {
            DataSource::Builtin(kind) => {
                // One generated sequence, split by index: image i depends only on (seed, i), so
                // the held-out images are new draws that training never sees.
                let total = self.train_count + self.heldout_count;
                let all = load_builtin(kind, total, self.image_size, self.seed, device, progress)?;
                let (train, heldout) = all.split(self.train_count as i64);
                let classes = kind.class_names().iter().map(|c| c.to_string()).collect();
                Ok(Dataset { train, heldout, classes, notes: Vec::new() })
            }
            DataSource::Files(path) => files::load(&path, self, device, progress),
        }
    }
}

/// Images generated per progress report.
const CHUNK: usize = 256;

/// The first `count` images of a built-in set on `device`, generated in chunks.
pub fn load_builtin(
    kind: BuiltinKind,
    count: usize,
    size: i64,
    seed: u64,
    device: Device,
    progress: Progress,
) -> anyhow::Result<LabelledImages> {
    let mut images = Vec::new();
    let mut labels = Vec::new();
    let mut masks = Vec::new();
    for start in (0..count).step_by(CHUNK) {
        progress(kind.display_name(), start, count)?;
        let set = builtin::generate_range(kind, start..(start + CHUNK).min(count), size as usize, seed);
        let bytes: Vec<u8> = set.images.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8).collect();
        images.push(Tensor::from_slice(&bytes).view([-1, 3, size, size]));
        labels.push(Tensor::from_slice(&set.labels));
        // The generators' lesion and nuclei masks, 0 or 1 per pixel.
        masks.push(Tensor::from_slice(&set.masks).view([-1, 1, size, size]));
    }
    progress(kind.display_name(), count, count)?;
    Ok(LabelledImages {
        images: Tensor::cat(&images, 0).to_device(device),
        labels: Tensor::cat(&labels, 0).to_kind(Kind::Int64).to_device(device),
        masks: Some(Tensor::cat(&masks, 0).to_device(device)),
    })
}
