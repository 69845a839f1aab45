//! The Explain tab: what a run's encoder looks at (Grad-CAM, Grad-CAM++), which places it
//! finds alike (point-similarity maps that follow the mouse), and how it arranges held-out
//! images (PCA, t-SNE before and after training). The work runs in `explain::of_run`, off the
//! UI thread; this file holds the choices and draws the results.
mod embedding;
mod overlays;

use super::job::{self, Job};
use crate::explain::of_run::{self, CamGoal, CamResult, Embeddings, ExplainedImages, Projection};
use crate::explain::{
    overlay, CamConfig, CamMethod, Colormap, DenseFeatures, SimilarityConfig, SimilarityMaps,
};
use crate::figures::{ColourBar, MapFigure, Marker, MarkerShape, PhiGuard};
use crate::io::Volume;
use crate::nn::resnet::FeatureLevel;
use crate::ui::studio::from_viewer;
use eframe::egui;
use overlays::{Overlay, OverlayGrid, Pointer};
use std::path::{Path, PathBuf};
use tch::{Device, Kind, Tensor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    GradCam,
    Similarity,
    Embedding,
}

pub struct ExplainPanel {
    pub run: Option<PathBuf>,
    pub mode: Mode,
    /// Held-out images shown.
    pub count: usize,
    pub level: FeatureLevel,
    pub cam_method: CamMethod,
    pub goal: CamGoal,
    pub colormap: Colormap,
    pub opacity: f32,
    /// The similarity map follows the pointer; otherwise it moves on clicks only.
    pub follow_mouse: bool,
    pub projection: Projection,
    images: Option<ExplainedImages>,
    loading: Option<Job<ExplainedImages>>,
    cam_job: Option<Job<CamResult>>,
    pub cams: Option<CamResult>,
    features_job: Option<Job<DenseFeatures>>,
    /// Dense features of the shown images and the level they were taken at.
    features: Option<(FeatureLevel, DenseFeatures)>,
    /// The anchor: image index and pixel.
    pub anchor: Option<(usize, (f64, f64))>,
    pub similarity: Option<SimilarityMaps>,
    embed_job: Option<Job<Embeddings>>,
    pub embeddings: Option<Embeddings>,
    grid: OverlayGrid,
    pub message: Option<String>,
}

impl Default for ExplainPanel {
    fn default() -> Self {
        Self {
            run: None,
            mode: Mode::GradCam,
            count: 6,
            level: FeatureLevel::Layer4,
            cam_method: CamMethod::GradCam,
            goal: CamGoal::OtherView,
            colormap: Colormap::Viridis,
            opacity: 0.5,
            follow_mouse: true,
            projection: Projection::Pca,
            images: None,
            loading: None,
            cam_job: None,
            cams: None,
            features_job: None,
            features: None,
            anchor: None,
            similarity: None,
            embed_job: None,
            embeddings: None,
            grid: OverlayGrid::default(),
            message: None,
        }
    }
}

impl ExplainPanel {
    /// Explains the run in `dir` from now on; its held-out images load in the background.
    pub fn open(&mut self, dir: &Path, ctx: &egui::Context) {
        *self = Self { mode: self.mode, colormap: self.colormap, opacity: self.opacity, ..Self::default() };
        self.run = Some(dir.to_owned());
        self.load_images(ctx);
    }

    fn load_images(&mut self, ctx: &egui::Context) {
        let (Some(dir), count) = (self.run.clone(), self.count) else { return };
        self.loading = Some(Job::spawn("loading the run's held-out images…", ctx, move |_| {
            ExplainedImages::heldout(&dir, count)
        }));
    }

    /// True while anything is being computed.
    pub fn is_busy(&self) -> bool {
        self.loading.is_some()
            || self.cam_job.is_some()
            || self.features_job.is_some()
            || self.embed_job.is_some()
    }

    /// `viewer_slice` is the slice the viewer shows, if a scan is open: it can join the images.
    pub fn show(&mut self, ui: &mut egui::Ui, viewer_slice: Option<(egui::ColorImage, &Volume)>) {
        self.collect(ui.ctx());
        // Exported titles are the app's own words; this still checks them against the
        // identifying values of the scan the viewer holds.
        let guard = viewer_slice
            .as_ref()
            .map_or_else(PhiGuard::default, |(_, v)| PhiGuard::from_metadata([&v.metadata]));
        let Some(dir) = self.run.clone() else {
            ui.label("Open a run under Runs and press Explain.");
            return;
        };
        ui.horizontal(|ui| {
            ui.heading("Explain");
            ui.label(dir.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()));
        });
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.mode, Mode::GradCam, "Grad-CAM");
            ui.selectable_value(&mut self.mode, Mode::Similarity, "Point similarity");
            ui.selectable_value(&mut self.mode, Mode::Embedding, "Embedding");
        });
        self.add_viewer_slice(ui, viewer_slice);
        job::show_running(ui, &self.loading);
        job::show_running(ui, &self.cam_job);
        job::show_running(ui, &self.features_job);
        job::show_running(ui, &self.embed_job);
        match self.mode {
            Mode::GradCam => self.grad_cam(ui, &dir, &guard),
            Mode::Similarity => self.point_similarity(ui, &dir, &guard),
            Mode::Embedding => self.embedding(ui, &dir),
        }
        if let Some(message) = &self.message {
            ui.label(message);
        }
    }

    /// A button that appends the viewer's slice, resized to the run's image size, to the images.
    fn add_viewer_slice(&mut self, ui: &mut egui::Ui, slice: Option<(egui::ColorImage, &Volume)>) {
        let usable = slice.is_some() && self.images.is_some();
        let button = ui.add_enabled(usable, egui::Button::new("Add the viewer's slice"));
        let button = button.on_disabled_hover_text("open a scan in the Viewer tab first");
        let (true, Some(slice), Some(images)) = (button.clicked(), slice, self.images.as_mut()) else {
            return;
        };
        let size = images.images.size()[2];
        let picked = from_viewer(slice, size).image.to_kind(Kind::Float).unsqueeze(0);
        images.images = Tensor::cat(&[&images.images, &picked], 0);
        images.labels.push(None);
        self.cams = None;
        self.features = None;
        self.similarity = None;
        self.anchor = None;
        self.grid.clear();
    }

    /// Takes in whatever background work has finished.
    fn collect(&mut self, ctx: &egui::Context) {
        if let Some(result) = job::finished(&mut self.loading) {
            match result {
                Ok(images) => self.images = Some(images),
                Err(e) => self.message = Some(format!("cannot load the images: {e:#}")),
            }
        }
        if let Some(result) = job::finished(&mut self.cam_job) {
            match result {
                Ok(cams) => self.cams = Some(cams),
                Err(e) => self.message = Some(format!("Grad-CAM failed: {e:#}")),
            }
            self.refresh_cam_overlays(ctx);
        }
        if let Some(result) = job::finished(&mut self.features_job) {
            match result {
                Ok(features) => self.features = Some((self.level, features)),
                Err(e) => self.message = Some(format!("cannot compute the dense features: {e:#}")),
            }
            self.refresh_similarity(ctx);
        }
        if let Some(result) = job::finished(&mut self.embed_job) {
            match result {
                Ok(e) => self.embeddings = Some(e),
                Err(e) => self.message = Some(format!("the embedding failed: {e:#}")),
            }
        }
    }

    fn map_controls(&mut self, ui: &mut egui::Ui) -> bool {
        let mut changed = false;
        ui.horizontal(|ui| {
            egui::ComboBox::from_label("level").selected_text(self.level.id()).show_ui(ui, |ui| {
                for level in FeatureLevel::ALL {
                    changed |= ui.selectable_value(&mut self.level, level, level.id()).changed();
                }
            });
            egui::ComboBox::from_label("colormap").selected_text(self.colormap.id()).show_ui(ui, |ui| {
                for c in Colormap::ALL {
                    changed |= ui.selectable_value(&mut self.colormap, c, c.id()).changed();
                }
            });
            changed |= ui.add(egui::Slider::new(&mut self.opacity, 0.0..=1.0).text("opacity")).changed();
            let count = ui.add(egui::DragValue::new(&mut self.count).range(1..=16).prefix("images: "));
            if count.changed() {
                self.images = None;
                self.features = None;
                self.cams = None;
                self.grid.clear();
                self.load_images(ui.ctx());
            }
        });
        changed
    }

    fn grad_cam(&mut self, ui: &mut egui::Ui, dir: &Path, guard: &PhiGuard) {
        let changed = self.map_controls(ui);
        ui.horizontal(|ui| {
            for method in CamMethod::ALL {
                ui.selectable_value(&mut self.cam_method, method, method.display_name());
            }
            let classes = self.images.as_ref().map_or(&[][..], |i| i.classes.as_slice());
            egui::ComboBox::from_label("target").selected_text(goal_label(self.goal, classes)).show_ui(
                ui,
                |ui| {
                    let goals = [CamGoal::OtherView]
                        .into_iter()
                        .chain((0..self.count).map(CamGoal::Image))
                        .chain((0..classes.len() as i64).map(CamGoal::Class));
                    for goal in goals {
                        ui.selectable_value(&mut self.goal, goal, goal_label(goal, classes));
                    }
                },
            );
            let ready = self.images.is_some() && self.cam_job.is_none();
            if ui.add_enabled(ready, egui::Button::new("Compute Grad-CAM")).clicked() {
                self.start_cams(ui.ctx(), dir);
            }
        });
        if changed {
            self.refresh_cam_overlays(ui.ctx());
        }
        self.grid.show(ui);
        self.export_buttons(ui, dir, "gradcam", guard);
    }

    fn start_cams(&mut self, ctx: &egui::Context, dir: &Path) {
        let Some(images) = &self.images else { return };
        let (dir, images) = (dir.to_owned(), images.images.shallow_clone());
        let cfg = CamConfig { method: self.cam_method, level: self.level };
        let goal = self.goal;
        self.cam_job =
            Some(Job::spawn(format!("computing {}…", cfg.method.display_name()), ctx, move |_| {
                of_run::cams(&dir, &images, &cfg, goal, compute_device()?)
            }));
    }

    fn refresh_cam_overlays(&mut self, ctx: &egui::Context) {
        let (Some(images), Some(cams)) = (&self.images, &self.cams) else { return };
        let overlays = (0..images.len())
            .map(|i| {
                let caption = format!("{} · score {:.3}", image_caption(images, i), cams.scores[i]);
                self.overlay_of(images, i, &cams.maps.get(i as i64), (0.0, 1.0), caption, None)
            })
            .collect::<anyhow::Result<Vec<_>>>();
        self.show_overlays(ctx, overlays);
    }

    fn point_similarity(&mut self, ui: &mut egui::Ui, dir: &Path, guard: &PhiGuard) {
        let changed = self.map_controls(ui);
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.follow_mouse, "follow the mouse");
            ui.label("Point at an image (or click) to place the anchor.");
        });
        let stale = self.features.as_ref().is_none_or(|(level, _)| *level != self.level);
        if stale && self.features_job.is_none() {
            self.start_features(ui.ctx(), dir);
        }
        if changed {
            self.refresh_similarity(ui.ctx());
        }
        if let Some(Pointer { image, x, y, clicked }) = self.grid.show(ui) {
            if clicked || self.follow_mouse {
                let moved = self.anchor.is_none_or(|(i, p)| i != image || p != (x, y));
                self.anchor = Some((image, (x, y)));
                if moved {
                    self.refresh_similarity(ui.ctx());
                }
            }
        }
        if let Some(s) = &self.similarity {
            ui.label(format!(
                "anchor cell ({}, {}); colour range {:.0} to {:.0} (fixed, so encoders compare)",
                s.anchor.row, s.anchor.col, s.range.0, s.range.1
            ));
        }
        self.export_buttons(ui, dir, "similarity", guard);
    }

    fn start_features(&mut self, ctx: &egui::Context, dir: &Path) {
        let Some(images) = &self.images else { return };
        let (dir, images) = (dir.to_owned(), images.images.shallow_clone());
        let cfg = SimilarityConfig { level: self.level, ..Default::default() };
        // Kept on the CPU: the map for each new anchor is computed on the UI thread, and for a
        // handful of images that is well under a millisecond.
        self.features_job = Some(Job::spawn("computing dense features…", ctx, move |_| {
            of_run::dense_features(&dir, &images, &cfg, Device::Cpu)
        }));
    }

    /// The maps for the current anchor, or the plain images before there is one.
    fn refresh_similarity(&mut self, ctx: &egui::Context) {
        let Some(images) = &self.images else { return };
        let features = self.features.as_ref().map(|(_, f)| f);
        let maps = match (features, self.anchor) {
            (Some(f), Some((image, point))) => match f.similarity(image, point) {
                Ok(maps) => Some(maps),
                Err(e) => {
                    self.message = Some(format!("{e:#}"));
                    None
                }
            },
            _ => None,
        };
        let overlays = (0..images.len())
            .map(|i| match &maps {
                Some(m) => {
                    let caption = image_caption(images, i);
                    self.overlay_of(images, i, &m.maps.get(i as i64), m.range, caption, Some(m.anchor_centre))
                }
                None => Ok(plain(images, i)),
            })
            .collect::<anyhow::Result<Vec<_>>>();
        self.similarity = maps;
        self.show_overlays(ctx, overlays);
    }

    fn embedding(&mut self, ui: &mut egui::Ui, dir: &Path) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.projection, Projection::Pca, "PCA");
            ui.selectable_value(&mut self.projection, Projection::Tsne, "t-SNE");
            if ui.add_enabled(self.embed_job.is_none(), egui::Button::new("Compute")).clicked() {
                let (dir, projection) = (dir.to_owned(), self.projection);
                self.embed_job = Some(Job::spawn("embedding held-out images…", ui.ctx(), move |_| {
                    of_run::embeddings(&dir, EMBEDDED_IMAGES, projection, compute_device()?)
                }));
            }
        });
        if let Some(e) = &self.embeddings {
            embedding::show(ui, e);
        }
    }

    fn overlay_of(
        &self,
        images: &ExplainedImages,
        i: usize,
        map: &Tensor,
        range: (f64, f64),
        caption: String,
        anchor: Option<(f64, f64)>,
    ) -> anyhow::Result<Overlay> {
        let base = plain(images, i);
        let values = Vec::<f32>::try_from(map.to_kind(Kind::Float).flatten(0, -1))?;
        let rgb = overlay(&base.rgb, &values, range, self.colormap, self.opacity)?;
        Ok(Overlay { rgb, caption, anchor, ..base })
    }

    fn show_overlays(&mut self, ctx: &egui::Context, overlays: anyhow::Result<Vec<Overlay>>) {
        match overlays {
            Ok(o) => self.grid.set(ctx, o),
            Err(e) => self.message = Some(format!("cannot draw the maps: {e:#}")),
        }
    }

    fn export_buttons(&mut self, ui: &mut egui::Ui, dir: &Path, kind: &str, guard: &PhiGuard) {
        let shown = match kind {
            "gradcam" => self.cams.as_ref().map(|c| ShownMaps {
                maps: c.maps.shallow_clone(),
                range: (0.0, 1.0),
                anchor: None,
            }),
            _ => self.similarity.as_ref().map(|s| ShownMaps {
                maps: s.maps.shallow_clone(),
                range: s.range,
                anchor: Some(s.anchor_centre),
            }),
        };
        let Some(shown) = shown else { return };
        let mut asked = None;
        ui.horizontal(|ui| {
            for format in ["png", "svg"] {
                if ui.button(format!("Export {}", format.to_uppercase())).clicked() {
                    asked = Some(format);
                }
            }
        });
        if let (Some(format), Some(images)) = (asked, &self.images) {
            let folder = dir.join("figures");
            self.message = Some(match self.export(images, &shown, &folder, (kind, format), guard) {
                Ok(()) => format!("saved {} figures in {}", images.len(), folder.display()),
                Err(e) => format!("export failed: {e:#}"),
            });
        }
    }

    /// One figure per image, with the colour bar and the anchor, as `<folder>/<kind>-<i>.<format>`.
    fn export(
        &self,
        images: &ExplainedImages,
        shown: &ShownMaps,
        folder: &Path,
        (kind, format): (&str, &str),
        guard: &PhiGuard,
    ) -> anyhow::Result<()> {
        std::fs::create_dir_all(folder)?;
        for i in 0..images.len() {
            let o = self.overlay_of(
                images,
                i,
                &shown.maps.get(i as i64),
                shown.range,
                String::new(),
                shown.anchor,
            )?;
            let mut figure = MapFigure::new(o.size[0] as u32, o.size[1] as u32, &o.rgb);
            figure.title = Some(format!("{kind} · image {i}"));
            let colormap = self.colormap;
            figure.colour_bar =
                Some(ColourBar::from_fn(shown.range.0, shown.range.1, |t| colormap.rgb(t as f32)));
            figure.markers = shown
                .anchor
                .map(|(x, y)| Marker { x, y, shape: MarkerShape::Star, colour: [255, 255, 255] })
                .into_iter()
                .collect();
            figure.save(&folder.join(format!("{kind}-{i}.{format}")), guard)?;
        }
        Ok(())
    }
}

/// The maps on screen, what an export writes.
struct ShownMaps {
    /// `[N, H, W]`.
    maps: Tensor,
    range: (f64, f64),
    /// The anchor star, in image pixels.
    anchor: Option<(f64, f64)>,
}

/// Points in the embedding view.
const EMBEDDED_IMAGES: usize = 600;

fn compute_device() -> anyhow::Result<Device> {
    crate::device::DeviceChoice::Auto.resolve()
}

fn goal_label(goal: CamGoal, classes: &[String]) -> String {
    match goal {
        CamGoal::OtherView => "similarity to another view".into(),
        CamGoal::Image(k) => format!("similarity to image {k}"),
        CamGoal::Class(c) => {
            format!("class: {} (linear probe)", classes.get(c as usize).map_or("?", String::as_str))
        }
    }
}

fn image_caption(images: &ExplainedImages, i: usize) -> String {
    match images.labels[i] {
        Some(label) => format!("{i}: {}", images.classes.get(label as usize).map_or("?", String::as_str)),
        None => format!("{i}: the viewer's slice"),
    }
}

/// Image `i` as RGB bytes, without a map.
fn plain(images: &ExplainedImages, i: usize) -> Overlay {
    let image = images.images.get(i as i64);
    let (h, w) = (image.size()[1] as usize, image.size()[2] as usize);
    let bytes = (image.clamp(0.0, 1.0) * 255.0).round().to_kind(Kind::Uint8).permute([1, 2, 0]).contiguous();
    let mut rgb = vec![0u8; h * w * 3];
    bytes.copy_data(&mut rgb, h * w * 3);
    Overlay { rgb, size: [w, h], caption: image_caption(images, i), anchor: None }
}
