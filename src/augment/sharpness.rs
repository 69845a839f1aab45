//! Sharpness, one of FixMatch's RandAugment ops (specs/003_target_pretraining.md §3).
use super::tensor::{blend, on_selected, selected};
use super::{Augment, Ctx, Param};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// torchvision's `adjust_sharpness` (PIL's `ImageEnhance.Sharpness`) with a factor drawn per
/// sample from `factor`, with probability `p`: factor 1 keeps the image, 0 gives it smoothed,
/// 2 doubles the detail the smoothing removes. Defaults: p 0.5 as torchvision's
/// `RandomAdjustSharpness`; factor (0.5, 1.5), half of the 1 ± 0.9 that torchvision's
/// RandAugment reaches at full magnitude (FixMatch's own range is [0.05, 0.95], only softening).
/// 2D only: PIL's smoothing kernel has no volumetric form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sharpness {
    pub p: f64,
    pub factor: (f64, f64),
}

impl Default for Sharpness {
    fn default() -> Self {
        Self { p: 0.5, factor: (0.5, 1.5) }
    }
}

impl Augment for Sharpness {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let mask = ctx.rng.coin(b, self.p, device);
        let factor = ctx.rng.uniform(b, self.factor.0, self.factor.1, device);
        on_selected(images, &mask, |x| sharpen(x, &selected(&factor, &mask)))
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Interval { name: "factor", value: &mut self.factor, range: (0.0, 5.0) },
        ]
    }

    fn supports(&self, spatial_dims: usize) -> bool {
        spatial_dims == 2
    }
}

/// Blends `[B, C, H, W]` images with their PIL SMOOTH version ([[1, 1, 1], [1, 5, 1], [1, 1, 1]]
/// / 13, depth-wise, the one-pixel border kept from the original) by the per-sample `factor`.
pub(crate) fn sharpen(x: &Tensor, factor: &Tensor) -> Tensor {
    let size = x.size();
    let (c, h, w) = (size[1], size[2], size[3]);
    if h <= 2 || w <= 2 {
        return x.shallow_clone();
    }
    let kernel = Tensor::from_slice(&[1f32, 1., 1., 1., 5., 1., 1., 1., 1.]).to_device(x.device()) / 13.0;
    let kernel = kernel.view([1, 1, 3, 3]).expand([c, 1, 3, 3], false);
    let smooth = x.conv2d(&kernel, None::<&Tensor>, [1, 1], [0, 0], [1, 1], c);
    let degenerate = x.copy();
    let mut inside = degenerate.narrow(2, 1, h - 2).narrow(3, 1, w - 2);
    inside.copy_(&smooth);
    blend(x, &degenerate, factor)
}
