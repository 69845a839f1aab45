//! The image viewer: axial, coronal and sagittal planes or a 2×2 layout, slice scrolling,
//! window/level, zoom and pan, linked crosshairs, orientation letters, the value under the
//! cursor, a histogram and the header with identifying fields hidden.
mod histogram;
mod loader;
mod metadata;
mod open;
mod overlay;
mod pane;
mod prepared;
mod slice;

pub use metadata::REVEAL_LABEL;
pub use open::{drop_hint, dropped_paths};
pub use slice::Plane;

use crate::io::{Volume, Window};
use eframe::egui::{self, Key, Modifiers, Rect, RichText, Vec2};
use open::Opening;
use pane::{CachedSlice, View};
use prepared::Prepared;
use slice::PlaneAxes;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Single(Plane),
    /// The three planes and the histogram.
    Grid,
}

/// The studio resizes slices to the training size; more than this is never needed.
const MAX_STUDIO_SIDE: usize = 1024;

pub struct ViewerPanel {
    opening: Opening,
    shown: Option<Prepared>,
    /// Bumped for every volume shown, so cached textures of the last one are never reused.
    generation: u64,
    /// The linked point: each plane shows the slice through it.
    cursor: [usize; 3],
    window: Window,
    /// The user's inversion, on top of MONOCHROME1's.
    invert: bool,
    /// The layout chosen; a one-slice image always shows in one pane.
    chosen_layout: Layout,
    views: [View; 3],
    textures: [CachedSlice; 3],
    /// The plane the keys act on: the last one under the pointer.
    active: Plane,
    hovered_voxel: Option<[usize; 3]>,
    reveal_identifying: bool,
    /// Wheel movement not yet worth a whole slice.
    wheel: f32,
}

impl Default for ViewerPanel {
    fn default() -> Self {
        Self {
            opening: Opening::default(),
            shown: None,
            generation: 0,
            cursor: [0; 3],
            window: Window::new("Auto", 0.0, 1.0),
            invert: false,
            chosen_layout: Layout::Grid,
            views: [View::default(); 3],
            textures: [None, None, None],
            active: Plane::Axial,
            hovered_voxel: None,
            reveal_identifying: false,
            wheel: 0.0,
        }
    }
}

impl ViewerPanel {
    /// Shows an already loaded volume (the loader thread ends here too).
    pub fn set_volume(&mut self, volume: Volume) {
        self.show_prepared(Prepared::new(volume));
    }

    /// Where the shown volume came from, as a dataset path ("Train on this").
    pub fn training_path(&self) -> Option<PathBuf> {
        self.shown.as_ref()?;
        self.opening.chosen().map(|found| found.source.path())
    }

    /// Opens a file or folder on a background thread from the next frame on.
    pub fn open_path(&mut self, path: PathBuf) {
        self.opening.request(path);
    }

    /// Opens what was dropped on the window.
    pub fn open_dropped(&mut self, paths: Vec<PathBuf>) {
        self.opening.request_dropped(paths);
    }

    /// The native open dialogs; without a dialog service they say how else to open a file.
    pub fn open_file_dialog(&mut self) {
        self.opening.pick_file();
    }

    pub fn open_folder_dialog(&mut self) {
        self.opening.pick_folder();
    }

    pub fn is_loading(&self) -> bool {
        self.opening.is_busy()
    }

    pub fn volume(&self) -> Option<&Volume> {
        self.shown.as_ref().map(|s| &s.volume)
    }

    /// The slice index (0-based) `plane` shows.
    pub fn slice(&self, plane: Plane) -> Option<usize> {
        let shown = self.shown.as_ref()?;
        Some(self.cursor[PlaneAxes::new(plane, shown.layout_codes).normal])
    }

    /// The active plane's current slice as the viewer shows it (windowed, inverted as set).
    pub fn shown_slice(&self) -> Option<(egui::ColorImage, &Volume)> {
        let shown = self.shown.as_ref()?;
        let plane = self.active;
        let axes = PlaneAxes::new(plane, shown.layout_codes);
        let inverted = shown.volume.inverted != self.invert;
        let image =
            slice::extract(&shown.volume, &axes, self.slice(plane)?, &self.window, inverted, MAX_STUDIO_SIDE);
        Some((image, &shown.volume))
    }

    pub fn window(&self) -> &Window {
        &self.window
    }

    pub fn layout(&self) -> Layout {
        match &self.shown {
            Some(s) if s.is_single_slice() => Layout::Single(Plane::of_single_slice(s.layout_codes)),
            _ => self.chosen_layout,
        }
    }

    fn show_prepared(&mut self, prepared: Prepared) {
        if prepared.volume.is_empty() {
            self.opening.fail(anyhow::anyhow!("the image is empty: it has no voxels to show"));
            return;
        }
        self.cursor = prepared.volume.dims.map(|n| n / 2);
        self.window = prepared.initial_window.clone();
        self.shown = Some(prepared);
        self.generation += 1;
        self.invert = false;
        self.views = [View::default(); 3];
        self.textures = [None, None, None];
        self.hovered_voxel = None;
        self.reveal_identifying = false;
        if let Layout::Single(plane) = self.layout() {
            self.active = plane;
        }
    }

    /// The whole viewer tab.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        if let Some(prepared) = self.opening.poll(ui.ctx()) {
            self.show_prepared(prepared);
        }
        self.hovered_voxel = None;
        egui::Panel::left("viewer-controls").resizable(true).default_size(300.0).show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| self.controls(ui));
        });
        egui::CentralPanel::default().show(ui, |ui| {
            if self.shown.is_some() {
                self.keys(ui);
                self.toolbar(ui);
                self.panes(ui);
            } else {
                self.empty(ui);
            }
        });
    }

    fn empty(&mut self, ui: &mut egui::Ui) {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() / 3.0);
            ui.heading("No image open");
            ui.label("Open a DICOM file or series folder, a NIfTI volume, an image or an .npz archive:");
            ui.label(
                "File > Open file… or Open folder…, drop it onto the window, or type its path on the left.",
            );
            if ui.button("Open file…").clicked() {
                self.open_file_dialog();
            }
            if ui.button("Open folder…").clicked() {
                self.open_folder_dialog();
            }
        });
    }

    fn controls(&mut self, ui: &mut egui::Ui) {
        ui.heading("Files");
        self.opening.ui(ui);
        let Some(shown) = &self.shown else { return };
        ui.separator();
        ui.heading("Window");
        ui.horizontal_wrapped(|ui| {
            for preset in &shown.presets {
                let selected = self.window.center == preset.center && self.window.width == preset.width;
                if ui.selectable_label(selected, &preset.name).clicked() {
                    self.window = preset.clone();
                }
            }
        });
        let speed = self.window_sensitivity();
        let (mut width, mut center) = (self.window.width, self.window.center);
        egui::Grid::new("viewer-window").num_columns(2).show(ui, |ui| {
            let label = ui.label("Width");
            ui.add(egui::DragValue::new(&mut width).speed(speed).range(speed..=f64::MAX))
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Level");
            ui.add(egui::DragValue::new(&mut center).speed(speed)).labelled_by(label.id);
            ui.end_row();
        });
        if (width, center) != (self.window.width, self.window.center) {
            self.window = Window::new("Custom", center, width);
        }
        ui.checkbox(&mut self.invert, "Invert");
        if self.layout() != Layout::Grid {
            histogram::show(ui, &shown.histogram, &self.window, 140.0);
        }
        ui.separator();
        egui::CollapsingHeader::new("Header").default_open(true).show(ui, |ui| {
            metadata::show(ui, &shown.volume, shown.value_range, &mut self.reveal_identifying);
        });
    }

    fn toolbar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if !self.shown.as_ref().is_some_and(Prepared::is_single_slice) {
                for plane in Plane::ALL {
                    if ui
                        .selectable_label(self.chosen_layout == Layout::Single(plane), plane.name())
                        .clicked()
                    {
                        self.chosen_layout = Layout::Single(plane);
                        self.active = plane;
                    }
                }
                if ui.selectable_label(self.chosen_layout == Layout::Grid, "2×2").clicked() {
                    self.chosen_layout = Layout::Grid;
                }
                ui.separator();
            }
            if ui.button("Reset view").clicked() {
                self.views = [View::default(); 3];
            }
            ui.separator();
            ui.label(RichText::new(self.window_text()).monospace());
        });
        ui.label(
            RichText::new(
                "wheel, Up/Down, PgUp/PgDn: slice · right-drag: width (sideways), level (up/down) · \
                 ctrl+wheel or +/-: zoom · drag: pan · click: link planes · double-click: reset",
            )
            .small()
            .weak(),
        );
    }

    fn panes(&mut self, ui: &mut egui::Ui) {
        let readout_height = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
        let area = ui.available_rect_before_wrap();
        let panes = Rect::from_min_max(area.min, egui::pos2(area.max.x, area.max.y - readout_height));
        ui.allocate_rect(panes, egui::Sense::hover());
        match self.layout() {
            Layout::Single(plane) => self.pane(ui, panes, plane),
            Layout::Grid => {
                let gap = 4.0;
                let half = (panes.size() - Vec2::splat(gap)) / 2.0;
                let cell = |col: f32, row: f32| {
                    Rect::from_min_size(
                        panes.min + Vec2::new(col * (half.x + gap), row * (half.y + gap)),
                        half,
                    )
                };
                self.pane(ui, cell(0.0, 0.0), Plane::Axial);
                self.pane(ui, cell(1.0, 0.0), Plane::Coronal);
                self.pane(ui, cell(0.0, 1.0), Plane::Sagittal);
                self.histogram_pane(ui, cell(1.0, 1.0));
            }
        }
        ui.label(self.readout_text());
    }

    fn histogram_pane(&self, ui: &mut egui::Ui, cell: Rect) {
        let Some(shown) = &self.shown else { return };
        let mut child = ui.new_child(egui::UiBuilder::new().max_rect(cell));
        child.label("Histogram");
        let height = child.available_height();
        histogram::show(&mut child, &shown.histogram, &self.window, height);
    }

    fn readout_text(&self) -> String {
        let Some(shown) = &self.shown else { return String::new() };
        match self.hovered_voxel {
            Some(voxel) => overlay::readout(&shown.volume, voxel),
            None => format!("crosshair: {}", overlay::readout(&shown.volume, self.cursor)),
        }
    }

    /// From the smallest to the largest value of the volume shown.
    fn value_span(&self) -> f64 {
        self.shown.as_ref().map_or(1.0, |s| (s.value_range.1 - s.value_range.0) as f64)
    }

    /// "W 400 L 40", with as many decimals as the data's range needs.
    fn window_text(&self) -> String {
        let decimals = (2.0 - self.value_span().max(1e-9).log10()).clamp(0.0, 6.0) as usize;
        format!("W {:.*} L {:.*}", decimals, self.window.width, decimals, self.window.center)
    }

    /// Value units per point of mouse movement: a thousandth of the value range.
    fn window_sensitivity(&self) -> f64 {
        (self.value_span() / 1000.0).max(1e-6)
    }

    /// Right-drag: horizontal widens or narrows the window, vertical raises or lowers the level.
    fn drag_window(&mut self, delta: Vec2) {
        let s = self.window_sensitivity();
        let width = (self.window.width + delta.x as f64 * s).max(s);
        self.window = Window::new("Custom", self.window.center + delta.y as f64 * s, width);
    }

    /// Moves `plane` by `steps` slices, within the volume.
    fn scroll(&mut self, plane: Plane, steps: i64) {
        let Some(shown) = &self.shown else { return };
        let axis = PlaneAxes::new(plane, shown.layout_codes).normal;
        let last = shown.volume.dims[axis] as i64 - 1;
        self.cursor[axis] = (self.cursor[axis] as i64 + steps).clamp(0, last.max(0)) as usize;
    }

    /// Arrow and page keys scroll the active plane, + and - zoom it, unless a text field or
    /// slider has the keyboard.
    fn keys(&mut self, ui: &mut egui::Ui) {
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        let plane = match self.layout() {
            Layout::Single(plane) => plane,
            Layout::Grid => self.active,
        };
        let pressed = |ui: &mut egui::Ui, key: Key| {
            ui.input_mut(|i| std::iter::from_fn(|| i.consume_key(Modifiers::NONE, key).then_some(())).count())
                as i64
        };
        let steps = pressed(ui, Key::ArrowDown) - pressed(ui, Key::ArrowUp) + 10 * pressed(ui, Key::PageDown)
            - 10 * pressed(ui, Key::PageUp);
        self.scroll(plane, steps);
        let zoom_in = pressed(ui, Key::Plus) + pressed(ui, Key::Equals);
        let zoom_out = pressed(ui, Key::Minus);
        if zoom_in + zoom_out > 0 {
            self.zoom(plane, 1.25f32.powi((zoom_in - zoom_out) as i32), None);
        }
    }
}
