//! SSL methods, one file each, behind the `Method` trait. `MethodConfig` is both the typed,
//! serialisable configuration of a method and the registry entry the GUI's picker lists.
//!
//! Adding a method: a file here, a variant in `MethodConfig`, a line in `registry()`, a preset.
pub mod barlow_twins;
pub mod binary_contrastive;
pub mod byol;
pub mod dcl;
pub mod dystress;
pub mod losses;
pub mod mio;
pub mod mixssl;
pub mod moco;
pub mod momentum;
pub mod simclr;
pub mod simsiam;
pub mod two_view;
pub mod vicreg;

use crate::augment::{Param, Pipeline, ViewPair};
use crate::data::Progress;
use crate::nn::{Encoder, EncoderConfig};
use crate::range::Range;
use losses::dystress::TemperatureProfile;
use serde::{Deserialize, Serialize};
use tch::{nn, Tensor};

/// A softmax temperature divides the similarities; the controls offer the values papers use.
pub const TEMPERATURE: Range<f64> = Range::above(0.0).control(0.01, 2.0);
/// Widths of projector, predictor and decoder layers.
pub const LAYER_WIDTH: Range<i64> = Range::at_least(1).control(8, 16384);
/// The target network's share of an exponential moving average: 0 copies the online network
/// each step, 1 freezes the target.
pub const EMA_MOMENTUM: Range<f64> = Range::closed(0.0, 1.0);

/// What one training step produced: the loss to minimise, named scalars to plot, and the
/// tensors the model was fed (with what it made of them), which the dashboard shows from time
/// to time.
pub struct StepOutput {
    pub loss: Tensor,
    pub metrics: Vec<(String, f64)>,
    pub fed: Vec<PreviewRow>,
    /// For methods that compare embeddings of two views: what the dashboard diagnoses.
    pub embeddings: Option<Embeddings>,
}

/// The embeddings of the two views a method compared in a step, detached: `[N, D]` each,
/// row i of both from image i.
pub struct Embeddings {
    pub first: Tensor,
    pub second: Tensor,
    /// DySTreSS's τ(c), whose curve and per-pair values the dashboard plots.
    pub temperature: Option<TemperatureProfile>,
}

impl Embeddings {
    pub fn new(first: &Tensor, second: &Tensor) -> Self {
        Self { first: first.detach(), second: second.detach(), temperature: None }
    }
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
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput>;

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
#[serde(tag = "name", rename_all = "snake_case")]
pub enum MethodConfig {
    Simclr(simclr::SimclrConfig),
    #[serde(rename = "moco_v2")]
    MocoV2(moco::MocoConfig),
    Byol(byol::ByolConfig),
    Simsiam(simsiam::SimsiamConfig),
    BarlowTwins(barlow_twins::BarlowTwinsConfig),
    Vicreg(vicreg::VicregConfig),
    Dcl(dcl::DclConfig),
    BinaryContrastive(binary_contrastive::BinaryContrastiveConfig),
    Mio(mio::MioConfig),
    Dystress(dystress::DystressConfig),
    Mixssl(mixssl::MixsslConfig),
}

impl Default for MethodConfig {
    fn default() -> Self {
        MethodConfig::Simclr(Default::default())
    }
}

/// Every method, in its default configuration, in menu order.
pub fn registry() -> Vec<MethodConfig> {
    vec![
        MethodConfig::Simclr(Default::default()),
        MethodConfig::MocoV2(Default::default()),
        MethodConfig::Byol(Default::default()),
        MethodConfig::Simsiam(Default::default()),
        MethodConfig::BarlowTwins(Default::default()),
        MethodConfig::Vicreg(Default::default()),
        MethodConfig::Dcl(Default::default()),
        MethodConfig::BinaryContrastive(Default::default()),
        MethodConfig::Mio(Default::default()),
        MethodConfig::Dystress(Default::default()),
        MethodConfig::Mixssl(Default::default()),
    ]
}

/// What a method needs from the run besides its own configuration.
pub struct BuildContext<'a> {
    pub encoder: &'a EncoderConfig,
    pub image_size: i64,
    pub seed: u64,
    /// Optimiser steps the run will take, for schedules inside a method (BYOL's momentum).
    pub total_steps: usize,
    /// Steps already taken: 0, or where a resumed run's checkpoint stood.
    pub first_step: usize,
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
        if let MethodConfig::Mixssl(c) = self {
            return Augmentations {
                pipelines: vec![("target and auxiliary", &mut c.augment)],
                views: vec![("augmented target", 0)],
            };
        }
        match self.views_mut().map(|v| (&mut v.first, v.second.as_mut())) {
            Some((first, None)) => Augmentations {
                pipelines: vec![("views 1 and 2", first)],
                views: vec![("view 1", 0), ("view 2", 0)],
            },
            Some((first, Some(second))) => Augmentations {
                pipelines: vec![("view 1", first), ("view 2", second)],
                views: vec![("view 1", 0), ("view 2", 1)],
            },
            None => Augmentations { pipelines: Vec::new(), views: Vec::new() },
        }
    }

    /// Replaces the method's views by a recipe's; a one-view method takes the first pipeline.
    pub fn set_views(&mut self, views: ViewPair) {
        match self {
            MethodConfig::Mixssl(c) => c.augment = views.first,
            _ => {
                if let Some(v) = self.views_mut() {
                    *v = views;
                }
            }
        }
    }

    /// The two views a two-view method compares, whose pipelines may differ.
    pub fn views_mut(&mut self) -> Option<&mut ViewPair> {
        Some(match self {
            MethodConfig::Simclr(c) => &mut c.views,
            MethodConfig::MocoV2(c) => &mut c.views,
            MethodConfig::Byol(c) => &mut c.views,
            MethodConfig::Simsiam(c) => &mut c.views,
            MethodConfig::BarlowTwins(c) => &mut c.views,
            MethodConfig::Vicreg(c) => &mut c.views,
            MethodConfig::Dcl(c) => &mut c.views,
            MethodConfig::BinaryContrastive(c) => &mut c.views,
            MethodConfig::Mio(c) => &mut c.views,
            MethodConfig::Dystress(c) => &mut c.views,
            MethodConfig::Mixssl(_) => return None,
        })
    }

    /// The method's own settings, as controls for the picker.
    pub fn params(&mut self) -> Vec<Param<'_>> {
        match self {
            MethodConfig::Simclr(c) => c.params(),
            MethodConfig::MocoV2(c) => c.params(),
            MethodConfig::Byol(c) => c.params(),
            MethodConfig::Simsiam(c) => c.params(),
            MethodConfig::BarlowTwins(c) => c.params(),
            MethodConfig::Vicreg(c) => c.params(),
            MethodConfig::Dcl(c) => c.params(),
            MethodConfig::BinaryContrastive(c) => c.params(),
            MethodConfig::Mio(c) => c.params(),
            MethodConfig::Dystress(c) => c.params(),
            MethodConfig::Mixssl(c) => c.params(),
        }
    }

    pub fn info(&self) -> &'static MethodInfo {
        match self {
            MethodConfig::Simclr(_) => &simclr::INFO,
            MethodConfig::MocoV2(_) => &moco::INFO,
            MethodConfig::Byol(_) => &byol::INFO,
            MethodConfig::Simsiam(_) => &simsiam::INFO,
            MethodConfig::BarlowTwins(_) => &barlow_twins::INFO,
            MethodConfig::Vicreg(_) => &vicreg::INFO,
            MethodConfig::Dcl(_) => &dcl::INFO,
            MethodConfig::BinaryContrastive(_) => &binary_contrastive::INFO,
            MethodConfig::Mio(_) => &mio::INFO,
            MethodConfig::Dystress(_) => &dystress::INFO,
            MethodConfig::Mixssl(_) => &mixssl::INFO,
        }
    }

    /// Refuses settings the method cannot run with, before any work starts: each against its
    /// declared range, named by its path ("method.simclr.temperature"), then the augmentations.
    pub fn check(&self, encoder: &EncoderConfig, image_size: i64) -> anyhow::Result<()> {
        let path = format!("method.{}", self.info().id);
        match self {
            MethodConfig::Simclr(c) => c.validate(&path)?,
            MethodConfig::MocoV2(c) => c.validate(&path)?,
            MethodConfig::Byol(c) => c.validate(&path)?,
            MethodConfig::Simsiam(c) => c.validate(&path)?,
            MethodConfig::BarlowTwins(c) => c.validate(&path)?,
            MethodConfig::Vicreg(c) => c.validate(&path)?,
            MethodConfig::Dcl(c) => c.validate(&path)?,
            MethodConfig::BinaryContrastive(c) => c.validate(&path)?,
            MethodConfig::Mio(c) => c.validate(&path)?,
            MethodConfig::Dystress(c) => c.validate(&path)?,
            MethodConfig::Mixssl(c) => {
                c.validate(&path)?;
                let stride = encoder.stem.network_stride();
                anyhow::ensure!(
                    image_size % stride == 0,
                    "MixSSL reconstructs the input from a feature map {stride}x smaller, so the image size \
                     ({image_size} px) must be a multiple of {stride}"
                );
            }
        }
        // The studio's own check of the augmentations' ranges, on the 2D images runs train on.
        let mut copy = self.clone();
        for (field, pipeline) in copy.pipeline_fields() {
            if let Some(problem) = pipeline.problems(2).first() {
                anyhow::bail!("{path}.{field}: {problem}");
            }
        }
        Ok(())
    }

    /// The method's pipelines by their place in its configuration.
    fn pipeline_fields(&mut self) -> Vec<(&'static str, &Pipeline)> {
        match self {
            MethodConfig::Mixssl(c) => vec![("augment", &c.augment)],
            other => match other.views_mut() {
                Some(v) => {
                    let second = v.second.as_ref().map(|s| ("views.second", s));
                    std::iter::once(("views.first", &v.first)).chain(second).collect()
                }
                None => Vec::new(),
            },
        }
    }

    /// Creates the method's parameters under `p`.
    pub fn build(&self, p: &nn::Path, ctx: &BuildContext) -> anyhow::Result<Box<dyn Method>> {
        Ok(match self {
            MethodConfig::Simclr(c) => Box::new(simclr::Simclr::new(p, ctx, c.clone())),
            MethodConfig::MocoV2(c) => Box::new(moco::Moco::new(p, ctx, c.clone())),
            MethodConfig::Byol(c) => Box::new(byol::Byol::new(p, ctx, c.clone())),
            MethodConfig::Simsiam(c) => Box::new(simsiam::Simsiam::new(p, ctx, c.clone())),
            MethodConfig::BarlowTwins(c) => Box::new(barlow_twins::BarlowTwins::new(p, ctx, c.clone())),
            MethodConfig::Vicreg(c) => Box::new(vicreg::Vicreg::new(p, ctx, c.clone())),
            MethodConfig::Dcl(c) => Box::new(dcl::Dcl::new(p, ctx, c.clone())),
            MethodConfig::BinaryContrastive(c) => {
                Box::new(binary_contrastive::BinaryContrastive::new(p, ctx, c.clone()))
            }
            MethodConfig::Mio(c) => Box::new(mio::Mio::new(p, ctx, c.clone())),
            MethodConfig::Dystress(c) => Box::new(dystress::Dystress::new(p, ctx, c.clone())),
            MethodConfig::Mixssl(c) => Box::new(mixssl::MixSsl::new(p, ctx, c.clone())?),
        })
    }
}
