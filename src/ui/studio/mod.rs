//! The augmentation studio: the method's pipelines, edited with controls generated from each
//! op's parameters, previewed on a chosen image as a grid of the views the model would receive
//! (pairs side by side), with one sample shown after each step. It edits the Train tab's
//! `RunConfig`, so what is tuned here is what trains.
mod controls;
mod render;
mod source;

pub use render::Rendered;
pub use source::{from_viewer, Picked, Source};

use crate::augment::preview::PreviewRequest;
use crate::augment::{recipes, Pipeline};
use crate::data::builtin::BuiltinKind;
use crate::train::{Preset, PreviewImage, RunConfig};
use eframe::egui::{self, ColorImage, TextureHandle, TextureOptions};
use render::{Job, Renderer};
use source::{BuiltinCache, BUILTIN_SAMPLES};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Images drawn as this many points wide.
const THUMB: f32 = 112.0;

pub struct StudioPanel {
    pub source: Source,
    pub sample: usize,
    pub seed: u64,
    /// Unlocked, every change draws a new seed.
    pub lock_seed: bool,
    /// Samples per view.
    pub samples: i64,
    /// Which of the method's pipelines the controls edit.
    pub editing: usize,
    pub preset_path: String,
    /// The last render shown, for tests and the textures.
    pub shown: Option<Rendered>,
    pub message: Option<String>,
    builtin: BuiltinCache,
    renderer: Renderer,
    /// What the last submitted render was made of, so only changes trigger one.
    submitted: Option<String>,
    next_id: u64,
    textures: Vec<(String, Vec<TextureHandle>)>,
}

impl Default for StudioPanel {
    fn default() -> Self {
        Self {
            source: Source::Builtin(BuiltinKind::Ct),
            sample: 0,
            seed: 0,
            lock_seed: true,
            samples: 4,
            editing: 0,
            preset_path: "presets/studio.toml".into(),
            shown: None,
            message: None,
            builtin: BuiltinCache::default(),
            renderer: Renderer::default(),
            submitted: None,
            next_id: 0,
            textures: Vec::new(),
        }
    }
}

impl StudioPanel {
    /// The whole tab; `viewer_slice` is the viewer's current slice, if one is open.
    pub fn show(&mut self, ui: &mut egui::Ui, config: &mut RunConfig, viewer_slice: Option<Picked>) {
        if let Some(result) = self.renderer.poll() {
            match result {
                Ok(rendered) => {
                    self.textures = upload(ui.ctx(), &rendered);
                    self.shown = Some(rendered);
                }
                Err(e) => self.message = Some(format!("the preview failed: {e}")),
            }
        }
        let picked = self.pick(config.data.image_size, viewer_slice);
        egui::Panel::left("studio-controls").resizable(true).default_size(340.0).show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| self.controls(ui, config, picked.as_ref()));
        });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::both().show(ui, |ui| self.previews(ui, picked.as_ref()));
        });
        if let Some(picked) = picked {
            self.request(ui.ctx(), config, picked);
        }
    }

    fn pick(&mut self, size: i64, viewer_slice: Option<Picked>) -> Option<Picked> {
        let picked = match self.source {
            Source::Builtin(kind) => self.builtin.pick(kind, self.sample, size).map_err(|e| format!("{e:#}")),
            Source::Viewer => viewer_slice.ok_or_else(|| "open an image in the Viewer tab first".to_string()),
        };
        picked.map_err(|e| self.message = Some(e)).ok()
    }

    fn controls(&mut self, ui: &mut egui::Ui, config: &mut RunConfig, picked: Option<&Picked>) {
        ui.heading("Image");
        egui::ComboBox::from_label("Source")
            .selected_text(match self.source {
                Source::Builtin(k) => k.display_name(),
                Source::Viewer => "Viewer's slice",
            })
            .show_ui(ui, |ui| {
                for kind in BuiltinKind::ALL {
                    ui.selectable_value(&mut self.source, Source::Builtin(kind), kind.display_name());
                }
                ui.selectable_value(&mut self.source, Source::Viewer, "Viewer's slice");
            });
        if let Source::Builtin(_) = self.source {
            ui.add(egui::Slider::new(&mut self.sample, 0..=BUILTIN_SAMPLES - 1).text("sample"));
        }
        ui.add(egui::Slider::new(&mut self.samples, 1..=16).text("samples per view"));
        ui.horizontal(|ui| {
            let label = ui.label("Seed");
            ui.add(egui::DragValue::new(&mut self.seed)).labelled_by(label.id);
            if ui.button("Re-roll").clicked() {
                self.seed =
                    self.seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) >> 1;
            }
            ui.checkbox(&mut self.lock_seed, "Lock seed");
        });
        ui.separator();
        let method = config.method.info().name;
        ui.heading(format!("{method}'s augmentations"));
        self.recipes_ui(ui, config);
        let traits = picked.map(|p| p.traits);
        let mut augmentations = config.method.augmentations_mut();
        let names: Vec<&str> = augmentations.pipelines.iter().map(|(n, _)| *n).collect();
        self.editing = self.editing.min(names.len() - 1);
        if names.len() > 1 {
            ui.horizontal(|ui| {
                for (i, name) in names.iter().enumerate() {
                    ui.selectable_value(&mut self.editing, i, *name);
                }
            });
        }
        let pipeline: &mut Pipeline = augmentations.pipelines[self.editing].1;
        let cautions = traits.map(|t| pipeline.cautions(&t)).unwrap_or_default();
        if controls::pipeline_ui(ui, names[self.editing], pipeline, &cautions) && !self.lock_seed {
            self.seed = self.seed.wrapping_add(1);
        }
        for problem in pipeline.problems(2) {
            ui.colored_label(egui::Color32::LIGHT_RED, problem);
        }
        ui.separator();
        self.presets_ui(ui, config);
    }

    /// A recipe replaces the pipelines; a two-view method may give view 2 its own pipeline.
    fn recipes_ui(&mut self, ui: &mut egui::Ui, config: &mut RunConfig) {
        ui.horizontal(|ui| {
            ui.menu_button("Start from a recipe", |ui| {
                for recipe in recipes::all() {
                    if ui.button(recipe.name).on_hover_text(recipe.source).clicked() {
                        config.method.set_views(recipe.views);
                        self.editing = 0;
                        ui.close();
                    }
                }
            });
            if let Some(views) = config.method.views_mut() {
                let mut separate = views.second.is_some();
                if ui.checkbox(&mut separate, "View 2 has its own pipeline").changed() {
                    views.second = separate.then(|| views.first.clone());
                    self.editing = 0;
                }
            }
        });
    }

    /// Save the run configuration, pipelines included, as a preset; or load one's back.
    fn presets_ui(&mut self, ui: &mut egui::Ui, config: &mut RunConfig) {
        ui.heading("Preset");
        ui.horizontal(|ui| {
            let label = ui.label("File");
            ui.text_edit_singleline(&mut self.preset_path).labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            let path = PathBuf::from(&self.preset_path);
            if ui.button("Save to preset").clicked() {
                self.message = Some(match save_preset(&path, config) {
                    Ok(()) => format!("saved to {}", path.display()),
                    Err(e) => format!("{e:#}"),
                });
            }
            if ui.button("Load from preset").clicked() {
                self.message = Some(match load_preset(&path, config) {
                    Ok(()) => format!("loaded the augmentations of {}", path.display()),
                    Err(e) => format!("{e:#}"),
                });
            }
        });
        if let Some(m) = &self.message {
            ui.label(egui::RichText::new(m).small());
        }
    }

    fn previews(&mut self, ui: &mut egui::Ui, picked: Option<&Picked>) {
        let Some(picked) = picked else {
            return;
        };
        ui.label(format!("{}: {} samples of each view, seed {}", picked.name, self.samples, self.seed));
        let rows = self.textures.iter().filter(|(name, _)| name != STRIP).collect::<Vec<_>>();
        let samples = rows.first().map_or(0, |(_, t)| t.len());
        egui::Grid::new("studio-grid").spacing([12.0, 8.0]).show(ui, |ui| {
            for (name, _) in &rows {
                ui.label(name);
            }
            ui.end_row();
            for i in 0..samples {
                // A sample's views side by side: the pairs the model compares.
                for (_, textures) in &rows {
                    ui.image((textures[i].id(), egui::vec2(THUMB, THUMB)));
                }
                ui.end_row();
            }
        });
        ui.separator();
        ui.label("Sample 1 of the first view after each step:");
        if let (Some(shown), Some((_, strip))) = (&self.shown, self.textures.iter().find(|(n, _)| n == STRIP))
        {
            ui.horizontal_wrapped(|ui| {
                for ((name, _), texture) in shown.strip.iter().zip(strip) {
                    ui.vertical(|ui| {
                        ui.image((texture.id(), egui::vec2(THUMB, THUMB)));
                        ui.label(egui::RichText::new(name).small());
                    });
                }
            });
        }
    }

    /// Submits a render when anything it depends on changed since the last one.
    fn request(&mut self, ctx: &egui::Context, config: &mut RunConfig, picked: Picked) {
        let augmentations = config.method.augmentations_mut();
        let views: Vec<Pipeline> =
            augmentations.views.iter().map(|(_, i)| augmentations.pipelines[*i].1.clone()).collect();
        if views.iter().any(|v| !v.problems(2).is_empty()) {
            return;
        }
        let key = format!("{}|{}|{}|{:?}", picked.name, self.seed, self.samples, views);
        if self.submitted.as_ref() == Some(&key) {
            return;
        }
        self.submitted = Some(key);
        self.next_id += 1;
        let auxiliary = self.builtin.images(BuiltinKind::Natural, config.data.image_size).ok();
        let job = Job {
            id: self.next_id,
            view_names: augmentations.views.iter().map(|(n, _)| n.to_string()).collect(),
            step_names: views[0].ops.iter().map(|s| s.op.label().to_string()).collect(),
            request: PreviewRequest {
                image: picked.image,
                views,
                samples: self.samples,
                seed: self.seed,
                auxiliary,
            },
        };
        let ctx = ctx.clone();
        self.renderer.submit(job, Arc::new(move || ctx.request_repaint()));
    }

    /// Whether the newest request has been drawn.
    pub fn is_settled(&self) -> bool {
        self.shown.as_ref().is_some_and(|s| s.id == self.next_id)
    }
}

/// The textures' row name for the step strip.
const STRIP: &str = "\u{0}strip";

fn upload(ctx: &egui::Context, rendered: &Rendered) -> Vec<(String, Vec<TextureHandle>)> {
    let texture = |name: String, img: &PreviewImage| {
        ctx.load_texture(
            name,
            ColorImage::from_rgb([img.width, img.height], &img.rgb),
            TextureOptions::NEAREST,
        )
    };
    let mut rows: Vec<(String, Vec<TextureHandle>)> = rendered
        .views
        .iter()
        .enumerate()
        .map(|(v, (name, images))| {
            (
                name.clone(),
                images.iter().enumerate().map(|(i, img)| texture(format!("studio-{v}-{i}"), img)).collect(),
            )
        })
        .collect();
    let strip =
        rendered.strip.iter().enumerate().map(|(i, (_, img))| texture(format!("studio-strip-{i}"), img));
    rows.push((STRIP.to_string(), strip.collect()));
    rows
}

fn save_preset(path: &std::path::Path, config: &RunConfig) -> anyhow::Result<()> {
    let info = config.method.info();
    let preset = Preset {
        name: format!("{} (studio)", info.name),
        description: "Saved from the augmentation studio.".into(),
        default_variant: "studio".into(),
        variants: BTreeMap::from([("studio".to_string(), config.clone())]),
    };
    preset.save(path)
}

/// Takes the augmentations of the preset's default variant, which must be for the same method.
fn load_preset(path: &std::path::Path, config: &mut RunConfig) -> anyhow::Result<()> {
    let loaded = Preset::load(path)?.variant(None)?;
    let (ours, theirs) = (config.method.info(), loaded.method.info());
    anyhow::ensure!(
        ours.id == theirs.id,
        "that preset is for {}, not {}: choose {} in the Train tab first",
        theirs.name,
        ours.name,
        theirs.name
    );
    config.method = loaded.method;
    Ok(())
}
