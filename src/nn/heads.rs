//! Small fully connected heads: projectors, predictors and regressors.
use tch::nn::{self, ModuleT};
use tch::Tensor;

/// Where an MLP normalises its batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Norm {
    /// None: SimCLR's and MoCo v2's projectors, MixSSL's regressor.
    None,
    /// Batch norm before each hidden ReLU: BYOL's projector and predictor, Barlow Twins's and
    /// VICReg's projectors.
    Hidden,
    /// Also after the last layer, without affine parameters: SimSiam's projector.
    HiddenAndOutput,
}

/// Linear layers with ReLU between them and none after the last, e.g. SimCLR's projector
/// (512-512-128) or MixSSL's transparency regressor (C-128-1).
#[derive(Debug)]
pub struct Mlp {
    layers: Vec<(nn::Linear, Option<nn::BatchNorm>)>,
}

impl Mlp {
    /// `dims` lists the input width and then each layer's output width.
    pub fn new(p: &nn::Path, dims: &[i64]) -> Self {
        Self::normalised(p, dims, Norm::None)
    }

    /// An MLP with batch norm where `norm` says; a linear layer followed by batch norm has no
    /// bias, which the norm would cancel.
    pub fn normalised(p: &nn::Path, dims: &[i64], norm: Norm) -> Self {
        assert!(dims.len() >= 2, "an MLP needs an input and at least one output width");
        let last = dims.len() - 2;
        let layers = dims
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let bn = match (norm, i == last) {
                    (Norm::None, _) | (Norm::Hidden, true) => None,
                    (_, false) => Some(nn::BatchNormConfig::default()),
                    (Norm::HiddenAndOutput, true) => {
                        Some(nn::BatchNormConfig { affine: false, ..Default::default() })
                    }
                };
                let linear = nn::LinearConfig { bias: bn.is_none(), ..Default::default() };
                let bn = bn.map(|c| nn::batch_norm1d(p / format!("{i}_bn"), w[1], c));
                (nn::linear(p / i, w[0], w[1], linear), bn)
            })
            .collect();
        Self { layers }
    }
}

impl ModuleT for Mlp {
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let last = self.layers.len() - 1;
        self.layers.iter().enumerate().fold(x.shallow_clone(), |y, (i, (linear, bn))| {
            let y = y.apply(linear);
            let y = match bn {
                Some(bn) => y.apply_t(bn, train),
                None => y,
            };
            if i < last {
                y.relu()
            } else {
                y
            }
        })
    }
}
