//! The linear probe: softmax regression on frozen pooled features, the standard measure of
//! how linearly a representation separates the classes.
use super::standardize::Standardizer;
use crate::range::Range;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use tch::nn::{self, OptimizerConfig, VarStore};
use tch::{Kind, Tensor};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearProbeConfig {
    /// Full-batch Adam steps.
    pub iterations: usize,
    pub lr: f64,
    /// L2 penalty (Adam's coupled decay).
    pub weight_decay: f64,
}

impl Default for LinearProbeConfig {
    fn default() -> Self {
        Self { iterations: 300, lr: 0.05, weight_decay: 1e-4 }
    }
}

impl LinearProbeConfig {
    pub const ITERATIONS: Range<usize> = Range::at_least(1);
    pub const LR: Range<f64> = Range::above(0.0);
    pub const WEIGHT_DECAY: Range<f64> = Range::at_least(0.0);

    /// Paths as in an `EvalConfig` ("linear.lr").
    pub fn validate(&self) -> anyhow::Result<()> {
        Self::ITERATIONS.check("linear.iterations", self.iterations)?;
        Self::LR.check("linear.lr", self.lr)?;
        Self::WEIGHT_DECAY.check("linear.weight_decay", self.weight_decay)
    }
}

/// Checks that `labels` is `[n]` with every label in `0..classes`.
pub(crate) fn check_labels(labels: &Tensor, n: i64, classes: i64) -> anyhow::Result<()> {
    anyhow::ensure!(labels.size() == [n], "{n} training rows but labels of shape {:?}", labels.size());
    anyhow::ensure!(n > 0, "there are no labelled training images");
    let (low, high) = (labels.min().int64_value(&[]), labels.max().int64_value(&[]));
    anyhow::ensure!(
        low >= 0 && high < classes,
        "labels run from {low} to {high}, outside the {classes} classes"
    );
    Ok(())
}

/// A fitted probe as one linear map of the raw features: the standardisation folded into the
/// weights, so that anything reading pooled features (a GradCAM class target) can use it.
pub struct LinearHead {
    /// `[classes, D]`.
    pub weight: Tensor,
    /// `[classes]`.
    pub bias: Tensor,
}

impl LinearHead {
    /// Class scores (logits) `[M, classes]` of features `[M, D]`.
    pub fn scores(&self, features: &Tensor) -> Tensor {
        tch::no_grad(|| features.to_kind(Kind::Float).matmul(&self.weight.tr()) + &self.bias)
    }
}

/// Trains on `train` `[N, D]` with `labels` `[N]` and returns the class scores (logits)
/// `[M, classes]` of `query` `[M, D]`, on their device. The problem is convex and the weights
/// start at zero, so the result depends on the data alone; weights of features that are
/// constant in training never move from zero.
pub fn linear_probe(
    train: &Tensor,
    labels: &Tensor,
    query: &Tensor,
    classes: i64,
    cfg: &LinearProbeConfig,
) -> anyhow::Result<Tensor> {
    let head = fit_linear_probe(train, labels, classes, cfg)?;
    anyhow::ensure!(
        query.dim() == 2 && query.size()[1] == head.weight.size()[1],
        "query features of shape {:?} against {} training dimensions",
        query.size(),
        head.weight.size()[1]
    );
    Ok(head.scores(query))
}

/// Fits the probe of [`linear_probe`] on `train` `[N, D]` and `labels` `[N]`.
pub fn fit_linear_probe(
    train: &Tensor,
    labels: &Tensor,
    classes: i64,
    cfg: &LinearProbeConfig,
) -> anyhow::Result<LinearHead> {
    cfg.validate()?;
    let (n, dims) = train.size2().context("probe features must be [N, D]")?;
    check_labels(labels, n, classes)?;
    let train = train.detach().to_kind(Kind::Float);
    let scaler = Standardizer::fit(&train, &[0]);
    let x = scaler.apply(&train);
    let vs = VarStore::new(train.device());
    let zero = nn::Init::Const(0.0);
    let head = nn::linear(
        vs.root() / "head",
        dims,
        classes,
        nn::LinearConfig { ws_init: zero, bs_init: Some(zero), bias: true },
    );
    let mut opt = nn::Adam { wd: cfg.weight_decay, ..Default::default() }.build(&vs, cfg.lr)?;
    tch::with_grad(|| {
        for _ in 0..cfg.iterations {
            opt.backward_step(&x.apply(&head).cross_entropy_for_logits(labels));
        }
    });
    // W((x − μ)/σ) + b = (W/σ)x + (b − W μ/σ).
    let (weight, bias) = tch::no_grad(|| {
        let (mean, std) = scaler.statistics();
        let weight = &head.ws / std;
        let bias = head.bs.as_ref().expect("the probe has a bias") - weight.matmul(&mean.squeeze_dim(0));
        (weight, bias)
    });
    Ok(LinearHead { weight, bias })
}
