//! Weighted k-nearest-neighbour classification on frozen features, the monitor used by the
//! thesis (digest 004a §5.3): cosine similarity, votes weighted by exp(sim / T) as lightly's
//! `knn_predict`.
use crate::methods::losses::normalize;
use crate::range::Range;
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

impl KnnConfig {
    pub const K: Range<i64> = Range::at_least(1);
    /// Votes are weighted by exp(similarity / T).
    pub const TEMPERATURE: Range<f64> = Range::above(0.0);

    pub fn validate(&self) -> anyhow::Result<()> {
        Self::K.check("knn.k", self.k)?;
        Self::TEMPERATURE.check("knn.temperature", self.temperature)
    }
}

/// The votes `[M, classes]` each `query` row gets from its `k` most similar `bank` rows: the
/// sum of exp(cosine / T) over the neighbours of each class. Class scores for
/// `ClassificationMetrics`; the predicted class is the one with most votes.
pub fn knn_scores(
    bank: &Tensor,
    bank_labels: &Tensor,
    query: &Tensor,
    classes: i64,
    cfg: &KnnConfig,
) -> Tensor {
    tch::no_grad(|| {
        let k = cfg.k.min(bank.size()[0]);
        let bank = normalize(bank);
        let parts: Vec<Tensor> = query
            .split(1024, 0)
            .iter()
            .map(|q| {
                let sim = normalize(q).matmul(&bank.tr());
                let (top, idx) = sim.topk(k, 1, true, true);
                Tensor::zeros([q.size()[0], classes], (Kind::Float, q.device())).scatter_add(
                    1,
                    &bank_labels.index_select(0, &idx.view([-1])).view([-1, k]),
                    &(top / cfg.temperature).exp(),
                )
            })
            .collect();
        Tensor::cat(&parts, 0)
    })
}

/// Top-1 accuracy in [0, 1] of classifying `query` by its neighbours in `bank`.
pub fn knn_accuracy(
    bank: &Tensor,
    bank_labels: &Tensor,
    query: &Tensor,
    query_labels: &Tensor,
    cfg: &KnnConfig,
) -> f64 {
    let classes = bank_labels.max().int64_value(&[]).max(query_labels.max().int64_value(&[])) + 1;
    let votes = knn_scores(bank, bank_labels, query, classes, cfg);
    votes.argmax(1, false).eq_tensor(query_labels).to_kind(Kind::Float).mean(Kind::Float).double_value(&[])
}
