//! MoCo's InfoNCE against a queue of past keys (He et al. 2020; MoCo v2, Chen et al. 2020).
use super::{at_least_f32, ensure_positive, matching_views, normalize};
use tch::{Reduction, Tensor};

/// τ of MoCo v2 (its paper, and specs/003 §2.2 (a) and specs/002 §2.3). The thesis's MoCo v2
/// baselines used 0.07 (specs/004a §5.3).
pub const MOCO_TEMPERATURE: f64 = 0.2;

/// Per query i, cross-entropy of the logits [q_i·k_i, q_i·queue_1, …, q_i·queue_K]/τ with the
/// key as class 0; mean over the N queries. `queries` and `keys` are `[N, D]`, `queue` is
/// `[K, D]`; all three are L2-normalised here (idempotent for stored unit keys). Keys and queue
/// come from the momentum encoder, so the caller detaches them.
///
/// Asymmetric by design: queries meet the queue, keys do not, so swapping q and k changes the
/// value. Symmetrised MoCo variants call this twice with the roles exchanged.
pub fn moco_info_nce(
    queries: &Tensor,
    keys: &Tensor,
    queue: &Tensor,
    temperature: f64,
) -> anyhow::Result<Tensor> {
    let (n, d) = matching_views(queries, keys, 1, "MoCo InfoNCE")?;
    let queue_size = queue.size();
    anyhow::ensure!(
        queue_size.len() == 2 && queue_size[1] == d,
        "MoCo's queue must be [K, {d}] like the keys, got {queue_size:?}"
    );
    anyhow::ensure!(queue.device() == queries.device(), "MoCo's queue is on another device than the queries");
    ensure_positive(temperature, "MoCo's temperature")?;
    let q = normalize(&at_least_f32(queries));
    let k = normalize(&keys.to_kind(q.kind()));
    let queue = normalize(&queue.to_kind(q.kind()));
    let positive = (&q * k).sum_dim_intlist(1, true, q.kind());
    let logits = Tensor::cat(&[positive, q.matmul(&queue.tr())], 1) / temperature;
    let key_class = Tensor::zeros([n], (tch::Kind::Int64, q.device()));
    Ok(logits.cross_entropy_loss::<Tensor>(&key_class, None, Reduction::Mean, -100, 0.0))
}
