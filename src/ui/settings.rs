//! The run settings form: dataset, method, key hyper-parameters and device, editing a
//! `RunConfig` that starts from the method's shipped preset.
use crate::data::builtin::BuiltinKind;
use crate::data::files::{Axis, FileOptions, Layout, Normalize};
use crate::data::{DataConfig, DataSource};
use crate::device::DeviceChoice;
use crate::nn::{Depth, EncoderConfig};
use crate::train::{builtin_presets, OptimConfig, Preset, RunConfig, TrainConfig};
use crate::ui::params::param_ui;
use eframe::egui::{self, DragValue};

pub struct Settings {
    presets: Vec<Preset>,
    preset: usize,
    variant: String,
    pub config: RunConfig,
}

impl Default for Settings {
    fn default() -> Self {
        let presets = builtin_presets();
        let variant = presets[0].default_variant.clone();
        let config = presets[0].variant(None).expect("the default variant exists");
        Self { presets, preset: 0, variant, config }
    }
}

impl Settings {
    /// The form opened on `preset` (a shipped one of the same name is replaced by it).
    pub fn with_preset(preset: Preset, variant: Option<&str>) -> anyhow::Result<Self> {
        let config = preset.variant(variant)?;
        let variant = variant.unwrap_or(&preset.default_variant).to_string();
        let mut presets = builtin_presets();
        let index = match presets.iter().position(|p| p.name == preset.name) {
            Some(i) => {
                presets[i] = preset;
                i
            }
            None => {
                presets.push(preset);
                presets.len() - 1
            }
        };
        Ok(Self { presets, preset: index, variant, config })
    }

    /// Draws the form; `enabled` is false while a run is active.
    pub fn show(&mut self, ui: &mut egui::Ui, enabled: bool) {
        ui.add_enabled_ui(enabled, |ui| {
            ui.heading("SSL method");
            self.method_picker(ui);
            ui.separator();
            ui.heading("Data");
            self.data_form(ui);
            ui.separator();
            ui.heading("Training");
            self.training_form(ui);
        });
    }

    fn method_picker(&mut self, ui: &mut egui::Ui) {
        let mut chosen = (self.preset, self.variant.clone());
        // Unbounded height (the window still bounds it): every method in view, none scrolled away.
        egui::ComboBox::from_label("Method")
            .selected_text(&self.presets[self.preset].name)
            .height(f32::INFINITY)
            .show_ui(ui, |ui| {
                for (i, p) in self.presets.iter().enumerate() {
                    ui.selectable_value(&mut chosen, (i, p.default_variant.clone()), &p.name);
                }
            });
        egui::ComboBox::from_label("Preset").selected_text(&self.variant).show_ui(ui, |ui| {
            for v in self.presets[chosen.0].variants.keys() {
                ui.selectable_value(&mut chosen.1, v.clone(), v);
            }
        });
        if chosen != (self.preset, self.variant.clone()) {
            (self.preset, self.variant) = chosen;
            self.config = self.presets[self.preset].variant(Some(&self.variant)).expect("listed variant");
        }
        let info = self.config.method.info();
        // The summary is what a student reads to choose: full size, wrapped, set apart.
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.add(egui::Label::new(info.summary).wrap());
        });
        let labels = if info.needs_labels { "needs labels" } else { "no labels needed" };
        let facts = format!("{} · {labels} · source: {}", info.family, info.source);
        ui.label(egui::RichText::new(facts).small().weak());
        self.method_params(ui);
    }

    /// The chosen method's own settings (temperature, queue, momentum...), one control each.
    fn method_params(&mut self, ui: &mut egui::Ui) {
        let params = self.config.method.params();
        if params.is_empty() {
            return;
        }
        ui.label(egui::RichText::new("Method parameters").strong());
        ui.push_id("method params", |ui| {
            for param in params {
                param_ui(ui, param);
            }
        });
    }

    fn data_form(&mut self, ui: &mut egui::Ui) {
        let data = &mut self.config.data;
        let current = DataSource::parse(&data.source).ok();
        egui::ComboBox::from_label("Dataset")
            .selected_text(match current {
                Some(DataSource::Builtin(k)) => k.display_name(),
                Some(DataSource::Files(_)) => "Files on disk",
                None => "?",
            })
            .show_ui(ui, |ui| {
                for kind in BuiltinKind::ALL {
                    let id = DataSource::Builtin(kind).id();
                    ui.selectable_value(&mut data.source, id, kind.display_name());
                }
                let on_files = matches!(current, Some(DataSource::Files(_)));
                if ui.selectable_label(on_files, "Files on disk").clicked() && !on_files {
                    data.source = "files:.".into();
                }
            });
        match &current {
            Some(DataSource::Builtin(kind)) => {
                // What the kNN monitor measures; training itself never sees these labels.
                let classes = format!("classes (for kNN only): {}", kind.class_names().join(", "));
                ui.label(egui::RichText::new(classes).small().weak());
            }
            Some(DataSource::Files(path)) => files_form(ui, data, path),
            None => {}
        }
        egui::Grid::new("data").num_columns(2).show(ui, |ui| {
            row(
                ui,
                "Image size",
                DragValue::new(&mut data.image_size)
                    .range(DataConfig::IMAGE_SIZE.control_span())
                    .suffix(" px"),
            );
            row(
                ui,
                "Training images",
                DragValue::new(&mut data.train_count).range(DataConfig::TRAIN_COUNT.control_span()),
            );
            row(
                ui,
                "Held-out images",
                DragValue::new(&mut data.heldout_count).range(DataConfig::HELDOUT_COUNT.control_span()),
            );
        });
    }

    fn training_form(&mut self, ui: &mut egui::Ui) {
        let c = &mut self.config;
        egui::Grid::new("training").num_columns(2).show(ui, |ui| {
            row(ui, "Epochs", DragValue::new(&mut c.train.epochs).range(TrainConfig::EPOCHS.control_span()));
            row(
                ui,
                "Batch size",
                DragValue::new(&mut c.train.batch_size).range(TrainConfig::BATCH_SIZE.control_span()),
            );
            row(
                ui,
                "Learning rate",
                DragValue::new(&mut c.optim.lr)
                    .range(OptimConfig::LR.control_span())
                    .speed(1e-4)
                    .max_decimals(6),
            );
            choice_row(ui, "Architecture", &mut c.encoder.arch, Depth::ALL, Depth::id);
            row(
                ui,
                "Width",
                DragValue::new(&mut c.encoder.width).range(EncoderConfig::WIDTH.control_span()).speed(0.01),
            );
            choice_row(ui, "Device", &mut c.device, DeviceChoice::ALL, DeviceChoice::label);
        });
        let gpu = if tch::Cuda::is_available() { "a CUDA GPU is available" } else { "no GPU seen: CPU" };
        ui.label(egui::RichText::new(format!("libtorch: {gpu}")).small().weak());
    }
}

/// Where a `files:` source is and how it is read (the rest of `FileOptions` is in the run's
/// TOML; the viewer's "Train on this" fills the path).
fn files_form(ui: &mut egui::Ui, data: &mut DataConfig, path: &std::path::Path) {
    let options = &mut data.files;
    egui::Grid::new("files").num_columns(2).show(ui, |ui| {
        let mut text = path.display().to_string();
        let label = ui.label("Path");
        if ui.text_edit_singleline(&mut text).labelled_by(label.id).changed() {
            data.source = format!("files:{text}");
        }
        ui.end_row();
        choice_row(ui, "Layout", &mut options.layout, Layout::ALL, Layout::label);
        choice_row(ui, "Slice axis", &mut options.axis, [Axis::X, Axis::Y, Axis::Z], Axis::name);
        row(ui, "Tile size (0: whole)", DragValue::new(&mut options.tile_size).range(0..=8192).suffix(" px"));
        row(
            ui,
            "Min. tissue",
            DragValue::new(&mut options.min_tissue).range(FileOptions::MIN_TISSUE.control_span()).speed(0.01),
        );
        choice_row(ui, "Intensities", &mut options.normalize, Normalize::ALL, Normalize::label);
    });
}

/// A grid row: a label, and a widget that screen readers (and UI tests) know by that label.
fn row(ui: &mut egui::Ui, label: &str, widget: impl egui::Widget) {
    let label = ui.label(label);
    ui.add(widget).labelled_by(label.id);
    ui.end_row();
}

/// A grid row with a drop-down of `options`, shown by `name`.
fn choice_row<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut T,
    options: impl IntoIterator<Item = T>,
    name: fn(T) -> &'static str,
) {
    let label = ui.label(label);
    egui::ComboBox::from_id_salt(label.id)
        .selected_text(name(*value))
        .show_ui(ui, |ui| {
            for option in options {
                ui.selectable_value(value, option, name(option));
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
}
