//! Augmentations as batched tensor ops on the training device. Each one is a typed,
//! serialisable parameter struct in its own file; a `Pipeline` chains them. The UI preview and
//! training call the same `Pipeline::apply`.
mod blur;
mod color_jitter;
mod flip;
mod grayscale;
pub mod mixup;
mod resized_crop;

pub use blur::GaussianBlur;
pub use color_jitter::ColorJitter;
pub use flip::HorizontalFlip;
pub use grayscale::RandomGrayscale;
pub use resized_crop::RandomResizedCrop;

use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// One augmentation: `[B, 3, H, W]` in [0, 1] to the same, each sample drawn independently.
pub trait Augment {
    fn apply(&self, images: &Tensor) -> Tensor;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum AugmentOp {
    RandomResizedCrop(RandomResizedCrop),
    HorizontalFlip(HorizontalFlip),
    ColorJitter(ColorJitter),
    RandomGrayscale(RandomGrayscale),
    GaussianBlur(GaussianBlur),
}

impl AugmentOp {
    fn as_augment(&self) -> &dyn Augment {
        match self {
            AugmentOp::RandomResizedCrop(a) => a,
            AugmentOp::HorizontalFlip(a) => a,
            AugmentOp::ColorJitter(a) => a,
            AugmentOp::RandomGrayscale(a) => a,
            AugmentOp::GaussianBlur(a) => a,
        }
    }
}

/// Augmentations applied in order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Pipeline {
    pub ops: Vec<AugmentOp>,
}

impl Pipeline {
    pub fn apply(&self, images: &Tensor) -> Tensor {
        tch::no_grad(|| self.ops.iter().fold(images.shallow_clone(), |x, op| op.as_augment().apply(&x)))
    }

    /// SimCLR's recipe (Chen et al. 2020): crop scale (0.08, 1), flip, colour jitter of
    /// strength `s` with p 0.8, grayscale p 0.2, blur p 0.5 with a kernel of 10 % of the side.
    pub fn simclr(strength: f64) -> Self {
        Self {
            ops: vec![
                AugmentOp::RandomResizedCrop(RandomResizedCrop::default()),
                AugmentOp::HorizontalFlip(HorizontalFlip::default()),
                AugmentOp::ColorJitter(ColorJitter::with_strength(strength)),
                AugmentOp::RandomGrayscale(RandomGrayscale::default()),
                AugmentOp::GaussianBlur(GaussianBlur::default()),
            ],
        }
    }
}

/// `n` independent draws from U(lo, hi) on `like`'s device.
fn uniform(n: i64, lo: f64, hi: f64, like: &Tensor) -> Tensor {
    Tensor::rand([n], (Kind::Float, like.device())) * (hi - lo) + lo
}

/// A `[B]` boolean mask, true with probability `p`.
fn coin(n: i64, p: f64, like: &Tensor) -> Tensor {
    Tensor::rand([n], (Kind::Float, like.device())).lt(p)
}

/// Per-sample choice between the augmented and the original image.
fn where_sample(mask: &Tensor, augmented: &Tensor, original: &Tensor) -> Tensor {
    augmented.where_self(&mask.view([-1, 1, 1, 1]), original)
}

/// ITU-R 601 luma, as torchvision's `rgb_to_grayscale`; `[B, 1, H, W]`.
fn luma(images: &Tensor) -> Tensor {
    let w = Tensor::from_slice(&[0.299f32, 0.587, 0.114]).to_device(images.device());
    (images * w.view([1, 3, 1, 1])).sum_dim_intlist(1, true, Kind::Float)
}
