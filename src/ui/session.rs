//! One training session as the GUI sees it: the run handle and everything its events said,
//! kept apart from the drawing code.
use crate::train::diagnostics::Diagnostics;
use crate::train::{Command, Event, PreviewImage, Run, RunConfig, RunDir, RunHistory, RunOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Idle,
    Running,
    Paused,
    Finished { stopped_early: bool },
    Failed(String),
}

pub struct Session {
    run: Option<Run>,
    pub status: Status,
    pub device: String,
    pub run_dir: Option<PathBuf>,
    /// What the run said as it started (data notes, a damaged checkpoint passed over).
    pub notes: Vec<String>,
    /// What is being loaded before the first step, and how far along: (what, done, total).
    pub loading: Option<(String, usize, usize)>,
    pub step: usize,
    pub total_steps: usize,
    pub images_per_s: f64,
    pub eta_s: f64,
    /// (step, loss) for every step.
    pub loss: Vec<[f64; 2]>,
    /// Each method-specific per-step scalar, by name.
    pub step_metrics: BTreeMap<String, Vec<[f64; 2]>>,
    /// (epoch, accuracy in %), epoch 0 being the untrained encoder.
    pub knn: Vec<[f64; 2]>,
    pub epoch_metrics: BTreeMap<String, f64>,
    pub preview: Vec<(String, Vec<PreviewImage>)>,
    /// Bumped whenever `preview` changes, so the view re-uploads its textures only then.
    pub preview_version: u64,
    /// The latest look at a two-view method's embeddings, and its step.
    pub diagnostics: Option<(usize, Diagnostics)>,
}

impl Default for Session {
    fn default() -> Self {
        Self {
            run: None,
            status: Status::Idle,
            device: String::new(),
            run_dir: None,
            notes: Vec::new(),
            loading: None,
            step: 0,
            total_steps: 0,
            images_per_s: 0.0,
            eta_s: 0.0,
            loss: Vec::new(),
            step_metrics: BTreeMap::new(),
            knn: Vec::new(),
            epoch_metrics: BTreeMap::new(),
            preview: Vec::new(),
            preview_version: 0,
            diagnostics: None,
        }
    }
}

impl Session {
    pub fn is_active(&self) -> bool {
        matches!(self.status, Status::Running | Status::Paused)
    }

    /// Starts a run in a new directory under `runs_root`; `waker` is called on every event.
    pub fn start(&mut self, config: RunConfig, runs_root: &Path, waker: Arc<dyn Fn() + Send + Sync>) {
        *self = Session::default();
        let dir = RunDir::unique_path(runs_root, config.method.info().id);
        let options = RunOptions { keep_one_core_free: true, waker: Some(waker), method_factory: None };
        match Run::start(config, &dir, options) {
            Ok(run) => {
                self.run = Some(run);
                self.status = Status::Running;
                self.run_dir = Some(dir);
            }
            Err(e) => self.status = Status::Failed(format!("{e:#}")),
        }
    }

    /// Continues the stopped run in `dir`, its curves so far drawn from its metrics.
    pub fn resume(&mut self, dir: &Path, waker: Arc<dyn Fn() + Send + Sync>) {
        *self = Session::default();
        if let Ok(history) = RunHistory::read(dir) {
            let mut steps = history.metrics.steps;
            self.loss = steps.remove("loss").unwrap_or_default();
            steps.remove("lr");
            self.step_metrics = steps;
            self.knn = history.metrics.epochs.get("knn_accuracy").map_or_else(Vec::new, |points| {
                points.iter().map(|[epoch, accuracy]| [*epoch, accuracy * 100.0]).collect()
            });
        }
        let options = RunOptions { keep_one_core_free: true, waker: Some(waker), method_factory: None };
        match Run::resume(dir, options) {
            Ok(run) => {
                self.run = Some(run);
                self.status = Status::Running;
                self.run_dir = Some(dir.to_owned());
            }
            Err(e) => self.status = Status::Failed(format!("{e:#}")),
        }
    }

    pub fn send(&self, command: Command) {
        if let Some(run) = &self.run {
            run.send(command);
        }
    }

    /// Applies the events that arrived since the last frame.
    pub fn poll(&mut self) {
        let events = self.run.as_ref().map(Run::poll).unwrap_or_default();
        for event in events {
            self.apply(event);
        }
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Loading { what, done, total } => self.loading = Some((what, done, total)),
            Event::Started { run_dir, device, total_steps, first_step, notes, .. } => {
                self.loading = None;
                self.notes = notes;
                self.run_dir = Some(run_dir);
                self.device = device;
                self.total_steps = total_steps;
                self.step = first_step;
            }
            Event::Step(r) => {
                self.step = r.step + 1;
                self.images_per_s = r.images_per_s;
                self.eta_s = r.eta_s;
                self.loss.push([r.step as f64, r.loss]);
                for (name, v) in r.metrics {
                    self.step_metrics.entry(name).or_default().push([r.step as f64, v]);
                }
            }
            Event::Epoch(r) => {
                if let Some(knn) = r.knn_accuracy {
                    self.knn.push([r.epoch as f64, knn * 100.0]);
                }
                self.epoch_metrics = r.metrics.into_iter().collect();
            }
            Event::Preview { rows, .. } => {
                self.preview = rows;
                self.preview_version += 1;
            }
            Event::Diagnostics { step, diagnostics } => self.diagnostics = Some((step, diagnostics)),
            Event::Checkpoint { .. } => {}
            Event::Paused => self.status = Status::Paused,
            Event::Resumed => self.status = Status::Running,
            Event::Finished { stopped_early, .. } => self.status = Status::Finished { stopped_early },
            Event::Failed { message } => self.status = Status::Failed(message),
        }
    }
}
