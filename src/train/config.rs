//! Everything needed to repeat a run, seeds included; written as `config.toml` in the run.
use crate::data::DataConfig;
use crate::device::DeviceChoice;
use crate::eval::KnnConfig;
use crate::methods::MethodConfig;
use crate::nn::EncoderConfig;
use crate::range::{out_of_range, Range};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    /// Seeds libtorch's generator (weights, batch order) and the methods' `AugRng` (views, λ draws).
    pub seed: u64,
    pub device: DeviceChoice,
    /// libtorch intra-op threads; unset: all cores headless, all but one under the GUI.
    pub threads: Option<usize>,
    pub train: TrainConfig,
    pub optim: OptimConfig,
    pub data: DataConfig,
    pub encoder: EncoderConfig,
    pub method: MethodConfig,
    pub knn: KnnConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    /// Send the dashboard what the model receives every this many steps.
    pub preview_every: usize,
}

impl TrainConfig {
    pub const EPOCHS: Range<usize> = Range::at_least(1).control(1, 10_000);
    /// Batch norm and every contrastive loss need two images in a batch.
    pub const BATCH_SIZE: Range<usize> = Range::at_least(2).control(2, 4096);
    /// In steps; 0 would mean never, which a dashboard that waits for previews cannot show.
    pub const PREVIEW_EVERY: Range<usize> = Range::at_least(1);

    pub fn validate(&self) -> anyhow::Result<()> {
        Self::EPOCHS.check("train.epochs", self.epochs)?;
        Self::BATCH_SIZE.check("train.batch_size", self.batch_size)?;
        Self::PREVIEW_EVERY.check("train.preview_every", self.preview_every)
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self { epochs: 10, batch_size: 64, preview_every: 25 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// torch's Adam, weight decay as coupled L2.
    Adam,
    /// SGD with momentum.
    Sgd,
    /// SGD with momentum and layer-wise trust ratios (LARS), for large-batch self-supervised runs.
    Lars,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    Constant,
    /// Half-cosine from the base rate to zero after the warm-up.
    Cosine,
    /// The base rate times `gamma` per milestone passed, like torch's `MultiStepLR`.
    MultiStep,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimConfig {
    pub optimizer: OptimizerKind,
    pub lr: f64,
    /// LARS leaves biases and normalisation parameters undecayed, as its reference code does.
    pub weight_decay: f64,
    /// SGD and LARS only.
    pub momentum: f64,
    /// LARS only: the trust coefficient η, which sets each weight's step to about η·‖w‖ times
    /// the learning rate whatever its gradient's scale.
    pub lars_trust: f64,
    pub schedule: Schedule,
    /// Linear warm-up from zero, in epochs (fractions allowed).
    pub warmup_epochs: f64,
    /// MultiStep only: epochs from the start of the run (fractions allowed), in increasing order.
    /// Epochs rather than fractions of the run so that a setting from a paper or from torch's
    /// `MultiStepLR` carries over unchanged.
    pub milestones: Vec<f64>,
    /// MultiStep only: the factor applied at each milestone.
    pub gamma: f64,
}

impl Default for OptimConfig {
    fn default() -> Self {
        Self {
            optimizer: OptimizerKind::Adam,
            lr: 1e-3,
            weight_decay: 1e-4,
            momentum: 0.9,
            lars_trust: 0.001,
            schedule: Schedule::Cosine,
            warmup_epochs: 0.0,
            milestones: Vec::new(),
            gamma: 0.1,
        }
    }
}

impl OptimConfig {
    pub const LR: Range<f64> = Range::above(0.0).control(1e-6, 10.0);
    pub const WEIGHT_DECAY: Range<f64> = Range::at_least(0.0);
    /// At 1 the velocity never forgets a gradient and the steps grow without bound.
    pub const MOMENTUM: Range<f64> = Range::half_open(0.0, 1.0);
    pub const LARS_TRUST: Range<f64> = Range::above(0.0);
    pub const WARMUP_EPOCHS: Range<f64> = Range::at_least(0.0);
    pub const MILESTONE: Range<f64> = Range::at_least(0.0);
    /// Above 1 the rate would grow at each milestone; 0 would stop training at the first.
    pub const GAMMA: Range<f64> = Range::above_up_to(0.0, 1.0);

    /// Checks the values every optimiser and schedule relies on, and those of the chosen ones.
    pub fn validate(&self) -> anyhow::Result<()> {
        Self::LR.check("optim.lr", self.lr)?;
        Self::WEIGHT_DECAY.check("optim.weight_decay", self.weight_decay)?;
        Self::MOMENTUM.check("optim.momentum", self.momentum)?;
        Self::LARS_TRUST.check("optim.lars_trust", self.lars_trust)?;
        Self::WARMUP_EPOCHS.check("optim.warmup_epochs", self.warmup_epochs)?;
        Self::GAMMA.check("optim.gamma", self.gamma)?;
        for (i, m) in self.milestones.iter().enumerate() {
            Self::MILESTONE.check(&format!("optim.milestones[{i}]"), *m)?;
        }
        if !self.milestones.windows(2).all(|w| w[0] < w[1]) {
            return Err(out_of_range(
                "optim.milestones",
                format!("{:?}", self.milestones),
                "in increasing order, each once",
            ));
        }
        anyhow::ensure!(
            self.schedule != Schedule::MultiStep || !self.milestones.is_empty(),
            "optim.milestones is empty: the multistep schedule needs at least one milestone"
        );
        Ok(())
    }
}

impl RunConfig {
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        toml::from_str(text).context("invalid run configuration")
    }

    /// The configuration a run directory was started with.
    pub fn read(run_dir: &Path) -> anyhow::Result<Self> {
        let path = run_dir.join("config.toml");
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!("{} is not a run directory: cannot read its config.toml", run_dir.display())
        })?;
        Self::from_toml(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a run configuration always serialises")
    }

    /// libtorch needs at least one thread to compute on.
    pub const THREADS: Range<usize> = Range::at_least(1);

    /// Every setting against its declared range, then the settings that depend on each other;
    /// runs before any data is loaded or any network built.
    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(threads) = self.threads {
            Self::THREADS.check("threads", threads)?;
        }
        self.train.validate()?;
        self.optim.validate()?;
        self.data.validate()?;
        if self.train.batch_size > self.data.train_count {
            let must_be = format!("<= data.train_count ({})", self.data.train_count);
            return Err(out_of_range("train.batch_size", self.train.batch_size, must_be));
        }
        self.encoder.validate()?;
        self.knn.validate()?;
        self.method.check(&self.encoder, self.data.image_size)
    }
}

/// A named set of run configurations for one method (`presets/*.toml`): typically the paper's
/// setting and a CPU-sized variant of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub name: String,
    pub description: String,
    pub default_variant: String,
    pub variants: BTreeMap<String, RunConfig>,
}

impl Preset {
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let preset: Preset = toml::from_str(text).context("invalid preset")?;
        anyhow::ensure!(
            preset.variants.contains_key(&preset.default_variant),
            "preset '{}' has no variant '{}'",
            preset.name,
            preset.default_variant
        );
        Ok(preset)
    }

    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read preset {}", path.display()))?;
        Self::from_toml(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Writes the preset as TOML, atomically: a failed write leaves the old file whole.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let text = toml::to_string(self).context("cannot write the preset as TOML")?;
        super::run_dir::write_atomic(path, text.as_bytes())
    }

    /// The named variant, or the default one.
    pub fn variant(&self, name: Option<&str>) -> anyhow::Result<RunConfig> {
        let name = name.unwrap_or(&self.default_variant);
        self.variants.get(name).cloned().with_context(|| {
            let known: Vec<_> = self.variants.keys().cloned().collect();
            format!("preset '{}' has no variant '{name}' (it has: {})", self.name, known.join(", "))
        })
    }
}

/// The presets shipped in `presets/`, compiled in so the app works from any directory.
pub fn builtin_presets() -> Vec<Preset> {
    [
        include_str!("../../presets/simclr.toml"),
        include_str!("../../presets/moco_v2.toml"),
        include_str!("../../presets/byol.toml"),
        include_str!("../../presets/simsiam.toml"),
        include_str!("../../presets/barlow_twins.toml"),
        include_str!("../../presets/vicreg.toml"),
        include_str!("../../presets/dcl.toml"),
        include_str!("../../presets/binary_contrastive.toml"),
        include_str!("../../presets/mio.toml"),
        include_str!("../../presets/dystress.toml"),
        include_str!("../../presets/mixssl.toml"),
    ]
    .into_iter()
    .map(|t| Preset::from_toml(t).expect("shipped presets are valid"))
    .collect()
}
