//! Thesis Ch. 4 (specs/004a §4.2): contrastive learning as binary classification of the 2N views'
//! ordered pairs into same-image / different-image, and its Euclidean InfoNCE companion.
use super::mio::{mio, MioVersion};
use super::pairs::{anchor_cross_entropy, cosine_matrix, image_count, PairMasks};
use super::{at_least_f32, ensure_positive, normalize, LossTerms};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// τ of L_Proposed (Table 4.2).
pub const PROPOSED_TEMPERATURE: f64 = 0.25;
/// τ_c of L_Contr (Table 4.2).
pub const CONTR_TEMPERATURE: f64 = 0.33;

/// How L_Proposed averages its pair terms. The thesis prints both (ambiguity 13 of specs/004a §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairAveraging {
    /// Eq. 4.14 as printed, the default: one sum over positive and negative pairs divided by 4N²,
    /// a count that includes the 2N excluded self-pairs. Positives then weigh ~1/N of the loss.
    #[default]
    AllPairs,
    /// Eq. 4.18's rewriting as separate expectations over positives and negatives; this is
    /// exactly MIOv1 (Eq. 5.13).
    SeparateMeans,
}

/// L_Proposed (Eq. 4.14): BCE of the logistic pair classifier σ(c_ij/τ) with imbalance factor
/// ν = 1, i.e. (Σ₊ softplus(−c/τ) + Σ₋ softplus(c/τ)) / 4N² over ordered pairs, self excluded.
/// `z`: `[2N, D]`, rows i and i+N positives; N ≥ 2 so that negatives exist.
pub fn proposed(z: &Tensor, temperature: f64, averaging: PairAveraging) -> anyhow::Result<Tensor> {
    let n = image_count(z, 2, "L_Proposed")?;
    ensure_positive(temperature, "L_Proposed's temperature")?;
    match averaging {
        PairAveraging::AllPairs => {
            let (positives, negatives) =
                PairMasks::new(2 * n, z.device()).split(&(cosine_matrix(z) / temperature));
            let kind = positives.kind();
            let sum = (-positives).softplus().sum(kind) + negatives.softplus().sum(kind);
            Ok(sum / (4 * n * n) as f64)
        }
        PairAveraging::SeparateMeans => mio(z, temperature, MioVersion::V1),
    }
}

/// L_Contr (Eq. 4.17): InfoNCE with −‖z_a − z_b‖²/τ_c as the logit, in the SimCLR structure
/// ([D]: 2N anchors, one positive and 2N−2 negatives each, self excluded). The thesis does not
/// say whether z is normalised (ambiguity 14): `normalize_rows` = true is the default reading,
/// and then L_Contr equals NT-Xent at τ_c/2, since ‖a − b‖² = 2 − 2cos on the unit sphere.
pub fn euclidean_info_nce(z: &Tensor, temperature: f64, normalize_rows: bool) -> anyhow::Result<Tensor> {
    image_count(z, 1, "L_Contr")?;
    ensure_positive(temperature, "L_Contr's temperature")?;
    let z = at_least_f32(z);
    let z = if normalize_rows { normalize(&z) } else { z };
    let squared_norms = z.square().sum_dim_intlist(1, true, z.kind());
    let squared_distances = (&squared_norms + squared_norms.tr() - z.matmul(&z.tr()) * 2.0).clamp_min(0.0);
    Ok(anchor_cross_entropy(&(-squared_distances / temperature)))
}

/// L_Combo (Eq. 4.18): L_Proposed + L_Contr with equal weights; the two terms are kept for the
/// dashboard. Defaults: `PROPOSED_TEMPERATURE`, `CONTR_TEMPERATURE`, `PairAveraging::AllPairs`,
/// normalised rows.
pub fn combo(
    z: &Tensor,
    temperature: f64,
    contr_temperature: f64,
    averaging: PairAveraging,
    normalize_rows: bool,
) -> anyhow::Result<LossTerms> {
    Ok(LossTerms::sum_of(vec![
        ("L_Proposed", proposed(z, temperature, averaging)?),
        ("L_Contr", euclidean_info_nce(z, contr_temperature, normalize_rows)?),
    ]))
}
