//! DySTreSS (thesis Ch. 6, specs/004b §6.2): InfoNCE whose temperature is a function of each
//! pair's cosine, high near c = ±1 (likely false negatives, and stable gradients) and low near
//! c = 0 (ordinary negatives are still repelled hard). No schedule: τ depends on c only.
use super::pairs::{anchor_cross_entropy, cosine_matrix, image_count, PairMasks};
use crate::range::{out_of_range, Range};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use tch::Tensor;

/// τ_min of the cosine profile on CIFAR-scale data (the thesis's best there).
pub const DYSTRESS_TAU_MIN: f64 = 0.07;
/// τ_min of the cosine profile on ImageNet-scale data (Table 6.14).
pub const DYSTRESS_TAU_MIN_IMAGENET: f64 = 0.1;
/// τ_max of every profile.
pub const DYSTRESS_TAU_MAX: f64 = 0.2;
/// The rate `a` of the exponential profile ([default] of specs/004b §6.2.7).
pub const EXPONENTIAL_PROFILE_RATE: f64 = 3.0;

/// Every τ of a profile: it divides the cosines.
pub const TAU: Range<f64> = crate::methods::TEMPERATURE;
/// The shift Δc is a cosine.
pub const SHIFT: Range<f64> = Range::closed(-1.0, 1.0);
/// The exponential profile divides by e^a − 1.
pub const RATE: Range<f64> = Range::above(0.0).control(0.01, 20.0);
/// The shifted profile's period k_s divides the cosines.
pub const SCALE: Range<f64> = Range::above(0.0);

/// τ as a function of the cosine c ∈ [−1, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "profile", rename_all = "snake_case")]
pub enum TemperatureProfile {
    /// τ = τ₀ everywhere: plain NT-Xent.
    Constant { tau: f64 },
    /// Eq. 6.16, the default: τ_min + ½Δτ(1 + cos(π(1 + c))) = τ_min + Δτ·sin²(πc/2), so τ_max
    /// at c = −1 and c = 1 and τ_min at c = 0.
    Cosine { tau_min: f64, tau_max: f64 },
    /// Alg. 6.1, implemented literally: where (Δc ≤ 0 and c ≤ −Δc) or (Δc > 0 and c ≥ −Δc),
    /// τ = τ_min + ½Δτ(1 + cos(π(Δc + c)/k_s)), elsewhere τ_max. At Δc = 0 only the left branch
    /// applies (the public code's choice), giving a dip on c ≤ 0 and τ_max on c > 0. The minimum
    /// sits mid-interval, not at c = −Δc as the text says; plot the curve.
    Shifted { tau_min: f64, tau_max: f64, shift: f64, scale: f64 },
    /// [default] of §6.2.7 (the thesis gives no formula): τ_min + Δτ·|c|.
    Linear { tau_min: f64, tau_max: f64 },
    /// [default] of §6.2.7: τ_min + Δτ·(e^{a|c|} − 1)/(e^a − 1).
    Exponential { tau_min: f64, tau_max: f64, rate: f64 },
}

impl Default for TemperatureProfile {
    fn default() -> Self {
        TemperatureProfile::Cosine { tau_min: DYSTRESS_TAU_MIN, tau_max: DYSTRESS_TAU_MAX }
    }
}

impl TemperatureProfile {
    /// Alg. 6.1 with the scale every run of the thesis used, k_s = (1 + |Δc|)/2: one full cosine
    /// period between −Δc and the far end of [−1, 1].
    pub fn shifted(tau_min: f64, tau_max: f64, shift: f64) -> Self {
        TemperatureProfile::Shifted { tau_min, tau_max, shift, scale: (1.0 + shift.abs()) / 2.0 }
    }

    /// Refuses profiles that give τ ≤ 0 somewhere or divide by zero; `path` names the profile
    /// in errors ("method.dystress.profile").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        let field = |name: &str| format!("{path}.{name}");
        let range = |tau_min: f64, tau_max: f64| {
            TAU.check(&field("tau_min"), tau_min)?;
            TAU.check(&field("tau_max"), tau_max)?;
            match tau_max >= tau_min {
                true => Ok(()),
                false => Err(out_of_range(&field("tau_max"), tau_max, format!(">= tau_min ({tau_min})"))),
            }
        };
        match *self {
            TemperatureProfile::Constant { tau } => TAU.check(&field("tau"), tau),
            TemperatureProfile::Cosine { tau_min, tau_max }
            | TemperatureProfile::Linear { tau_min, tau_max } => range(tau_min, tau_max),
            TemperatureProfile::Shifted { tau_min, tau_max, shift, scale } => {
                range(tau_min, tau_max)?;
                SHIFT.check(&field("shift"), shift)?;
                SCALE.check(&field("scale"), scale)
            }
            TemperatureProfile::Exponential { tau_min, tau_max, rate } => {
                range(tau_min, tau_max)?;
                RATE.check(&field("rate"), rate)
            }
        }
    }

    /// τ(c) element-wise, same shape and device as `c`; differentiable in c.
    pub fn temperatures(&self, c: &Tensor) -> anyhow::Result<Tensor> {
        self.validate("profile")?;
        Ok(match *self {
            TemperatureProfile::Constant { tau } => c.full_like(tau),
            TemperatureProfile::Cosine { tau_min, tau_max } => {
                (((c + 1.0) * PI).cos() + 1.0) * ((tau_max - tau_min) / 2.0) + tau_min
            }
            TemperatureProfile::Shifted { tau_min, tau_max, shift, scale } => {
                let dip = (((c + shift) * (PI / scale)).cos() + 1.0) * ((tau_max - tau_min) / 2.0) + tau_min;
                let active = if shift <= 0.0 { c.le(-shift) } else { c.ge(-shift) };
                dip.where_self(&active, &c.full_like(tau_max))
            }
            TemperatureProfile::Linear { tau_min, tau_max } => c.abs() * (tau_max - tau_min) + tau_min,
            TemperatureProfile::Exponential { tau_min, tau_max, rate } => {
                (c.abs() * rate).expm1() * ((tau_max - tau_min) / rate.exp_m1()) + tau_min
            }
        })
    }
}

/// Whether backpropagation sees τ(c) as a function of c (ambiguity 1 of specs/004b §E).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TauGradient {
    /// The default, and what produced the thesis's numbers: τ comes from detached cosines, so
    /// ∂L/∂c_ij = p_ij/τ_ij.
    #[default]
    Stopped,
    /// The full derivative of Eqs. 6.6/6.7, for experiments.
    Flows,
}

/// The DySTreSS loss (§6.2.8; Eq. 6.1 with τ_ij = τ(c_ij)): NT-Xent over `z: [2N, D]` (rows i and
/// i+N positives) with every logit c_ij divided by its own τ(c_ij), the positive's included.
pub fn dystress(
    z: &Tensor,
    profile: TemperatureProfile,
    tau_gradient: TauGradient,
) -> anyhow::Result<Tensor> {
    image_count(z, 1, "DySTreSS")?;
    let cosines = cosine_matrix(z);
    let temperatures = match tau_gradient {
        TauGradient::Stopped => profile.temperatures(&cosines.detach())?,
        TauGradient::Flows => profile.temperatures(&cosines)?,
    };
    Ok(anchor_cross_entropy(&(cosines / temperatures)))
}

/// The temperatures a batch's pairs get, detached, for the dashboard's histograms.
pub struct PairTemperatures {
    /// One per anchor, τ(c_{i,i±N}): `[2N]`.
    pub positive: Tensor,
    /// Every ordered pair that is neither self nor positive: `[2N(2N−2)]`.
    pub negative: Tensor,
}

/// τ(c_ij) of every ordered pair of `z: [2N, D]`, split into positives and negatives.
pub fn pair_temperatures(z: &Tensor, profile: TemperatureProfile) -> anyhow::Result<PairTemperatures> {
    let n = image_count(z, 1, "DySTreSS")?;
    let temperatures = profile.temperatures(&cosine_matrix(&z.detach()))?;
    let (positive, negative) = PairMasks::new(2 * n, z.device()).split(&temperatures);
    Ok(PairTemperatures { positive, negative })
}
