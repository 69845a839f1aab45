//! Runs read back from disk for the run browser: what each run was and how far it got.
//!
//! Run directories outlive the program that wrote them: a run killed mid-write leaves a
//! truncated last line in `metrics.jsonl`, a copied or hand-edited directory may hold anything.
//! Reading never panics; what cannot be read is said in an error, next to what could.
use super::checkpoint::LATEST;
use super::config::RunConfig;
use anyhow::Context;
use chrono::{DateTime, Local};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Points `[x, value]` by series name.
pub type SeriesMap = BTreeMap<String, Vec<[f64; 2]>>;

/// One line of the run browser.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub dir: PathBuf,
    /// When `config.toml` was written, which is when the run started.
    pub created: Option<DateTime<Local>>,
    /// The method's display name.
    pub method: Option<String>,
    pub data_source: Option<String>,
    pub epochs_done: usize,
    pub epochs_planned: Option<usize>,
    pub last_loss: Option<f64>,
    pub last_knn: Option<f64>,
    pub has_checkpoint: bool,
    /// Why part of the run could not be read; the other fields hold what could.
    pub error: Option<String>,
}

/// A run's configuration and everything its `metrics.jsonl` recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RunHistory {
    pub dir: PathBuf,
    pub config: RunConfig,
    pub metrics: Metrics,
}

/// `metrics.jsonl` as series: every numeric field of the step records against `step` (loss,
/// lr, each method metric), and of the epoch records against `epoch` (`knn_accuracy`, each
/// evaluation metric). Epoch 0 is the untrained encoder.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metrics {
    pub steps: SeriesMap,
    pub epochs: SeriesMap,
    /// The last epoch record's epoch.
    pub last_epoch: Option<usize>,
    /// The last line was cut off (the run was killed while writing it) and was left out.
    pub truncated: bool,
}

impl RunHistory {
    pub fn read(dir: &Path) -> anyhow::Result<Self> {
        Ok(Self { dir: dir.to_owned(), config: RunConfig::read(dir)?, metrics: Metrics::read(dir)? })
    }
}

impl Metrics {
    pub fn read(dir: &Path) -> anyhow::Result<Self> {
        let path = dir.join("metrics.jsonl");
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses the lines `RunDir::record` writes. Only the last line may be broken: the
    /// writer appends one whole line per write, so a bad line before it means the file was
    /// damaged some other way, and is an error.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let mut metrics = Metrics::default();
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        for (i, line) in lines.iter().enumerate() {
            let record = match serde_json::from_str::<Map<String, Value>>(line) {
                Ok(record) => record,
                Err(_) if i + 1 == lines.len() => {
                    metrics.truncated = true;
                    break;
                }
                Err(e) => anyhow::bail!("line {} is not a JSON object: {e}", i + 1),
            };
            metrics.add(&record).with_context(|| format!("line {}", i + 1))?;
        }
        Ok(metrics)
    }

    fn add(&mut self, record: &Map<String, Value>) -> anyhow::Result<()> {
        let kind = record.get("kind").and_then(Value::as_str);
        let (x_field, series) = match kind {
            Some("step") => ("step", &mut self.steps),
            Some("epoch") => ("epoch", &mut self.epochs),
            _ => anyhow::bail!("the record's kind is {kind:?}, not \"step\" or \"epoch\""),
        };
        let x = record
            .get(x_field)
            .and_then(Value::as_f64)
            .with_context(|| format!("the record has no {x_field}"))?;
        for (name, value) in record {
            // kNN accuracy is null when the held-out set has one class: no point, not an error.
            if let Some(v) = value.as_f64().filter(|_| name != "kind" && name != "step" && name != "epoch") {
                series.entry(name.clone()).or_default().push([x, v]);
            }
        }
        if x_field == "epoch" {
            self.last_epoch = Some(x as usize);
        }
        Ok(())
    }
}

fn last_value(series: &SeriesMap, name: &str) -> Option<f64> {
    series.get(name).and_then(|points| points.last()).map(|p| p[1])
}

/// The runs under `root`, newest first. A missing root has no runs. Directories holding none
/// of what `RunDir::create` makes (`config.toml`, `metrics.jsonl`, `checkpoints/`) are not runs
/// and are left out; runs that cannot be read in full are listed with their error.
pub fn list_runs(root: &Path) -> anyhow::Result<Vec<RunSummary>> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot list the runs in {}", root.display())),
    };
    let mut runs: Vec<RunSummary> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|dir| looks_like_run(dir))
        .map(|dir| summarise(&dir))
        .collect();
    runs.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| b.dir.cmp(&a.dir)));
    Ok(runs)
}

fn looks_like_run(dir: &Path) -> bool {
    dir.is_dir() && ["config.toml", "metrics.jsonl", "checkpoints"].iter().any(|name| dir.join(name).exists())
}

/// What can be read of one run; each part that cannot adds to the error.
pub fn summarise(dir: &Path) -> RunSummary {
    let mut errors = Vec::new();
    let config = RunConfig::read(dir).map_err(|e| errors.push(format!("{e:#}"))).ok();
    let metrics = Metrics::read(dir).map_err(|e| errors.push(format!("{e:#}"))).ok().unwrap_or_default();
    let created =
        std::fs::metadata(dir.join("config.toml")).and_then(|m| m.modified()).ok().map(DateTime::from);
    RunSummary {
        dir: dir.to_owned(),
        created,
        method: config.as_ref().map(|c| c.method.info().name.to_string()),
        data_source: config.as_ref().map(|c| c.data.source.clone()),
        epochs_done: metrics.last_epoch.unwrap_or(0),
        epochs_planned: config.as_ref().map(|c| c.train.epochs),
        last_loss: last_value(&metrics.steps, "loss"),
        last_knn: last_value(&metrics.epochs, "knn_accuracy"),
        has_checkpoint: dir.join("checkpoints").join(LATEST).is_file(),
        error: (!errors.is_empty()).then(|| errors.join("; ")),
    }
}
