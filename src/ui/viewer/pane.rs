//! One plane in its pane: the slice image placed with zoom and pan, the mouse gestures of
//! clinical viewers (wheel scrolls, ctrl+wheel zooms, right-drag windows, drag pans, click
//! links the other planes), and the overlays.
use super::overlay;
use super::slice::{self, Plane, PlaneAxes};
use super::ViewerPanel;
use eframe::egui::{
    self, Color32, Event, MouseWheelUnit, PointerButton, Pos2, Rect, Sense, TextureHandle, TextureOptions,
    Vec2,
};

/// Zoom (1 = the slice fits its pane) and pan (points) of one plane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub zoom: f32,
    pub pan: Vec2,
}

impl Default for View {
    fn default() -> Self {
        Self { zoom: 1.0, pan: Vec2::ZERO }
    }
}

/// What a cached slice texture shows; it is rebuilt only when this changes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SliceKey {
    generation: u64,
    slice: usize,
    center: f64,
    width: f64,
    inverted: bool,
}

pub type CachedSlice = Option<(SliceKey, TextureHandle)>;

/// Wheel lines per slice for devices that scroll in points (track pads).
const POINTS_PER_LINE: f32 = 40.0;

impl ViewerPanel {
    /// Draws `plane` with its header in `cell` and applies this frame's gestures on it.
    pub(super) fn pane(&mut self, ui: &mut egui::Ui, cell: Rect, plane: Plane) {
        let Some(shown) = &self.shown else { return };
        let axes = PlaneAxes::new(plane, shown.layout_codes);
        let (dims, extent, has_geometry) =
            (shown.volume.dims, axes.extent_mm(&shown.volume), shown.has_geometry);
        let single = shown.is_single_slice();
        let mut child = ui.new_child(
            egui::UiBuilder::new().max_rect(cell).layout(egui::Layout::top_down(egui::Align::Min)),
        );
        let header = if single {
            format!("{} image", plane.name())
        } else {
            format!("{} {}/{}", plane.name(), self.cursor[axes.normal] + 1, dims[axes.normal])
        };
        child.label(header);
        let area = child.available_rect_before_wrap();
        let response =
            child.interact(area, ui.scope_id().with(("viewer-pane", plane)), Sense::click_and_drag());
        let name = format!("{} view", plane.name());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &name));

        // Gestures act on what was on screen when they were made.
        let image_rect = |view: View| {
            let fit = (area.width() / extent[0]).min(area.height() / extent[1]).max(0.0);
            Rect::from_center_size(
                area.center() + view.pan,
                Vec2::new(extent[0], extent[1]) * fit * view.zoom,
            )
        };
        let index = plane_index(plane);
        let shown_rect = image_rect(self.views[index]);
        let slice_now = self.cursor[axes.normal];
        let voxel_at = |pos: Pos2| {
            shown_rect.contains(pos).then(|| {
                let f = (pos - shown_rect.min) / shown_rect.size();
                axes.voxel_at(dims, slice_now, [f.x, f.y])
            })
        };
        if response.contains_pointer() {
            self.active = plane;
            if let Some(pos) = response.hover_pos() {
                self.hovered_voxel = voxel_at(pos);
            }
            for (lines, zoom) in wheel_lines(ui) {
                if zoom {
                    self.zoom(plane, 1.1f32.powf(lines), response.hover_pos().map(|p| (p, area.center())));
                } else {
                    self.wheel_slices(plane, -lines);
                }
            }
        }
        if response.dragged_by(PointerButton::Secondary) {
            self.drag_window(response.drag_delta());
        }
        if response.dragged_by(PointerButton::Primary) || response.dragged_by(PointerButton::Middle) {
            self.views[index].pan += response.drag_delta();
        }
        if response.double_clicked() {
            self.views[index] = View::default();
        } else if response.clicked() && !single {
            if let Some(voxel) = response.interact_pointer_pos().and_then(voxel_at) {
                self.cursor = voxel;
            }
        }

        let slice = self.cursor[axes.normal];
        let texture = self.slice_texture(ui.ctx(), plane, &axes, slice);
        let rect = image_rect(self.views[index]);
        let painter = ui.painter_at(area);
        painter.rect_filled(area, 0.0, Color32::BLACK);
        let uv = Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
        painter.image(texture, rect, uv, Color32::WHITE);
        if !single {
            let f = axes.fraction_of(dims, self.cursor);
            overlay::crosshair(&painter, area, rect.min + rect.size() * Vec2::new(f[0], f[1]));
        }
        if has_geometry {
            overlay::orientation_letters(&painter, area, &axes);
        }
    }

    /// The texture of `slice`, extracted again only when the slice, window or volume changed.
    fn slice_texture(
        &mut self,
        ctx: &egui::Context,
        plane: Plane,
        axes: &PlaneAxes,
        slice: usize,
    ) -> egui::TextureId {
        let shown = self.shown.as_ref().expect("a pane is drawn only with a volume");
        let inverted = shown.volume.inverted != self.invert;
        let key = SliceKey {
            generation: self.generation,
            slice,
            center: self.window.center,
            width: self.window.width,
            inverted,
        };
        let cached = &mut self.textures[plane_index(plane)];
        match cached {
            Some((k, handle)) if *k == key => handle.id(),
            _ => {
                let max_side = ctx.input(|i| i.max_texture_side);
                let image = slice::extract(&shown.volume, axes, slice, &self.window, inverted, max_side);
                let options = TextureOptions::LINEAR;
                let handle = match cached.take() {
                    Some((_, mut handle)) => {
                        handle.set(image, options);
                        handle
                    }
                    None => ctx.load_texture(format!("viewer-{}", plane.name()), image, options),
                };
                let id = handle.id();
                *cached = Some((key, handle));
                id
            }
        }
    }

    /// Multiplies the zoom of `plane`, keeping the point under the pointer where it is.
    pub(super) fn zoom(&mut self, plane: Plane, factor: f32, about: Option<(Pos2, Pos2)>) {
        let view = &mut self.views[plane_index(plane)];
        let zoom = (view.zoom * factor).clamp(0.1, 50.0);
        if let Some((pointer, pane_center)) = about {
            let from_center = pointer - (pane_center + view.pan);
            view.pan = pointer - from_center * (zoom / view.zoom) - pane_center;
        }
        view.zoom = zoom;
    }

    /// Accumulates wheel movement, so a track pad's small deltas add up to whole slices.
    fn wheel_slices(&mut self, plane: Plane, lines: f32) {
        self.wheel += lines;
        let steps = self.wheel.trunc();
        self.wheel -= steps;
        self.scroll(plane, steps as i64);
    }
}

pub fn plane_index(plane: Plane) -> usize {
    match plane {
        Plane::Axial => 0,
        Plane::Coronal => 1,
        Plane::Sagittal => 2,
    }
}

/// This frame's wheel movements in lines (positive: content moves down, i.e. wheel up), each
/// with whether ctrl or command was held (zoom rather than scroll).
fn wheel_lines(ui: &egui::Ui) -> Vec<(f32, bool)> {
    ui.input(|i| {
        i.events
            .iter()
            .filter_map(|e| match e {
                Event::MouseWheel { unit, delta, modifiers, .. } => {
                    let lines = match unit {
                        MouseWheelUnit::Line => delta.y,
                        MouseWheelUnit::Point => delta.y / POINTS_PER_LINE,
                        MouseWheelUnit::Page => delta.y * 10.0,
                    };
                    Some((lines, modifiers.ctrl || modifiers.command))
                }
                _ => None,
            })
            .collect()
    })
}
