//! MixSSL's cross-domain mix-up (digest §2.2): `x_mix = (1 − λ)·x_t + λ·x_a`, λ ~ Beta(α, α).
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mixup {
    /// Beta(α, α) parameter; 1 gives λ ~ U(0, 1), the paper's setting.
    pub alpha: f64,
    /// One λ for the whole batch ("varying from batch to batch", the paper) or one per sample.
    pub per_sample: bool,
    /// Optional [λ_min, λ_max]; none in the paper.
    pub clip: Option<(f64, f64)>,
}

impl Default for Mixup {
    fn default() -> Self {
        Self { alpha: 1.0, per_sample: false, clip: None }
    }
}

impl Mixup {
    /// `[batch]` values of λ on `device`, drawn from torch's seeded generator.
    pub fn sample_lambda(&self, batch: i64, device: Device) -> Tensor {
        let draws = if self.per_sample { batch } else { 1 };
        let lambda = beta(self.alpha, draws, device);
        let lambda = match self.clip {
            Some((lo, hi)) => lambda.clamp(lo, hi),
            None => lambda,
        };
        lambda.expand([batch], false).contiguous()
    }
}

/// Beta(α, α) as G₁ / (G₁ + G₂) with G ~ Gamma(α, 1).
pub fn beta(alpha: f64, n: i64, device: Device) -> Tensor {
    let shape = Tensor::full([2, n], alpha, (Kind::Float, device));
    let g = shape.internal_standard_gamma();
    g.get(0) / g.sum_dim_intlist(0, false, Kind::Float)
}

/// Eq. 1, with λ the weight of the auxiliary image.
pub fn mix(target: &Tensor, auxiliary: &Tensor, lambda: &Tensor) -> Tensor {
    let l = lambda.view([-1, 1, 1, 1]);
    target * (1.0 - &l) + auxiliary * l
}
