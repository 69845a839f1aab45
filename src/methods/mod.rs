//! SSL methods, one file each, behind the `Method` trait. `MethodConfig` is both the typed,
//! serialisable configuration of a method and the registry entry the GUI's picker lists.
//!
//! Adding a method: a file here, a variant in `MethodConfig`, a line in `registry()`, a preset.
pub mod losses;
pub mod mixssl;
pub mod simclr;

use crate::augment::{Pipeline, ViewPair};
use crate::data::Progress;
use crate::nn::{Encoder, EncoderConfig};
use serde::{Deserialize, Serialize};
use tch::{nn, Tensor};

/// What one training step produced: the loss to minimise, named scalars to plot, and the
/// tensors the model was fed (with what it made of them), which the dashboard shows from time
/// to time.
pub struct StepOutput {
    pub loss: Tensor,
    pub metrics: Vec<(String, f64)>,
    pub fed: Vec<PreviewRow>,
}

/// A labelled row of images for the dashboard: `[k, C, H, W]` in [0, 1].
pub struct PreviewRow {
    pub label: String,
    pub images: Tensor,
}

impl PreviewRow {
    pub fn new(label: impl Into<String>, images: &Tensor) -> Self {
        Self { label: label.into(), images: images.detach() }
    }
}

pub trait Method {
    /// The loss for one batch of training images `[B, 3, H, W]` in [0, 1], before augmentation:
    /// the method augments them itself, on the device, with its `augment::AugRng`.
    fn step(&mut self, images: &Tensor) -> StepOutput;

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

/// A method's augmentation pipelines, named, and which pipeline makes each view the model
/// receives: what the augmentation studio edits and previews.
pub struct Augmentations<'a> {
    pub pipelines: Vec<(&'static str, &'a mut Pipeline)>,
    /// (view name, index into `pipelines`).
    pub views: Vec<(&'static str, usize)>,
}

impl MethodConfig {
    pub fn augmentations_mut(&mut self) -> Augmentations<'_> {
        match self {
            MethodConfig::Simclr(c) => match &mut c.views.second {
                None => Augmentations {
                    pipelines: vec![("views 1 and 2", &mut c.views.first)],
                    views: vec![("view 1", 0), ("view 2", 0)],
                },
                Some(second) => Augmentations {
                    pipelines: vec![("view 1", &mut c.views.first), ("view 2", second)],
                    views: vec![("view 1", 0), ("view 2", 1)],
                },
            },
            MethodConfig::Mixssl(c) => Augmentations {
                pipelines: vec![("target and auxiliary", &mut c.augment)],
                views: vec![("augmented target", 0)],
            },
        }
    }

    /// Replaces the method's views by a recipe's; a one-view method takes the first pipeline.
    pub fn set_views(&mut self, views: ViewPair) {
        match self {
            MethodConfig::Simclr(c) => c.views = views,
            MethodConfig::Mixssl(c) => c.augment = views.first,
        }
    }

    /// Whether the method compares two views whose pipelines may differ.
    pub fn views_mut(&mut self) -> Option<&mut ViewPair> {
        match self {
            MethodConfig::Simclr(c) => Some(&mut c.views),
            MethodConfig::Mixssl(_) => None,
        }
    }

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
