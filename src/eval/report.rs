//! The result of an evaluation: one entry per protocol, encoder and seed, their mean ± std
//! over seeds, and the configuration that made them; kept in the run as `evals/<time>.json`.
use super::budget::LabelBudget;
use super::config::{EvalConfig, Protocol};
use super::metrics::{ClassificationMetrics, SegmentationMetrics};
use crate::train::run_dir::{unique_stamped, write_atomic};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The folder of a run that holds its evaluations.
pub const EVALS_DIR: &str = "evals";

/// Which weights an entry evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EncoderInit {
    /// The run's last checkpoint.
    Trained,
    /// The same architecture, untrained: the baseline every result is read against.
    Random,
}

impl EncoderInit {
    pub fn label(self) -> &'static str {
        match self {
            EncoderInit::Trained => "trained",
            EncoderInit::Random => "random init",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Classification(ClassificationMetrics),
    Segmentation(SegmentationMetrics),
}

impl Outcome {
    /// The headline numbers, named, in table order; macro AUC only where it is defined.
    pub fn scalars(&self) -> Vec<(&'static str, f64)> {
        match self {
            Outcome::Classification(m) => {
                let mut s = vec![("accuracy", m.accuracy), ("balanced accuracy", m.balanced_accuracy)];
                s.extend(m.macro_auc.map(|auc| ("macro AUC", auc)));
                s
            }
            Outcome::Segmentation(m) => vec![("Dice", m.dice), ("IoU", m.iou)],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalEntry {
    pub protocol: Protocol,
    pub encoder: EncoderInit,
    pub seed: u64,
    pub budget: LabelBudget,
    /// Labelled training images the budget gave.
    pub labelled_images: usize,
    /// Wall-clock time of the protocol, after the frozen features it shares with the others.
    pub seconds: f64,
    pub outcome: Outcome,
}

/// One metric of one protocol and encoder over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub protocol: Protocol,
    pub encoder: EncoderInit,
    pub metric: String,
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for a single seed.
    pub std: f64,
    /// Seeds that gave the metric.
    pub seeds: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Local time, `YYYY-MM-DD HH:MM:SS`.
    pub created: String,
    /// The run's method id and data source.
    pub method: String,
    pub data: String,
    pub classes: Vec<String>,
    pub config: EvalConfig,
    pub entries: Vec<EvalEntry>,
    pub summary: Vec<SummaryRow>,
    /// What was not evaluated, and why.
    pub notes: Vec<String>,
    /// The file it was saved to or loaded from.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

impl EvalReport {
    pub fn new(
        method: String,
        data: String,
        classes: Vec<String>,
        config: EvalConfig,
        entries: Vec<EvalEntry>,
        notes: Vec<String>,
    ) -> Self {
        let summary = summarise(&entries);
        let created = chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
        Self { created, method, data, classes, config, entries, summary, notes, file: None }
    }

    /// The summary row of a protocol, encoder and metric, when there is one.
    pub fn row(&self, protocol: Protocol, encoder: EncoderInit, metric: &str) -> Option<&SummaryRow> {
        self.summary.iter().find(|r| r.protocol == protocol && r.encoder == encoder && r.metric == metric)
    }

    /// Writes `<run_dir>/evals/<timestamp>.json` atomically and remembers the path.
    pub fn save(&mut self, run_dir: &Path) -> anyhow::Result<PathBuf> {
        let dir = run_dir.join(EVALS_DIR);
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = unique_stamped(&dir, "", ".json");
        self.save_as(&path)?;
        Ok(path)
    }

    /// Writes the report to `path` atomically (where the user chose when the run's disk was
    /// full) and remembers the path.
    pub fn save_as(&mut self, path: &Path) -> anyhow::Result<()> {
        write_atomic(path, &self.to_json()?)?;
        self.file = Some(path.to_owned());
        Ok(())
    }

    /// The whole report as JSON, as it is saved.
    pub fn to_json(&self) -> anyhow::Result<Vec<u8>> {
        Ok(serde_json::to_vec_pretty(self)?)
    }

    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut report: Self = serde_json::from_str(&text)
            .with_context(|| format!("{} is not an evaluation report", path.display()))?;
        report.file = Some(path.to_owned());
        Ok(report)
    }

    /// Every evaluation saved in a run, oldest first; none when it has no `evals` folder.
    pub fn load_all(run_dir: &Path) -> anyhow::Result<Vec<Self>> {
        let dir = run_dir.join(EVALS_DIR);
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "json") {
                paths.push(path);
            }
        }
        paths.sort_by_key(|p| made_order(p));
        paths.iter().map(|p| Self::load(p)).collect()
    }
}

/// Where a report file falls among its run's: by its timestamp, then by the `-N` that
/// `save` appends to a later report of the same second (which would sort first as text).
fn made_order(path: &Path) -> (String, u32) {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    match stem.rsplit_once('-') {
        Some((stamp, n)) if stamp.contains('-') => (stamp.to_string(), n.parse().unwrap_or(0)),
        _ => (stem.to_string(), 1),
    }
}

/// Mean and standard deviation over seeds of every metric, by protocol then encoder, in the
/// order the entries first show them.
fn summarise(entries: &[EvalEntry]) -> Vec<SummaryRow> {
    let mut groups: Vec<(Protocol, EncoderInit, &'static str, Vec<f64>)> = Vec::new();
    for e in entries {
        for (metric, value) in e.outcome.scalars() {
            match groups.iter_mut().find(|g| g.0 == e.protocol && g.1 == e.encoder && g.2 == metric) {
                Some(g) => g.3.push(value),
                None => groups.push((e.protocol, e.encoder, metric, vec![value])),
            }
        }
    }
    groups.sort_by_key(|g| (g.0, g.1));
    groups
        .into_iter()
        .map(|(protocol, encoder, metric, values)| {
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
            SummaryRow {
                protocol,
                encoder,
                metric: metric.into(),
                mean,
                std: var.sqrt(),
                seeds: values.len(),
            }
        })
        .collect()
}
