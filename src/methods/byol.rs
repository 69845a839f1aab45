//! BYOL (Grill et al. 2020; digest specs/003_target_pretraining.md §2.2(b)): an online network
//! (encoder, projector, predictor) predicts the projection a target network makes of the other
//! view; the target is an exponential moving average of the online encoder and projector and
//! gets no gradient. Symmetric loss (2 − 2·cos) + (2 − 2·cos).
use super::momentum::{cosine_momentum, MomentumCopy};
use super::two_view::{Backbone, ProjectorConfig, Views};
use super::{losses, BuildContext, Method, MethodInfo, StepOutput};
use super::{EMA_MOMENTUM, LAYER_WIDTH};
use crate::augment::Param;
use crate::augment::{recipes, AugRng, ViewPair};
use crate::nn::{Encoder, Mlp, Norm};
use serde::{Deserialize, Serialize};
use tch::nn::{self, ModuleT};
use tch::Tensor;

pub static INFO: MethodInfo = MethodInfo {
    id: "byol",
    name: "BYOL",
    family: "self-distillation (no negatives)",
    source: "003_… (target pretraining, Eq. 2), digest specs/003_target_pretraining.md; Grill et al. 2020",
    summary: "Predict, from one view, what a slowly moving average of the network makes of the other view. \
              No negatives: the predictor and the moving-average target keep it from collapsing to a constant.",
    needs_labels: false,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ByolConfig {
    /// BYOL's two asymmetric pipelines (blur 1.0 / 0.1, solarise 0 / 0.2).
    pub views: ViewPair,
    /// 512 → 4096 (BN, ReLU) → 256 in the paper.
    pub projector: ProjectorConfig,
    /// The predictor's hidden width (4096); it maps the projection to itself.
    pub predictor_hidden: i64,
    /// τ_base: the target's momentum rises from it to 1 along a cosine over the run.
    pub base_momentum: f64,
    /// Negative control for teaching: the target is the online network itself, with
    /// gradients through both branches, so nothing stops the loss from reaching its minimum
    /// with a constant output. (The CPU preset's 128 steps are too few to show the collapse.)
    pub target_is_online: bool,
}

impl ByolConfig {
    /// The settings the method picker shows as controls.
    pub fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Number {
                name: "base momentum τ_base",
                value: &mut self.base_momentum,
                range: EMA_MOMENTUM.control_pair(),
            },
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
            Param::Toggle {
                name: "target = online network (negative control)",
                value: &mut self.target_is_online,
            },
        ]
    }

    /// Every setting against its declared range; `path` is the config's place ("method.byol").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        EMA_MOMENTUM.check(&format!("{path}.base_momentum"), self.base_momentum)?;
        LAYER_WIDTH.check(&format!("{path}.predictor_hidden"), self.predictor_hidden)?;
        self.projector.validate(&format!("{path}.projector"))
    }
}

impl Default for ByolConfig {
    fn default() -> Self {
        Self {
            views: recipes::byol(),
            projector: ProjectorConfig { hidden: Some(4096), out: 256, depth: 2 },
            predictor_hidden: 4096,
            base_momentum: 0.996,
            target_is_online: false,
        }
    }
}

pub struct Byol {
    cfg: ByolConfig,
    rng: AugRng,
    online: Backbone,
    predictor: Mlp,
    target: MomentumCopy<Backbone>,
    step: usize,
    total_steps: usize,
}

impl Byol {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: ByolConfig) -> Self {
        let build = |p: &nn::Path| Backbone::new(p, ctx.encoder, &cfg.projector, Norm::Hidden);
        let online = build(p);
        let out = cfg.projector.out;
        let predictor = Mlp::normalised(&(p / "predictor"), &[out, cfg.predictor_hidden, out], Norm::Hidden);
        let target = MomentumCopy::new(p, build);
        Self {
            rng: AugRng::new(ctx.seed),
            online,
            predictor,
            target,
            step: ctx.first_step,
            total_steps: ctx.total_steps,
            cfg,
        }
    }

    /// The target's projections of `x`: the moving average's without gradient, or, in the
    /// negative control, the online network's with it.
    fn target_projection(&self, x: &Tensor) -> Tensor {
        match self.cfg.target_is_online {
            true => self.online.project(x),
            false => tch::no_grad(|| self.target.networks.project(x)),
        }
    }
}

impl Method for Byol {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        // The target follows the online network as the last update left it: the paper's
        // update after each step, done before the next one.
        if self.step > 0 {
            self.target.follow(cosine_momentum(self.cfg.base_momentum, self.step - 1, self.total_steps));
        }
        self.step += 1;
        let views = Views::draw(&self.cfg.views, images, &mut self.rng, false);
        let (z1, z2) = (self.online.project(&views.first), self.online.project(&views.second));
        let (p1, p2) = (self.predictor.forward_t(&z1, true), self.predictor.forward_t(&z2, true));
        let (t1, t2) = (self.target_projection(&views.first), self.target_projection(&views.second));
        let loss = losses::regression::byol(&p1, &p2, &t1, &t2)?;
        Ok(views.output(images, (loss, Vec::new()), &z1, &z2))
    }

    fn encoder(&self) -> &Encoder {
        &self.online.encoder
    }
}
