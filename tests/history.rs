//! Runs read back from disk: series from `metrics.jsonl`, and the run browser's list.
mod common;

use medssl::train::history::{list_runs, Metrics, RunHistory};
use medssl::train::{RunConfig, RunDir};
use serde_json::json;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

fn config() -> RunConfig {
    let mut config = common::preset("byol.toml", "cpu");
    config.train.epochs = 5;
    config.data.source = "builtin:ct".into();
    config
}

/// Two epochs as the engine records them: epoch 0 without kNN (one class), three steps with
/// a method metric, then a step cut off mid-write.
fn write_run(dir: &Path, config: &RunConfig) {
    let mut run = RunDir::create(dir, config).unwrap();
    run.record("epoch", json!({"epoch": 0, "knn_accuracy": null}), &[("probe".into(), 0.1)]).unwrap();
    for (step, loss, lr) in [(0, 4.0, 0.01), (1, 3.5, 0.02), (2, 3.25, 0.03)] {
        let metrics = [("alignment".to_string(), 0.5 + step as f64)];
        run.record("step", json!({"epoch": 1, "step": step, "loss": loss, "lr": lr}), &metrics).unwrap();
    }
    run.record("epoch", json!({"epoch": 1, "knn_accuracy": 0.625}), &[("probe".into(), 0.3)]).unwrap();
    drop(run);
    let mut metrics = OpenOptions::new().append(true).open(dir.join("metrics.jsonl")).unwrap();
    metrics.write_all(br#"{"kind":"step","epoch":2,"step":3,"loss":3.1,"l"#).unwrap();
}

#[test]
fn history_gives_step_and_epoch_series_and_skips_a_truncated_last_line() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("run");
    let config = config();
    write_run(&dir, &config);
    let history = RunHistory::read(&dir).unwrap();
    assert_eq!(history.config, config);
    let m = &history.metrics;
    assert!(m.truncated);
    assert_eq!(m.steps["loss"], vec![[0.0, 4.0], [1.0, 3.5], [2.0, 3.25]]);
    assert_eq!(m.steps["lr"], vec![[0.0, 0.01], [1.0, 0.02], [2.0, 0.03]]);
    assert_eq!(m.steps["alignment"], vec![[0.0, 0.5], [1.0, 1.5], [2.0, 2.5]]);
    assert_eq!(m.steps.len(), 3, "step and epoch are coordinates, not series: {:?}", m.steps.keys());
    assert_eq!(m.epochs["knn_accuracy"], vec![[1.0, 0.625]], "a null kNN is no point");
    assert_eq!(m.epochs["probe"], vec![[0.0, 0.1], [1.0, 0.3]]);
    assert_eq!(m.last_epoch, Some(1));
}

#[test]
fn only_the_last_line_may_be_broken() {
    let whole = "{\"kind\":\"step\",\"step\":0,\"loss\":1.0}\n{\"kind\":\"step\",\"step\":1,\"loss\":0.5}\n";
    let parsed = Metrics::parse(whole).unwrap();
    assert!(!parsed.truncated);
    assert_eq!(parsed.steps["loss"], vec![[0.0, 1.0], [1.0, 0.5]]);

    let damaged = "{\"kind\":\"step\",\"step\":0,\"loss\":1.0}\n{\"kind\":\"st\n{\"kind\":\"step\",\"step\":1,\"loss\":0.5}\n";
    let err = format!("{:#}", Metrics::parse(damaged).unwrap_err());
    assert!(err.contains("line 2"), "{err}");
    let unknown_kind = "{\"kind\":\"lap\",\"step\":0}\n{\"kind\":\"step\",\"step\":1,\"loss\":0.5}\n";
    assert!(format!("{:#}", Metrics::parse(unknown_kind).unwrap_err()).contains("lap"));
}

fn set_created(dir: &Path, seconds_ago: u64) {
    let file = File::options().write(true).open(dir.join("config.toml")).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(seconds_ago)).unwrap();
}

#[test]
fn list_runs_shows_good_and_broken_runs_newest_first_and_skips_other_folders() {
    let root = tempfile::tempdir().unwrap();
    let config = config();

    let good = root.path().join("20240101-120000-byol");
    write_run(&good, &config);
    std::fs::write(good.join("checkpoints").join("latest.safetensors"), b"weights").unwrap();
    set_created(&good, 3600);

    let garbage = root.path().join("garbage");
    std::fs::create_dir(&garbage).unwrap();
    std::fs::write(garbage.join("config.toml"), "epochs = [ this is not toml").unwrap();
    set_created(&garbage, 60);

    let no_metrics = root.path().join("no-metrics");
    std::fs::create_dir(&no_metrics).unwrap();
    std::fs::write(no_metrics.join("config.toml"), config.to_toml()).unwrap();
    set_created(&no_metrics, 7200);

    std::fs::create_dir(root.path().join("empty")).unwrap();
    std::fs::write(root.path().join("notes.txt"), "not a run").unwrap();

    let runs = list_runs(root.path()).unwrap();
    let dirs: Vec<_> = runs.iter().map(|r| r.dir.clone()).collect();
    assert_eq!(dirs, [garbage.clone(), good.clone(), no_metrics.clone()], "newest first, no empty folder");

    let [broken, ok, partial] = &runs[..] else { unreachable!() };
    assert_eq!(ok.error, None);
    assert_eq!(ok.method.as_deref(), Some(config.method.info().name));
    assert_eq!(ok.data_source.as_deref(), Some("builtin:ct"));
    assert_eq!((ok.epochs_done, ok.epochs_planned), (1, Some(5)));
    assert_eq!((ok.last_loss, ok.last_knn), (Some(3.25), Some(0.625)));
    assert!(ok.has_checkpoint);
    assert!(ok.created.is_some());

    let error = broken.error.as_deref().expect("a garbage config is an error");
    assert!(error.contains("config.toml") && error.contains("metrics.jsonl"), "{error}");
    assert_eq!((broken.method.as_ref(), broken.epochs_done, broken.has_checkpoint), (None, 0, false));

    assert!(partial.error.as_deref().is_some_and(|e| e.contains("metrics.jsonl")), "{:?}", partial.error);
    assert_eq!(partial.method.as_deref(), Some(config.method.info().name));
    assert_eq!((partial.epochs_planned, partial.last_loss), (Some(5), None));

    assert!(list_runs(&root.path().join("missing")).unwrap().is_empty());
}
