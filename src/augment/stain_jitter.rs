//! H&E stain augmentation in HED space (Tellez et al. 2018).
use super::tensor::{on_selected, selected};
use super::{Augment, Ctx, ImageTraits, Modality, Param};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// Ruifrok and Johnston's stain vectors (rows: haematoxylin, eosin, DAB) as in scikit-image's
/// `rgb_from_hed`: each row is the optical density one unit of the stain adds to R, G and B.
const RGB_FROM_HED: [f64; 9] = [0.65, 0.70, 0.29, 0.07, 0.99, 0.11, 0.27, 0.57, 0.78];

/// Added to the intensities before the logarithm by scikit-image's `rgb2hed` before 0.19 and
/// by Tellez et al.'s augmenter, whose ranges are calibrated in these units.
const OFFSET: f64 = 2.0;

/// Tellez et al.'s H&E stain jitter (2018; "HED light" at the defaults): per sample and stain,
/// the concentration `s` becomes `α·s + β` with α ~ U(1 − `sigma_alpha`, 1 + `sigma_alpha`)
/// and β ~ U(−`sigma_beta`, `sigma_beta`). It imitates the spread of staining between labs
/// and scanners.
///
/// The concentrations are those of Tellez et al.'s code, scikit-image's `rgb2hed` before 0.19:
/// `−ln(rgb + 2)` times the inverse of the stain matrix, not clamped. The current `rgb2hed`
/// (`ln(max(rgb, 1e-6)) / ln(1e-6)`) has finer units on bright pixels (4.6 times at white),
/// in which the same σ would jitter about twice as much on bright tissue. Zero jitter is the
/// identity. Grey images are returned unchanged. p 1 as in their augmenter (`p_per_sample`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StainJitter {
    pub p: f64,
    pub sigma_alpha: f64,
    pub sigma_beta: f64,
}

impl Default for StainJitter {
    fn default() -> Self {
        Self { p: 1.0, sigma_alpha: 0.05, sigma_beta: 0.05 }
    }
}

impl StainJitter {
    /// RGB images `[B, 3, ...]` with each sample's H, E and D concentrations scaled by
    /// `alpha` and shifted by `beta` (both `[B, 3]`).
    pub fn jitter(images: &Tensor, alpha: &Tensor, beta: &Tensor) -> Tensor {
        let device = images.device();
        let rgb_from_hed = Tensor::from_slice(&RGB_FROM_HED).view([3, 3]);
        let hed_from_rgb = rgb_from_hed.inverse();
        // Row vectors times the matrix, as scikit-image, become the transpose times columns.
        let matrix = |m: Tensor| m.tr().to_kind(Kind::Float).to_device(device);
        let (to_hed, to_rgb) = (matrix(hed_from_rgb), matrix(rgb_from_hed));
        let size = images.size();
        let density = -(images.reshape([size[0], 3, -1]) + OFFSET).log();
        let stains = to_hed.matmul(&density) * alpha.unsqueeze(2) + beta.unsqueeze(2);
        ((-to_rgb.matmul(&stains)).exp() - OFFSET).clamp(0.0, 1.0).view(size.as_slice())
    }
}

impl Augment for StainJitter {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let mask = ctx.rng.coin(b, self.p, device);
        let (sa, sb) = (self.sigma_alpha, self.sigma_beta);
        let alpha = ctx.rng.uniform(b * 3, 1.0 - sa, 1.0 + sa, device).view([b, 3]);
        let beta = ctx.rng.uniform(b * 3, -sb, sb, device).view([b, 3]);
        if images.size()[1] != 3 {
            return images.shallow_clone();
        }
        on_selected(images, &mask, |x| Self::jitter(x, &selected(&alpha, &mask), &selected(&beta, &mask)))
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Number { name: "sigma alpha (scale)", value: &mut self.sigma_alpha, range: (0.0, 1.0) },
            Param::Number { name: "sigma beta (shift)", value: &mut self.sigma_beta, range: (0.0, 1.0) },
        ]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        if images.grey {
            Some("does nothing: stain jitter needs RGB images".into())
        } else if images.modality != Modality::Histology {
            Some(
                "made for H&E histology: on other colour images it shifts colours along the stain colours"
                    .into(),
            )
        } else {
            None
        }
    }
}
