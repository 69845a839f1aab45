//! Augmentations as batched tensor ops on the training device. Each op is a typed,
//! serialisable parameter struct in its own file that lists its parameters with their ranges
//! (`Param`), so the studio builds its controls from it; `AugmentOp` is the registry that
//! names them all, and a `Pipeline` chains them. The studio's preview and training call the
//! same `Pipeline::apply`, with the same seeded `AugRng`.
//!
//! Adding an op: a file here, a variant and a line in each `match` of `registry.rs`.
mod affine;
mod autocontrast;
mod bezier;
pub mod blur;
pub mod color_jitter;
pub mod cpu;
mod cutout;
mod elastic;
mod equalize;
mod flip;
mod gamma;
mod grayscale;
pub mod jigsaw;
pub mod mixup;
mod noise;
mod painting;
mod param;
mod pipeline;
mod pixel_shuffle;
mod posterize;
pub mod preview;
mod rand_augment;
pub mod recipes;
mod registry;
mod resized_crop;
mod rng;
mod rotate;
mod sharpness;
mod solarize;
mod stain_jitter;
pub mod tensor;
mod traits;
mod window_jitter;

pub use affine::Affine;
pub use autocontrast::AutoContrast;
pub use bezier::BezierIntensity;
pub use blur::GaussianBlur;
pub use color_jitter::ColorJitter;
pub use cutout::Cutout;
pub use elastic::Elastic;
pub use equalize::Equalize;
pub use flip::{AxisFlip, HorizontalFlip, VerticalFlip};
pub use gamma::Gamma;
pub use grayscale::RandomGrayscale;
pub use jigsaw::Jigsaw;
pub use mixup::Mixup;
pub use noise::GaussianNoise;
pub use painting::{Inpaint, Outpaint};
pub use param::{Choice, Param};
pub use pipeline::{OneOf, Pipeline, Step, ViewPair, Weighted};
pub use pixel_shuffle::LocalPixelShuffle;
pub use posterize::Posterize;
pub use rand_augment::RandAugment;
pub use registry::{AugmentOp, Family};
pub use resized_crop::RandomResizedCrop;
pub use rng::AugRng;
pub use rotate::{Rotate, Rotate90};
pub use sharpness::Sharpness;
pub use solarize::Solarize;
pub use stain_jitter::StainJitter;
pub use tensor::Padding;
pub use traits::{Augment, Ctx, ImageTraits, Modality};
pub use window_jitter::WindowJitter;
