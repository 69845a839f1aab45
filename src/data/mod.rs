//! Datasets built from loaded files or generated in process, split into a training set and a
//! held-out labelled set, and kept on the training device as whole tensors.
pub mod builtin;

use anyhow::Context;
use builtin::BuiltinKind;
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

/// Where images come from. Written `builtin:ct`, `builtin:histo`, `builtin:natural`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataSource {
    Builtin(BuiltinKind),
}

impl DataSource {
    pub fn parse(s: &str) -> anyhow::Result<Self> {
        let builtin = s.strip_prefix("builtin:").with_context(|| {
            format!("unknown data source '{s}': use builtin:ct, builtin:histo or builtin:natural")
        })?;
        BuiltinKind::parse(builtin)
            .map(DataSource::Builtin)
            .with_context(|| {
                format!("unknown built-in dataset '{builtin}': use ct, histo or natural")
            })
    }

    pub fn id(&self) -> String {
        match self {
            DataSource::Builtin(k) => format!("builtin:{}", k.id()),
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
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            source: "builtin:ct".into(),
            image_size: 64,
            train_count: 2000,
            heldout_count: 500,
            seed: 0,
        }
    }
}

/// Images `[N, 3, H, W]` in [0, 1] and their class labels `[N]`.
pub struct LabelledImages {
    pub images: Tensor,
    pub labels: Tensor,
}

impl LabelledImages {
    pub fn len(&self) -> i64 {
        self.images.size()[0]
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub struct Dataset {
    pub source: DataSource,
    pub class_names: Vec<String>,
    pub train: LabelledImages,
    pub heldout: LabelledImages,
}

impl DataConfig {
    pub fn load(&self, device: Device) -> anyhow::Result<Dataset> {
        anyhow::ensure!(self.image_size >= 16, "image size must be at least 16 px");
        anyhow::ensure!(
            self.train_count > 0 && self.heldout_count > 0,
            "both splits need images"
        );
        let source = DataSource::parse(&self.source)?;
        match source {
            DataSource::Builtin(kind) => {
                // One generated set, split by index: image i depends only on (seed, i), so the
                // held-out images are new draws that training never sees.
                let total = self.train_count + self.heldout_count;
                let set = builtin::generate(kind, total, self.image_size as usize, self.seed);
                let all = builtin_tensors(&set, device);
                let (n_train, n_held) = (self.train_count as i64, self.heldout_count as i64);
                Ok(Dataset {
                    source,
                    class_names: kind.class_names().iter().map(|s| s.to_string()).collect(),
                    train: LabelledImages {
                        images: all.images.narrow(0, 0, n_train),
                        labels: all.labels.narrow(0, 0, n_train),
                    },
                    heldout: LabelledImages {
                        images: all.images.narrow(0, n_train, n_held),
                        labels: all.labels.narrow(0, n_train, n_held),
                    },
                })
            }
        }
    }
}

/// A generated set as tensors on `device`.
pub fn builtin_tensors(set: &builtin::BuiltinSet, device: Device) -> LabelledImages {
    let s = set.size as i64;
    LabelledImages {
        images: Tensor::from_slice(&set.images)
            .view([-1, 3, s, s])
            .to_device(device),
        labels: Tensor::from_slice(&set.labels)
            .to_kind(Kind::Int64)
            .to_device(device),
    }
}
