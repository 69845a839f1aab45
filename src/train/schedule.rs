//! Learning rate over the steps of a run.
use super::config::{OptimConfig, Schedule};
use std::f64::consts::PI;

/// The rate for step `step` (0-based) of `total`, with `warmup` steps of linear warm-up.
pub fn learning_rate(cfg: &OptimConfig, step: usize, total: usize, warmup: usize) -> f64 {
    if step < warmup {
        return cfg.lr * (step + 1) as f64 / warmup as f64;
    }
    match cfg.schedule {
        Schedule::Constant => cfg.lr,
        Schedule::Cosine => {
            let span = total.saturating_sub(warmup).max(1) as f64;
            let progress = (step - warmup) as f64 / span;
            cfg.lr * 0.5 * (1.0 + (PI * progress).cos())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warms_up_linearly_then_decays_to_zero() {
        let cfg = OptimConfig { lr: 1.0, schedule: Schedule::Cosine, ..Default::default() };
        assert!((learning_rate(&cfg, 0, 100, 10) - 0.1).abs() < 1e-12);
        assert!((learning_rate(&cfg, 9, 100, 10) - 1.0).abs() < 1e-12);
        assert!((learning_rate(&cfg, 10, 100, 10) - 1.0).abs() < 1e-12);
        assert!((learning_rate(&cfg, 55, 100, 10) - 0.5).abs() < 1e-12);
        assert!(learning_rate(&cfg, 99, 100, 10) < 1e-3);
        let constant = OptimConfig { lr: 0.3, schedule: Schedule::Constant, ..Default::default() };
        assert_eq!(learning_rate(&constant, 50, 100, 0), 0.3);
    }
}
