//! Decoupled contrastive learning (Yeh et al. 2022, "Decoupled Contrastive Learning"): NT-Xent
//! without the positive in the denominator, which removes the negative–positive coupling that
//! makes InfoNCE need large batches.
use super::ensure_positive;
use super::pairs::{cosine_matrix, image_count, PairMasks};
use tch::Tensor;

/// τ of DCL and DCLW in the thesis's baselines (specs/004a §5.3).
pub const DCL_TEMPERATURE: f64 = 0.1;
/// σ of DCLW's von Mises–Fisher weighting (the paper's value).
pub const DCLW_SIGMA: f64 = 0.5;

/// DCL (Yeh et al. Eq. 6) on `z: [2N, D]` (rows i and i+N positives, N ≥ 2): per anchor,
/// −c₊/τ + log Σ₋ exp(c/τ) over its 2N−2 negatives (self and partner excluded); mean over the
/// 2N anchors, i.e. the paper's sum over both views averaged.
pub fn dcl(z: &Tensor, temperature: f64) -> anyhow::Result<Tensor> {
    decoupled(z, temperature, None)
}

/// DCLW: DCL with the positive term of anchor i weighted by
/// w_i = 2 − exp(c₊ᵢ/σ) / mean_k exp(c₊ₖ/σ), so easy positives (high c₊) pull less than hard
/// ones. The weights are computed from detached cosines, as importance weights (lightly's
/// choice; the paper is silent), so they scale the gradient without adding one of their own.
pub fn dclw(z: &Tensor, temperature: f64, sigma: f64) -> anyhow::Result<Tensor> {
    ensure_positive(sigma, "DCLW's σ")?;
    decoupled(z, temperature, Some(sigma))
}

fn decoupled(z: &Tensor, temperature: f64, sigma: Option<f64>) -> anyhow::Result<Tensor> {
    let n = image_count(z, 2, "DCL")?;
    ensure_positive(temperature, "DCL's temperature")?;
    let cosines = cosine_matrix(z);
    let masks = PairMasks::new(2 * n, z.device());
    let alignment = cosines.masked_select(&masks.positive);
    let alignment = match sigma {
        None => alignment,
        Some(sigma) => {
            let weights = 2.0 - (alignment.detach() / sigma).softmax(0, alignment.kind()) * (2 * n) as f64;
            alignment * weights
        }
    };
    let repulsion = (cosines / temperature)
        .masked_fill(&masks.negative.logical_not(), f64::NEG_INFINITY)
        .logsumexp([1i64].as_slice(), false);
    let per_anchor = repulsion - alignment / temperature;
    Ok(per_anchor.mean(per_anchor.kind()))
}
