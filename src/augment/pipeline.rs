//! Ops in order (`Pipeline`), a random choice among ops (`OneOf`) and the two views of an
//! image that contrastive methods compare (`ViewPair`).
use super::cpu;
use super::tensor::on_selected;
use super::{AugRng, Augment, AugmentOp, Ctx, ImageTraits, Param};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// Values per chunk of a batch in `Pipeline::apply`: 4 MB of floats.
const CHUNK_VALUES: i64 = 1 << 20;

/// One op of a pipeline; a disabled one keeps its settings and is skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    #[serde(default = "enabled", skip_serializing_if = "is_enabled")]
    pub enabled: bool,
    #[serde(flatten)]
    pub op: AugmentOp,
}

fn enabled() -> bool {
    true
}

fn is_enabled(on: &bool) -> bool {
    *on
}

impl From<AugmentOp> for Step {
    fn from(op: AugmentOp) -> Self {
        Step { enabled: true, op }
    }
}

/// Augmentations applied in order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Pipeline {
    pub ops: Vec<Step>,
}

impl Pipeline {
    pub fn new(ops: impl IntoIterator<Item = AugmentOp>) -> Self {
        Self { ops: ops.into_iter().map(Step::from).collect() }
    }

    /// The augmented batch. Each step draws from its own stream forked from `ctx.rng`, in
    /// order and whether enabled or not, so switching one step off leaves every other step's
    /// draws as they were: the studio then shows exactly what that step does.
    ///
    /// Large batches run in chunks of samples whose intermediate tensors stay in the CPU's
    /// cache, which makes the chain of elementwise ops several times faster than on the whole
    /// batch at once; a batch within one chunk (the studio's) is drawn exactly as by
    /// `apply_each`.
    pub fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let chunks: Vec<Tensor> =
            Self::chunks(images).iter().map(|c| self.apply_each(c, ctx, |_, _| {})).collect();
        match chunks.as_slice() {
            [one] => one.shallow_clone(),
            _ if chunks.iter().all(cpu::runs_here) => cpu::concat(&chunks),
            _ => Tensor::cat(&chunks, 0),
        }
    }

    /// The batches of samples `apply` augments one after another.
    pub fn chunks(images: &Tensor) -> Vec<Tensor> {
        let batch = images.size()[0].max(1);
        let per_sample = (images.numel() as i64 / batch).max(1);
        let chunk = (CHUNK_VALUES / per_sample).max(1);
        match batch <= chunk {
            true => vec![images.shallow_clone()],
            false => images.split(chunk, 0),
        }
    }

    /// The same as `apply`, also handing `seen` the batch after each enabled step.
    pub fn apply_each(&self, images: &Tensor, ctx: &mut Ctx, mut seen: impl FnMut(usize, &Tensor)) -> Tensor {
        tch::no_grad(|| {
            let mut x = images.shallow_clone();
            for (i, step) in self.ops.iter().enumerate() {
                let mut rng = ctx.rng.fork();
                if step.enabled {
                    x = step.op.as_augment().apply(&x, &mut Ctx { rng: &mut rng, auxiliary: ctx.auxiliary });
                    seen(i, &x);
                }
            }
            x
        })
    }

    /// Everything that stops this pipeline from running on images with `spatial_dims`
    /// spatial dimensions: parameters out of range, ops not defined there.
    pub fn problems(&self, spatial_dims: usize) -> Vec<String> {
        let mut copy = self.clone();
        copy.ops
            .iter_mut()
            .filter(|s| s.enabled)
            .flat_map(|s| {
                let label = s.op.label();
                let mut found: Vec<String> =
                    s.op.as_augment_mut()
                        .params()
                        .iter()
                        .filter_map(Param::problem)
                        .map(|p| format!("{label}: {p}"))
                        .collect();
                if !s.op.as_augment().supports(spatial_dims) {
                    found.push(format!("{label} is not defined for {spatial_dims}D images"));
                }
                found
            })
            .collect()
    }

    /// Warnings for the enabled steps on images like `traits`: (step index, why).
    pub fn cautions(&self, traits: &ImageTraits) -> Vec<(usize, String)> {
        let enabled = self.ops.iter().enumerate().filter(|(_, s)| s.enabled);
        enabled.filter_map(|(i, s)| s.op.as_augment().caution(traits).map(|c| (i, c))).collect()
    }
}

/// An op of a `OneOf` with its relative weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weighted {
    pub weight: f64,
    #[serde(flatten)]
    pub op: AugmentOp,
}

/// With probability `p`, one of `choices` drawn by weight (torchvision's RandomChoice inside
/// RandomApply). Models Genesis paints with p 0.9, out-painting 0.8 and in-painting 0.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OneOf {
    pub p: f64,
    pub choices: Vec<Weighted>,
}

impl Default for OneOf {
    fn default() -> Self {
        let flip = |op| Weighted { weight: 1.0, op };
        Self {
            p: 1.0,
            choices: vec![
                flip(AugmentOp::HorizontalFlip(super::HorizontalFlip { p: 1.0 })),
                flip(AugmentOp::VerticalFlip(super::VerticalFlip { p: 1.0 })),
            ],
        }
    }
}

impl Augment for OneOf {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let b = images.size()[0];
        let total: f64 = self.choices.iter().map(|c| c.weight.max(0.0)).sum();
        let picks: Vec<Option<usize>> = (0..b)
            .map(|_| {
                let applied = ctx.rng.uniform_one(0.0, 1.0) < self.p;
                let mut u = ctx.rng.uniform_one(0.0, total);
                let chosen = self.choices.iter().position(|c| {
                    u -= c.weight.max(0.0);
                    u < 0.0
                });
                chosen.filter(|_| applied && total > 0.0)
            })
            .collect();
        let mut x = images.shallow_clone();
        for (i, choice) in self.choices.iter().enumerate() {
            let mask: Vec<bool> = picks.iter().map(|p| *p == Some(i)).collect();
            let mask = Tensor::from_slice(&mask).to_device(images.device());
            let mut rng = ctx.rng.fork();
            let mut inner = Ctx { rng: &mut rng, auxiliary: ctx.auxiliary };
            x = on_selected(&x, &mask, |s| choice.op.as_augment().apply(s, &mut inner));
        }
        x
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        let mut params = vec![Param::Probability(&mut self.p)];
        for c in &mut self.choices {
            params.push(Param::Number { name: "weight", value: &mut c.weight, range: (0.0, 100.0) });
            params.extend(c.op.as_augment_mut().params());
        }
        params
    }

    fn supports(&self, spatial_dims: usize) -> bool {
        self.choices.iter().all(|c| c.op.as_augment().supports(spatial_dims))
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        self.choices.iter().find_map(|c| c.op.as_augment().caution(images))
    }
}

/// Two views of each image. `second` unset draws `first` twice (SimCLR, MoCo v2); set, it
/// gives an asymmetric pair: BYOL's view 1 and view 2, FixMatch's weak and strong views.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ViewPair {
    pub first: Pipeline,
    pub second: Option<Pipeline>,
}

impl ViewPair {
    pub fn symmetric(pipeline: Pipeline) -> Self {
        Self { first: pipeline, second: None }
    }

    pub fn second(&self) -> &Pipeline {
        self.second.as_ref().unwrap_or(&self.first)
    }

    /// Both views of `images`, each from its own forked stream.
    pub fn apply(&self, images: &Tensor, rng: &mut AugRng) -> (Tensor, Tensor) {
        let (mut r1, mut r2) = (rng.fork(), rng.fork());
        (
            self.first.apply(images, &mut Ctx::new(&mut r1)),
            self.second().apply(images, &mut Ctx::new(&mut r2)),
        )
    }
}
