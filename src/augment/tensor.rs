//! Batched building blocks the ops share: per-sample broadcasting, choosing per sample, the
//! luma of RGB, and warping by per-sample affine maps in 2D and 3D.
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// The number of spatial dimensions of `[B, C, H, W]` (2) or `[B, C, D, H, W]` (3).
pub fn spatial_dims(images: &Tensor) -> usize {
    images.dim().saturating_sub(2)
}

/// A `[B]` tensor viewed as `[B, 1, 1, ...]` to broadcast against `images`.
pub fn per_sample(values: &Tensor, images: &Tensor) -> Tensor {
    let mut shape = vec![-1i64];
    shape.resize(images.dim(), 1);
    values.view(shape.as_slice())
}

/// Per sample, `augmented` where `mask` is true, else `original`.
pub fn where_sample(mask: &Tensor, augmented: &Tensor, original: &Tensor) -> Tensor {
    augmented.where_self(&per_sample(mask, original), original)
}

/// Runs `f` on the samples where `mask` is true only, and puts the results back in place: the
/// cost of an op applied with probability p is then p of its cost on the whole batch.
pub fn on_selected(images: &Tensor, mask: &Tensor, f: impl FnOnce(&Tensor) -> Tensor) -> Tensor {
    let idx = mask.nonzero().view([-1]);
    match idx.numel() {
        0 => images.shallow_clone(),
        n if n as i64 == images.size()[0] => f(images),
        _ => images.index_copy(0, &idx, &f(&images.index_select(0, &idx))),
    }
}

/// The rows of a per-sample tensor that belong to the samples `mask` selects, in the order
/// `on_selected` hands them over.
pub fn selected(values: &Tensor, mask: &Tensor) -> Tensor {
    values.index_select(0, &mask.nonzero().view([-1]))
}

/// `[B, 1, ...]` luma (ITU-R 601, as torchvision's `rgb_to_grayscale`); grey images are
/// their own luma.
pub fn luma(images: &Tensor) -> Tensor {
    if images.size()[1] != 3 {
        return images.narrow(1, 0, 1);
    }
    let w = Tensor::from_slice(&[0.299f32, 0.587, 0.114]).to_device(images.device());
    let mut shape = vec![1i64, 3];
    shape.resize(images.dim(), 1);
    (images * w.view(shape.as_slice())).sum_dim_intlist(1, true, Kind::Float)
}

/// torchvision's `_blend`: `f·x + (1 − f)·y` with a per-sample factor `f`, clamped to [0, 1].
pub fn blend(x: &Tensor, y: &Tensor, f: &Tensor) -> Tensor {
    let f = per_sample(f, x);
    let g: Tensor = 1.0 - &f;
    (x * &f + y * g).clamp(0.0, 1.0)
}

/// What a warp samples outside the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Padding {
    #[default]
    Zeros,
    Border,
    Reflection,
}

crate::choice!(Padding { Zeros => "zeros", Border => "border", Reflection => "reflection" });

impl Padding {
    fn code(self) -> i64 {
        match self {
            Padding::Zeros => 0,
            Padding::Border => 1,
            Padding::Reflection => 2,
        }
    }
}

/// Resamples each sample through its own affine map `theta` (`[B, 2, 3]` for images,
/// `[B, 3, 4]` for volumes), from output to input coordinates normalised to [-1, 1] with
/// corners at pixel centres as `align_corners = false`; bilinear (trilinear) interpolation.
pub fn warp(images: &Tensor, theta: &Tensor, padding: Padding) -> Tensor {
    let grid = Tensor::affine_grid_generator(theta, images.size(), false);
    sample(images, &grid, padding)
}

/// `grid_sample` with bilinear interpolation: `grid` is `[B, H, W, 2]` or `[B, D, H, W, 3]`
/// in normalised (x, y[, z]) coordinates.
pub fn sample(images: &Tensor, grid: &Tensor, padding: Padding) -> Tensor {
    images.grid_sampler(grid, 0, padding.code(), false)
}

/// `[B, n, n + 1]` affine maps from `[B, n, n]` linear parts and `[B, n]` translations.
pub fn affine_theta(linear: &Tensor, translation: &Tensor) -> Tensor {
    Tensor::cat(&[linear.shallow_clone(), translation.unsqueeze(2)], 2)
}
