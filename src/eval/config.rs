//! What an evaluation runs: which protocols, on how many labels, over which seeds.
use super::budget::LabelBudget;
use super::finetune::FinetuneConfig;
use super::knn::KnnConfig;
use super::probe::LinearProbeConfig;
use super::segmentation::SegmentationProbeConfig;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Weighted kNN on frozen pooled features.
    Knn,
    /// Softmax regression on frozen pooled features.
    Linear,
    /// The whole encoder and a linear head trained on the labels.
    FineTune,
    /// A 1×1 convolution on the frozen last feature map, for data with masks.
    Segmentation,
}

impl Protocol {
    pub const ALL: [Protocol; 4] =
        [Protocol::Knn, Protocol::Linear, Protocol::FineTune, Protocol::Segmentation];

    pub fn id(self) -> &'static str {
        match self {
            Protocol::Knn => "knn",
            Protocol::Linear => "linear",
            Protocol::FineTune => "finetune",
            Protocol::Segmentation => "segmentation",
        }
    }

    pub fn parse(s: &str) -> anyhow::Result<Self> {
        Self::ALL.into_iter().find(|p| p.id() == s.trim()).ok_or_else(|| {
            anyhow::anyhow!("unknown protocol '{s}': use knn, linear, finetune or segmentation")
        })
    }

    pub fn is_classification(self) -> bool {
        self != Protocol::Segmentation
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvalConfig {
    pub protocols: Vec<Protocol>,
    /// The labelled training images every protocol may use (the held-out set is always whole).
    pub budget: LabelBudget,
    /// One evaluation per seed; each picks the budget's images, the batch order and the
    /// fine-tuning head's start.
    pub seeds: Vec<u64>,
    pub knn: KnnConfig,
    pub linear: LinearProbeConfig,
    pub finetune: FinetuneConfig,
    pub segmentation: SegmentationProbeConfig,
}

impl Default for EvalConfig {
    /// Fine-tuning is left out: it trains whole networks, minutes per seed on a CPU.
    fn default() -> Self {
        Self {
            protocols: vec![Protocol::Knn, Protocol::Linear, Protocol::Segmentation],
            budget: LabelBudget::default(),
            seeds: vec![0, 1, 2],
            knn: KnnConfig::default(),
            linear: LinearProbeConfig::default(),
            finetune: FinetuneConfig::default(),
            segmentation: SegmentationProbeConfig::default(),
        }
    }
}

impl EvalConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.protocols.is_empty(), "choose at least one protocol");
        for (i, p) in self.protocols.iter().enumerate() {
            anyhow::ensure!(!self.protocols[..i].contains(p), "protocol {} is listed twice", p.id());
        }
        anyhow::ensure!(!self.seeds.is_empty(), "choose at least one seed");
        for (i, s) in self.seeds.iter().enumerate() {
            anyhow::ensure!(!self.seeds[..i].contains(s), "seed {s} is listed twice");
        }
        self.budget.validate()?;
        self.knn.validate()?;
        self.linear.validate()?;
        self.finetune.validate()?;
        self.segmentation.validate()
    }
}
