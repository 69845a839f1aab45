//! The non-contrastive regression losses of BYOL and SimSiam: an online prediction regresses
//! onto the other view's target. The stop-gradient on the target, which is what keeps these
//! from collapsing, is the caller's `detach()` (or BYOL's EMA network, which has no gradient).
use super::{at_least_f32, matching_views, normalize};
use tch::Tensor;

/// Symmetrised BYOL loss (Grill et al. 2020; specs/003 §2.2 (b)):
/// mean_i (2 − 2cos(p₁ᵢ, t₂ᵢ)) + mean_i (2 − 2cos(p₂ᵢ, t₁ᵢ)), where p_v is the online
/// prediction of view v and t_v the target projection of view v, all `[N, D]`. Each half is the
/// squared distance of the normalised vectors; the range is [0, 8].
pub fn byol(
    prediction1: &Tensor,
    prediction2: &Tensor,
    target1: &Tensor,
    target2: &Tensor,
) -> anyhow::Result<Tensor> {
    let cosine12 = mean_cosine(prediction1, target2, "BYOL")?;
    let cosine21 = mean_cosine(prediction2, target1, "BYOL")?;
    Ok(4.0 - (cosine12 + cosine21) * 2.0)
}

/// SimSiam's symmetrised negative cosine (Chen & He 2021, Eq. 2):
/// −½ mean_i cos(p₁ᵢ, z₂ᵢ) − ½ mean_i cos(p₂ᵢ, z₁ᵢ), with p_v the predictor output and z_v the
/// projection of view v, all `[N, D]`; the range is [−1, 1].
pub fn simsiam(
    prediction1: &Tensor,
    prediction2: &Tensor,
    z1: &Tensor,
    z2: &Tensor,
) -> anyhow::Result<Tensor> {
    let cosine12 = mean_cosine(prediction1, z2, "SimSiam")?;
    let cosine21 = mean_cosine(prediction2, z1, "SimSiam")?;
    Ok((cosine12 + cosine21) * -0.5)
}

/// mean_i cos(a_i, b_i) over matching rows.
fn mean_cosine(a: &Tensor, b: &Tensor, loss: &str) -> anyhow::Result<Tensor> {
    matching_views(a, b, 1, loss)?;
    let products = normalize(&at_least_f32(a)) * normalize(&at_least_f32(b));
    Ok(products.sum_dim_intlist(1, false, products.kind()).mean(products.kind()))
}
