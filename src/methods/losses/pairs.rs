//! Bookkeeping of the 2N×2N pair matrix shared by the in-batch contrastive losses: which
//! ordered pairs are self, positive (i, i±N) or negative, and the anchor-wise cross-entropy.
use super::{at_least_f32, normalize};
use tch::{Kind, Reduction, Tensor};

/// N, the number of images, after checking that `z` is `[2N, D]` with at least `min_images`.
/// Losses with a negative term need two images, or they average over no pairs at all.
pub(super) fn image_count(z: &Tensor, min_images: i64, loss: &str) -> anyhow::Result<i64> {
    let size = z.size();
    anyhow::ensure!(size.len() == 2, "{loss} takes embeddings [2N, D], got shape {size:?}");
    anyhow::ensure!(
        size[0] % 2 == 0 && size[0] >= 2 * min_images,
        "{loss} needs two views of at least {min_images} images (rows i and i+N), got {} rows",
        size[0]
    );
    Ok(size[0] / 2)
}

/// Cosine similarities of all rows, `[2N, 2N]`, self included.
pub(super) fn cosine_matrix(z: &Tensor) -> Tensor {
    let z = normalize(&at_least_f32(z));
    z.matmul(&z.tr())
}

/// For row i of a `[2N, 2N]` matrix, the column of its other view.
pub(super) fn partner_index(n2: i64, device: tch::Device) -> Tensor {
    (Tensor::arange(n2, (Kind::Int64, device)) + n2 / 2).remainder(n2)
}

/// Boolean masks of the positive ordered pairs (2N of them) and the negative ones
/// (2N(2N−2): neither self nor partner).
pub(super) struct PairMasks {
    pub positive: Tensor,
    pub negative: Tensor,
}

impl PairMasks {
    pub fn new(n2: i64, device: tch::Device) -> Self {
        let columns = Tensor::arange(n2, (Kind::Int64, device)).unsqueeze(0);
        let positive = columns.eq_tensor(&partner_index(n2, device).unsqueeze(1));
        let own = Tensor::eye(n2, (Kind::Bool, device));
        let negative = positive.logical_or(&own).logical_not();
        Self { positive, negative }
    }

    /// The positive pairs' values, row by row (`[2N]`), and the negative ones (`[2N(2N−2)]`).
    pub fn split(&self, matrix: &Tensor) -> (Tensor, Tensor) {
        (matrix.masked_select(&self.positive), matrix.masked_select(&self.negative))
    }
}

/// InfoNCE over the 2N anchors of a `[2N, 2N]` logit matrix: each row is classified against all
/// columns but itself, the partner being the right class; mean over rows.
pub(super) fn anchor_cross_entropy(logits: &Tensor) -> Tensor {
    let n2 = logits.size()[0];
    let own = Tensor::eye(n2, (Kind::Bool, logits.device()));
    logits.masked_fill(&own, f64::NEG_INFINITY).cross_entropy_loss::<Tensor>(
        &partner_index(n2, logits.device()),
        None,
        Reduction::Mean,
        -100,
        0.0,
    )
}
