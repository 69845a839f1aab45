//! LARS (You et al. 2017) as the SimCLR and Barlow Twins reference implementations run it.
//!
//! Each weight's gradient, decayed, is rescaled by the trust ratio η·‖w‖/‖g‖, so every layer
//! moves by about the same fraction of its norm whatever its gradient's scale. One-dimensional
//! parameters (biases, normalisation scales and shifts) keep their raw gradient: no decay, no
//! ratio; that is the references' rule (`p.ndim == 1`), so any other shape, a scalar included,
//! is adapted. Momentum then accumulates the rescaled gradients.
//!
//! Built on torch's SGD (momentum, no weight decay, no dampening), whose gradients are rewritten
//! in place between backward and step: torch keeps the momentum buffers and the update kernels,
//! and only the rescaling is ours. The ratios are computed as tensors on the parameters' device,
//! so a step never waits for the GPU layer by layer.
use super::config::OptimConfig;
use std::sync::{Arc, Mutex, PoisonError};
use tch::nn::{self, OptimizerConfig, VarStore, Variables};
use tch::Tensor;

pub struct Lars {
    sgd: nn::Optimizer,
    /// The store's variables, shared as torch's optimiser shares them, so that parameters
    /// created after the optimiser are rescaled as well as stepped.
    variables: Arc<Mutex<Variables>>,
    trust: f64,
    weight_decay: f64,
}

impl Lars {
    /// LARS over the trainable variables of `vs`, with `cfg`'s rate, momentum, weight decay and
    /// trust coefficient.
    pub fn new(vs: &VarStore, cfg: &OptimConfig) -> anyhow::Result<Self> {
        let sgd = nn::Sgd { momentum: cfg.momentum, wd: 0.0, ..Default::default() }.build(vs, cfg.lr)?;
        Ok(Self {
            sgd,
            variables: Arc::clone(&vs.variables_),
            trust: cfg.lars_trust,
            weight_decay: cfg.weight_decay,
        })
    }

    pub fn set_lr(&mut self, lr: f64) {
        self.sgd.set_lr(lr);
    }

    /// Back-propagates `loss` into fresh gradients and takes one LARS step.
    pub fn backward_step(&mut self, loss: &Tensor) {
        self.sgd.zero_grad();
        loss.backward();
        self.rescale_gradients();
        self.sgd.step();
    }

    fn rescale_gradients(&self) {
        // The list is only read here, so a panic elsewhere while it was locked cannot have
        // left it half-written in a way that matters to us.
        let variables = self.variables.lock().unwrap_or_else(PoisonError::into_inner);
        tch::no_grad(|| {
            for var in &variables.trainable_variables {
                let weight = &var.tensor;
                let mut grad = weight.grad();
                if grad.defined() && weight.dim() != 1 {
                    let _ = grad.g_add_(&(weight * self.weight_decay));
                    let _ = grad.g_mul_(&self.trust_ratio(weight, &grad));
                }
            }
        });
    }

    /// η·‖w‖/‖g‖, or 1 where either norm is zero (a zero-initialised layer, a dead gradient).
    fn trust_ratio(&self, weight: &Tensor, grad: &Tensor) -> Tensor {
        let weight_norm = weight.norm();
        let grad_norm = grad.norm();
        let both_positive = weight_norm.gt(0.0).logical_and(&grad_norm.gt(0.0));
        (&weight_norm * self.trust / &grad_norm).where_self(&both_positive, &weight_norm.ones_like())
    }
}
