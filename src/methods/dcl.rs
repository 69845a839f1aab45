//! DCL and DCLW (Yeh et al. 2022, "Decoupled Contrastive Learning"; baselines of the thesis's
//! chapters 5 and 6, digest specs/004a §5.3): NT-Xent without the positive in the denominator,
//! optionally with easy positives weighted down (DCLW).
use super::losses::decoupled;
use super::two_view::{Pass, ProjectorConfig, Siamese};
use super::{BuildContext, Method, MethodInfo, StepOutput};
use super::{LAYER_WIDTH, TEMPERATURE};
use crate::augment::Param;
use crate::augment::{recipes, ViewPair};
use crate::nn::{Encoder, Norm};
use crate::range::Range;
use serde::{Deserialize, Serialize};
use tch::nn;
use tch::Tensor;

pub static INFO: MethodInfo = MethodInfo {
    id: "dcl",
    name: "DCL / DCLW",
    family: "contrastive (instance)",
    source: "Yeh et al. 2022; baselines in 004_7ad4960432a0c864.txt (thesis ch. 5-6), digest specs/004a §5.3",
    summary: "SimCLR's loss without the positive pair in the denominator: the push from negatives no longer \
              weakens as the positive gets close, so small batches work. DCLW also lets easy positives \
              pull less than hard ones.",
    needs_labels: false,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DclConfig {
    /// τ (0.1).
    pub temperature: f64,
    /// DCLW: weight each positive by its von Mises–Fisher weight of width `sigma`.
    pub weighted: bool,
    /// σ of DCLW's weighting (0.5).
    pub sigma: f64,
    pub views: ViewPair,
    pub projector: ProjectorConfig,
    /// Negative control: each view's positive is a view of another image.
    pub shuffle_positives: bool,
}

impl DclConfig {
    /// The settings the method picker shows as controls.
    pub fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Number {
                name: "temperature τ",
                value: &mut self.temperature,
                range: TEMPERATURE.control_pair(),
            },
            Param::Toggle { name: "weighted (DCLW)", value: &mut self.weighted },
            Param::Number { name: "DCLW σ", value: &mut self.sigma, range: Self::SIGMA.control_pair() },
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

    /// DCLW's weighting kernel width: it divides the similarities.
    pub const SIGMA: Range<f64> = Range::above(0.0).control(0.01, 10.0);

    /// Every setting against its declared range; `path` is the config's place ("method.dcl").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        TEMPERATURE.check(&format!("{path}.temperature"), self.temperature)?;
        Self::SIGMA.check(&format!("{path}.sigma"), self.sigma)?;
        self.projector.validate(&format!("{path}.projector"))
    }
}

impl Default for DclConfig {
    fn default() -> Self {
        Self {
            temperature: decoupled::DCL_TEMPERATURE,
            weighted: false,
            sigma: decoupled::DCLW_SIGMA,
            views: ViewPair::symmetric(recipes::simclr(0.5)),
            projector: ProjectorConfig::default(),
            shuffle_positives: false,
        }
    }
}

pub struct Dcl {
    cfg: DclConfig,
    siamese: Siamese,
}

impl Dcl {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: DclConfig) -> Self {
        Self { siamese: Siamese::new(p, ctx, &cfg.projector, Norm::HiddenAndOutput, Pass::Joint), cfg }
    }
}

impl Method for Dcl {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        let c = &self.cfg;
        self.siamese.step(images, &c.views, c.shuffle_positives, |z| {
            let loss = match c.weighted {
                true => decoupled::dclw(z, c.temperature, c.sigma)?,
                false => decoupled::dcl(z, c.temperature)?,
            };
            Ok((loss, Vec::new()))
        })
    }

    fn encoder(&self) -> &Encoder {
        &self.siamese.net.encoder
    }
}
