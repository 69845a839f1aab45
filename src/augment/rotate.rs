//! Rotations: by any angle (resampled bilinearly) and by quarter turns (exact).
use super::affine::pixel_theta;
use super::tensor::{on_selected, selected, warp, Padding};
use super::{Augment, Ctx, ImageTraits, Modality, Param};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// The plane a volume turns in; images always turn in their own plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plane {
    /// The H–W plane, about the z axis (PCRL's only 3D rotation).
    #[default]
    Axial,
    /// The D–W plane, about the y axis.
    Coronal,
    /// The D–H plane, about the x axis.
    Sagittal,
}

crate::choice!(Plane { Axial => "axial (about z)", Coronal => "coronal (about y)", Sagittal => "sagittal (about x)" });

impl Plane {
    /// The plane's (column, row) axes among (x, y, z), x being the last tensor dimension.
    fn axes(self, spatial_dims: usize) -> (usize, usize) {
        match (spatial_dims, self) {
            (2, _) | (_, Plane::Axial) => (0, 1),
            (_, Plane::Coronal) => (0, 2),
            (_, Plane::Sagittal) => (1, 2),
        }
    }

    /// The plane's (row, column) tensor dimensions of a `[B, C, ...]` tensor of `dim` dimensions.
    fn dims(self, dim: usize) -> [i64; 2] {
        let (column, row) = self.axes(dim - 2);
        [(dim - 1 - row) as i64, (dim - 1 - column) as i64]
    }
}

/// `[B, n, n]` rotations by `angle` (radians, `[B]`) in `plane`, counter-clockwise as displayed
/// (rows down, columns right), acting on pixel coordinates (x, y[, z]) about the centre.
pub fn rotation(angle: &Tensor, spatial_dims: usize, plane: Plane) -> Tensor {
    let n = spatial_dims;
    let (column, row) = plane.axes(n);
    let (cos, sin) = (angle.cos(), angle.sin());
    let (one, zero) = (angle.ones_like(), angle.zeros_like());
    let entries: Vec<Tensor> = (0..n * n)
        .map(|k| match (k / n, k % n) {
            (i, j) if (i == column && j == column) || (i == row && j == row) => cos.shallow_clone(),
            (i, j) if i == column && j == row => sin.shallow_clone(),
            (i, j) if i == row && j == column => -&sin,
            (i, j) if i == j => one.shallow_clone(),
            _ => zero.shallow_clone(),
        })
        .collect();
    Tensor::stack(&entries, 1).view([-1, n as i64, n as i64])
}

/// A warning for anatomy turned by up to `degrees`: standard views never show it turned much.
pub fn rotation_caution(images: &ImageTraits, degrees: f64) -> Option<String> {
    let anatomy = matches!(images.modality, Modality::Ct | Modality::Mr | Modality::Xray);
    (anatomy && degrees > 30.0).then(|| {
        format!(
            "turns the anatomy by up to {degrees:.0}°: CT, MR and X-ray views are acquired in a standard \
             orientation and never show it turned that far"
        )
    })
}

/// Rotation by an angle drawn from U(degrees) per sample, with probability `p`, resampled
/// bilinearly; `padding` fills what comes in from outside. The turn is in pixel units, so
/// non-square images are not sheared. Defaults: PCRL's R (specs/002_pcrl.md §3.1): U(−10°, 10°)
/// on every sample (torchvision's RandomRotation(10) in its code), zero fill, about z in 3D.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rotate {
    pub p: f64,
    /// The angle's range in degrees, counter-clockwise positive.
    pub degrees: (f64, f64),
    pub padding: Padding,
    /// For volumes: the plane to turn in.
    pub plane: Plane,
}

impl Default for Rotate {
    fn default() -> Self {
        Self { p: 1.0, degrees: (-10.0, 10.0), padding: Padding::Zeros, plane: Plane::Axial }
    }
}

impl Augment for Rotate {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let mask = ctx.rng.coin(b, self.p, device);
        let angle = ctx.rng.uniform(b, self.degrees.0.to_radians(), self.degrees.1.to_radians(), device);
        let n = images.dim() - 2;
        // grid_sample maps output to input pixels: the inverse turn.
        let linear = rotation(&-angle, n, self.plane);
        let theta =
            pixel_theta(&linear, &Tensor::zeros([b, n as i64], (Kind::Float, device)), &images.size());
        on_selected(images, &mask, |x| warp(x, &selected(&theta, &mask), self.padding).clamp(0.0, 1.0))
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Interval { name: "degrees", value: &mut self.degrees, range: (-180.0, 180.0) },
            Param::Choice { name: "padding", value: &mut self.padding },
            Param::Choice { name: "plane (3D)", value: &mut self.plane },
        ]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        rotation_caution(images, self.degrees.0.abs().max(self.degrees.1.abs()))
    }
}

/// Rotation by k quarter turns, k uniform in {0, 1, 2, 3}, with probability `p`: exact, no
/// resampling. A quarter turn of a non-square plane would change the shape, so there k is
/// uniform in {0, 2} (half turns only). Defaults: PCRL's target transformation
/// (specs/002_pcrl.md §3.3): one of the four turns on every sample, in the axial plane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rotate90 {
    pub p: f64,
    /// For volumes: the plane to turn in.
    pub plane: Plane,
}

impl Default for Rotate90 {
    fn default() -> Self {
        Self { p: 1.0, plane: Plane::Axial }
    }
}

impl Rotate90 {
    /// Turns every sample by `k` quarter turns counter-clockwise (as displayed) in the plane.
    pub fn turn(&self, images: &Tensor, k: i64) -> Tensor {
        images.rot90(k, self.plane.dims(images.dim()))
    }
}

impl Augment for Rotate90 {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let mask = ctx.rng.coins(b, self.p);
        let [row, column] = self.plane.dims(images.dim()).map(|d| images.size()[d as usize]);
        let k: Vec<i64> = (0..b)
            .map(|_| if row == column { ctx.rng.int_one(0, 3) } else { 2 * ctx.rng.int_one(0, 1) })
            .collect();
        (1..=3).fold(images.shallow_clone(), |x, turns| {
            let chosen: Vec<bool> = mask.iter().zip(&k).map(|(&on, &k)| on && k == turns).collect();
            on_selected(&x, &Tensor::from_slice(&chosen).to_device(device), |s| self.turn(s, turns))
        })
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![Param::Probability(&mut self.p), Param::Choice { name: "plane (3D)", value: &mut self.plane }]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        rotation_caution(images, 180.0)
    }
}
