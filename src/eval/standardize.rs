//! Features shifted and scaled by statistics of the training set only, so that a probe's
//! optimiser sees well-conditioned inputs and nothing of the held-out set leaks into it.
use tch::{Kind, Tensor};

pub struct Standardizer {
    mean: Tensor,
    std: Tensor,
}

impl Standardizer {
    /// Statistics over `dims` of `train` (the samples, and for feature maps the positions).
    pub fn fit(train: &Tensor, dims: &[i64]) -> Self {
        let mean = train.mean_dim(dims, true, Kind::Float);
        // A feature constant over the training set (a dead unit) is only centred.
        let std = train.std_dim(dims, false, true).clamp_min(1e-6);
        Self { mean, std }
    }

    /// The mean and standard deviation, shaped to broadcast as in `apply`.
    pub fn statistics(&self) -> (&Tensor, &Tensor) {
        (&self.mean, &self.std)
    }

    pub fn apply(&self, x: &Tensor) -> Tensor {
        (x - &self.mean) / &self.std
    }
}
