//! VICReg (Bardes et al. 2022; a baseline of the thesis's chapter 6, digest specs/004b): the
//! views' projections agree (invariance), every dimension keeps a standard deviation of at
//! least 1 across the batch (variance), and dimensions are decorrelated (covariance).
use super::losses::redundancy::{self, VicregWeights};
use super::two_view::{halves, Pass, ProjectorConfig, Siamese};
use super::LAYER_WIDTH;
use super::{BuildContext, Method, MethodInfo, StepOutput};
use crate::augment::Param;
use crate::augment::{recipes, ViewPair};
use crate::nn::{Encoder, Norm};
use crate::range::Range;
use serde::{Deserialize, Serialize};
use tch::nn;
use tch::Tensor;

pub static INFO: MethodInfo = MethodInfo {
    id: "vicreg",
    name: "VICReg",
    family: "redundancy reduction (no negatives)",
    source: "Bardes et al. 2022; a baseline in 004_7ad4960432a0c864.txt (thesis ch. 6), digest specs/004b",
    summary: "Three explicit terms: the views' projections agree (invariance), each dimension keeps its \
              spread across the batch (variance, which forbids collapse) and the dimensions are \
              decorrelated (covariance).",
    needs_labels: false,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VicregConfig {
    /// λ, μ, ν: 25, 25, 1.
    pub weights: VicregWeights,
    /// BYOL's asymmetric pipelines, as the paper.
    pub views: ViewPair,
    /// Three layers of 8192 with BN and ReLU in the paper.
    pub projector: ProjectorConfig,
    /// Negative control: each view's partner is a view of another image.
    pub shuffle_positives: bool,
}

impl VicregConfig {
    /// The settings the method picker shows as controls.
    pub fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Number {
                name: "invariance λ",
                value: &mut self.weights.invariance,
                range: Self::WEIGHT.control_pair(),
            },
            Param::Number {
                name: "variance μ",
                value: &mut self.weights.variance,
                range: Self::WEIGHT.control_pair(),
            },
            Param::Number {
                name: "covariance ν",
                value: &mut self.weights.covariance,
                range: Self::WEIGHT.control_pair(),
            },
            Param::Integer {
                name: "projection width",
                value: &mut self.projector.out,
                range: LAYER_WIDTH.control_pair(),
            },
            Param::Toggle {
                name: "shuffle positives (negative control)",
                value: &mut self.shuffle_positives,
            },
        ]
    }

    /// λ, μ and ν; the loss refuses a zero weight (drop the term by another method instead).
    pub const WEIGHT: Range<f64> = Range::above(0.0).control(0.01, 100.0);

    /// Every setting against its declared range; `path` is the config's place ("method.vicreg").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        let w = &self.weights;
        for (name, value) in
            [("invariance", w.invariance), ("variance", w.variance), ("covariance", w.covariance)]
        {
            Self::WEIGHT.check(&format!("{path}.weights.{name}"), value)?;
        }
        self.projector.validate(&format!("{path}.projector"))
    }
}

impl Default for VicregConfig {
    fn default() -> Self {
        Self {
            weights: VicregWeights::default(),
            views: recipes::byol(),
            projector: ProjectorConfig { hidden: Some(8192), out: 8192, depth: 3 },
            shuffle_positives: false,
        }
    }
}

pub struct Vicreg {
    cfg: VicregConfig,
    siamese: Siamese,
}

impl Vicreg {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: VicregConfig) -> Self {
        Self { siamese: Siamese::new(p, ctx, &cfg.projector, Norm::Hidden, Pass::PerView), cfg }
    }
}

impl Method for Vicreg {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        let c = &self.cfg;
        self.siamese.step(images, &c.views, c.shuffle_positives, |z| {
            let (z1, z2) = halves(z);
            let terms = redundancy::vicreg(&z1, &z2, c.weights)?;
            Ok((terms.total.shallow_clone(), terms.metrics()))
        })
    }

    fn encoder(&self) -> &Encoder {
        &self.siamese.net.encoder
    }
}
