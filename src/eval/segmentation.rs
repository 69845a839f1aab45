//! The segmentation probe: how much of a mask a frozen encoder's last feature map already
//! holds, read out by a 1×1 convolution whose output is upsampled bilinearly to the image.
use super::metrics::{Overlap, SegmentationMetrics, UNLABELLED};
use super::standardize::Standardizer;
use crate::augment::AugRng;
use crate::data::to_float;
use crate::nn::Encoder;
use crate::range::Range;
use serde::{Deserialize, Serialize};
use tch::nn::{self, OptimizerConfig, VarStore};
use tch::{Kind, Reduction, Tensor};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentationProbeConfig {
    /// Adam steps, each on a random batch of training images.
    pub steps: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub weight_decay: f64,
}

impl Default for SegmentationProbeConfig {
    fn default() -> Self {
        Self { steps: 300, batch_size: 32, lr: 0.01, weight_decay: 1e-4 }
    }
}

impl SegmentationProbeConfig {
    pub const STEPS: Range<usize> = Range::at_least(1);
    pub const BATCH_SIZE: Range<usize> = Range::at_least(1);
    pub const LR: Range<f64> = Range::above(0.0);
    pub const WEIGHT_DECAY: Range<f64> = Range::at_least(0.0);

    /// Paths as in an `EvalConfig` ("segmentation.lr").
    pub fn validate(&self) -> anyhow::Result<()> {
        Self::STEPS.check("segmentation.steps", self.steps)?;
        Self::BATCH_SIZE.check("segmentation.batch_size", self.batch_size)?;
        Self::LR.check("segmentation.lr", self.lr)?;
        Self::WEIGHT_DECAY.check("segmentation.weight_decay", self.weight_decay)
    }
}

/// Images per forward pass: bounds memory on large sets.
const CHUNK: i64 = 128;

/// The last feature maps `[N, C, h, w]` of `images` in eval mode, without a graph.
fn feature_maps(encoder: &Encoder, images: &Tensor) -> Tensor {
    tch::no_grad(|| {
        let maps: Vec<Tensor> =
            images.split(CHUNK, 0).iter().map(|x| encoder.features(&to_float(x), false).map).collect();
        Tensor::cat(&maps, 0)
    })
}

/// The probe's foreground logits at image resolution.
struct Readout {
    scaler: Standardizer,
    conv: nn::Conv2D,
    size: [i64; 2],
}

impl Readout {
    fn logits(&self, maps: &Tensor) -> Tensor {
        self.scaler.apply(maps).apply(&self.conv).upsample_bilinear2d(self.size, false, None, None)
    }
}

/// Foreground (label not 0) and labelled (not 255) pixels of `masks`, as float weights.
fn targets(masks: &Tensor) -> (Tensor, Tensor) {
    let masks = masks.to_kind(Kind::Int64);
    let labelled = masks.ne(UNLABELLED);
    let foreground = masks.ne(0).logical_and(&labelled);
    (foreground.to_kind(Kind::Float), labelled.to_kind(Kind::Float))
}

/// Trains the probe on `train_images` with their `train_masks` `[N, 1, H, W]` (bytes, 255
/// where unlabelled) by binary cross-entropy over labelled pixels, and scores it on the
/// held-out pair. The weights start at zero (the problem is convex); `seed` orders the batches.
pub fn segmentation_probe(
    encoder: &Encoder,
    train_images: &Tensor,
    train_masks: &Tensor,
    heldout_images: &Tensor,
    heldout_masks: &Tensor,
    cfg: &SegmentationProbeConfig,
    seed: u64,
) -> anyhow::Result<SegmentationMetrics> {
    cfg.validate()?;
    for (images, masks) in [(train_images, train_masks), (heldout_images, heldout_masks)] {
        let (n, _, h, w) = images.size4()?;
        anyhow::ensure!(
            masks.size() == [n, 1, h, w],
            "masks of shape {:?} for {n} images of {h}×{w} px",
            masks.size()
        );
    }
    let (_, labelled) = targets(train_masks);
    anyhow::ensure!(
        labelled.sum(Kind::Float).double_value(&[]) > 0.0,
        "no training image in the budget has a labelled pixel"
    );
    let maps = feature_maps(encoder, train_images);
    let (n, channels) = (maps.size()[0], maps.size()[1]);
    let vs = VarStore::new(maps.device());
    let zero = nn::Init::Const(0.0);
    let conv = nn::conv2d(
        vs.root() / "head",
        channels,
        1,
        1,
        nn::ConvConfig { ws_init: zero, bs_init: zero, ..Default::default() },
    );
    let size = [train_masks.size()[2], train_masks.size()[3]];
    let readout = Readout { scaler: Standardizer::fit(&maps, &[0, 2, 3]), conv, size };
    let mut opt = nn::Adam { wd: cfg.weight_decay, ..Default::default() }.build(&vs, cfg.lr)?;
    let mut rng = AugRng::new(seed);
    let batch = (cfg.batch_size as i64).min(n);
    tch::with_grad(|| {
        for _ in 0..cfg.steps {
            let idx = rng.permutation(n, maps.device()).narrow(0, 0, batch);
            let (foreground, labelled) = targets(&train_masks.index_select(0, &idx));
            let logits = readout.logits(&maps.index_select(0, &idx));
            let summed =
                logits.binary_cross_entropy_with_logits(&foreground, Some(&labelled), None, Reduction::Sum);
            opt.backward_step(&(summed / labelled.sum(Kind::Float).clamp_min(1.0)));
        }
    });
    let mut overlap = Overlap::default();
    for (images, masks) in heldout_images.split(CHUNK, 0).iter().zip(heldout_masks.split(CHUNK, 0).iter()) {
        let probabilities = tch::no_grad(|| readout.logits(&feature_maps(encoder, images)).sigmoid());
        overlap = overlap + Overlap::count(&probabilities, masks)?;
    }
    Ok(overlap.into())
}
