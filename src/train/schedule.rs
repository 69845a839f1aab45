//! Learning rate over the steps of a run.
use super::config::{OptimConfig, Schedule};
use std::f64::consts::PI;

/// The rate for step `step` (0-based) of `total`, in epochs of `steps_per_epoch` steps: a linear
/// warm-up from zero over `cfg.warmup_epochs`, then the schedule. Cosine decays over what is left
/// after the warm-up; multistep milestones count from the start of the run, warm-up included.
pub fn learning_rate(cfg: &OptimConfig, step: usize, steps_per_epoch: usize, total: usize) -> f64 {
    let warmup = epochs_to_steps(cfg.warmup_epochs, steps_per_epoch);
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
        Schedule::MultiStep => {
            let passed =
                cfg.milestones.iter().filter(|&&m| step >= epochs_to_steps(m, steps_per_epoch)).count();
            cfg.lr * cfg.gamma.powi(passed as i32)
        }
    }
}

/// The step at which `epochs` epochs have passed, fractions rounded to the nearest step.
fn epochs_to_steps(epochs: f64, steps_per_epoch: usize) -> usize {
    (epochs * steps_per_epoch as f64).round() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warms_up_linearly_then_decays_to_zero() {
        let cfg =
            OptimConfig { lr: 1.0, schedule: Schedule::Cosine, warmup_epochs: 1.0, ..Default::default() };
        assert!((learning_rate(&cfg, 0, 10, 100) - 0.1).abs() < 1e-12);
        assert!((learning_rate(&cfg, 9, 10, 100) - 1.0).abs() < 1e-12);
        assert!((learning_rate(&cfg, 10, 10, 100) - 1.0).abs() < 1e-12);
        assert!((learning_rate(&cfg, 55, 10, 100) - 0.5).abs() < 1e-12);
        assert!(learning_rate(&cfg, 99, 10, 100) < 1e-3);
        let constant = OptimConfig { lr: 0.3, schedule: Schedule::Constant, ..Default::default() };
        assert_eq!(learning_rate(&constant, 50, 10, 100), 0.3);
    }
}
