//! Everything needed to repeat a run, seeds included; written as `config.toml` in the run.
use crate::data::DataConfig;
use crate::device::DeviceChoice;
use crate::eval::KnnConfig;
use crate::methods::MethodConfig;
use crate::nn::EncoderConfig;
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
    /// Checks the values every optimiser and schedule relies on, and those of the chosen ones.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.lr.is_finite() && self.lr > 0.0, "learning rate must be positive");
        anyhow::ensure!(
            self.lars_trust.is_finite() && self.lars_trust > 0.0,
            "the LARS trust coefficient must be positive, not {}",
            self.lars_trust
        );
        anyhow::ensure!(
            self.gamma.is_finite() && self.gamma > 0.0 && self.gamma <= 1.0,
            "the multistep gamma must be in (0, 1], not {}",
            self.gamma
        );
        if let Some(bad) = self.milestones.iter().find(|m| !(m.is_finite() && **m >= 0.0)) {
            anyhow::bail!("milestones are epochs, zero or more: {bad} is not one");
        }
        anyhow::ensure!(
            self.milestones.windows(2).all(|w| w[0] < w[1]),
            "milestones must be in increasing order, each once: {:?}",
            self.milestones
        );
        anyhow::ensure!(
            self.schedule != Schedule::MultiStep || !self.milestones.is_empty(),
            "the multistep schedule needs at least one milestone"
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

    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.train.epochs > 0, "epochs must be at least 1");
        anyhow::ensure!(self.train.batch_size >= 2, "batch size must be at least 2");
        anyhow::ensure!(
            self.train.batch_size <= self.data.train_count,
            "batch size {} exceeds the {} training images",
            self.train.batch_size,
            self.data.train_count
        );
        self.optim.validate()?;
        anyhow::ensure!(self.encoder.width > 0.0, "encoder width must be positive");
        self.data.validate()?;
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
