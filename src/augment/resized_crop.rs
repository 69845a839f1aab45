use super::tensor::{warp, Padding};
use super::{Augment, Ctx, Param};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// A crop of random area fraction and aspect ratio, resized back to the input size with
/// bilinear sampling (torchvision's RandomResizedCrop); in 3D the fraction is of the volume and
/// a second ratio sets depth against the in-plane sides. All crops of a batch are taken by one
/// `grid_sample` call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandomResizedCrop {
    /// Range of the crop's area (volume in 3D) as a fraction of the image.
    pub scale: (f64, f64),
    /// Range of the crop's width / height (and, in 3D, depth / in-plane side).
    pub ratio: (f64, f64),
}

impl Default for RandomResizedCrop {
    fn default() -> Self {
        Self { scale: (0.08, 1.0), ratio: (3.0 / 4.0, 4.0 / 3.0) }
    }
}

impl Augment for RandomResizedCrop {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let dims = images.dim() - 2;
        let fraction = ctx.rng.uniform(b, self.scale.0, self.scale.1, device);
        // Log-uniform aspect ratio, as torchvision. Where torchvision re-draws a crop that does
        // not fit, the sides are clamped to the image instead, keeping one draw per sample.
        let ratio = ctx.rng.log_uniform(b, self.ratio.0, self.ratio.1, device);
        // Sides as fractions of the image, x first, whose product is the drawn fraction.
        let sides: Vec<Tensor> = if dims == 2 {
            vec![(&fraction * &ratio).sqrt(), (&fraction / &ratio).sqrt()]
        } else {
            let depth = ctx.rng.log_uniform(b, self.ratio.0, self.ratio.1, device);
            let c = fraction.pow_tensor_scalar(1.0 / 3.0);
            let across = depth.pow_tensor_scalar(-1.0 / 3.0);
            vec![
                &c * ratio.sqrt() * &across,
                &c / ratio.sqrt() * &across,
                c * depth.pow_tensor_scalar(2.0 / 3.0),
            ]
        };
        let sides: Vec<Tensor> = sides.into_iter().map(|s| s.clamp_max(1.0)).collect();
        // Centres in normalised coordinates [-1, 1], keeping the crop inside the image.
        let centres: Vec<Tensor> =
            sides.iter().map(|s| (ctx.rng.uniform(b, -1.0, 1.0, device)) * (1.0 - s)).collect();
        let n = dims as i64;
        let linear = Tensor::stack(&sides, 1).diag_embed(0, -2, -1);
        let theta = Tensor::cat(&[linear, Tensor::stack(&centres, 1).unsqueeze(2)], 2);
        debug_assert_eq!(theta.size(), [b, n, n + 1]);
        // Crops lie inside the image, so the padding mode is never reached.
        warp(images, &theta.to_kind(Kind::Float), Padding::Border)
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Interval { name: "scale", value: &mut self.scale, range: (0.01, 1.0) },
            Param::Interval { name: "ratio", value: &mut self.ratio, range: (0.1, 10.0) },
        ]
    }
}
