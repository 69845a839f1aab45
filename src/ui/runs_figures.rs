//! What the run browser draws and exports, made from runs read back: the curves of several
//! runs on one metric and the tables of their evaluations. Kept apart from the drawing so the
//! figures exported are exactly the ones shown.
use super::runs::OpenedRun;
use crate::augment::Pipeline;
use crate::eval::{EvalReport, LabelBudget, Outcome};
use crate::figures::{Series, Table};
use crate::train::{RunConfig, RunHistory};
use std::collections::BTreeSet;
use std::path::Path;

/// Every series any of the runs recorded, the loss first.
pub fn metric_names<'a>(histories: impl Iterator<Item = &'a RunHistory>) -> Vec<String> {
    let mut names = BTreeSet::new();
    for h in histories {
        names.extend(h.metrics.steps.keys().cloned());
        names.extend(h.metrics.epochs.keys().cloned());
    }
    let loss = names.take("loss");
    loss.into_iter().chain(names).collect()
}

/// The metric's curve of each run that recorded it, named by the run.
pub fn curve_series(shown: &[(&Path, &OpenedRun)], metric: &str) -> Vec<Series> {
    shown
        .iter()
        .filter_map(|(dir, opened)| {
            let m = &opened.history.metrics;
            let points = m.steps.get(metric).or_else(|| m.epochs.get(metric))?;
            Some(Series { name: run_name(dir), points: points.clone() })
        })
        .collect()
}

/// One row per run, protocol, encoder and metric of each run's latest evaluation: the mean
/// and spread over its seeds, with what the run was (method, augmentations, label budget).
pub fn comparison_table(shown: &[(&Path, &OpenedRun)]) -> Table {
    let header =
        ["run", "method", "augmentations", "labels", "protocol", "encoder", "metric", "mean ± std", "seeds"];
    let mut rows = Vec::new();
    for (dir, opened) in shown {
        let Some(report) = opened.evals.last() else { continue };
        let augmentations = augmentations(&opened.history.config);
        for r in &report.summary {
            rows.push(vec![
                run_name(dir),
                opened.history.config.method.info().name.to_string(),
                augmentations.clone(),
                budget_label(&report.config.budget),
                r.protocol.id().to_string(),
                r.encoder.label().to_string(),
                r.metric.clone(),
                format!("{:.4} ± {:.4}", r.mean, r.std),
                r.seeds.to_string(),
            ]);
        }
    }
    Table { title: Some("Evaluations".into()), header: header.map(String::from).to_vec(), rows }
}

/// Each classification entry's accuracy per class, one row per protocol, encoder and seed.
pub fn report_table(report: &EvalReport) -> Table {
    let mut header: Vec<String> = ["protocol", "encoder", "seed"].map(String::from).to_vec();
    header.extend(report.classes.iter().cloned());
    let rows = report
        .entries
        .iter()
        .filter_map(|e| match &e.outcome {
            Outcome::Classification(m) => Some(
                [e.protocol.id().to_string(), e.encoder.label().to_string(), e.seed.to_string()]
                    .into_iter()
                    .chain(m.per_class_accuracy.iter().map(|a| a.map_or("n/a".into(), |a| format!("{a:.4}"))))
                    .collect(),
            ),
            Outcome::Segmentation(_) => None,
        })
        .collect();
    Table { title: Some("Per-class accuracy".into()), header, rows }
}

/// The confusion matrix (rows true, columns predicted) of each classification entry of the
/// report's first seed.
pub fn confusion_tables(report: &EvalReport) -> Vec<Table> {
    let first_seed = report.entries.first().map(|e| e.seed);
    report
        .entries
        .iter()
        .filter(|e| Some(e.seed) == first_seed)
        .filter_map(|e| match &e.outcome {
            Outcome::Classification(m) => Some(Table {
                title: Some(format!("{} · {} · seed {}", e.protocol.id(), e.encoder.label(), e.seed)),
                header: std::iter::once("true \\ predicted".to_string())
                    .chain(report.classes.iter().cloned())
                    .collect(),
                rows: m
                    .confusion
                    .iter()
                    .zip(&report.classes)
                    .map(|(row, class)| {
                        std::iter::once(class.clone()).chain(row.iter().map(u64::to_string)).collect()
                    })
                    .collect(),
            }),
            Outcome::Segmentation(_) => None,
        })
        .collect()
}

/// The run's folder name: a timestamp and the method, nothing about the data.
pub fn run_name(dir: &Path) -> String {
    dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// The enabled steps of the method's view pipelines, e.g. "crop, flip | crop, blur".
fn augmentations(config: &RunConfig) -> String {
    let mut method = config.method.clone();
    let Some(views) = method.views_mut() else { return "n/a".into() };
    let names = |p: &Pipeline| {
        p.ops.iter().filter(|s| s.enabled).map(|s| s.op.label()).collect::<Vec<_>>().join(", ")
    };
    match &views.second {
        None => names(&views.first),
        Some(second) => format!("{} | {}", names(&views.first), names(second)),
    }
}

pub fn budget_label(b: &LabelBudget) -> String {
    match b {
        LabelBudget::All => "all".into(),
        LabelBudget::PerClass(n) => format!("{n} per class"),
        LabelBudget::Fraction(f) => format!("{:.0} %", f * 100.0),
    }
}
