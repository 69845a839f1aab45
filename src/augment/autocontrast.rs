//! Autocontrast, one of FixMatch's RandAugment ops (specs/003_target_pretraining.md §3).
use super::tensor::on_selected;
use super::{Augment, Ctx, ImageTraits, Modality, Param};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// Stretches each channel of each sample (over the whole volume in 3D) to span [0, 1] with
/// probability `p`, as torchvision's `F.autocontrast`; constant channels stay as they are.
/// Default p 0.5, as torchvision's `RandomAutocontrast`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AutoContrast {
    pub p: f64,
}

impl Default for AutoContrast {
    fn default() -> Self {
        Self { p: 0.5 }
    }
}

impl Augment for AutoContrast {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let mask = ctx.rng.coin(images.size()[0], self.p, images.device());
        on_selected(images, &mask, autocontrast)
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![Param::Probability(&mut self.p)]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        (images.modality == Modality::Ct).then(|| {
            "rescales each image by its own minimum and maximum: a value no longer names the \
             same tissue (Hounsfield units) from one image to the next"
                .into()
        })
    }
}

/// (x − min) / (max − min) per sample and channel; channels with max = min are unchanged.
pub(crate) fn autocontrast(x: &Tensor) -> Tensor {
    let spatial: Vec<i64> = (2..x.dim() as i64).collect();
    let lo = x.amin(spatial.as_slice(), true);
    let range = x.amax(spatial.as_slice(), true) - &lo;
    let flat = range.le(0.0);
    let stretched = ((x - lo) / range.where_self(&flat.logical_not(), &range.ones_like())).clamp(0.0, 1.0);
    x.where_self(&flat, &stretched)
}
