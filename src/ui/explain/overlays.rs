//! A row of images with a map coloured over each: what GradCAM and point-similarity maps are
//! drawn as. Reports where the pointer is, in image pixels, so a map can follow the mouse.
use eframe::egui::{self, Color32, ColorImage, Pos2, Stroke, TextureHandle, TextureOptions, Vec2};

/// One picture: RGB bytes of `size` (width, height), a caption, and where to draw the anchor
/// star, in image pixels.
pub struct Overlay {
    pub rgb: Vec<u8>,
    pub size: [usize; 2],
    pub caption: String,
    pub anchor: Option<(f64, f64)>,
}

/// Where the pointer is over the grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pointer {
    pub image: usize,
    /// In the image's pixels.
    pub x: f64,
    pub y: f64,
    pub clicked: bool,
}

#[derive(Default)]
pub struct OverlayGrid {
    shown: Vec<Shown>,
}

/// An overlay uploaded: its texture in place of its bytes.
struct Shown {
    texture: TextureHandle,
    size: [usize; 2],
    caption: String,
    anchor: Option<(f64, f64)>,
}

/// Side of each picture on screen, in points.
const DISPLAY: f32 = 192.0;

impl OverlayGrid {
    pub fn set(&mut self, ctx: &egui::Context, overlays: Vec<Overlay>) {
        self.shown = overlays
            .into_iter()
            .enumerate()
            .map(|(i, o)| {
                let texture = ctx.load_texture(
                    format!("explain-overlay-{i}"),
                    ColorImage::from_rgb(o.size, &o.rgb),
                    TextureOptions::LINEAR,
                );
                Shown { texture, size: o.size, caption: o.caption, anchor: o.anchor }
            })
            .collect();
    }

    pub fn clear(&mut self) {
        self.shown.clear();
    }

    pub fn show(&self, ui: &mut egui::Ui) -> Option<Pointer> {
        let mut pointer = None;
        ui.horizontal_wrapped(|ui| {
            for (i, Shown { texture, size: [w, h], caption, anchor }) in self.shown.iter().enumerate() {
                ui.vertical(|ui| {
                    let scale = DISPLAY / (*w.max(h) as f32);
                    let size = Vec2::new(*w as f32 * scale, *h as f32 * scale);
                    let response = ui.add(egui::Image::new((texture.id(), size)).sense(egui::Sense::click()));
                    let rect = response.rect;
                    if let Some((x, y)) = anchor {
                        star(ui.painter(), rect.min + Vec2::new(*x as f32 * scale, *y as f32 * scale));
                    }
                    if let Some(pos) = response.hover_pos() {
                        let local = (pos - rect.min) / scale;
                        pointer = Some(Pointer {
                            image: i,
                            x: f64::from(local.x).clamp(0.0, *w as f64 - 1e-3),
                            y: f64::from(local.y).clamp(0.0, *h as f64 - 1e-3),
                            clicked: response.clicked(),
                        });
                    }
                    ui.label(egui::RichText::new(caption).small());
                });
            }
        });
        pointer
    }
}

/// A white five-pointed star with a black outline, as the PRICon figures mark the anchor.
fn star(painter: &egui::Painter, centre: Pos2) {
    let points: Vec<Pos2> = (0..10)
        .map(|k| {
            let radius = if k % 2 == 0 { 8.0 } else { 3.5 };
            let angle = std::f32::consts::PI * (k as f32 / 5.0 - 0.5);
            centre + Vec2::angled(angle) * radius
        })
        .collect();
    painter.add(egui::Shape::closed_line(points.clone(), Stroke::new(3.5, Color32::BLACK)));
    painter.add(egui::Shape::closed_line(points, Stroke::new(1.5, Color32::WHITE)));
}
