//! Affine warps about the image centre: rotation, isotropic scale, shear and translation, all
//! in pixel units, resampled bilinearly by one `grid_sample` call per batch.
use super::rotate::{rotation, rotation_caution, Plane};
use super::tensor::{affine_theta, on_selected, selected, warp, Padding};
use super::{AugRng, Augment, Ctx, ImageTraits, Param};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// `warp`'s `[B, n, n + 1]` maps for `[B, C, ...]` images of `size`, from sampling maps in
/// pixel units about the centre: input point = `linear` · output point + `offset` (x first).
/// Normalised coordinates stretch with each side; pixel units keep turns of non-square
/// images free of shear.
pub fn pixel_theta(linear: &Tensor, offset: &Tensor, size: &[i64]) -> Tensor {
    let half: Vec<f32> = size[2..].iter().rev().map(|&s| s as f32 / 2.0).collect();
    let n = half.len() as i64;
    let half = Tensor::from_slice(&half).to_device(linear.device());
    let linear = linear * half.view([1, 1, n]) / half.view([1, n, 1]);
    affine_theta(&linear, &(offset / half.view([1, n])))
}

/// One affine map per sample, forward (input to output) in pixel units about the centre:
/// `q = R(rotation) · Sh(shear) · scale · p + shift`, with R counter-clockwise as displayed in
/// the axial plane and Sh the shear x' = x + shear · y.
pub struct AffineMaps {
    /// `[B]` radians.
    pub rotation: Tensor,
    /// `[B]`, above 1 enlarges.
    pub scale: Tensor,
    /// `[B]`.
    pub shear: Tensor,
    /// `[B, n]` pixels, x first.
    pub shift: Tensor,
}

impl AffineMaps {
    /// `warp`'s maps for `[B, C, ...]` images of `size`: the inverse of the forward maps.
    pub fn theta(&self, size: &[i64]) -> Tensor {
        let n = size.len() - 2;
        let unshear = shear_matrix(&-&self.shear, n);
        let linear =
            unshear.matmul(&rotation(&-&self.rotation, n, Plane::Axial)) / self.scale.view([-1, 1, 1]);
        let offset = -linear.matmul(&self.shift.unsqueeze(2)).squeeze_dim(2);
        pixel_theta(&linear, &offset, size)
    }
}

/// `[B, n, n]` shears x' = x + s · y.
fn shear_matrix(shear: &Tensor, n: usize) -> Tensor {
    let eye = Tensor::eye(n as i64, (Kind::Float, shear.device())).unsqueeze(0);
    let mut unit = vec![0f32; n * n];
    unit[1] = 1.0;
    let unit = Tensor::from_slice(&unit).to_device(shear.device()).view([1, n as i64, n as i64]);
    eye + shear.view([-1, 1, 1]) * unit
}

/// A random affine warp, applied with probability `p`; within it, each of rotation, scale,
/// shear and translation is drawn with probability `part_p` and otherwise left out. Defaults:
/// PixPro's differentiable affine (specs/003_target_pretraining.md §3): scale log-uniform in
/// [0.75, 1.33], rotation ±30°, shear ±0.2, translation ±10 % of the size, each part on with
/// p 0.5, zero padding. On volumes the rotation and shear are in the axial (H–W) plane, the
/// scale is isotropic and the translation covers all three axes: slices keep their axial
/// geometry, as PCRL's in-plane rotations do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Affine {
    pub p: f64,
    /// The chance of each part within a warped sample.
    pub part_p: f64,
    /// The angle's range in degrees, counter-clockwise positive.
    pub rotation: (f64, f64),
    /// The range of the isotropic scale, drawn log-uniformly; above 1 enlarges.
    pub scale: (f64, f64),
    /// The range of s in x' = x + s · y.
    pub shear: (f64, f64),
    /// The largest shift along each axis as a fraction of that side, drawn uniformly in ±.
    pub translate: f64,
    /// Shifts by whole pixels only, uniform over −m..=m with m = ⌊translate · side⌋, as
    /// FixMatch's pad-and-crop: no resampling blur where nothing else is drawn.
    pub whole_pixels: bool,
    pub padding: Padding,
}

impl Default for Affine {
    fn default() -> Self {
        Self {
            p: 1.0,
            part_p: 0.5,
            rotation: (-30.0, 30.0),
            scale: (0.75, 1.33),
            shear: (-0.2, 0.2),
            translate: 0.1,
            whole_pixels: false,
            padding: Padding::Zeros,
        }
    }
}

impl Affine {
    /// A whole-pixel shift of up to `fraction` of each side with reflected borders on every
    /// sample: FixMatch's weak view after its flip is `translate_only(0.125)`
    /// (specs/003_target_pretraining.md §3).
    pub fn translate_only(fraction: f64) -> Self {
        Self {
            p: 1.0,
            part_p: 1.0,
            rotation: (0.0, 0.0),
            scale: (1.0, 1.0),
            shear: (0.0, 0.0),
            translate: fraction,
            whole_pixels: true,
            padding: Padding::Reflection,
        }
    }
}

/// `value` (`[B, ...]`) where a coin of probability `p` falls true, else `identity`.
fn sometimes(rng: &mut AugRng, p: f64, value: Tensor, identity: f64) -> Tensor {
    let mut shape = vec![-1i64];
    shape.resize(value.dim(), 1);
    let on = rng.coin(value.size()[0], p, value.device()).view(shape.as_slice());
    value.where_self(&on, &value.full_like(identity))
}

impl Augment for Affine {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let size = images.size();
        let sides: Vec<f32> = size[2..].iter().rev().map(|&s| s as f32).collect();
        let n = sides.len() as i64;
        let reach = Tensor::from_slice(&sides).to_device(device) * self.translate;
        let mask = ctx.rng.coin(b, self.p, device);
        let rng = &mut *ctx.rng;
        let rotation = rng.uniform(b, self.rotation.0.to_radians(), self.rotation.1.to_radians(), device);
        let scale = rng.log_uniform(b, self.scale.0, self.scale.1, device);
        let shear = rng.uniform(b, self.shear.0, self.shear.1, device);
        let toward = rng.uniform(b * n, -1.0, 1.0, device).view([b, n]);
        let shift = if self.whole_pixels {
            let most = reach.floor();
            (toward * (&most + 0.5)).round().minimum(&most).maximum(&-&most)
        } else {
            toward * reach
        };
        let maps = AffineMaps {
            rotation: sometimes(rng, self.part_p, rotation, 0.0),
            scale: sometimes(rng, self.part_p, scale, 1.0),
            shear: sometimes(rng, self.part_p, shear, 0.0),
            shift: sometimes(rng, self.part_p, shift, 0.0),
        };
        let theta = maps.theta(&size);
        on_selected(images, &mask, |x| warp(x, &selected(&theta, &mask), self.padding).clamp(0.0, 1.0))
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Number { name: "each part's probability", value: &mut self.part_p, range: (0.0, 1.0) },
            Param::Interval { name: "rotation (°)", value: &mut self.rotation, range: (-180.0, 180.0) },
            Param::Interval { name: "scale", value: &mut self.scale, range: (0.25, 4.0) },
            Param::Interval { name: "shear", value: &mut self.shear, range: (-1.0, 1.0) },
            Param::Number { name: "translate (fraction)", value: &mut self.translate, range: (0.0, 0.5) },
            Param::Toggle { name: "whole pixels", value: &mut self.whole_pixels },
            Param::Choice { name: "padding", value: &mut self.padding },
        ]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        rotation_caution(images, self.rotation.0.abs().max(self.rotation.1.abs()))
    }
}
