//! Barlow Twins (Zbontar et al. 2021; a baseline of the thesis's chapter 6, digest specs/004b):
//! the cross-correlation of the two views' standardised projections is driven to the identity,
//! which aligns the views and decorrelates the dimensions.
use super::losses::redundancy;
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
    id: "barlow_twins",
    name: "Barlow Twins",
    family: "redundancy reduction (no negatives)",
    source: "Zbontar et al. 2021; a baseline in 004_7ad4960432a0c864.txt (thesis ch. 6), digest specs/004b",
    summary: "Make the cross-correlation matrix of the two views' projections the identity: the diagonal at \
              1 makes the views agree, the off-diagonal at 0 makes each dimension carry different \
              information, which rules out collapse without negatives.",
    needs_labels: false,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BarlowTwinsConfig {
    /// λ, the weight of the off-diagonal terms (5e-3).
    pub lambda: f64,
    /// BYOL's asymmetric pipelines, as the paper.
    pub views: ViewPair,
    /// Three layers of 8192 with BN and ReLU in the paper.
    pub projector: ProjectorConfig,
    /// Negative control: each view's partner is a view of another image.
    pub shuffle_positives: bool,
}

impl BarlowTwinsConfig {
    /// The settings the method picker shows as controls.
    pub fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Number {
                name: "off-diagonal weight λ",
                value: &mut self.lambda,
                range: Self::LAMBDA.control_pair(),
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

    /// The off-diagonal terms' weight; the paper's is 0.005, so the control stops at 1.
    pub const LAMBDA: Range<f64> = Range::at_least(0.0).control(0.0, 1.0);

    /// Every setting against its declared range; `path` is the config's place ("method.barlow_twins").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        Self::LAMBDA.check(&format!("{path}.lambda"), self.lambda)?;
        self.projector.validate(&format!("{path}.projector"))
    }
}

impl Default for BarlowTwinsConfig {
    fn default() -> Self {
        Self {
            lambda: redundancy::BARLOW_LAMBDA,
            views: recipes::byol(),
            projector: ProjectorConfig { hidden: Some(8192), out: 8192, depth: 3 },
            shuffle_positives: false,
        }
    }
}

pub struct BarlowTwins {
    cfg: BarlowTwinsConfig,
    siamese: Siamese,
}

impl BarlowTwins {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: BarlowTwinsConfig) -> Self {
        Self { siamese: Siamese::new(p, ctx, &cfg.projector, Norm::Hidden, Pass::PerView), cfg }
    }
}

impl Method for BarlowTwins {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        let c = &self.cfg;
        self.siamese.step(images, &c.views, c.shuffle_positives, |z| {
            let (z1, z2) = halves(z);
            let terms = redundancy::barlow_twins(&z1, &z2, c.lambda)?;
            Ok((terms.total.shallow_clone(), terms.metrics()))
        })
    }

    fn encoder(&self) -> &Encoder {
        &self.siamese.net.encoder
    }
}
