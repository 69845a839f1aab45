//! MoCo v2 (Chen et al. 2020; digest specs/003_target_pretraining.md §2.2(a), Table V): a query
//! encoder trained by InfoNCE against the key a momentum encoder makes of the other view, with
//! the keys of past batches, kept in a queue, as negatives.
use super::momentum::MomentumCopy;
use super::two_view::{Backbone, ProjectorConfig, Views};
use super::{losses, BuildContext, Method, MethodInfo, StepOutput};
use super::{EMA_MOMENTUM, LAYER_WIDTH, TEMPERATURE};
use crate::augment::Param;
use crate::augment::{recipes, AugRng, ViewPair};
use crate::nn::{Encoder, Norm};
use crate::range::Range;
use serde::{Deserialize, Serialize};
use tch::nn;
use tch::{Kind, Tensor};

pub static INFO: MethodInfo = MethodInfo {
    id: "moco_v2",
    name: "MoCo v2",
    family: "contrastive (instance, memory queue)",
    source: "003_… (target pretraining, Table V), digest specs/003_target_pretraining.md; Chen et al. 2020",
    summary: "Contrast each view with the key a slowly moving copy of the network makes of the other view, \
              against many keys of past batches kept in a queue: many negatives without a large batch.",
    needs_labels: false,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MocoConfig {
    pub views: ViewPair,
    /// 2048 → 2048 (ReLU) → 128 in MoCo v2.
    pub projector: ProjectorConfig,
    /// τ; 0.2 in MoCo v2.
    pub temperature: f64,
    /// Keys kept as negatives (65 536 in MoCo v2).
    pub queue: i64,
    /// The key encoder's momentum m (0.999).
    pub momentum: f64,
    /// Negative control: each query is compared with the key of another image.
    pub shuffle_positives: bool,
}

impl MocoConfig {
    /// The settings the method picker shows as controls.
    pub fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Number {
                name: "temperature τ",
                value: &mut self.temperature,
                range: TEMPERATURE.control_pair(),
            },
            Param::Integer {
                name: "queue (keys)",
                value: &mut self.queue,
                range: Self::QUEUE.control_pair(),
            },
            Param::Number {
                name: "key momentum m",
                value: &mut self.momentum,
                range: EMA_MOMENTUM.control_pair(),
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

    /// Keys kept as negatives; the control stops at a million (512 MB of 128-d keys).
    pub const QUEUE: Range<i64> = Range::at_least(1).control(1, 1 << 20);

    /// Every setting against its declared range; `path` is the config's place ("method.moco_v2").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        TEMPERATURE.check(&format!("{path}.temperature"), self.temperature)?;
        Self::QUEUE.check(&format!("{path}.queue"), self.queue)?;
        EMA_MOMENTUM.check(&format!("{path}.momentum"), self.momentum)?;
        self.projector.validate(&format!("{path}.projector"))
    }
}

impl Default for MocoConfig {
    fn default() -> Self {
        Self {
            views: ViewPair::symmetric(recipes::moco_v2()),
            projector: ProjectorConfig { hidden: None, out: 128, depth: 2 },
            temperature: 0.2,
            queue: 65_536,
            momentum: 0.999,
            shuffle_positives: false,
        }
    }
}

pub struct Moco {
    cfg: MocoConfig,
    rng: AugRng,
    query: Backbone,
    key: MomentumCopy<Backbone>,
    /// `[K, D]` unit keys, the oldest overwritten first.
    queue: Tensor,
    next: i64,
}

impl Moco {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: MocoConfig) -> Self {
        let build = |p: &nn::Path| Backbone::new(p, ctx.encoder, &cfg.projector, Norm::None);
        let query = build(p);
        let key = MomentumCopy::new(p, build);
        let mut rng = AugRng::new(ctx.seed);
        // Random unit vectors until real keys replace them, as MoCo starts.
        let start = losses::normalize(&rng.normal_tensor(&[cfg.queue, cfg.projector.out], p.device()));
        let queue = p.zeros_no_train("queue", &[cfg.queue, cfg.projector.out]);
        tch::no_grad(|| queue.shallow_clone().copy_(&start));
        Self { cfg, rng, query, key, queue, next: 0 }
    }

    /// Writes `keys` over the oldest entries of the queue.
    fn enqueue(&mut self, keys: &Tensor) {
        let k = self.queue.size()[0];
        let n = keys.size()[0].min(k);
        let rows = (Tensor::arange(n, (Kind::Int64, keys.device())) + self.next).remainder(k);
        let _ = tch::no_grad(|| self.queue.shallow_clone().index_copy_(0, &rows, &keys.narrow(0, 0, n)));
        self.next = (self.next + n) % k;
    }
}

impl Method for Moco {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        // MoCo moves the key encoder before computing the keys of each batch.
        self.key.follow(self.cfg.momentum);
        let views = Views::draw(&self.cfg.views, images, &mut self.rng, self.cfg.shuffle_positives);
        let q = self.query.project(&views.first);
        let k = tch::no_grad(|| losses::normalize(&self.key.networks.project(&views.second)));
        let loss = losses::moco::moco_info_nce(&q, &k, &self.queue, self.cfg.temperature)?;
        self.enqueue(&k);
        Ok(views.output(images, (loss, Vec::new()), &q, &k))
    }

    fn encoder(&self) -> &Encoder {
        &self.query.encoder
    }
}
