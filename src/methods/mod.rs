//! SSL methods, one file each, behind the `Method` trait. `MethodConfig` is both the typed,
//! serialisable configuration of a method and the registry entry the GUI's picker lists.
//!
//! Adding a method: a file here, a variant in `MethodConfig`, a line in `registry()`, a preset.
pub mod losses;
pub mod mixssl;
pub mod simclr;

use crate::data::Progress;
use crate::nn::{Encoder, EncoderConfig};
use serde::{Deserialize, Serialize};
use tch::{nn, Tensor};

/// What one training step produced: the loss to minimise and named scalars to plot.
pub struct StepOutput {
    pub loss: Tensor,
    pub metrics: Vec<(String, f64)>,
}

/// A labelled row of images for the dashboard: `[k, 3, H, W]` in [0, 1].
pub struct PreviewRow {
    pub label: String,
    pub images: Tensor,
}

pub trait Method {
    /// The loss for one batch of training images `[B, 3, H, W]` in [0, 1], before augmentation:
    /// the method augments them itself, on the device, exactly as the preview shows.
    fn step(&mut self, images: &Tensor) -> StepOutput;

    /// The tensors the model receives for `images` (and what it makes of them), for display.
    fn preview(&self, images: &Tensor) -> Vec<PreviewRow>;

    /// Pretext metrics on held-out images (stored bytes, see `data::to_float`), once per epoch
    /// (e.g. reconstruction error).
    fn evaluate(&self, _heldout: &Tensor) -> Vec<(String, f64)> {
        Vec::new()
    }

    /// The representation being learned; what is kept after pretraining.
    fn encoder(&self) -> &Encoder;
}

/// Facts about a method, for menus, docs and the CLI.
pub struct MethodInfo {
    pub id: &'static str,
    pub name: &'static str,
    pub family: &'static str,
    /// The reference document, in `shared/seeds/`, and its digest.
    pub source: &'static str,
    pub summary: &'static str,
    pub needs_labels: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "lowercase")]
pub enum MethodConfig {
    Simclr(simclr::SimclrConfig),
    Mixssl(mixssl::MixsslConfig),
}

impl Default for MethodConfig {
    fn default() -> Self {
        MethodConfig::Simclr(Default::default())
    }
}

/// Every method, in its default configuration, in menu order.
pub fn registry() -> Vec<MethodConfig> {
    vec![MethodConfig::Simclr(Default::default()), MethodConfig::Mixssl(Default::default())]
}

/// What a method needs from the run besides its own configuration.
pub struct BuildContext<'a> {
    pub encoder: &'a EncoderConfig,
    pub image_size: i64,
    pub seed: u64,
    /// For methods that load data of their own (MixSSL's auxiliary domain).
    pub progress: Progress<'a>,
}

impl MethodConfig {
    pub fn info(&self) -> &'static MethodInfo {
        match self {
            MethodConfig::Simclr(_) => &simclr::INFO,
            MethodConfig::Mixssl(_) => &mixssl::INFO,
        }
    }

    /// Refuses settings the method cannot run with, before any work starts.
    pub fn check(&self, encoder: &EncoderConfig, image_size: i64) -> anyhow::Result<()> {
        if let MethodConfig::Mixssl(_) = self {
            let stride = encoder.stem.network_stride();
            anyhow::ensure!(
                image_size % stride == 0,
                "MixSSL reconstructs the input from a feature map {stride}x smaller, so the image size \
                 ({image_size} px) must be a multiple of {stride}"
            );
        }
        Ok(())
    }

    /// Creates the method's parameters under `p`.
    pub fn build(&self, p: &nn::Path, ctx: &BuildContext) -> anyhow::Result<Box<dyn Method>> {
        Ok(match self {
            MethodConfig::Simclr(c) => Box::new(simclr::Simclr::new(p, ctx, c.clone())),
            MethodConfig::Mixssl(c) => Box::new(mixssl::MixSsl::new(p, ctx, c.clone())?),
        })
    }
}
