//! Thesis Ch. 5 (specs/004a §5.2): MIO, the binary contrastive loss with positives and negatives
//! averaged separately, and its two refinements toward mutual-information bounds.
use super::ensure_positive;
use super::pairs::{cosine_matrix, image_count, PairMasks};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// τ of every MIO version (the thesis's best; sweep {0.07, 0.1, 0.2, 0.5}).
pub const MIO_TEMPERATURE: f64 = 0.2;

/// Which MIO loss. With c the cosine of an ordered pair, means over the 2N positive and the
/// 2N(2N−2) negative pairs:
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MioVersion {
    /// Eq. 5.13: mean₊ softplus(−c/τ) + mean₋ softplus(c/τ).
    V1,
    /// Eqs. 5.15/5.16: drops the positive–positive repulsion ln(1 + e^{c₊/τ}) hidden in v1,
    /// leaving mean₊(−c/τ) + mean₋ softplus(c/τ).
    V2,
    /// Eq. 5.21, the proposed one: mean₊(−c/τ) + mean₋ exp(c/τ), the upper bound ln(1+x) ≤ x on
    /// the negatives, which repels harder and stops v2's collapse at high τ. Eq. 5.20's second
    /// line prints plain sums; the means of Eq. 5.21 are used (ambiguity 16).
    #[default]
    V3,
}

/// The MIO loss of `version` on `z: [2N, D]` (rows i and i+N positives, N ≥ 2). At τ = 0.07
/// the v3 repulsion reaches e^{1/τ} ≈ 1.6·10⁶: finite in f32, the instability the thesis reports.
pub fn mio(z: &Tensor, temperature: f64, version: MioVersion) -> anyhow::Result<Tensor> {
    let n = image_count(z, 2, "MIO")?;
    ensure_positive(temperature, "MIO's temperature")?;
    let (positives, negatives) = PairMasks::new(2 * n, z.device()).split(&(cosine_matrix(z) / temperature));
    let attraction = match version {
        MioVersion::V1 => (-positives).softplus(),
        MioVersion::V2 | MioVersion::V3 => -positives,
    };
    let repulsion = match version {
        MioVersion::V1 | MioVersion::V2 => negatives.softplus(),
        MioVersion::V3 => negatives.exp(),
    };
    Ok(attraction.mean(attraction.kind()) + repulsion.mean(repulsion.kind()))
}
