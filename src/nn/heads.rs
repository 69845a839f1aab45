//! Small fully connected heads: projectors, predictors and regressors.
use tch::nn::{self, Module};
use tch::Tensor;

/// Linear layers with ReLU between them and none after the last, e.g. SimCLR's projector
/// (512-512-128) or MixSSL's transparency regressor (C-128-1).
#[derive(Debug)]
pub struct Mlp {
    layers: Vec<nn::Linear>,
}

impl Mlp {
    /// `dims` lists the input width and then each layer's output width.
    pub fn new(p: &nn::Path, dims: &[i64]) -> Self {
        assert!(dims.len() >= 2, "an MLP needs an input and at least one output width");
        let layers = dims
            .windows(2)
            .enumerate()
            .map(|(i, w)| nn::linear(p / i, w[0], w[1], Default::default()))
            .collect();
        Self { layers }
    }
}

impl Module for Mlp {
    fn forward(&self, x: &Tensor) -> Tensor {
        let last = self.layers.len() - 1;
        self.layers.iter().enumerate().fold(x.shallow_clone(), |y, (i, l)| {
            let y = y.apply(l);
            if i < last {
                y.relu()
            } else {
                y
            }
        })
    }
}
