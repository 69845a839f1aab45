//! BYOL's solarisation (specs/003_target_pretraining.md §3).
use super::tensor::{on_selected, per_sample};
use super::{Augment, Ctx, ImageTraits, Modality, Param};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// Inverts the values at or above `threshold`: x < t ? x : 1 − x, with probability `p`.
/// Defaults: threshold 0.5 and p 0.2, BYOL's second view (specs/003_target_pretraining.md §3;
/// the first view uses p 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Solarize {
    pub p: f64,
    /// 1 leaves every value alone; 0 inverts the whole image.
    pub threshold: f64,
}

impl Default for Solarize {
    fn default() -> Self {
        Self { p: 0.2, threshold: 0.5 }
    }
}

impl Augment for Solarize {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let mask = ctx.rng.coin(b, self.p, device);
        on_selected(images, &mask, |x| {
            let threshold = Tensor::full([x.size()[0]], self.threshold, (Kind::Float, device));
            solarize(x, &threshold)
        })
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Number { name: "threshold", value: &mut self.threshold, range: (0.0, 1.0) },
        ]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        matches!(images.modality, Modality::Ct | Modality::Mr | Modality::Xray).then(|| {
            "turns the brightest tissue (bone, contrast, dense masses) dark, a contrast no scan \
             shows"
                .into()
        })
    }
}

/// PIL's `ImageOps.solarize` on [0, 1]: sample i inverts its values at or above `threshold[i]`.
/// A threshold of 1 keeps even the values of 1, as PIL's threshold 256 keeps white.
pub(crate) fn solarize(x: &Tensor, threshold: &Tensor) -> Tensor {
    let t = per_sample(threshold, x);
    let keep = x.lt_tensor(&t).logical_or(&t.ge(1.0));
    let inverted: Tensor = 1.0 - x;
    x.where_self(&keep, &inverted)
}
