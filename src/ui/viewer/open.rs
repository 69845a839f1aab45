//! Opening files: the native dialogs, a typed path for systems without a dialog service,
//! dropped files, then finding what a path holds, letting the user pick a series or a volume
//! of a 4D file, and loading it, all off the UI thread.
use super::loader::{Task, Waker};
use super::prepared::Prepared;
use crate::io::{self, Discovery, Found, Skipped};
use eframe::egui::{self, Color32, RichText};
use std::path::PathBuf;
use std::sync::Arc;

enum Job {
    Discovering(Task<Discovery>),
    Loading(Task<Prepared>),
}

#[derive(Default)]
pub struct Opening {
    /// The fallback path field's text, as the user typed it.
    path_text: String,
    /// A path asked for outside a frame (menu, drop, API); started on the next frame.
    pending: Option<PathBuf>,
    job: Option<Job>,
    /// What the last opened path holds, kept to switch series or volume without searching again.
    choices: Vec<Found>,
    /// Files of the last opened folder that hold nothing loadable, with the reason.
    skipped: Vec<Skipped>,
    chosen: usize,
    volume_index: usize,
    message: Option<(String, bool)>,
}

const NO_DIALOG_HINT: &str = "No file was chosen. If no dialog appeared, this system has no file \
    chooser service (xdg-desktop-portal): type the path in the field above and press Open, or drop \
    the file or folder onto the window.";

impl Opening {
    /// What the picker has chosen among the last opened path's contents.
    pub fn chosen(&self) -> Option<&Found> {
        self.choices.get(self.chosen)
    }

    pub fn request(&mut self, path: PathBuf) {
        self.pending = Some(path);
        self.message = None;
    }

    /// Several dropped items: a series dropped as files is best opened as its folder.
    pub fn request_dropped(&mut self, mut paths: Vec<PathBuf>) {
        let count = paths.len();
        if count == 0 {
            return;
        }
        self.request(paths.swap_remove(0));
        if count > 1 {
            self.inform(format!(
                "{count} items dropped: opening the first. Drop their folder to see all of them."
            ));
        }
    }

    pub fn pick_file(&mut self) {
        let dialog = rfd::FileDialog::new().set_title("Open a DICOM file, NIfTI volume, image or .npz");
        self.opened_from_dialog(dialog.pick_file());
    }

    pub fn pick_folder(&mut self) {
        let dialog = rfd::FileDialog::new().set_title("Open a folder of DICOM files or images");
        self.opened_from_dialog(dialog.pick_folder());
    }

    /// rfd answers None both for a cancelled dialog and for a system with no dialog service.
    fn opened_from_dialog(&mut self, path: Option<PathBuf>) {
        match path {
            Some(path) => self.request(path),
            None => self.inform(NO_DIALOG_HINT.into()),
        }
    }

    pub fn is_busy(&self) -> bool {
        self.job.is_some() || self.pending.is_some()
    }

    fn inform(&mut self, text: String) {
        self.message = Some((text, false));
    }

    pub fn fail(&mut self, error: anyhow::Error) {
        self.message = Some((format!("{error:#}"), true));
    }

    /// Starts what was asked for and collects what ended; returns a volume ready to show.
    pub fn poll(&mut self, ctx: &egui::Context) -> Option<Prepared> {
        let waker: Waker = {
            let ctx = ctx.clone();
            Arc::new(move || ctx.request_repaint())
        };
        if let Some(path) = self.pending.take() {
            self.choices.clear();
            self.skipped.clear();
            self.job = Some(Job::Discovering(Task::spawn(waker.clone(), move |p| io::discover(&path, p))));
        }
        match self.job.as_ref()? {
            Job::Discovering(task) => {
                let found = task.take_result()?;
                self.job = None;
                match found {
                    Ok(found) => {
                        self.choices = found.found;
                        self.skipped = found.skipped;
                        (self.chosen, self.volume_index) = (0, 0);
                        if self.choices.len() == 1 {
                            self.load_chosen(waker);
                        } else {
                            self.inform(format!("{} series or images found: pick one.", self.choices.len()));
                        }
                    }
                    Err(e) => self.fail(e),
                }
                None
            }
            Job::Loading(task) => {
                let loaded = task.take_result()?;
                self.job = None;
                match loaded {
                    Ok(prepared) => Some(prepared),
                    Err(e) => {
                        self.fail(e);
                        None
                    }
                }
            }
        }
    }

    fn load_chosen(&mut self, waker: Waker) {
        let Some(found) = self.choices.get(self.chosen) else { return };
        let source = found.with_volume(self.volume_index.min(found.volumes.saturating_sub(1)));
        self.message = None;
        self.job = Some(Job::Loading(Task::spawn(waker, move |p| {
            let volume = io::load(&source, p)?;
            p("preparing the display", 0, 1)?;
            Ok(Prepared::new(volume))
        })));
    }

    /// The path field, progress with Cancel, messages, and the series/volume picker.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let label = ui.label("Path");
            let field = ui.add(
                egui::TextEdit::singleline(&mut self.path_text)
                    .hint_text("file or folder")
                    .desired_width(ui.available_width() - 60.0),
            );
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            field.labelled_by(label.id);
            let open = ui.add_enabled(!self.path_text.trim().is_empty(), egui::Button::new("Open"));
            if entered || open.clicked() {
                self.request(PathBuf::from(self.path_text.trim()));
            }
        });
        if let Some((what, done, total)) = self.progress() {
            ui.horizontal(|ui| {
                let fraction = if total > 0 { done as f32 / total as f32 } else { 0.0 };
                let text = if total > 0 { format!("{what}: {done}/{total}") } else { what };
                ui.add(
                    egui::ProgressBar::new(fraction).text(text).desired_width(ui.available_width() - 70.0),
                );
                if ui.button("Cancel").clicked() {
                    self.cancel();
                }
            });
        }
        if let Some((text, is_error)) = &self.message {
            let color = if *is_error { Color32::LIGHT_RED } else { ui.visuals().text_color() };
            ui.label(RichText::new(text).color(color));
        }
        self.picker(ui);
        if !self.skipped.is_empty() {
            egui::CollapsingHeader::new(format!("{} files skipped", self.skipped.len()))
                .id_salt("viewer-skipped")
                .show(ui, |ui| {
                    for s in &self.skipped {
                        let name = s.path.file_name().unwrap_or_default().to_string_lossy();
                        ui.label(RichText::new(format!("{name}: {}", s.reason)).small())
                            .on_hover_text(s.path.display().to_string());
                    }
                });
        }
    }

    fn progress(&self) -> Option<(String, usize, usize)> {
        let (verb, task_progress) = match self.job.as_ref()? {
            Job::Discovering(t) => ("Searching", t.progress()),
            Job::Loading(t) => ("Loading", t.progress()),
        };
        Some(
            task_progress.map_or((verb.to_string(), 0, 0), |(what, done, total)| {
                (format!("{verb} {what}"), done, total)
            }),
        )
    }

    /// Drops the job at once: loaders that report progress stop at their next report, the
    /// others finish unseen and their result is discarded.
    fn cancel(&mut self) {
        match self.job.take() {
            Some(Job::Discovering(t)) => t.cancel(),
            Some(Job::Loading(t)) => t.cancel(),
            None => {}
        }
        self.inform("Cancelled.".into());
    }

    fn picker(&mut self, ui: &mut egui::Ui) {
        let Some(current) = self.choices.get(self.chosen) else { return };
        if self.choices.len() < 2 && current.volumes < 2 {
            return;
        }
        let mut chosen = self.chosen;
        let label = ui.label("Series");
        egui::ComboBox::from_id_salt("viewer-series")
            .selected_text(&current.label)
            .width(ui.available_width())
            .show_ui(ui, |ui| {
                for (i, found) in self.choices.iter().enumerate() {
                    ui.selectable_value(&mut chosen, i, &found.label);
                }
            })
            .response
            .labelled_by(label.id);
        if chosen != self.chosen {
            (self.chosen, self.volume_index) = (chosen, 0);
        }
        let volumes = self.choices[self.chosen].volumes;
        if volumes > 1 {
            let label = ui.label(format!("Volume (of {volumes})"));
            ui.add(egui::Slider::new(&mut self.volume_index, 0..=volumes - 1)).labelled_by(label.id);
        }
        if ui.add_enabled(self.job.is_none(), egui::Button::new("Load")).clicked() {
            let ctx = ui.ctx().clone();
            self.load_chosen(Arc::new(move || ctx.request_repaint()));
        }
    }
}

/// Paths of the files and folders dropped on the window this frame.
pub fn dropped_paths(ctx: &egui::Context) -> Vec<PathBuf> {
    ctx.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).collect())
}

/// While files are dragged over the window, says what dropping them does.
pub fn drop_hint(ctx: &egui::Context) {
    if ctx.input(|i| i.raw.hovered_files.is_empty()) {
        return;
    }
    let layer = egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("drop-hint"));
    let painter = ctx.layer_painter(layer);
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, Color32::from_black_alpha(170));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop to open in the viewer",
        egui::FontId::proportional(24.0),
        Color32::WHITE,
    );
}
