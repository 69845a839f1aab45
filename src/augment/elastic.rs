//! Elastic deformation: each sample is resampled through a smooth random displacement field.
use super::tensor::{on_selected, sample, selected, Padding};
use super::{Augment, Ctx, Param};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// Elastic deformation with probability `p`: per sample, Gaussian offsets on a coarse grid of
/// `control_points` per axis are interpolated (bicubic in 2D, trilinear in 3D, which libtorch
/// has no cubic for) into a dense field that bends the image smoothly, a few bends per side.
/// The specs name elastic deformation only as Gaussian-smoothed noise (specs/004b_thesis_ch6-8.md
/// §7.3, a sub-pixel field at 256²); the defaults here, 5 points and 3 % of the smallest side,
/// are the workbench's choice for a visible but anatomy-preserving bend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Elastic {
    pub p: f64,
    /// Offsets per axis of the coarse grid: fewer gives broader bends.
    pub control_points: i64,
    /// The offsets' standard deviation as a fraction of the smallest side, the same number of
    /// pixels along every axis.
    pub magnitude: f64,
    pub padding: Padding,
}

impl Default for Elastic {
    fn default() -> Self {
        Self { p: 0.5, control_points: 5, magnitude: 0.03, padding: Padding::Reflection }
    }
}

impl Augment for Elastic {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let size = images.size();
        let spatial = &size[2..];
        let n = spatial.len();
        let mask = ctx.rng.coin(b, self.p, device);
        let mut coarse_shape = vec![b, n as i64];
        coarse_shape.resize(n + 2, self.control_points);
        let coarse = ctx.rng.normal_tensor(&coarse_shape, device);
        // Channel i moves along axis i (x first), in normalised units of half that side.
        let smallest = spatial.iter().copied().min().unwrap_or(1) as f64;
        let scale: Vec<f32> =
            spatial.iter().rev().map(|&s| (2.0 * self.magnitude * smallest / s as f64) as f32).collect();
        let mut channel_shape = vec![1i64, n as i64];
        channel_shape.resize(n + 2, 1);
        let coarse = coarse * Tensor::from_slice(&scale).to_device(device).view(channel_shape.as_slice());
        on_selected(images, &mask, |x| {
            let coarse = selected(&coarse, &mask);
            let field = if n == 2 {
                coarse.upsample_bicubic2d(spatial, true, None, None).permute([0, 2, 3, 1])
            } else {
                coarse.upsample_trilinear3d(spatial, true, None, None, None).permute([0, 2, 3, 4, 1])
            };
            let identity = Tensor::eye_m(n as i64, n as i64 + 1, (Kind::Float, device))
                .expand([x.size()[0], n as i64, n as i64 + 1], false);
            let grid = Tensor::affine_grid_generator(&identity, x.size(), false) + field;
            sample(x, &grid, self.padding).clamp(0.0, 1.0)
        })
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Integer { name: "control points", value: &mut self.control_points, range: (2, 16) },
            Param::Number { name: "magnitude (fraction)", value: &mut self.magnitude, range: (0.0, 0.25) },
            Param::Choice { name: "padding", value: &mut self.padding },
        ]
    }
}
