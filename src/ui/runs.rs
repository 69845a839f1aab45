//! The run browser: every run under the runs folder, one opened with its configuration, curves
//! and evaluations; runs compared (curves overlaid, a table of their evaluations), resumed,
//! evaluated, and their figures and tables exported into the run's `figures/` folder.
use super::job::{self, Job};
use super::runs_figures::{
    budget_label, comparison_table, confusion_tables, curve_series, metric_names, report_table,
};
use crate::eval::{EvalConfig, EvalReport, LabelBudget, Protocol};
use crate::figures::{CurveFigure, PhiGuard, Table};
use crate::train::{checkpoint, list_runs, RunHistory, RunSummary};
use eframe::egui;
use egui_plot::{Legend, Line, Plot};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What the browser asks of the rest of the app.
pub enum RunsAction {
    Resume(PathBuf),
    Explain(PathBuf),
}

/// A run read back: its history and its saved evaluations.
pub struct OpenedRun {
    pub history: RunHistory,
    pub evals: Vec<EvalReport>,
    /// Where the checkpoint stands, in words.
    pub checkpoint: String,
}

pub struct RunsPanel {
    root: PathBuf,
    runs: Vec<RunSummary>,
    listed: bool,
    pub selected: Option<PathBuf>,
    /// Runs whose curves are overlaid on the selected one's and whose evaluations join the table.
    pub compared: BTreeSet<PathBuf>,
    opened: BTreeMap<PathBuf, Result<OpenedRun, String>>,
    /// The series the curve plot shows.
    pub metric: String,
    pub eval_config: EvalConfig,
    /// The evaluation in progress: its run, its report, and why it could not be saved there.
    evaluation: Option<Job<(PathBuf, EvalReport, Option<String>)>>,
    /// An evaluation the run's disk refused, kept until it is saved elsewhere: (run, report).
    pub unsaved: Option<(PathBuf, EvalReport)>,
    /// The last export's or evaluation's outcome.
    pub message: Option<String>,
}

impl RunsPanel {
    pub fn new(root: PathBuf) -> Self {
        Self {
            root,
            runs: Vec::new(),
            listed: false,
            selected: None,
            compared: BTreeSet::new(),
            opened: BTreeMap::new(),
            metric: "loss".into(),
            eval_config: EvalConfig::default(),
            evaluation: None,
            unsaved: None,
            message: None,
        }
    }

    /// Reads the runs folder again, and forgets what was read of each run.
    pub fn refresh(&mut self) {
        self.runs = list_runs(&self.root).unwrap_or_default();
        self.opened.clear();
        self.listed = true;
    }

    pub fn select(&mut self, dir: &Path) {
        self.selected = Some(dir.to_owned());
    }

    pub fn show(&mut self, ui: &mut egui::Ui) -> Option<RunsAction> {
        if !self.listed {
            self.refresh();
        }
        if let Some(result) = job::finished(&mut self.evaluation) {
            self.message = Some(match result {
                Ok((_, report, None)) => format!(
                    "evaluation saved in {}",
                    report.file.as_deref().unwrap_or(Path::new("")).display()
                ),
                Ok((dir, report, Some(why))) => {
                    self.unsaved = Some((dir, report));
                    format!("the evaluation could not be saved in the run ({why}); it is kept here: Save as… to keep it")
                }
                Err(e) => format!("evaluation failed: {e:#}"),
            });
            self.opened.clear();
        }
        let mut action = None;
        egui::Panel::left("run list").resizable(true).default_size(360.0).show(ui, |ui| self.list(ui));
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| action = self.details(ui));
        });
        action
    }

    fn list(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading("Run browser");
            if ui.button("Refresh").clicked() {
                self.refresh();
            }
        });
        ui.label(egui::RichText::new(self.root.display().to_string()).small().weak());
        if self.runs.is_empty() {
            ui.label("No runs yet: start one under Train.");
        }
        for run in &self.runs {
            ui.horizontal(|ui| {
                let mut compared = self.compared.contains(&run.dir);
                if ui.checkbox(&mut compared, "").on_hover_text("compare").changed() {
                    if compared {
                        self.compared.insert(run.dir.clone());
                    } else {
                        self.compared.remove(&run.dir);
                    }
                }
                let selected = self.selected.as_deref() == Some(run.dir.as_path());
                if ui.selectable_label(selected, run_label(run)).clicked() {
                    self.selected = Some(run.dir.clone());
                }
            });
        }
    }

    fn details(&mut self, ui: &mut egui::Ui) -> Option<RunsAction> {
        let Some(dir) = self.selected.clone() else {
            ui.label("Select a run on the left; tick runs to compare them.");
            return None;
        };
        let summary = self.runs.iter().find(|r| r.dir == dir).cloned();
        ui.heading(dir.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()));
        if let Some(error) = summary.as_ref().and_then(|s| s.error.as_ref()) {
            ui.colored_label(egui::Color32::LIGHT_RED, error);
        }
        let mut action = None;
        ui.horizontal(|ui| {
            let resumable = summary
                .as_ref()
                .is_some_and(|s| s.has_checkpoint && s.epochs_planned.is_some_and(|p| s.epochs_done < p));
            if ui.add_enabled(resumable, egui::Button::new("Resume")).clicked() {
                action = Some(RunsAction::Resume(dir.clone()));
            }
            let has_checkpoint = summary.as_ref().is_some_and(|s| s.has_checkpoint);
            if ui.add_enabled(has_checkpoint, egui::Button::new("Explain this run")).clicked() {
                action = Some(RunsAction::Explain(dir.clone()));
            }
        });
        self.open(&dir);
        let Some(Ok(opened)) = self.opened.get(&dir) else {
            if let Some(Err(e)) = self.opened.get(&dir) {
                ui.colored_label(egui::Color32::LIGHT_RED, e);
            }
            return action;
        };
        ui.label(&opened.checkpoint);
        ui.collapsing("Configuration", |ui| {
            ui.monospace(opened.history.config.to_toml());
        });
        self.curves(ui, &dir);
        self.evaluations(ui, &dir);
        if let Some(message) = &self.message {
            ui.label(message);
        }
        action
    }

    /// Reads `dir` and the compared runs, once each.
    fn open(&mut self, dir: &Path) {
        for d in std::iter::once(dir.to_owned()).chain(self.compared.iter().cloned()) {
            self.opened.entry(d.clone()).or_insert_with(|| {
                let history = RunHistory::read(&d).map_err(|e| format!("{e:#}"))?;
                let mut evals = EvalReport::load_all(&d).map_err(|e| format!("{e:#}"))?;
                evals.extend(self.unsaved.iter().filter(|(run, _)| *run == d).map(|(_, r)| r.clone()));
                let checkpoint = checkpoint_line(&d, history.config.train.epochs);
                Ok(OpenedRun { history, evals, checkpoint })
            });
        }
    }

    /// The shown runs, selected first, with what could be read of them.
    fn shown<'a>(&'a self, dir: &'a Path) -> Vec<(&'a Path, &'a OpenedRun)> {
        std::iter::once(dir)
            .chain(self.compared.iter().map(PathBuf::as_path).filter(|d| *d != dir))
            .filter_map(|d| match self.opened.get(d) {
                Some(Ok(opened)) => Some((d, opened)),
                _ => None,
            })
            .collect()
    }

    fn curves(&mut self, ui: &mut egui::Ui, dir: &Path) {
        let shown = self.shown(dir);
        let names = metric_names(shown.iter().map(|(_, o)| &o.history));
        let mut metric = self.metric.clone();
        let series = curve_series(&shown, &metric);
        let per_epoch = series_is_per_epoch(&shown, &metric);
        ui.separator();
        let mut export = None;
        ui.horizontal(|ui| {
            egui::ComboBox::from_label("curve").selected_text(&metric).show_ui(ui, |ui| {
                for name in &names {
                    ui.selectable_value(&mut metric, name.clone(), name);
                }
            });
            for format in ["png", "svg"] {
                if ui.button(format!("Export {}", format.to_uppercase())).clicked() {
                    export = Some(format);
                }
            }
        });
        Plot::new("run curves").height(260.0).legend(Legend::default()).show(ui, |plot| {
            for s in &series {
                plot.line(Line::new(s.name.clone(), s.points.clone()));
            }
        });
        if let Some(format) = export {
            let figure = CurveFigure::new(if per_epoch { "epoch" } else { "step" }, metric.clone(), series);
            let path = dir.join("figures").join(format!("{}.{format}", file_stem(&metric)));
            self.message = Some(save_figure(&path, |p| figure.save(p, &PhiGuard::default())));
        }
        self.metric = metric;
    }

    fn evaluations(&mut self, ui: &mut egui::Ui, dir: &Path) {
        ui.separator();
        ui.heading("Evaluations");
        self.evaluation_settings(ui, dir);
        let shown = self.shown(dir);
        let table = comparison_table(&shown);
        if table.rows.is_empty() {
            ui.label("No evaluation yet.");
            return;
        }
        show_table(ui, "evaluations".into(), &table);
        let latest_report = shown.first().and_then(|(_, o)| o.evals.last());
        if let Some(report) = latest_report {
            ui.collapsing("Confusion matrices (latest evaluation, first seed)", |ui| {
                for (i, confusion) in confusion_tables(report).iter().enumerate() {
                    ui.label(confusion.title.as_deref().unwrap_or_default());
                    show_table(ui, format!("confusion {i}"), confusion);
                }
            });
        }
        let latest = latest_report.map(report_table);
        ui.horizontal(|ui| {
            for format in ["csv", "png", "svg"] {
                if ui.button(format!("Export table {}", format.to_uppercase())).clicked() {
                    let path = dir.join("figures").join(format!("evaluations.{format}"));
                    self.message = Some(save_figure(&path, |p| table.save(p, &PhiGuard::default())));
                }
            }
            if let Some(per_class) = &latest {
                if ui.button("Export per-class CSV").clicked() {
                    let path = dir.join("figures").join("per-class.csv");
                    self.message = Some(save_figure(&path, |p| per_class.save(p, &PhiGuard::default())));
                }
            }
            if self.unsaved.is_some() && ui.button("Save as…").clicked() {
                let chosen = rfd::FileDialog::new()
                    .set_title("Save the evaluation report")
                    .add_filter("JSON", &["json"])
                    .set_file_name("evaluation.json")
                    .save_file();
                if let Some(path) = chosen {
                    self.save_unsaved(&path);
                }
            }
        });
    }

    /// Saves the evaluation the run's disk refused to `path`; it stays in memory if this fails
    /// too.
    pub fn save_unsaved(&mut self, path: &Path) {
        let Some((_, report)) = &mut self.unsaved else { return };
        self.message = Some(match report.save_as(path) {
            Ok(()) => {
                self.unsaved = None;
                format!("evaluation saved in {}", path.display())
            }
            Err(e) => format!("{e:#}; the evaluation is still kept here"),
        });
    }

    fn evaluation_settings(&mut self, ui: &mut egui::Ui, dir: &Path) {
        let cfg = &mut self.eval_config;
        ui.horizontal_wrapped(|ui| {
            for protocol in Protocol::ALL {
                let mut on = cfg.protocols.contains(&protocol);
                if ui.checkbox(&mut on, protocol.id()).changed() {
                    cfg.protocols.retain(|p| *p != protocol);
                    if on {
                        cfg.protocols.push(protocol);
                    }
                }
            }
        });
        ui.horizontal(|ui| {
            budget_picker(ui, &mut cfg.budget);
            let mut seeds = cfg.seeds.len();
            ui.add(egui::DragValue::new(&mut seeds).range(1..=10).prefix("seeds: "));
            cfg.seeds = (0..seeds as u64).collect();
            let idle = self.evaluation.is_none();
            if ui.add_enabled(idle, egui::Button::new("Evaluate")).clicked() {
                let (dir, cfg) = (dir.to_owned(), cfg.clone());
                self.evaluation = Some(Job::spawn("evaluating…", ui.ctx(), move |reporter| {
                    let device = crate::device::DeviceChoice::Auto.resolve()?;
                    let progress = |what: &str, done: usize, total: usize| {
                        reporter.say(format!("evaluating: {what} ({done}/{total})"));
                        Ok(())
                    };
                    let mut report = crate::eval::evaluate(&dir, &cfg, device, &progress)?;
                    let unsaved = report.save(&dir).err().map(|e| format!("{e:#}"));
                    Ok((dir, report, unsaved))
                }));
            }
        });
        job::show_running(ui, &self.evaluation);
    }
}

fn show_table(ui: &mut egui::Ui, id: String, table: &Table) {
    egui::Grid::new(id).striped(true).show(ui, |ui| {
        for cell in &table.header {
            ui.strong(cell);
        }
        ui.end_row();
        for row in &table.rows {
            for cell in row {
                ui.label(cell);
            }
            ui.end_row();
        }
    });
}

fn budget_picker(ui: &mut egui::Ui, budget: &mut LabelBudget) {
    let choices = [LabelBudget::All]
        .into_iter()
        .chain([1, 5, 10, 25, 100].map(LabelBudget::PerClass))
        .chain([0.01, 0.1, 0.5].map(LabelBudget::Fraction));
    egui::ComboBox::from_label("labels").selected_text(budget_label(budget)).show_ui(ui, |ui| {
        for choice in choices {
            ui.selectable_value(budget, choice, budget_label(&choice));
        }
    });
}

/// Where the run's checkpoint stands, as the Resume button reads it.
fn checkpoint_line(dir: &Path, epochs: usize) -> String {
    match checkpoint::latest_good(&dir.join("checkpoints")) {
        Ok(c) => {
            let name = c.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let line = format!(
                "checkpoint: checkpoints/{name} after {} of {epochs} epochs ({} steps)",
                c.progress.epochs_done, c.progress.steps_done
            );
            c.note.map_or(line.clone(), |note| format!("{line}; {note}"))
        }
        Err(e) => format!("no checkpoint to resume from ({e:#})"),
    }
}

fn run_label(run: &RunSummary) -> String {
    let name = run.dir.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let epochs = match run.epochs_planned {
        Some(planned) => format!("{}/{planned} ep", run.epochs_done),
        None => format!("{} ep", run.epochs_done),
    };
    let knn = run.last_knn.map_or_else(String::new, |k| format!(" · kNN {:.1} %", k * 100.0));
    let broken = if run.error.is_some() { " · unreadable" } else { "" };
    format!("{name} · {epochs}{knn}{broken}")
}

fn series_is_per_epoch(shown: &[(&Path, &OpenedRun)], metric: &str) -> bool {
    shown.iter().any(|(_, o)| o.history.metrics.epochs.contains_key(metric))
}

fn file_stem(metric: &str) -> String {
    metric.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

/// Saves into the run's `figures/` folder, made on first use.
fn save_figure(path: &Path, save: impl FnOnce(&Path) -> anyhow::Result<()>) -> String {
    let made = path.parent().map_or(Ok(()), std::fs::create_dir_all);
    let result = made.map_err(anyhow::Error::from).and_then(|()| save(path));
    match result {
        Ok(()) => format!("saved {}", path.display()),
        Err(e) => format!("could not save {}: {e:#}", path.display()),
    }
}
