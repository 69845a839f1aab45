//! LARS and the learning-rate schedules against hand computations, their configuration, and a
//! run that trains with both.
mod common;

use common::{run_to_the_end, tiny_config};
use medssl::train::lars::Lars;
use medssl::train::schedule::learning_rate;
use medssl::train::{Event, OptimConfig, OptimizerKind, RunConfig, Schedule};
use std::time::Duration;
use tch::nn::VarStore;
use tch::{Device, Kind, Tensor};

const WEIGHT: [f64; 6] = [0.5, -1.0, 2.0, 1.5, 0.0, -0.5];
const WEIGHT_GRAD: [f64; 6] = [0.3, 0.1, -0.2, 0.05, -0.4, 0.25];
const BIAS: [f64; 2] = [0.2, -0.1];
const BIAS_GRAD: [f64; 2] = [0.7, -0.3];
/// A different rate per step, so that the test also sees `set_lr` take effect.
const RATES: [f64; 2] = [0.5, 0.2];
const MOMENTUM: f64 = 0.9;
const WEIGHT_DECAY: f64 = 0.1;
const TRUST: f64 = 0.3;

fn lars_config() -> OptimConfig {
    OptimConfig {
        optimizer: OptimizerKind::Lars,
        lr: RATES[0],
        momentum: MOMENTUM,
        weight_decay: WEIGHT_DECAY,
        lars_trust: TRUST,
        ..Default::default()
    }
}

/// Which parts of LARS a hand computation applies; the real rule has all of them, the others
/// are plausible mistakes the implementation must not match.
#[derive(Clone, Copy)]
struct Rule {
    trust_ratio: bool,
    decay_weight: bool,
    decay_bias: bool,
    momentum: bool,
}

const LARS: Rule = Rule { trust_ratio: true, decay_weight: true, decay_bias: false, momentum: true };

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// One parameter after `RATES.len()` steps with a constant raw gradient, in plain f64 loops.
fn by_hand(start: &[f64], grad: &[f64], decay: bool, adapt: bool, momentum: bool) -> Vec<f64> {
    let mut p = start.to_vec();
    let mut velocity = vec![0.0; p.len()];
    for lr in RATES {
        let decayed: Vec<f64> =
            p.iter().zip(grad).map(|(p, g)| if decay { g + WEIGHT_DECAY * p } else { *g }).collect();
        let (p_norm, g_norm) = (norm(&p), norm(&decayed));
        let ratio = if adapt && p_norm > 0.0 && g_norm > 0.0 { TRUST * p_norm / g_norm } else { 1.0 };
        let m = if momentum { MOMENTUM } else { 0.0 };
        for i in 0..p.len() {
            velocity[i] = m * velocity[i] + ratio * decayed[i];
            p[i] -= lr * velocity[i];
        }
    }
    p
}

/// Weight and bias after two hand-computed steps under `rule`.
fn expected(rule: Rule, weight: &[f64]) -> (Vec<f64>, Vec<f64>) {
    (
        by_hand(weight, &WEIGHT_GRAD, rule.decay_weight, rule.trust_ratio, rule.momentum),
        by_hand(&BIAS, &BIAS_GRAD, rule.decay_bias, false, rule.momentum),
    )
}

/// Weight `[2, 3]`, bias `[2]` and an unused `[2, 2]` parameter after two LARS steps on a loss
/// whose gradient is `WEIGHT_GRAD`, `BIAS_GRAD` (and none for the unused one) at any point.
fn two_lars_steps(weight: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let device = Device::cuda_if_available();
    let mut vs = VarStore::new(device);
    vs.set_kind(Kind::Double);
    let root = vs.root();
    let w = root.var_copy("weight", &Tensor::from_slice(weight).view([2, 3]));
    let b = root.var_copy("bias", &Tensor::from_slice(&BIAS));
    let unused = root.var_copy("unused", &Tensor::from_slice(&[1.0f64, 2.0, 3.0, 4.0]).view([2, 2]));
    let w_grad = Tensor::from_slice(&WEIGHT_GRAD).view([2, 3]).to_device(device);
    let b_grad = Tensor::from_slice(&BIAS_GRAD).to_device(device);
    let mut lars = Lars::new(&vs, &lars_config()).unwrap();
    for lr in RATES {
        lars.set_lr(lr);
        let loss = (&w * &w_grad).sum(Kind::Double) + (&b * &b_grad).sum(Kind::Double);
        lars.backward_step(&loss);
    }
    let values = |t: &Tensor| Vec::<f64>::try_from(t.flatten(0, -1).to_device(Device::Cpu)).unwrap();
    (values(&w), values(&b), values(&unused))
}

fn assert_close(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 1e-12, "{what}: {actual:?} != expected {expected:?}");
    }
}

fn max_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

#[test]
fn lars_matches_the_formula_over_two_steps_with_momentum() {
    let (weight, bias, unused) = two_lars_steps(&WEIGHT);
    let (want_weight, want_bias) = expected(LARS, &WEIGHT);
    assert_close(&weight, &want_weight, "weight: decayed, trust-scaled, with momentum");
    assert_close(&bias, &want_bias, "bias: plain SGD with momentum, no decay");
    assert_close(&unused, &[1.0, 2.0, 3.0, 4.0], "a parameter without a gradient stays put");
}

#[test]
fn lars_differs_from_each_plausible_mistake() {
    let (weight, bias, _) = two_lars_steps(&WEIGHT);
    let mistakes = [
        ("plain SGD with weight decay", Rule { trust_ratio: false, ..LARS }),
        ("no weight decay on the weight", Rule { decay_weight: false, ..LARS }),
        ("weight decay on the bias", Rule { decay_bias: true, ..LARS }),
        ("no momentum", Rule { momentum: false, ..LARS }),
    ];
    for (mistake, rule) in mistakes {
        let (wrong_weight, wrong_bias) = expected(rule, &WEIGHT);
        let gap = max_difference(&weight, &wrong_weight).max(max_difference(&bias, &wrong_bias));
        assert!(gap > 1e-3, "the update is indistinguishable from {mistake} (gap {gap})");
    }
}

#[test]
fn a_zero_weight_takes_the_decayed_gradient_with_ratio_one() {
    let zero = [0.0; 6];
    let (weight, _, _) = two_lars_steps(&zero);
    assert!(weight.iter().all(|w| w.is_finite()), "{weight:?}");
    // Step 1 sees ‖w‖ = 0 (ratio 1), step 2 a non-zero weight (ratio η·‖w‖/‖g‖).
    let (want_weight, _) = expected(LARS, &zero);
    assert_close(&weight, &want_weight, "zero-initialised weight");
}

fn multistep() -> OptimConfig {
    OptimConfig {
        lr: 1.0,
        schedule: Schedule::MultiStep,
        milestones: vec![2.0, 3.5],
        gamma: 0.5,
        warmup_epochs: 1.0,
        ..Default::default()
    }
}

#[test]
fn multistep_decays_at_each_milestone_after_the_warm_up() {
    let cfg = multistep();
    let rate = |step| learning_rate(&cfg, step, 10, 50);
    for step in 0..10 {
        assert!((rate(step) - (step + 1) as f64 / 10.0).abs() < 1e-12, "warm-up step {step}");
    }
    for (step, want) in [(10, 1.0), (19, 1.0), (20, 0.5), (34, 0.5), (35, 0.25), (49, 0.25)] {
        assert!((rate(step) - want).abs() < 1e-12, "step {step}: {} != {want}", rate(step));
    }
}

#[test]
fn a_milestone_inside_the_warm_up_applies_once_the_warm_up_ends() {
    let cfg = OptimConfig { milestones: vec![0.5], warmup_epochs: 2.0, ..multistep() };
    assert!((learning_rate(&cfg, 19, 10, 50) - 1.0).abs() < 1e-12);
    assert!((learning_rate(&cfg, 20, 10, 50) - 0.5).abs() < 1e-12);
}

#[test]
fn cosine_with_warm_up_is_unchanged() {
    let cfg = OptimConfig { lr: 0.8, schedule: Schedule::Cosine, warmup_epochs: 0.5, ..Default::default() };
    // 8 steps per epoch: 4 warm-up steps, then a half cosine over the remaining 36.
    for step in 0..40 {
        let want = if step < 4 {
            0.8 * (step + 1) as f64 / 4.0
        } else {
            0.4 * (1.0 + (std::f64::consts::PI * (step - 4) as f64 / 36.0).cos())
        };
        assert!((learning_rate(&cfg, step, 8, 40) - want).abs() < 1e-12, "step {step}");
    }
}

#[test]
fn lars_and_multistep_round_trip_through_toml() {
    let optim = OptimConfig {
        lars_trust: 0.02,
        schedule: Schedule::MultiStep,
        milestones: vec![30.0, 60.5],
        gamma: 0.2,
        ..lars_config()
    };
    let config = RunConfig { optim, ..Default::default() };
    let text = config.to_toml();
    assert!(text.contains("optimizer = \"lars\"") && text.contains("schedule = \"multistep\""), "{text}");
    assert_eq!(RunConfig::from_toml(&text).unwrap(), config);
}

#[test]
fn hand_written_toml_reads_integer_milestones_and_fills_defaults() {
    let text = "[optim]\noptimizer = \"lars\"\nschedule = \"multistep\"\nmilestones = [30, 60]\n";
    let optim = RunConfig::from_toml(text).unwrap().optim;
    assert_eq!(optim.optimizer, OptimizerKind::Lars);
    assert_eq!(optim.milestones, vec![30.0, 60.0]);
    assert_eq!((optim.lars_trust, optim.gamma), (0.001, 0.1));
    let older = RunConfig::from_toml("[optim]\noptimizer = \"sgd\"\nschedule = \"cosine\"\n").unwrap();
    assert_eq!(older.optim.milestones, Vec::<f64>::new());
    assert!(RunConfig::from_toml("[optim]\nschedule = \"multi_step\"\n").is_err());
}

#[test]
fn shipped_presets_stay_valid() {
    for preset in medssl::train::builtin_presets() {
        for (name, variant) in &preset.variants {
            variant.optim.validate().unwrap_or_else(|e| panic!("{} / {name}: {e:#}", preset.name));
        }
    }
}

#[test]
fn bad_lars_and_multistep_settings_are_refused_with_a_clear_error() {
    let valid = RunConfig {
        optim: OptimConfig { milestones: vec![0.0, 2.5], gamma: 1.0, ..multistep() },
        ..Default::default()
    };
    valid.validate().unwrap();
    type Spoil = fn(&mut OptimConfig);
    let cases: [(&str, Spoil); 8] = [
        ("optim.lars_trust = -0.001 is out of range: must be > 0", |o| o.lars_trust = -0.001),
        ("optim.lars_trust = 0 is out of range: must be > 0", |o| o.lars_trust = 0.0),
        ("optim.gamma = 0 is out of range: must be in (0, 1]", |o| o.gamma = 0.0),
        ("optim.gamma = 1.5 is out of range: must be in (0, 1]", |o| o.gamma = 1.5),
        ("optim.gamma = NaN is out of range: must be in (0, 1]", |o| o.gamma = f64::NAN),
        ("optim.milestones[0] = -1 is out of range: must be >= 0", |o| o.milestones = vec![-1.0, 2.0]),
        ("increasing order", |o| o.milestones = vec![3.0, 2.0]),
        ("needs at least one milestone", |o| o.milestones.clear()),
    ];
    for (message, spoil) in cases {
        let mut config = valid.clone();
        spoil(&mut config.optim);
        let error = format!("{:#}", config.validate().expect_err(message));
        assert!(error.contains(message), "expected '{message}', got '{error}'");
    }
}

#[test]
fn a_run_trains_with_lars_and_follows_the_multistep_rates() {
    let mut config = tiny_config(3);
    config.optim = OptimConfig {
        lr: 0.4,
        schedule: Schedule::MultiStep,
        milestones: vec![1.0, 2.0],
        gamma: 0.5,
        warmup_epochs: 0.5,
        ..lars_config()
    };
    let dir = tempfile::tempdir().unwrap();
    let events = run_to_the_end(config, dir.path(), Duration::from_secs(120));
    // 64 images in batches of 16: 4 steps an epoch, 2 of warm-up, milestones at steps 4 and 8.
    let want = [0.2, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1];
    let steps: Vec<_> =
        events.iter().filter_map(|e| if let Event::Step(r) = e { Some(r) } else { None }).collect();
    assert_eq!(steps.len(), want.len());
    for (record, want) in steps.iter().zip(want) {
        assert!((record.lr - want).abs() < 1e-12, "step {}: lr {} != {want}", record.step, record.lr);
        assert!(record.loss.is_finite());
    }
}
