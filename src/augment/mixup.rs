//! MixSSL's cross-domain mix-up (digest §2.2): `x_mix = (1 − λ)·x_t + λ·x_a`, λ ~ Beta(α, α).
use super::tensor::{luma, per_sample};
use super::{AugRng, Augment, Ctx, Param};
use rand_distr::{Beta, Distribution};
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mixup {
    /// Beta(α, α) parameter; 1 gives λ ~ U(0, 1), the paper's setting.
    pub alpha: f64,
    /// One λ for the whole batch ("varying from batch to batch", the paper) or one per sample.
    pub per_sample: bool,
    /// λ is clamped to [λ_min, λ_max]; (0, 1), no clipping, in the paper.
    pub clip: (f64, f64),
}

impl Default for Mixup {
    fn default() -> Self {
        Self { alpha: 1.0, per_sample: false, clip: (0.0, 1.0) }
    }
}

impl Mixup {
    /// `[batch]` values of λ on `device`.
    pub fn sample_lambda(&self, batch: i64, rng: &mut AugRng, device: Device) -> Tensor {
        let draws = if self.per_sample { batch } else { 1 };
        let lambda = beta(self.alpha, draws, rng, device).clamp(self.clip.0, self.clip.1);
        lambda.expand([batch], false).contiguous()
    }
}

/// `n` draws from Beta(α, α) (rand_distr; as G₁ / (G₁ + G₂) with G ~ Gamma(α, 1)).
pub fn beta(alpha: f64, n: i64, rng: &mut AugRng, device: Device) -> Tensor {
    let dist = Beta::new(alpha, alpha).unwrap_or_else(|_| Beta::new(1.0, 1.0).expect("Beta(1, 1) exists"));
    let v: Vec<f32> = (0..n).map(|_| dist.sample(rng.gen()) as f32).collect();
    Tensor::from_slice(&v).to_device(device)
}

/// Eq. 1, with λ the weight of the auxiliary image.
pub fn mix(target: &Tensor, auxiliary: &Tensor, lambda: &Tensor) -> Tensor {
    let l = per_sample(lambda, target);
    target * (1.0 - &l) + auxiliary * l
}

/// `n` auxiliary images drawn uniformly with replacement from `pool`, brought to the shape of
/// `like`'s 2D samples (resized bilinearly, RGB turned grey for one-channel targets).
pub fn draw_auxiliary(pool: &Tensor, like: &Tensor, rng: &mut AugRng) -> Tensor {
    let n = like.size()[0];
    let idx = rng.ints(n, 0, pool.size()[0] - 1, pool.device());
    let mut aux = crate::data::to_float(&pool.index_select(0, &idx)).to_device(like.device());
    let size = like.size();
    if aux.size()[2..] != size[2..] {
        aux = aux.upsample_bilinear2d(&size[2..], false, None, None);
    }
    match (aux.size()[1], size[1]) {
        (3, 1) => luma(&aux),
        (1, 3) => aux.expand([-1, 3, -1, -1], false),
        _ => aux,
    }
}

/// As a pipeline op: each image is mixed with an auxiliary image from `ctx.auxiliary` (the
/// studio passes built-in natural images); without one, the images pass unchanged.
impl Augment for Mixup {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let Some(pool) = ctx.auxiliary else {
            return images.shallow_clone();
        };
        let lambda = self.sample_lambda(images.size()[0], ctx.rng, images.device());
        let auxiliary = draw_auxiliary(pool, images, ctx.rng).to_kind(Kind::Float);
        mix(images, &auxiliary, &lambda)
    }

    /// The auxiliary pool holds 2D images (the built-in natural set).
    fn supports(&self, spatial_dims: usize) -> bool {
        spatial_dims == 2
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Number { name: "alpha", value: &mut self.alpha, range: (0.01, 10.0) },
            Param::Toggle { name: "one λ per sample", value: &mut self.per_sample },
            Param::Interval { name: "λ range", value: &mut self.clip, range: (0.0, 1.0) },
        ]
    }
}
