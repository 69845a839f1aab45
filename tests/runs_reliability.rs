//! What happens to real runs: a process killed at any moment, a checkpoint damaged on disk, a
//! disk that fills up. The kill and full-disk cases run the real `medssl` binary; the disk is
//! "full" through the file-size limit (`ulimit -f`), which makes writes fail the way ENOSPC
//! does, without a special file system.
mod common;

use common::{events_until, is_terminal, tiny_config};
use medssl::eval::EvalReport;
use medssl::train::checkpoint::{self, LATEST, PREVIOUS};
use medssl::train::{load_run, Command as RunCommand, Event, Preset, Run, RunConfig, RunOptions};
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};
use tch::Device;

const BIN: &str = env!("CARGO_BIN_EXE_medssl");

/// The tiny engine configuration as a preset file the binary can read.
fn preset_file(dir: &Path, config: RunConfig) -> PathBuf {
    let preset = Preset {
        name: "tiny".into(),
        description: "engine tests".into(),
        default_variant: "tiny".into(),
        variants: BTreeMap::from([("tiny".to_string(), config)]),
    };
    let path = dir.join("tiny.toml");
    preset.save(&path).unwrap();
    path
}

/// `medssl args…` with its output captured, under a file-size limit of `limit_kb` when given
/// (SIGXFSZ ignored, so an oversized write fails with an error instead of killing).
fn medssl(args: &[&str], limit_kb: Option<u64>) -> Command {
    let mut command = Command::new("bash");
    let limit = limit_kb.map_or(String::new(), |kb| format!("trap '' XFSZ; ulimit -f {kb}; "));
    command.arg("-c").arg(format!("{limit}exec \"$0\" \"$@\"")).arg(BIN).args(args);
    command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    command
}

fn finished(child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    let mut child = child;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("medssl did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn wait_for(path: &Path, limit: Duration) {
    let deadline = Instant::now() + limit;
    while !path.exists() {
        assert!(Instant::now() < deadline, "{} did not appear within {limit:?}", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every line of the metrics log, parsed; fails on a torn or unparsable line.
fn metrics(run: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "the log ends in a torn line");
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

fn numbers(records: &[Value], kind: &str) -> Vec<u64> {
    records.iter().filter(|r| r["kind"] == kind).map(|r| r[kind].as_u64().unwrap()).collect()
}

fn partials(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().contains("partial")).collect()
        })
        .unwrap_or_default()
}

fn tiny(epochs: usize) -> RunConfig {
    let mut config = tiny_config(epochs);
    config.data.train_count = 256;
    config
}

#[test]
fn killed_at_random_moments_and_resumed_every_step_is_logged_once() {
    let dir = tempfile::tempdir().unwrap();
    let epochs = 20;
    let preset = preset_file(dir.path(), tiny(epochs));
    let run = dir.path().join("run");
    let run_s = run.to_str().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let child =
        medssl(&["train", "--preset", preset.to_str().unwrap(), "--out", run_s], None).spawn().unwrap();
    let mut child = Some(child);
    let mut kills = 0;
    for _ in 0..5 {
        // Kill once a checkpoint exists (before it there is nothing to resume), at a random
        // moment of the next second: mid-step, mid-log-line, mid-checkpoint.
        wait_for(&run.join("checkpoints").join(LATEST), Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(rng.random_range(0..1000)));
        let mut c = child.take().unwrap();
        if c.try_wait().unwrap().is_some() {
            break;
        }
        c.kill().unwrap();
        c.wait().unwrap();
        kills += 1;
        let progress = checkpoint::latest_good(&run.join("checkpoints")).unwrap().progress;
        if progress.epochs_done == epochs {
            break;
        }
        child = Some(medssl(&["resume", run_s], None).spawn().unwrap());
    }
    if let Some(c) = child {
        let output = finished(c, Duration::from_secs(300));
        assert!(output.status.success(), "{}", text(&output));
    }
    println!("{kills} kills");
    assert!(kills >= 3, "only {kills} kills landed before the run ended: the run is too short");
    let progress = checkpoint::latest_good(&run.join("checkpoints")).unwrap().progress;
    if progress.epochs_done < epochs {
        let output = finished(medssl(&["resume", run_s], None).spawn().unwrap(), Duration::from_secs(300));
        assert!(output.status.success(), "{}", text(&output));
    }

    let records = metrics(&run);
    let steps_per_epoch = 256 / 16;
    let total = (epochs * steps_per_epoch) as u64;
    assert_eq!(numbers(&records, "step"), (0..total).collect::<Vec<_>>(), "every step once, in order");
    assert_eq!(numbers(&records, "epoch"), (0..=epochs as u64).collect::<Vec<_>>(), "every epoch once");
    let last = checkpoint::verify(&run.join("checkpoints").join(LATEST)).unwrap();
    assert_eq!((last.epochs_done, last.steps_done), (epochs, total as usize));
    assert!(partials(&run.join("checkpoints")).is_empty());
}

/// Flips one byte of a file, where the tensors are (its end).
fn damage(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes.len() - 3;
    bytes[at] ^= 0x10;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_damaged_checkpoint_is_named_and_resume_falls_back_to_the_previous_one() {
    let dir = tempfile::tempdir().unwrap();
    // Far more epochs than run: each run here is stopped, never left to finish.
    let run = Run::start(tiny(100), dir.path(), RunOptions::default()).unwrap();
    events_until(&run, Duration::from_secs(120), |e| matches!(e, Event::Checkpoint { epoch: 2, .. }));
    run.send(RunCommand::Stop);
    events_until(&run, Duration::from_secs(60), is_terminal);
    drop(run);
    let checkpoints = dir.path().join("checkpoints");
    let latest = checkpoint::verify(&checkpoints.join(LATEST)).unwrap();
    let previous = checkpoint::verify(&checkpoints.join(PREVIOUS)).unwrap();
    assert_eq!(previous.epochs_done, 2, "the stop's checkpoint pushed epoch 2's back");
    assert!(previous.steps_done <= latest.steps_done, "{previous:?} then {latest:?}");

    damage(&checkpoints.join(LATEST));
    let error = format!("{:#}", checkpoint::verify(&checkpoints.join(LATEST)).unwrap_err());
    assert!(error.contains("latest.safetensors is damaged") && error.contains("SHA-256"), "{error}");
    let loaded = load_run(dir.path(), Device::Cpu).unwrap();
    assert_eq!(loaded.checkpoint.path, checkpoints.join(PREVIOUS));
    assert!(loaded.checkpoint.note.as_deref().unwrap().contains("latest.safetensors is damaged"));

    let resumed = Run::resume(dir.path(), RunOptions::default()).unwrap();
    let start = events_until(&resumed, Duration::from_secs(120), |e| matches!(e, Event::Started { .. }));
    let Some(Event::Started { first_step, notes, .. }) = start.last() else { unreachable!() };
    assert_eq!(*first_step, previous.steps_done, "resumed where the previous checkpoint stood");
    assert!(notes.iter().any(|n| n.starts_with("checkpoint:") && n.contains("damaged")), "{notes:?}");
    let until = previous.steps_done + 5;
    events_until(&resumed, Duration::from_secs(120), |e| matches!(e, Event::Step(r) if r.step >= until));
    resumed.send(RunCommand::Stop);
    events_until(&resumed, Duration::from_secs(60), is_terminal);
    drop(resumed);
    let steps = numbers(&metrics(dir.path()), "step");
    assert!(steps.len() as u64 > until as u64, "{} steps logged", steps.len());
    assert_eq!(
        steps,
        (0..steps.len() as u64).collect::<Vec<_>>(),
        "the steps after it ran again, logged once"
    );

    damage(&checkpoints.join(LATEST));
    damage(&checkpoints.join(PREVIOUS));
    let error = format!("{:#}", load_run(dir.path(), Device::Cpu).err().unwrap());
    assert!(error.contains("latest.safetensors is damaged") && error.contains("previous"), "{error}");
}

#[test]
fn a_full_disk_keeps_the_last_good_checkpoint_and_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let preset = preset_file(dir.path(), tiny(100));
    let run = dir.path().join("run");
    let run_s = run.to_str().unwrap();
    let child =
        medssl(&["train", "--preset", preset.to_str().unwrap(), "--out", run_s], None).spawn().unwrap();
    wait_for(&run.join("checkpoints").join(LATEST), Duration::from_secs(120));
    let mut child = child;
    child.kill().unwrap();
    child.wait().unwrap();
    let checkpoints = run.join("checkpoints");
    let good = checkpoint::latest_good(&checkpoints).unwrap();
    let size_kb = std::fs::metadata(&good.path).unwrap().len() / 1024;

    // Room for the logs, not for another checkpoint.
    let output =
        finished(medssl(&["resume", run_s], Some(size_kb / 2)).spawn().unwrap(), Duration::from_secs(300));
    let said = text(&output);
    assert!(!output.status.success(), "the run must fail when its checkpoint cannot be written: {said}");
    assert!(said.contains("cannot write checkpoint"), "{said}");
    assert!(partials(&checkpoints).is_empty(), "{:?}", partials(&checkpoints));
    assert_eq!(checkpoint::latest_good(&checkpoints).unwrap(), good, "the last good checkpoint is kept");
}

#[test]
fn an_evaluation_the_disk_refuses_is_printed_whole_and_the_command_fails() {
    let dir = tempfile::tempdir().unwrap();
    let run = Run::start(tiny(1), dir.path(), RunOptions::default()).unwrap();
    events_until(&run, Duration::from_secs(120), is_terminal);
    drop(run);
    let run_s = dir.path().to_str().unwrap();
    let output = finished(
        medssl(&["eval", run_s, "--protocol", "knn", "--seeds", "1", "--device", "cpu"], Some(1))
            .spawn()
            .unwrap(),
        Duration::from_secs(300),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("could not be saved"), "{}", text(&output));
    let json = stdout.split_once("as it would have been saved:").expect("the report is printed").1;
    let report: EvalReport = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(report.entries.len(), 2, "trained and random encoders, one seed");
    let evals = dir.path().join("evals");
    assert!(partials(&evals).is_empty(), "{:?}", partials(&evals));
    assert!(EvalReport::load_all(dir.path()).unwrap().is_empty());
}
