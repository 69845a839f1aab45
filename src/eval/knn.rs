//! Weighted k-nearest-neighbour classification on frozen features, the monitor used by the
//! thesis (digest 004a §5.3): cosine similarity, votes weighted by exp(sim / T) as lightly's
//! `knn_predict`.
use crate::methods::losses::normalize;
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KnnConfig {
    pub k: i64,
    pub temperature: f64,
}

impl Default for KnnConfig {
    fn default() -> Self {
        Self { k: 20, temperature: 0.1 }
    }
}

/// Top-1 accuracy in [0, 1] of classifying `query` by its neighbours in `bank`.
pub fn knn_accuracy(
    bank: &Tensor,
    bank_labels: &Tensor,
    query: &Tensor,
    query_labels: &Tensor,
    cfg: &KnnConfig,
) -> f64 {
    tch::no_grad(|| {
        let classes = bank_labels.max().int64_value(&[]).max(query_labels.max().int64_value(&[])) + 1;
        let k = cfg.k.min(bank.size()[0]);
        let bank = normalize(bank);
        let mut correct = 0i64;
        for (q, y) in query.split(1024, 0).iter().zip(query_labels.split(1024, 0).iter()) {
            let sim = normalize(q).matmul(&bank.tr());
            let (top, idx) = sim.topk(k, 1, true, true);
            let votes = Tensor::zeros([q.size()[0], classes], (Kind::Float, q.device())).scatter_add(
                1,
                &bank_labels.index_select(0, &idx.view([-1])).view([-1, k]),
                &(top / cfg.temperature).exp(),
            );
            correct += votes.argmax(1, false).eq_tensor(y).sum(Kind::Int64).int64_value(&[]);
        }
        correct as f64 / query.size()[0] as f64
    })
}
