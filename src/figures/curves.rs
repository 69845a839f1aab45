//! Line charts of named series: loss curves of several runs overlaid, kNN accuracy per epoch.
use super::export::{self, drawing_error, Figure};
use super::font::FAMILY;
use super::privacy::PhiGuard;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;
use std::path::Path;

/// One line: its name (shown in the legend) and its points `[x, y]`. Points with a non-finite
/// coordinate (a diverged loss) are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CurveFigure {
    pub title: Option<String>,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

/// Smallest width and height a chart with axes, labels and a legend can be drawn in.
const MIN_SIZE: u32 = 200;

/// Tableau's ten colours: distinct from each other, and readable by most colour-blind readers.
const PALETTE: [[u8; 3]; 10] = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [214, 39, 40],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [127, 127, 127],
    [188, 189, 34],
    [23, 190, 207],
];

/// The colour the `index`-th series is drawn in; colours repeat after ten series.
pub fn series_colour(index: usize) -> [u8; 3] {
    PALETTE[index % PALETTE.len()]
}

impl CurveFigure {
    /// A chart of 800x500 pixels.
    pub fn new(x_label: impl Into<String>, y_label: impl Into<String>, series: Vec<Series>) -> Self {
        Self { title: None, x_label: x_label.into(), y_label: y_label.into(), series, size: (800, 500) }
    }

    /// Writes the chart as PNG or SVG, by the extension of `path`.
    pub fn save(&self, path: &Path, guard: &PhiGuard) -> anyhow::Result<()> {
        let (width, height) = self.size;
        anyhow::ensure!(
            width >= MIN_SIZE && height >= MIN_SIZE,
            "a chart needs at least {MIN_SIZE}x{MIN_SIZE} pixels, not {width}x{height}"
        );
        let (x, y) = self.ranges()?;
        export::save(&Chart { figure: self, x, y }, path, guard)
    }

    fn finite_points(&self) -> impl Iterator<Item = [f64; 2]> + '_ {
        self.series.iter().flat_map(|s| finite(&s.points))
    }

    fn ranges(&self) -> anyhow::Result<(Range<f64>, Range<f64>)> {
        let span = |pick: fn(&[f64; 2]) -> f64| {
            self.finite_points().map(|p| pick(&p)).fold(None, |range: Option<(f64, f64)>, v| {
                Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
            })
        };
        let (Some(x), Some(y)) = (span(|p| p[0]), span(|p| p[1])) else {
            anyhow::bail!("the chart has no finite point to draw");
        };
        Ok((padded(x, 0.0), padded(y, 0.05)))
    }
}

fn finite(points: &[[f64; 2]]) -> impl Iterator<Item = [f64; 2]> + '_ {
    points.iter().copied().filter(|p| p[0].is_finite() && p[1].is_finite())
}

/// The range widened by `margin` of its span on each side; a single value gets a unit span so
/// the axis can still be drawn.
fn padded((lo, hi): (f64, f64), margin: f64) -> Range<f64> {
    if hi > lo {
        let pad = (hi - lo) * margin;
        lo - pad..hi + pad
    } else {
        lo - 0.5..hi + 0.5
    }
}

/// A chart with its axis ranges worked out.
struct Chart<'a> {
    figure: &'a CurveFigure,
    x: Range<f64>,
    y: Range<f64>,
}

impl Figure for Chart<'_> {
    fn size(&self) -> (u32, u32) {
        self.figure.size
    }

    fn texts(&self) -> Vec<(String, &str)> {
        let f = self.figure;
        let mut texts = vec![("the x-axis label".to_string(), f.x_label.as_str())];
        texts.push(("the y-axis label".to_string(), f.y_label.as_str()));
        texts.extend(f.title.as_deref().map(|t| ("the title".to_string(), t)));
        texts.extend(
            f.series.iter().enumerate().map(|(i, s)| (format!("the name of series {i}"), s.name.as_str())),
        );
        texts
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
        let f = self.figure;
        let mut builder = ChartBuilder::on(area);
        builder.margin(16).x_label_area_size(48).y_label_area_size(72);
        if let Some(title) = &f.title {
            builder.caption(title, (FAMILY, 22));
        }
        let mut chart = builder.build_cartesian_2d(self.x.clone(), self.y.clone()).map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc(f.x_label.as_str())
            .y_desc(f.y_label.as_str())
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(drawing_error)?;
        for (i, series) in f.series.iter().enumerate() {
            let [r, g, b] = series_colour(i);
            let style = RGBColor(r, g, b).stroke_width(2);
            let points: Vec<(f64, f64)> = finite(&series.points).map(|[x, y]| (x, y)).collect();
            // A lone point has no line to draw: show it as a dot.
            let dot = if points.len() == 1 { 4 } else { 0 };
            chart
                .draw_series(LineSeries::new(points, style).point_size(dot))
                .map_err(drawing_error)?
                .label(series.name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((FAMILY, 14))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(drawing_error)?;
        Ok(())
    }
}
