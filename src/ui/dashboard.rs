//! The training dashboard: status, progress, live curves and what the model receives.
use super::diagnostics;
use super::session::{Session, Status};
use eframe::egui::{self, Color32, ColorImage, TextureHandle, TextureOptions};
use egui_plot::{Legend, Line, Plot, Points};

#[derive(Default)]
pub struct Dashboard {
    /// Uploaded preview rows, and the session's preview version they show.
    textures: Vec<(String, Vec<TextureHandle>)>,
    shown_version: u64,
}

impl Dashboard {
    /// Scrolls, since the embedding diagnostics and previews can outgrow the window.
    pub fn show(&mut self, ui: &mut egui::Ui, s: &Session) {
        egui::ScrollArea::vertical().show(ui, |ui| self.contents(ui, s));
    }

    fn contents(&mut self, ui: &mut egui::Ui, s: &Session) {
        status_line(ui, s);
        progress(ui, s);
        ui.columns(2, |cols| {
            Plot::new("loss").height(260.0).legend(Legend::default()).x_axis_label("step").show(
                &mut cols[0],
                |plot| {
                    plot.line(Line::new("loss", s.loss.clone()));
                    for (name, points) in &s.step_metrics {
                        plot.line(Line::new(name.clone(), points.clone()));
                    }
                },
            );
            Plot::new("knn")
                .height(260.0)
                .legend(Legend::default())
                .x_axis_label("epoch")
                .y_axis_label("kNN accuracy (%)")
                .show(&mut cols[1], |plot| {
                    // Markers too: until epoch 1 ends there is a single point, which no line shows.
                    let name = "held-out kNN accuracy";
                    let color = Color32::from_rgb(90, 170, 255);
                    plot.line(Line::new(name, s.knn.clone()).color(color));
                    plot.points(Points::new(name, s.knn.clone()).radius(3.0).color(color));
                });
        });
        if !s.epoch_metrics.is_empty() {
            ui.horizontal_wrapped(|ui| {
                for (name, v) in &s.epoch_metrics {
                    ui.label(format!("{name}: {v:.4}"));
                }
            });
        }
        if let Some((step, d)) = &s.diagnostics {
            ui.separator();
            diagnostics::show(ui, *step, d);
        }
        ui.separator();
        self.previews(ui, s);
    }

    fn previews(&mut self, ui: &mut egui::Ui, s: &Session) {
        if self.shown_version != s.preview_version {
            self.textures = s
                .preview
                .iter()
                .enumerate()
                .map(|(r, (label, images))| {
                    let handles = images
                        .iter()
                        .enumerate()
                        .map(|(i, img)| {
                            let color = ColorImage::from_rgb([img.width, img.height], &img.rgb);
                            ui.ctx().load_texture(format!("preview-{r}-{i}"), color, TextureOptions::NEAREST)
                        })
                        .collect();
                    (label.clone(), handles)
                })
                .collect();
            self.shown_version = s.preview_version;
        }
        ui.label("What the model receives (refreshed during training):");
        egui::Grid::new("previews").show(ui, |ui| {
            for (label, handles) in &self.textures {
                ui.label(label);
                for t in handles {
                    ui.image((t.id(), egui::vec2(96.0, 96.0)));
                }
                ui.end_row();
            }
        });
    }
}

fn status_line(ui: &mut egui::Ui, s: &Session) {
    let (text, color) = match &s.status {
        Status::Idle => ("Ready. Choose a method and press Start.".to_string(), ui.visuals().text_color()),
        Status::Running => (format!("Training on {}", s.device), Color32::LIGHT_GREEN),
        Status::Paused => ("Paused".to_string(), Color32::YELLOW),
        Status::Finished { stopped_early: false } => ("Finished".to_string(), Color32::LIGHT_BLUE),
        Status::Finished { stopped_early: true } => {
            ("Stopped; checkpoint saved".to_string(), Color32::LIGHT_BLUE)
        }
        Status::Failed(m) => (format!("Failed: {m}"), Color32::LIGHT_RED),
    };
    ui.colored_label(color, text);
    for note in &s.notes {
        ui.colored_label(Color32::YELLOW, note);
    }
    if let Some(dir) = &s.run_dir {
        ui.label(egui::RichText::new(format!("Run directory: {}", dir.display())).small().weak());
    }
}

fn progress(ui: &mut egui::Ui, s: &Session) {
    if let Some((what, done, total)) = &s.loading {
        let fraction = *done as f32 / (*total).max(1) as f32;
        ui.add(egui::ProgressBar::new(fraction).text(format!("loading {what}: {done}/{total} images")));
        return;
    }
    let fraction = if s.total_steps > 0 { s.step as f32 / s.total_steps as f32 } else { 0.0 };
    let text = if s.total_steps > 0 {
        format!(
            "step {}/{} · {:.0} images/s · ETA {}",
            s.step,
            s.total_steps,
            s.images_per_s,
            format_duration(s.eta_s)
        )
    } else {
        String::from("no run yet")
    };
    ui.add(egui::ProgressBar::new(fraction).text(text));
}

fn format_duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s % 3600 / 60)
    } else {
        format!("{}m{:02}s", s / 60, s % 60)
    }
}
