//! The dashboard's look at one step's embeddings: the views' similarity matrix as a heatmap,
//! histograms of positive and negative cosines and, for DySTreSS, τ(c) with the temperatures
//! the batch's pairs got. Colours and cosine bins span the fixed range [−1, 1], so pictures
//! from different steps compare at a glance.
use crate::train::diagnostics::{Diagnostics, TemperatureDiagnostics};
use eframe::egui::{self, Color32, Pos2, Rect, Sense, Stroke, StrokeKind, Vec2};
use egui_plot::{Bar, BarChart, Legend, Line, Plot};

/// Where cosines live.
const COSINE_RANGE: (f64, f64) = (-1.0, 1.0);
const BINS: usize = 40;
/// The colours of cosine −1, 0 and 1 (ColorBrewer's RdBu ends).
const BLUE: Color32 = Color32::from_rgb(33, 102, 172);
const WHITE: Color32 = Color32::WHITE;
const RED: Color32 = Color32::from_rgb(178, 24, 43);
const POSITIVE_COLOR: Color32 = Color32::from_rgb(90, 200, 120);
const NEGATIVE_COLOR: Color32 = Color32::from_rgb(230, 140, 60);
const PLOT_HEIGHT: f32 = 220.0;
const HEATMAP_MAX_SIDE: f32 = 320.0;

/// (bin centre, density) of `values` in `bins` equal bins over `range`. Densities integrate
/// to 1, so that the few positives of a batch and its many negatives compare on one chart.
/// Values past the ends (a cosine rounded to 1.0000001) count in the end bins; NaNs are left
/// out. An empty range or no bins gives no bars.
pub fn histogram(values: &[f32], range: (f64, f64), bins: usize) -> Vec<[f64; 2]> {
    let (low, high) = range;
    if bins == 0 || high.partial_cmp(&low) != Some(std::cmp::Ordering::Greater) {
        return Vec::new();
    }
    let width = (high - low) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in values.iter().map(|&v| f64::from(v)).filter(|v| !v.is_nan()) {
        let bin = ((v - low) / width).floor().clamp(0.0, (bins - 1) as f64) as usize;
        counts[bin] += 1;
    }
    let total = counts.iter().sum::<usize>().max(1) as f64;
    counts
        .iter()
        .enumerate()
        .map(|(i, &n)| [low + (i as f64 + 0.5) * width, n as f64 / (total * width)])
        .collect()
}

/// The colour of a cosine: blue at −1, white at 0, red at 1, clamped outside; grey for NaN.
pub fn diverging(cosine: f32) -> Color32 {
    if cosine.is_nan() {
        return Color32::GRAY;
    }
    let t = cosine.clamp(-1.0, 1.0);
    let end = if t < 0.0 { BLUE } else { RED };
    let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * t.abs()).round() as u8;
    Color32::from_rgb(mix(WHITE.r(), end.r()), mix(WHITE.g(), end.g()), mix(WHITE.b(), end.b()))
}

/// The span of the temperatures on show, widened when τ is constant so the bins have width.
pub fn temperature_range(t: &TemperatureDiagnostics) -> (f64, f64) {
    let taus = t.curve.iter().map(|[_, tau]| *tau);
    let pairs = t.positive.iter().chain(&t.negative).map(|&v| f64::from(v));
    let (low, high) = taus
        .chain(pairs)
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if low > high {
        return (0.0, 1.0);
    }
    let margin = ((high - low) * 0.02).max(0.01);
    (low - margin, high + margin)
}

/// The collapsible "Embedding diagnostics (step N)" section.
pub fn show(ui: &mut egui::Ui, step: usize, d: &Diagnostics) {
    egui::CollapsingHeader::new(format!("Embedding diagnostics (step {step})"))
        .id_salt("embedding diagnostics")
        .default_open(true)
        .show(ui, |ui| {
            ui.columns(2, |cols| {
                heatmap_section(&mut cols[0], d);
                cosine_section(&mut cols[1], d);
            });
            if let Some(t) = &d.temperature {
                ui.separator();
                ui.columns(2, |cols| {
                    curve_section(&mut cols[0], t);
                    temperature_section(&mut cols[1], t);
                });
            }
        });
}

fn heatmap_section(ui: &mut egui::Ui, d: &Diagnostics) {
    let views = 2 * d.images;
    ui.strong("Cosine similarity of the views' embeddings");
    if views == 0 || d.similarity.len() != views * views {
        let got = d.similarity.len();
        ui.colored_label(
            Color32::LIGHT_RED,
            format!("no similarity matrix to show: {got} values for {} images", d.images),
        );
        return;
    }
    let k = d.images;
    ui.label(
        egui::RichText::new(format!(
            "rows and columns: views 1..{k} (first view of each image), then their second views; \
             outlined: each view's positive"
        ))
        .small(),
    );
    let side = ui.available_width().min(HEATMAP_MAX_SIDE);
    // In a row, so a justified column does not stretch the square (and its hover area).
    let (response, painter) =
        ui.horizontal(|ui| ui.allocate_painter(Vec2::splat(side), Sense::hover())).inner;
    let cell = side / views as f32;
    let cell_rect = |row: usize, col: usize| {
        let min = response.rect.min + Vec2::new(col as f32, row as f32) * cell;
        Rect::from_min_size(min, Vec2::splat(cell))
    };
    for row in 0..views {
        for col in 0..views {
            painter.rect_filled(cell_rect(row, col), 0.0, diverging(d.similarity[row * views + col]));
        }
    }
    let outline = Stroke::new((cell * 0.15).clamp(1.0, 2.5), Color32::BLACK);
    for row in 0..views {
        painter.rect_stroke(cell_rect(row, (row + k) % views), 0.0, outline, StrokeKind::Inside);
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "similarity heatmap"));
    if let Some(pos) = response.hover_pos() {
        let at = (pos - response.rect.min) / cell;
        let (row, col) = (at.y as usize, at.x as usize);
        if row < views && col < views {
            let text = cell_description(k, row, col, d.similarity[row * views + col]);
            response.on_hover_text_at_pointer(text);
        }
    }
    colour_bar(ui, side);
}

/// "image 2, view 1 × image 2, view 2: cos +0.87 (positive pair)".
fn cell_description(k: usize, row: usize, col: usize, cosine: f32) -> String {
    let view = |i: usize| format!("image {}, view {}", i % k + 1, i / k + 1);
    let positive = if col == (row + k) % (2 * k) { " (positive pair)" } else { "" };
    format!("{} × {}: cos {cosine:+.2}{positive}", view(row), view(col))
}

/// A horizontal strip of the colormap from −1 to 1, numbered under its ends and middle.
fn colour_bar(ui: &mut egui::Ui, width: f32) {
    let height = 12.0;
    let (rect, _) = ui.allocate_exact_size(Vec2::new(width, height + 14.0), Sense::hover());
    let painter = ui.painter_at(rect);
    let steps = 64;
    let step_width = width / steps as f32;
    for i in 0..steps {
        let cosine = -1.0 + 2.0 * (i as f32 + 0.5) / steps as f32;
        let min = rect.min + Vec2::new(i as f32 * step_width, 0.0);
        painter.rect_filled(
            Rect::from_min_size(min, Vec2::new(step_width + 0.5, height)),
            0.0,
            diverging(cosine),
        );
    }
    let font = egui::FontId::proportional(11.0);
    let color = ui.visuals().text_color();
    let y = rect.min.y + height + 1.0;
    for (text, x, align) in [
        ("-1", rect.min.x, egui::Align2::LEFT_TOP),
        ("0", rect.center().x, egui::Align2::CENTER_TOP),
        ("1", rect.max.x, egui::Align2::RIGHT_TOP),
    ] {
        painter.text(Pos2::new(x, y), align, text, font.clone(), color);
    }
    ui.label(egui::RichText::new("colour: cosine, from −1 (blue) through 0 (white) to 1 (red)").small());
}

fn cosine_section(ui: &mut egui::Ui, d: &Diagnostics) {
    ui.strong("Cosines of positive and negative pairs");
    let (p, n) = (d.positive_cosines.len(), d.negative_cosines.len());
    ui.label(egui::RichText::new(format!("{p} positive and {n} negative pairs; densities")).small());
    let series = [
        (format!("positive pairs ({p})"), &d.positive_cosines, POSITIVE_COLOR),
        (format!("negative pairs ({n})"), &d.negative_cosines, NEGATIVE_COLOR),
    ];
    histogram_plot(ui, "diagnostics cosines", "cosine", COSINE_RANGE, series);
}

fn curve_section(ui: &mut egui::Ui, t: &TemperatureDiagnostics) {
    ui.strong("DySTreSS temperature τ(c)");
    ui.label(egui::RichText::new("the temperature a pair of cosine c gets").small());
    Plot::new("diagnostics tau curve")
        .height(PLOT_HEIGHT)
        .x_axis_label("cosine c")
        .y_axis_label("τ(c)")
        .include_x(COSINE_RANGE.0)
        .include_x(COSINE_RANGE.1)
        .include_y(0.0)
        .show(ui, |plot| plot.line(Line::new("τ(c)", t.curve.clone())));
}

fn temperature_section(ui: &mut egui::Ui, t: &TemperatureDiagnostics) {
    ui.strong("Temperatures the batch's pairs got");
    let (p, n) = (t.positive.len(), t.negative.len());
    ui.label(egui::RichText::new(format!("{p} positive and {n} negative pairs; densities")).small());
    let series = [
        (format!("positive pairs ({p})"), &t.positive, POSITIVE_COLOR),
        (format!("negative pairs ({n})"), &t.negative, NEGATIVE_COLOR),
    ];
    histogram_plot(ui, "diagnostics temperatures", "temperature τ", temperature_range(t), series);
}

/// Overlaid density histograms of `series` (name, values, colour) over `range`.
fn histogram_plot(
    ui: &mut egui::Ui,
    id: &str,
    x_label: &str,
    range: (f64, f64),
    series: [(String, &Vec<f32>, Color32); 2],
) {
    let bin_width = (range.1 - range.0) / BINS as f64;
    Plot::new(id)
        .height(PLOT_HEIGHT)
        .legend(Legend::default())
        .x_axis_label(x_label)
        .y_axis_label("density")
        .include_x(range.0)
        .include_x(range.1)
        .include_y(0.0)
        .show(ui, |plot| {
            for (name, values, color) in series {
                let bars = histogram(values, range, BINS).into_iter().map(|[x, d]| Bar::new(x, d)).collect();
                plot.bar_chart(BarChart::new(name, bars).width(bin_width).color(color));
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_densities_integrate_to_one_and_land_in_the_right_bins() {
        let h = histogram(&[-1.0, -0.9, 0.1, 0.1, 1.0], (-1.0, 1.0), 4);
        let centres: Vec<f64> = h.iter().map(|b| b[0]).collect();
        assert_eq!(centres, [-0.75, -0.25, 0.25, 0.75]);
        let width = 0.5;
        // Counts 2, 0, 2, 1 of 5: the right end falls in the last bin, not past it.
        let densities: Vec<f64> = h.iter().map(|b| b[1] * 5.0 * width).collect();
        assert_eq!(densities, [2.0, 0.0, 2.0, 1.0]);
        let area: f64 = h.iter().map(|b| b[1] * width).sum();
        assert!((area - 1.0).abs() < 1e-12);
    }

    #[test]
    fn histogram_clamps_rounding_overshoot_and_skips_nan() {
        let h = histogram(&[1.000_001, -1.000_001, f32::NAN], (-1.0, 1.0), 2);
        assert_eq!(h, [[-0.5, 0.5], [0.5, 0.5]]);
    }

    #[test]
    fn histogram_of_nothing_or_on_an_empty_range_is_flat_or_empty() {
        let h = histogram(&[], (-1.0, 1.0), 40);
        assert_eq!(h.len(), 40);
        assert!(h.iter().all(|b| b[1] == 0.0));
        assert!(histogram(&[0.5], (1.0, 1.0), 10).is_empty());
        assert!(histogram(&[0.5], (0.0, 1.0), 0).is_empty());
        assert!(histogram(&[0.5], (f64::NAN, 1.0), 10).is_empty());
    }

    #[test]
    fn colormap_ends_are_blue_white_red_and_clamped() {
        assert_eq!(diverging(-1.0), BLUE);
        assert_eq!(diverging(0.0), Color32::WHITE);
        assert_eq!(diverging(1.0), RED);
        assert_eq!(diverging(-3.0), BLUE);
        assert_eq!(diverging(2.0), RED);
        assert_eq!(diverging(f32::NAN), Color32::GRAY);
        // Halfway to red: red channel between, green and blue halfway down from white.
        let half = diverging(0.5);
        assert_eq!((half.g(), half.b()), (140, 149));
        assert!(diverging(0.9).g() < half.g(), "stronger colour for larger cosines");
    }

    #[test]
    fn temperature_range_covers_the_curve_and_widens_a_constant_tau() {
        let t = TemperatureDiagnostics {
            curve: vec![[-1.0, 0.1], [1.0, 0.5]],
            positive: vec![0.2],
            negative: vec![0.4],
        };
        let (low, high) = temperature_range(&t);
        assert!(low < 0.1 && low > 0.05 && high > 0.5 && high < 0.55, "({low}, {high})");
        let constant = TemperatureDiagnostics { curve: vec![[-1.0, 0.2], [1.0, 0.2]], ..t };
        let (low, high) = temperature_range(&constant);
        assert!(low < 0.2 && high > 0.2);
    }

    #[test]
    fn cells_are_described_by_image_and_view() {
        assert_eq!(
            cell_description(2, 0, 2, 0.875),
            "image 1, view 1 × image 1, view 2: cos +0.88 (positive pair)"
        );
        assert_eq!(cell_description(2, 3, 0, -0.25), "image 2, view 2 × image 1, view 1: cos -0.25");
    }
}
