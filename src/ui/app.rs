//! The main window: a menu bar with the File menu and the tabs; under Train, settings on the
//! left, run controls and the dashboard in the centre; under Runs, the run browser; under
//! Viewer, the image viewer.
use super::dashboard::Dashboard;
use super::explain::ExplainPanel;
use super::runs::{RunsAction, RunsPanel};
use super::session::{Session, Status};
use super::settings::Settings;
use super::studio::{self, StudioPanel};
use super::viewer::{self, ViewerPanel};
use crate::train::Command;
use eframe::egui;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Train,
    Studio,
    Runs,
    Explain,
    Viewer,
}

pub struct WorkbenchApp {
    pub settings: Settings,
    pub session: Session,
    pub viewer: ViewerPanel,
    pub studio: StudioPanel,
    pub runs: RunsPanel,
    pub explain: ExplainPanel,
    pub tab: Tab,
    dashboard: Dashboard,
    runs_root: PathBuf,
    /// Start a run on the first frame (`medssl gui --start`).
    start_pending: bool,
}

/// Runs go under `$MEDSSL_RUNS`, or `runs/` in the working directory.
pub fn default_runs_root() -> PathBuf {
    std::env::var_os("MEDSSL_RUNS").map_or_else(|| PathBuf::from("runs"), PathBuf::from)
}

impl WorkbenchApp {
    pub fn new() -> Self {
        Self::with_settings(Settings::default(), default_runs_root(), false)
    }

    pub fn with_runs_root(runs_root: PathBuf) -> Self {
        Self::with_settings(Settings::default(), runs_root, false)
    }

    pub fn with_settings(settings: Settings, runs_root: PathBuf, start: bool) -> Self {
        Self {
            settings,
            session: Session::default(),
            viewer: ViewerPanel::default(),
            studio: StudioPanel::default(),
            runs: RunsPanel::new(runs_root.clone()),
            explain: ExplainPanel::default(),
            tab: Tab::Train,
            dashboard: Dashboard::default(),
            runs_root,
            start_pending: start,
        }
    }

    /// The whole window's content; also what the UI tests drive.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        if std::mem::take(&mut self.start_pending) {
            self.start(ui.ctx());
        }
        self.session.poll();
        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        let dropped = viewer::dropped_paths(ui.ctx());
        if !dropped.is_empty() {
            self.viewer.open_dropped(dropped);
            self.tab = Tab::Viewer;
        }
        match self.tab {
            Tab::Train => self.training(ui),
            Tab::Studio => {
                let slice = self
                    .viewer
                    .shown_slice()
                    .map(|s| studio::from_viewer(s, self.settings.config.data.image_size));
                self.studio.show(ui, &mut self.settings.config, slice);
            }
            Tab::Runs => match self.runs.show(ui) {
                Some(RunsAction::Resume(dir)) => {
                    self.session.resume(&dir, waker(ui.ctx()));
                    self.tab = Tab::Train;
                }
                Some(RunsAction::Explain(dir)) => {
                    self.explain.open(&dir, ui.ctx());
                    self.tab = Tab::Explain;
                }
                None => {}
            },
            Tab::Explain => {
                egui::CentralPanel::default().show(ui, |ui| {
                    let slice = self.viewer.shown_slice();
                    egui::ScrollArea::vertical().show(ui, |ui| self.explain.show(ui, slice));
                });
            }
            Tab::Viewer => self.viewer.show(ui),
        }
        viewer::drop_hint(ui.ctx());
        if self.session.is_active() {
            // Events wake the window; this only keeps the ETA ticking between them.
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(500));
        }
    }

    fn menu_bar(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                // The dialogs block this thread while open, as native dialogs do.
                if ui.button("Open file…").clicked() {
                    self.tab = Tab::Viewer;
                    self.viewer.open_file_dialog();
                }
                if ui.button("Open folder…").clicked() {
                    self.tab = Tab::Viewer;
                    self.viewer.open_folder_dialog();
                }
            });
            ui.separator();
            ui.selectable_value(&mut self.tab, Tab::Train, "Train");
            ui.selectable_value(&mut self.tab, Tab::Studio, "Augment");
            if ui.selectable_value(&mut self.tab, Tab::Runs, "Runs").clicked() {
                self.runs.refresh();
            }
            ui.selectable_value(&mut self.tab, Tab::Explain, "Explain");
            ui.selectable_value(&mut self.tab, Tab::Viewer, "Viewer");
            if let (Tab::Viewer, Some(path)) = (self.tab, self.viewer.training_path()) {
                ui.separator();
                let button =
                    ui.button("Train on this").on_hover_text(format!("use files:{}", path.display()));
                if button.clicked() {
                    self.settings.config.data.source = format!("files:{}", path.display());
                    self.tab = Tab::Train;
                }
            }
        });
    }

    fn training(&mut self, ui: &mut egui::Ui) {
        egui::Panel::left("settings").resizable(true).default_size(300.0).show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                self.settings.show(ui, !self.session.is_active());
                ui.separator();
                self.controls(ui);
            });
        });
        egui::CentralPanel::default().show(ui, |ui| self.dashboard.show(ui, &self.session));
    }

    fn controls(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let active = self.session.is_active();
            if ui.add_enabled(!active, egui::Button::new("Start")).clicked() {
                self.start(ui.ctx());
            }
            let paused = self.session.status == Status::Paused;
            let (label, command) =
                if paused { ("Resume", Command::Resume) } else { ("Pause", Command::Pause) };
            if ui.add_enabled(active, egui::Button::new(label)).clicked() {
                self.session.send(command);
            }
            if ui.add_enabled(active, egui::Button::new("Stop")).clicked() {
                self.session.send(Command::Stop);
            }
        });
    }
}

impl WorkbenchApp {
    fn start(&mut self, ctx: &egui::Context) {
        self.session.start(self.settings.config.clone(), &self.runs_root, waker(ctx));
    }
}

/// Repaints the window when a run's event arrives.
fn waker(ctx: &egui::Context) -> Arc<dyn Fn() + Send + Sync> {
    let ctx = ctx.clone();
    Arc::new(move || ctx.request_repaint())
}

impl Default for WorkbenchApp {
    fn default() -> Self {
        Self::new()
    }
}

impl eframe::App for WorkbenchApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}
