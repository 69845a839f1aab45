//! Every run setting is range-checked by the typed configuration, before any work starts, with
//! an error naming the field, the value and the allowed range (issue 14, item 9); the CLI hands
//! its values to that check, and the GUI's controls cannot leave the ranges.
use medssl::augment::{AugmentOp, Param};
use medssl::methods::losses::dystress::TemperatureProfile;
use medssl::methods::{byol, dcl, dystress, moco, simclr, vicreg, MethodConfig};
use medssl::train::{builtin_presets, RunConfig};
use std::process::Command;

/// A small valid configuration the cases below spoil one field at a time.
fn valid() -> RunConfig {
    RunConfig::default()
}

fn simclr_with(spoil: fn(&mut simclr::SimclrConfig)) -> MethodConfig {
    let mut c = simclr::SimclrConfig::default();
    spoil(&mut c);
    MethodConfig::Simclr(c)
}

type Spoil = fn(&mut RunConfig);

/// (what is spoiled, the error it must give: field = value, then the allowed range).
const CASES: &[(Spoil, &str)] = &[
    (|c| c.threads = Some(0), "threads = 0 is out of range: must be >= 1"),
    (|c| c.train.epochs = 0, "train.epochs = 0 is out of range: must be >= 1"),
    (|c| c.train.batch_size = 1, "train.batch_size = 1 is out of range: must be >= 2"),
    (|c| c.train.preview_every = 0, "train.preview_every = 0 is out of range: must be >= 1"),
    (|c| c.optim.lr = -0.1, "optim.lr = -0.1 is out of range: must be > 0"),
    (|c| c.optim.lr = 0.0, "optim.lr = 0 is out of range: must be > 0"),
    (|c| c.optim.lr = f64::INFINITY, "optim.lr = inf is out of range: must be > 0"),
    (|c| c.optim.weight_decay = -1e-4, "optim.weight_decay = -0.0001 is out of range: must be >= 0"),
    (|c| c.optim.momentum = 1.0, "optim.momentum = 1 is out of range: must be in [0, 1)"),
    (|c| c.optim.momentum = -0.5, "optim.momentum = -0.5 is out of range: must be in [0, 1)"),
    (|c| c.optim.warmup_epochs = -1.0, "optim.warmup_epochs = -1 is out of range: must be >= 0"),
    (|c| c.optim.warmup_epochs = f64::NAN, "optim.warmup_epochs = NaN is out of range: must be >= 0"),
    (|c| c.optim.lars_trust = 0.0, "optim.lars_trust = 0 is out of range: must be > 0"),
    (|c| c.optim.gamma = 1.5, "optim.gamma = 1.5 is out of range: must be in (0, 1]"),
    (|c| c.optim.milestones = vec![-1.0], "optim.milestones[0] = -1 is out of range: must be >= 0"),
    (|c| c.data.image_size = 8, "data.image_size = 8 is out of range: must be in [16, 1024]"),
    (|c| c.data.image_size = 4096, "data.image_size = 4096 is out of range: must be in [16, 1024]"),
    (|c| c.data.image_size = 100_000, "data.image_size = 100000 is out of range: must be in [16, 1024]"),
    (|c| c.data.train_count = 0, "data.train_count = 0 is out of range: must be >= 2"),
    (|c| c.data.heldout_count = 0, "data.heldout_count = 0 is out of range: must be >= 1"),
    (|c| c.encoder.width = 0.0, "encoder.width = 0 is out of range: must be in (0, 4]"),
    (|c| c.encoder.width = 64.0, "encoder.width = 64 is out of range: must be in (0, 4]"),
    (|c| c.knn.k = 0, "knn.k = 0 is out of range: must be >= 1"),
    (|c| c.knn.temperature = 0.0, "knn.temperature = 0 is out of range: must be > 0"),
    (
        |c| c.method = simclr_with(|m| m.temperature = 0.0),
        "method.simclr.temperature = 0 is out of range: must be > 0",
    ),
    (
        |c| c.method = simclr_with(|m| m.projector_out = 0),
        "method.simclr.projector_out = 0 is out of range: must be >= 1",
    ),
    (
        |c| c.method = MethodConfig::MocoV2(moco::MocoConfig { queue: 0, ..Default::default() }),
        "method.moco_v2.queue = 0 is out of range: must be >= 1",
    ),
    (
        |c| c.method = MethodConfig::MocoV2(moco::MocoConfig { momentum: 1.5, ..Default::default() }),
        "method.moco_v2.momentum = 1.5 is out of range: must be in [0, 1]",
    ),
    (
        |c| c.method = MethodConfig::Byol(byol::ByolConfig { base_momentum: -0.1, ..Default::default() }),
        "method.byol.base_momentum = -0.1 is out of range: must be in [0, 1]",
    ),
    (
        |c| c.method = MethodConfig::Dcl(dcl::DclConfig { sigma: 0.0, ..Default::default() }),
        "method.dcl.sigma = 0 is out of range: must be > 0",
    ),
    (
        |c| {
            let mut v = vicreg::VicregConfig::default();
            v.weights.variance = -1.0;
            c.method = MethodConfig::Vicreg(v);
        },
        "method.vicreg.weights.variance = -1 is out of range: must be > 0",
    ),
    (
        |c| {
            let profile = TemperatureProfile::Cosine { tau_min: 0.0, tau_max: 0.2 };
            c.method = MethodConfig::Dystress(dystress::DystressConfig { profile, ..Default::default() });
        },
        "method.dystress.profile.tau_min = 0 is out of range: must be > 0",
    ),
    (
        |c| {
            c.method = simclr_with(|m| match &mut m.views.first.ops[2].op {
                AugmentOp::ColorJitter(j) => j.p = 1.5,
                _ => panic!("SimCLR's op 2 is its colour jitter"),
            })
        },
        "method.simclr.views.first: Colour jitter: p = 1.5 is out of range: must be in [0, 1]",
    ),
    (
        |c| {
            c.method = simclr_with(|m| match &mut m.views.first.ops[0].op {
                AugmentOp::RandomResizedCrop(r) => r.scale = (0.9, 0.2),
                _ => panic!("SimCLR's op 0 is its crop"),
            })
        },
        "scale = (0.9, 0.2) is out of range: must be low <= high, both in [0.01, 1]",
    ),
];

#[test]
fn every_field_out_of_range_is_refused_naming_field_value_and_range() {
    valid().validate().unwrap();
    let mut wrong = Vec::new();
    for (spoil, want) in CASES {
        let mut config = valid();
        spoil(&mut config);
        match config.validate() {
            Ok(()) => wrong.push(format!("accepted; wanted '{want}'")),
            Err(e) if !format!("{e:#}").contains(want) => wrong.push(format!("'{e:#}'; wanted '{want}'")),
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{} of {} cases:\n{}", wrong.len(), CASES.len(), wrong.join("\n"));
}

#[test]
fn milestones_out_of_order_name_the_field() {
    let mut config = valid();
    config.optim.milestones = vec![3.0, 2.0];
    let error = format!("{:#}", config.validate().unwrap_err());
    assert!(error.contains("optim.milestones = [3.0, 2.0]") && error.contains("increasing"), "{error}");
}

#[test]
fn every_shipped_preset_passes_the_whole_validation() {
    for preset in builtin_presets() {
        for (name, variant) in &preset.variants {
            variant.validate().unwrap_or_else(|e| panic!("{} / {name}: {e:#}", preset.name));
        }
    }
}

/// The method controls offer exactly values the configuration accepts: each slider's ends pass.
#[test]
fn the_method_controls_ends_pass_validation() {
    for method in medssl::methods::registry() {
        let count = method.clone().params().len();
        for i in 0..count {
            for end in [0, 1] {
                let mut config = valid();
                config.method = method.clone();
                if config.method.info().id == "mixssl" {
                    config.data.image_size = 64;
                }
                let mut params = config.method.params();
                match &mut params[i] {
                    Param::Number { value, range, .. } => **value = if end == 0 { range.0 } else { range.1 },
                    Param::Integer { value, range, .. } => **value = if end == 0 { range.0 } else { range.1 },
                    _ => continue,
                }
                drop(params);
                config
                    .validate()
                    .unwrap_or_else(|e| panic!("{} param {i} end {end}: {e:#}", method.info().id));
            }
        }
    }
}

/// `medssl train` with `args` on the SimCLR preset: (exit code, stderr). Nothing may run: the
/// output directory stays absent.
fn train(args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let preset = concat!(env!("CARGO_MANIFEST_DIR"), "/presets/simclr.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_medssl"))
        .args(["train", "--preset", preset, "--device", "cpu", "--out", out.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    assert!(!out.exists(), "{args:?}: the run directory was created before validation");
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn the_cli_refuses_out_of_range_values_with_the_typed_error() {
    let cases: [(&[&str], &str); 5] = [
        (&["--lr", "-0.1"], "optim.lr = -0.1 is out of range: must be > 0"),
        (&["--lr=-0.1"], "optim.lr = -0.1 is out of range: must be > 0"),
        (&["--threads", "0"], "threads = 0 is out of range: must be >= 1"),
        (&["--size", "4096"], "data.image_size = 4096 is out of range: must be in [16, 1024]"),
        (&["--size", "100000"], "data.image_size = 100000 is out of range: must be in [16, 1024]"),
    ];
    for (args, want) in cases {
        let (code, stderr) = train(args);
        // 1 is the app's own error exit; clap's usage errors exit 2, and an abort or a panic
        // has no code or 101.
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: wanted '{want}', got: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn the_cli_refuses_a_negative_width_and_epochs_with_the_typed_error() {
    let (code, stderr) = train(&["--width", "-1"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("encoder.width = -1 is out of range: must be in (0, 4]"), "{stderr}");
    let (code, stderr) = train(&["--epochs", "0"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("train.epochs = 0 is out of range: must be >= 1"), "{stderr}");
}
