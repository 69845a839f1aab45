//! Posterisation, one of FixMatch's RandAugment ops (specs/003_target_pretraining.md §3).
use super::tensor::{on_selected, per_sample, selected};
use super::{Augment, Ctx, ImageTraits, Modality, Param};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// Keeps the top `bits` bits of each 8-bit value (PIL's `ImageOps.posterize`, torchvision's
/// `posterize` on uint8), bits drawn per sample from `bits`, with probability `p`. Defaults:
/// bits [4, 8] from FixMatch's RandAugment (specs/003_target_pretraining.md §3), p 0.5 as
/// torchvision's `RandomPosterize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Posterize {
    pub p: f64,
    /// 8 keeps every 8-bit level; 1 leaves two (0 and 128/255).
    pub bits: (i64, i64),
}

impl Default for Posterize {
    fn default() -> Self {
        Self { p: 0.5, bits: (4, 8) }
    }
}

impl Augment for Posterize {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let mask = ctx.rng.coin(b, self.p, device);
        let bits = ctx.rng.ints(b, self.bits.0, self.bits.1, device).to_kind(Kind::Float);
        on_selected(images, &mask, |x| posterize(x, &selected(&bits, &mask)))
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::IntInterval { name: "bits", value: &mut self.bits, range: (1, 8) },
        ]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        matches!(images.modality, Modality::Ct | Modality::Mr | Modality::Xray).then(|| {
            "merges neighbouring intensities into at most 2^bits levels: the subtle density \
             differences of a scan vanish"
                .into()
        })
    }
}

/// The 8-bit levels 0..=255 (as floats) that PIL and torchvision's uint8 ops see.
pub(crate) fn to_levels(x: &Tensor) -> Tensor {
    (x * 255.0).round().clamp(0.0, 255.0)
}

/// Sample i keeps the top `bits[i]` bits (a float tensor of whole numbers in [1, 8]) of its
/// 8-bit levels.
pub(crate) fn posterize(x: &Tensor, bits: &Tensor) -> Tensor {
    let dropped: Tensor = 8.0 - bits;
    let step = per_sample(&dropped.exp2(), x);
    (to_levels(x) / &step).floor() * step / 255.0
}
