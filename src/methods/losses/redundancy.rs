//! Redundancy-reduction losses: Barlow Twins and VICReg. No negatives; collapse is prevented by
//! statistics over the batch, so both need N ≥ 2 and return their terms for plotting.
use super::{at_least_f32, ensure_positive, matching_views, LossTerms};
use serde::{Deserialize, Serialize};
use tch::{Kind, Reduction, Tensor};

/// λ of Barlow Twins, the weight of the off-diagonal (redundancy) term (Zbontar et al. 2021).
pub const BARLOW_LAMBDA: f64 = 5e-3;
/// The ε of the batch standardisation: the paper's code standardises with
/// `BatchNorm1d(affine=False)`, i.e. biased variance plus 1e-5.
const BARLOW_EPS: f64 = 1e-5;

/// Barlow Twins (Zbontar et al. 2021, Eq. 1) on two views `[N, D]`: with C the D×D
/// cross-correlation of the batch-standardised views, Σᵢ(1 − Cᵢᵢ)² ("invariance") +
/// λ Σ_{i≠j} Cᵢⱼ² ("redundancy"). Swapping the views transposes C, which leaves both unchanged.
pub fn barlow_twins(z1: &Tensor, z2: &Tensor, lambda: f64) -> anyhow::Result<LossTerms> {
    let (n, d) = matching_views(z1, z2, 2, "Barlow Twins")?;
    anyhow::ensure!(lambda.is_finite() && lambda >= 0.0, "Barlow Twins' λ must be ≥ 0, got {lambda}");
    let standardise = |z: &Tensor| {
        let z = at_least_f32(z);
        let mean = z.mean_dim(0, true, z.kind());
        let variance = z.var_dim(0, false, true);
        (z - mean) / (variance + BARLOW_EPS).sqrt()
    };
    let correlation = standardise(z1).tr().matmul(&standardise(z2)) / n as f64;
    let kind = correlation.kind();
    let own = Tensor::eye(d, (Kind::Bool, correlation.device()));
    let invariance = (correlation.diagonal(0, 0, 1) - 1.0).square().sum(kind);
    let redundancy = correlation.masked_fill(&own, 0.0).square().sum(kind) * lambda;
    Ok(LossTerms::sum_of(vec![("invariance", invariance), ("redundancy", redundancy)]))
}

/// λ, μ, ν of VICReg (Bardes et al. 2022, Eq. 6).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VicregWeights {
    pub invariance: f64,
    pub variance: f64,
    pub covariance: f64,
}

impl Default for VicregWeights {
    fn default() -> Self {
        Self { invariance: 25.0, variance: 25.0, covariance: 1.0 }
    }
}

/// The target standard deviation γ and the ε inside the square root of VICReg's variance hinge.
const VICREG_STD_TARGET: f64 = 1.0;
const VICREG_EPS: f64 = 1e-4;

/// VICReg (Bardes et al. 2022, Eq. 6) on two views `[N, D]`, each term already weighted:
/// - "invariance": λ · mean over N·D of (z₁ − z₂)²;
/// - "variance": μ · [v(z₁) + v(z₂)], v = mean over dims of max(0, γ − √(Var + ε)), unbiased
///   variance, γ = 1, ε = 1e-4;
/// - "covariance": ν · [c(z₁) + c(z₂)], c = Σ_{i≠j} Cov(z)ᵢⱼ² / D, Cov unbiased.
///
/// This is the paper's equation; the authors' code halves the variance term (each branch's
/// hinge / 2), which is the same loss with μ/2.
pub fn vicreg(z1: &Tensor, z2: &Tensor, weights: VicregWeights) -> anyhow::Result<LossTerms> {
    let (n, d) = matching_views(z1, z2, 2, "VICReg")?;
    ensure_positive(weights.invariance, "VICReg's invariance weight λ")?;
    ensure_positive(weights.variance, "VICReg's variance weight μ")?;
    ensure_positive(weights.covariance, "VICReg's covariance weight ν")?;
    let (z1, z2) = (at_least_f32(z1), at_least_f32(z2));
    let kind = z1.kind();
    let variance_hinge =
        |z: &Tensor| (VICREG_STD_TARGET - (z.var_dim(0, true, false) + VICREG_EPS).sqrt()).relu().mean(kind);
    let off_diagonal_covariance = |z: &Tensor| {
        let centred = z - z.mean_dim(0, true, kind);
        let covariance = centred.tr().matmul(&centred) / (n - 1) as f64;
        let own = Tensor::eye(d, (Kind::Bool, z.device()));
        covariance.masked_fill(&own, 0.0).square().sum(kind) / d as f64
    };
    Ok(LossTerms::sum_of(vec![
        ("invariance", z1.mse_loss(&z2, Reduction::Mean) * weights.invariance),
        ("variance", (variance_hinge(&z1) + variance_hinge(&z2)) * weights.variance),
        ("covariance", (off_diagonal_covariance(&z1) + off_diagonal_covariance(&z2)) * weights.covariance),
    ]))
}
