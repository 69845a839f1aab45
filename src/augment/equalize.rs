//! Histogram equalisation, one of FixMatch's RandAugment ops (specs/003_target_pretraining.md §3).
use super::posterize::to_levels;
use super::tensor::on_selected;
use super::{Augment, Ctx, ImageTraits, Modality, Param};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// Equalises the 8-bit histogram of each channel of each sample (over the whole volume in 3D)
/// with probability `p`, as torchvision's `F.equalize` and PIL's `ImageOps.equalize`. A channel
/// with fewer than 255 pixels outside its brightest level is left alone, as there: tiny images
/// (8×8) do not change. Default p 0.5, as torchvision's `RandomEqualize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Equalize {
    pub p: f64,
}

impl Default for Equalize {
    fn default() -> Self {
        Self { p: 0.5 }
    }
}

impl Augment for Equalize {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let mask = ctx.rng.coin(images.size()[0], self.p, images.device());
        on_selected(images, &mask, equalize)
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![Param::Probability(&mut self.p)]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        (images.modality == Modality::Ct).then(|| {
            "remaps each image's values by its own histogram: a value no longer names the same \
             tissue (Hounsfield units) from one image to the next"
                .into()
        })
    }
}

/// torchvision's batched `equalize`: per (sample, channel) a 256-bin histogram by
/// `scatter_add`, PIL's step = (pixels outside the last non-empty bin) // 255, and the lookup
/// table lut[k] = (cumulative count below k + step // 2) // step, clamped to 255. Channels
/// whose step is 0 keep their values.
pub(crate) fn equalize(x: &Tensor) -> Tensor {
    let size = x.size();
    let flat = x.reshape([size[0] * size[1], -1]);
    let levels = to_levels(&flat).to_kind(Kind::Int64);
    let hist = Tensor::zeros([flat.size()[0], 256], (Kind::Int64, x.device())).scatter_add(
        1,
        &levels,
        &levels.ones_like(),
    );
    let cumulative = hist.cumsum(1, Kind::Int64);
    // The first bin where the cumulative count peaks is the last non-empty one.
    let last = cumulative.argmax(1, true);
    let step = (-hist.gather(1, &last, false) + flat.size()[1]).divide_scalar_mode(255, "floor");
    let valid = step.ne(0);
    let step = step.clamp_min(1);
    let lut = (cumulative.narrow(1, 0, 255) + step.divide_scalar_mode(2, "floor"))
        .divide_tensor_mode(&step, "floor")
        .clamp(0, 255);
    let lut = Tensor::cat(&[lut.zeros_like().narrow(1, 0, 1), lut], 1);
    let equalized = lut.gather(1, &levels, false).to_kind(Kind::Float) / 255.0;
    equalized.where_self(&valid, &flat).view(size.as_slice())
}
