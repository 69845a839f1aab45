//! Full fine-tuning: a copy of the encoder and a linear head trained together on the labelled
//! images, the protocol closest to how a pretrained network is used in practice.
use super::probe::check_labels;
use super::standalone::StandaloneEncoder;
use crate::augment::{AugRng, Augment, Ctx, HorizontalFlip, RandomResizedCrop};
use crate::data::to_float;
use crate::range::Range;
use serde::{Deserialize, Serialize};
use tch::nn::{self, OptimizerConfig};
use tch::Tensor;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FinetuneConfig {
    pub epochs: usize,
    /// At most this many images per step (fewer when the budget is smaller).
    pub batch_size: usize,
    /// Adam's rate, for the encoder and the head alike.
    pub lr: f64,
    pub weight_decay: f64,
    pub crop: RandomResizedCrop,
    pub flip: HorizontalFlip,
}

impl Default for FinetuneConfig {
    fn default() -> Self {
        Self {
            epochs: 5,
            batch_size: 32,
            lr: 1e-3,
            weight_decay: 1e-4,
            crop: RandomResizedCrop { scale: (0.5, 1.0), ..Default::default() },
            flip: HorizontalFlip::default(),
        }
    }
}

impl FinetuneConfig {
    pub const EPOCHS: Range<usize> = Range::at_least(1);
    /// Batch norm needs two images in a batch.
    pub const BATCH_SIZE: Range<usize> = Range::at_least(2);
    pub const LR: Range<f64> = Range::above(0.0);
    pub const WEIGHT_DECAY: Range<f64> = Range::at_least(0.0);

    /// Paths as in an `EvalConfig` ("finetune.lr").
    pub fn validate(&self) -> anyhow::Result<()> {
        Self::EPOCHS.check("finetune.epochs", self.epochs)?;
        Self::BATCH_SIZE.check("finetune.batch_size", self.batch_size)?;
        Self::LR.check("finetune.lr", self.lr)?;
        Self::WEIGHT_DECAY.check("finetune.weight_decay", self.weight_decay)
    }
}

/// A linear layer initialised as torch's `nn.Linear` (uniform in ±1/√inputs) from `rng`, so
/// that the evaluation's seed decides it rather than libtorch's generator, which every thread
/// shares.
fn seeded_linear(p: nn::Path, inputs: i64, outputs: i64, rng: &mut AugRng) -> nn::Linear {
    let device = p.device();
    let mut layer = nn::linear(p, inputs, outputs, Default::default());
    let bound = 1.0 / (inputs as f64).sqrt();
    let mut draw = |shape: &[i64]| rng.uniform_tensor(shape, device) * (2.0 * bound) - bound;
    tch::no_grad(|| {
        layer.ws.copy_(&draw(&[outputs, inputs]));
        if let Some(bs) = layer.bs.as_mut() {
            bs.copy_(&draw(&[outputs]));
        }
    });
    layer
}

/// Fine-tunes a copy of `source` with a new head on `images` (stored bytes or floats) and
/// `labels`, and returns the class scores (logits) `[M, classes]` of `query` images. Batch
/// norm runs in training mode while training; `seed` decides the head's start, the batch
/// order and the augmentations. `source` is left unchanged.
pub fn finetune(
    source: &StandaloneEncoder,
    images: &Tensor,
    labels: &Tensor,
    query: &Tensor,
    classes: i64,
    cfg: &FinetuneConfig,
    seed: u64,
) -> anyhow::Result<Tensor> {
    cfg.validate()?;
    let n = images.size()[0];
    check_labels(labels, n, classes)?;
    anyhow::ensure!(n >= 2, "fine-tuning needs at least 2 labelled images, the budget gives {n}");
    let tuned = source.duplicate()?;
    let mut rng = AugRng::new(seed);
    let head = seeded_linear(tuned.vs.root() / "head", tuned.encoder.out_channels(), classes, &mut rng);
    let mut opt = nn::Adam { wd: cfg.weight_decay, ..Default::default() }.build(&tuned.vs, cfg.lr)?;
    let batch = (cfg.batch_size as i64).min(n);
    tch::with_grad(|| -> anyhow::Result<()> {
        for epoch in 1..=cfg.epochs {
            let order = rng.permutation(n, images.device());
            for b in 0..n / batch {
                let idx = order.narrow(0, b * batch, batch);
                let x = to_float(&images.index_select(0, &idx));
                let x = cfg.crop.apply(&x, &mut Ctx::new(&mut rng));
                let x = cfg.flip.apply(&x, &mut Ctx::new(&mut rng));
                let logits = tuned.encoder.features(&x, true).pooled.apply(&head);
                let loss = logits.cross_entropy_for_logits(&labels.index_select(0, &idx));
                let value = loss.double_value(&[]);
                anyhow::ensure!(
                    value.is_finite(),
                    "fine-tuning diverged (loss {value} in epoch {epoch}): lower finetune.lr"
                );
                opt.backward_step(&loss);
            }
        }
        Ok(())
    })?;
    Ok(tch::no_grad(|| tuned.encoder.embed(query, 256).apply(&head)))
}
