//! The training engine's contract: commands obeyed promptly, failures reported as events,
//! checkpoints that reload exactly.
mod common;

use common::{events_until, is_terminal, run_to_the_end, tiny_config};
use medssl::data::builtin;
use medssl::eval::knn_accuracy;
use medssl::methods::{Method, StepOutput};
use medssl::nn::Encoder;
use medssl::train::{load_run, Command, Event, MethodFactory, Run, RunOptions};
use std::time::{Duration, Instant};
use tch::{Device, Tensor};

/// How long a command may take to be obeyed: the step in progress ends first, so the bound is
/// a second beyond three of the slowest steps seen (from the engine's own step rate). A fixed
/// bound would fail whenever the machine is loaded, which says nothing of the engine.
fn within_steps(seen: &[Event], batch_size: usize) -> Duration {
    let step_s = seen
        .iter()
        .filter_map(|e| if let Event::Step(r) = e { Some(batch_size as f64 / r.images_per_s) } else { None })
        .fold(0.0, f64::max);
    Duration::from_secs_f64(1.0 + 3.0 * step_s)
}

#[test]
fn stop_is_obeyed_after_the_step_in_progress_and_keeps_a_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let config = tiny_config(1000);
    let batch = config.train.batch_size;
    let run = Run::start(config, dir.path(), RunOptions::default()).unwrap();
    let seen = events_until(&run, Duration::from_secs(60), |e| matches!(e, Event::Step(r) if r.step >= 3));
    let asked = Instant::now();
    run.send(Command::Stop);
    let events = events_until(&run, Duration::from_secs(60), is_terminal);
    let took = asked.elapsed();
    assert!(took < within_steps(&seen, batch), "stop took {took:?}");
    assert!(matches!(events.last(), Some(Event::Finished { stopped_early: true, .. })));
    assert!(dir.path().join("checkpoints/latest.safetensors").exists());
    assert!(dir.path().join("config.toml").exists());
    assert!(std::fs::read_to_string(dir.path().join("metrics.jsonl")).unwrap().lines().count() >= 4);
}

#[test]
fn stop_during_loading_ends_the_run_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = tiny_config(1);
    config.data.train_count = 20_000;
    config.data.image_size = 64;
    let run = Run::start(config, dir.path(), RunOptions::default()).unwrap();
    let loading = |e: &Event| matches!(e, Event::Loading { done, .. } if *done > 0);
    events_until(&run, Duration::from_secs(30), loading);
    // Stop is checked at every progress report: the bound is a second beyond three report gaps.
    let since = Instant::now();
    events_until(&run, Duration::from_secs(30), loading);
    let gap = since.elapsed();
    let asked = Instant::now();
    run.send(Command::Stop);
    let events = events_until(&run, Duration::from_secs(60), is_terminal);
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(1) + 3 * gap, "stop took {took:?}, reports came every {gap:?}");
    assert!(matches!(events.last(), Some(Event::Finished { stopped_early: true, knn_accuracy: None })));
    assert!(!events.iter().any(|e| matches!(e, Event::Started { .. })), "training must not start");
}

#[test]
fn pause_holds_the_run_until_resume() {
    let dir = tempfile::tempdir().unwrap();
    let config = tiny_config(1000);
    let batch = config.train.batch_size;
    let run = Run::start(config, dir.path(), RunOptions::default()).unwrap();
    let seen = events_until(&run, Duration::from_secs(60), |e| matches!(e, Event::Step(r) if r.step >= 1));
    let limit = within_steps(&seen, batch);
    run.send(Command::Pause);
    events_until(&run, limit, |e| matches!(e, Event::Paused));
    std::thread::sleep(Duration::from_millis(500));
    assert!(run.poll().iter().all(|e| !matches!(e, Event::Step(_))), "steps ran while paused");
    run.send(Command::Resume);
    events_until(&run, limit, |e| matches!(e, Event::Resumed));
    events_until(&run, Duration::from_secs(60), |e| matches!(e, Event::Step(_)));
    run.send(Command::Stop);
    events_until(&run, Duration::from_secs(60), is_terminal);
}

#[derive(Clone, Copy)]
enum Fault {
    NanLoss,
    Panic,
}

/// The configured method, sabotaged from step `from` on.
struct Faulty {
    inner: Box<dyn Method>,
    steps: usize,
    from: usize,
    fault: Fault,
}

impl Method for Faulty {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        self.steps += 1;
        let out = self.inner.step(images)?;
        if self.steps <= self.from {
            return Ok(out);
        }
        match self.fault {
            Fault::NanLoss => Ok(StepOutput { loss: out.loss * f64::NAN, ..out }),
            Fault::Panic => panic!("injected fault"),
        }
    }
    fn encoder(&self) -> &Encoder {
        self.inner.encoder()
    }
}

fn faulty(from: usize, fault: Fault) -> MethodFactory {
    let method = tiny_config(1).method;
    Box::new(move |p, ctx| {
        Ok(Box::new(Faulty { inner: method.build(p, ctx)?, steps: 0, from, fault }) as Box<dyn Method>)
    })
}

#[test]
fn a_nan_loss_stops_the_run_and_keeps_the_last_good_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    // 64 images in batches of 16: 4 steps per epoch, so epoch 1 ends with a good checkpoint.
    let options = RunOptions { method_factory: Some(faulty(6, Fault::NanLoss)), ..Default::default() };
    let run = Run::start(tiny_config(3), dir.path(), options).unwrap();
    let events = events_until(&run, Duration::from_secs(60), is_terminal);
    let Some(Event::Failed { message }) = events.last() else {
        panic!("expected a failure, got {:?}", events.last())
    };
    assert!(message.contains("NaN") && message.contains("step 6"), "message: {message}");
    assert!(message.contains("last good checkpoint"), "message: {message}");
    let checkpoints: Vec<usize> = events
        .iter()
        .filter_map(|e| if let Event::Checkpoint { epoch, .. } = e { Some(*epoch) } else { None })
        .collect();
    assert_eq!(checkpoints, vec![1]);
    let loaded = load_run(dir.path(), Device::Cpu).unwrap();
    for (name, t) in loaded.vs.variables() {
        assert!(bool::try_from(t.isfinite().all()).unwrap(), "{name} is not finite");
    }
}

#[test]
fn a_panic_inside_a_step_becomes_a_failed_event() {
    let dir = tempfile::tempdir().unwrap();
    let options = RunOptions { method_factory: Some(faulty(2, Fault::Panic)), ..Default::default() };
    let run = Run::start(tiny_config(3), dir.path(), options).unwrap();
    let events = events_until(&run, Duration::from_secs(60), is_terminal);
    match events.last() {
        Some(Event::Failed { message }) => {
            assert!(message.contains("injected fault"), "message: {message}")
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(std::fs::read_to_string(dir.path().join("log.txt")).unwrap().contains("injected fault"));
}

#[test]
fn a_checkpoint_reloads_with_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let config = tiny_config(2);
    let run = Run::start(config.clone(), dir.path(), RunOptions::default()).unwrap();
    let events = events_until(&run, Duration::from_secs(120), is_terminal);
    let Some(Event::Finished { knn_accuracy: Some(reported), .. }) = events.last().cloned() else {
        panic!("run did not finish: {:?}", events.last())
    };
    run.join();
    let a = load_run(dir.path(), Device::Cpu).unwrap();
    let b = load_run(dir.path(), Device::Cpu).unwrap();
    assert_eq!(a.config, config, "config.toml must repeat the run exactly");
    // The reloaded encoder reproduces the run's own final kNN figure on the same data…
    let d = config.data.load(Device::Cpu).unwrap();
    let enc = a.method.encoder();
    let knn = knn_accuracy(
        &enc.embed(&d.train.images, 256),
        &d.train.labels,
        &enc.embed(&d.heldout.images, 256),
        &d.heldout.labels,
        &config.knn,
    );
    assert_eq!(knn, reported);
    // …and two loads give bit-identical features, which differ from a fresh network's.
    let x = Tensor::from_slice(&builtin::generate(builtin::BuiltinKind::Ct, 4, 16, 9).images)
        .view([4, 3, 16, 16]);
    let fa = a.method.encoder().embed(&x, 4);
    let fb = b.method.encoder().embed(&x, 4);
    assert!(fa.equal(&fb));
    let fresh = tch::nn::VarStore::new(Device::Cpu);
    let ctx = medssl::methods::BuildContext {
        encoder: &config.encoder,
        image_size: 16,
        seed: 0,
        total_steps: 1,
        first_step: 0,
        progress: &medssl::data::no_progress,
    };
    let untrained = config.method.build(&fresh.root(), &ctx).unwrap();
    assert!(!fa.allclose(&untrained.encoder().embed(&x, 4), 1e-4, 1e-4, false));
}

#[test]
fn bad_configurations_are_refused_before_a_thread_starts() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = tiny_config(1);
    c.train.batch_size = 10_000;
    let err = Run::start(c, dir.path(), RunOptions::default()).err().expect("must refuse");
    assert!(format!("{err:#}").contains("train.batch_size = 10000 is out of range"), "{err:#}");
    let mut c = tiny_config(1);
    c.method = medssl::methods::MethodConfig::Mixssl(Default::default());
    c.data.image_size = 20;
    let err = Run::start(c, dir.path(), RunOptions::default()).err().expect("must refuse");
    assert!(format!("{err:#}").contains("multiple of 8"), "{err:#}");
    let mut c = tiny_config(1);
    c.data.source = "builtin:nonsense".into();
    let err = Run::start(c, &dir.path().join("x"), RunOptions::default()).err().expect("must refuse");
    assert!(format!("{err:#}").contains("nonsense"));
    // A directory that already holds a run is never overwritten.
    Run::start(tiny_config(1), &dir.path().join("x"), RunOptions::default()).unwrap().join();
    let err =
        Run::start(tiny_config(1), &dir.path().join("x"), RunOptions::default()).err().expect("must refuse");
    assert!(format!("{err:#}").contains("already holds a run"));
}

/// The `(kind, epoch or step)` of each line of a run's metrics.jsonl.
fn recorded(dir: &std::path::Path) -> Vec<(String, u64)> {
    std::fs::read_to_string(dir.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let kind = v["kind"].as_str().unwrap().to_string();
            let at = if kind == "step" { v["step"].as_u64() } else { v["epoch"].as_u64() };
            (kind, at.unwrap())
        })
        .collect()
}

#[test]
fn a_stopped_run_resumes_where_it_stopped_and_finishes() {
    let dir = tempfile::tempdir().unwrap();
    // 64 images in batches of 16: 4 steps an epoch, 12 in all; stop inside the second epoch.
    let run = Run::start(tiny_config(3), dir.path(), RunOptions::default()).unwrap();
    events_until(&run, Duration::from_secs(60), |e| matches!(e, Event::Step(r) if r.step >= 5));
    run.send(Command::Stop);
    events_until(&run, Duration::from_secs(5), is_terminal);
    drop(run);

    let resumed = Run::resume(dir.path(), RunOptions::default()).unwrap();
    let events = events_until(&resumed, Duration::from_secs(60), is_terminal);
    let first_step = events.iter().find_map(|e| match e {
        Event::Started { first_step, .. } => Some(*first_step),
        _ => None,
    });
    assert!(matches!(first_step, Some(6..=11)), "resumed at {first_step:?}");
    assert!(
        matches!(events.last(), Some(Event::Finished { stopped_early: false, .. })),
        "{:?}",
        events.last()
    );
    let lines = recorded(dir.path());
    let steps: Vec<u64> = lines.iter().filter(|(k, _)| k == "step").map(|(_, s)| *s).collect();
    assert_eq!(steps, (0..12).collect::<Vec<_>>(), "every step once, in order");
    let epochs: Vec<u64> = lines.iter().filter(|(k, _)| k == "epoch").map(|(_, e)| *e).collect();
    assert_eq!(epochs, vec![0, 1, 2, 3]);

    let error = Run::resume(dir.path(), RunOptions::default()).err().expect("a finished run does not resume");
    assert!(error.to_string().contains("nothing to resume"), "{error}");
}

#[test]
fn resuming_reads_the_checkpoint_and_refuses_what_is_not_a_run() {
    let not_a_run = tempfile::tempdir().unwrap();
    let error = Run::resume(not_a_run.path(), RunOptions::default()).err().expect("no run there");
    assert!(error.to_string().contains("not a run directory"), "{error}");

    let dir = tempfile::tempdir().unwrap();
    let run = Run::start(tiny_config(1000), dir.path(), RunOptions::default()).unwrap();
    events_until(&run, Duration::from_secs(60), |e| matches!(e, Event::Step(r) if r.step >= 1));
    run.send(Command::Stop);
    events_until(&run, Duration::from_secs(5), is_terminal);
    drop(run);
    // A damaged checkpoint is reported, not trained over from random weights.
    std::fs::write(dir.path().join("checkpoints/latest.safetensors"), b"damaged").unwrap();
    let error = format!("{:#}", Run::resume(dir.path(), RunOptions::default()).err().expect("refused"));
    assert!(
        error.contains("latest.safetensors is damaged") && error.contains("no previous checkpoint"),
        "{error}"
    );
}

#[test]
fn a_narrow_encoder_trains_at_48_px() {
    // Width 1/8 gives layer2 a downsample with 8 input channels, whose channels-last backward
    // pass crashes oneDNN from 48 px up; the encoder must avoid that layout there.
    let mut config = tiny_config(1);
    config.data.image_size = 48;
    config.data.train_count = 96;
    config.train.batch_size = 32;
    let dir = tempfile::tempdir().unwrap();
    run_to_the_end(config, dir.path(), Duration::from_secs(120));
}
