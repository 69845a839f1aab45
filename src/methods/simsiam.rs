//! SimSiam (Chen & He 2021): one network, a predictor on one side and a stop-gradient on the
//! other, D(p₁, sg(z₂))/2 + D(p₂, sg(z₁))/2 with D the negative cosine. Without the
//! stop-gradient the paper sees it collapse (Chen & He 2021, Fig. 2).
use super::two_view::{Backbone, ProjectorConfig, Views};
use super::LAYER_WIDTH;
use super::{losses, BuildContext, Method, MethodInfo, StepOutput};
use crate::augment::Param;
use crate::augment::{recipes, AugRng, ViewPair};
use crate::nn::{Encoder, Mlp, Norm};
use serde::{Deserialize, Serialize};
use tch::nn::{self, ModuleT};
use tch::Tensor;

pub static INFO: MethodInfo = MethodInfo {
    id: "simsiam",
    name: "SimSiam",
    family: "self-distillation (no negatives)",
    source: "Chen & He 2021 (a baseline of every seed document)",
    summary: "Predict one view's projection from the other's, through a predictor, and stop the gradient \
              on the side being predicted: no negatives, no momentum network, and the stop-gradient alone \
              keeps it from collapsing.",
    needs_labels: false,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimsiamConfig {
    pub views: ViewPair,
    /// Three layers, 2048 wide, batch norm after each (the last without affine).
    pub projector: ProjectorConfig,
    /// The predictor's bottleneck (512 for a 2048-wide projection).
    pub predictor_hidden: i64,
    /// Negative control when false: gradients flow into both sides, which the paper sees
    /// collapse; the CPU preset's 128 steps are too few to show it.
    pub stop_gradient: bool,
}

impl SimsiamConfig {
    /// The settings the method picker shows as controls.
    pub fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Integer {
                name: "predictor width",
                value: &mut self.predictor_hidden,
                range: LAYER_WIDTH.control_pair(),
            },
            Param::Integer {
                name: "projection width",
                value: &mut self.projector.out,
                range: LAYER_WIDTH.control_pair(),
            },
            Param::Toggle { name: "stop-gradient (off: negative control)", value: &mut self.stop_gradient },
        ]
    }

    /// Every setting against its declared range; `path` is the config's place ("method.simsiam").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        LAYER_WIDTH.check(&format!("{path}.predictor_hidden"), self.predictor_hidden)?;
        self.projector.validate(&format!("{path}.projector"))
    }
}

impl Default for SimsiamConfig {
    fn default() -> Self {
        Self {
            views: ViewPair::symmetric(recipes::moco_v2()),
            projector: ProjectorConfig { hidden: Some(2048), out: 2048, depth: 3 },
            predictor_hidden: 512,
            stop_gradient: true,
        }
    }
}

pub struct Simsiam {
    cfg: SimsiamConfig,
    rng: AugRng,
    net: Backbone,
    predictor: Mlp,
}

impl Simsiam {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: SimsiamConfig) -> Self {
        let net = Backbone::new(p, ctx.encoder, &cfg.projector, Norm::HiddenAndOutput);
        let out = cfg.projector.out;
        let predictor = Mlp::normalised(&(p / "predictor"), &[out, cfg.predictor_hidden, out], Norm::Hidden);
        Self { rng: AugRng::new(ctx.seed), net, predictor, cfg }
    }

    fn stopped(&self, z: &Tensor) -> Tensor {
        match self.cfg.stop_gradient {
            true => z.detach(),
            false => z.shallow_clone(),
        }
    }
}

impl Method for Simsiam {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        let views = Views::draw(&self.cfg.views, images, &mut self.rng, false);
        let (z1, z2) = (self.net.project(&views.first), self.net.project(&views.second));
        let (p1, p2) = (self.predictor.forward_t(&z1, true), self.predictor.forward_t(&z2, true));
        let loss = losses::regression::simsiam(&p1, &p2, &self.stopped(&z1), &self.stopped(&z2))?;
        Ok(views.output(images, (loss, Vec::new()), &z1, &z2))
    }

    fn encoder(&self) -> &Encoder {
        &self.net.encoder
    }
}
