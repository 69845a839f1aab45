//! An RGB image as a figure: a GradCAM or similarity overlay with its title, a colour bar
//! saying what the colours mean, and markers on points of interest (the anchor of a
//! similarity map).
use super::export::{self, drawing_error, Figure, Raster};
use super::font::{text_size, FAMILY};
use super::privacy::PhiGuard;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::borrow::Cow;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub struct MapFigure<'a> {
    pub width: u32,
    pub height: u32,
    /// `[height][width][3]` bytes.
    pub rgb: &'a [u8],
    pub title: Option<String>,
    pub colour_bar: Option<ColourBar>,
    pub markers: Vec<Marker>,
    /// Figure pixels per image pixel, so a 64 px map is not a thumbnail.
    pub zoom: u32,
}

/// The value range of the map and the colours it went through, low to high.
#[derive(Debug, Clone, PartialEq)]
pub struct ColourBar {
    pub min: f64,
    pub max: f64,
    pub lut: [[u8; 3]; 256],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marker {
    /// Column and row of the image pixel marked; the marker sits on the pixel's centre.
    pub x: f64,
    pub y: f64,
    pub shape: MarkerShape,
    pub colour: [u8; 3],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerShape {
    Star,
    Cross,
    Circle,
}

const PAD: i32 = 16;
const TITLE_FONT: f64 = 20.0;
const TICK_FONT: f64 = 14.0;
const BAR_GAP: i32 = 16;
const BAR_WIDTH: i32 = 20;
const TICK_LENGTH: i32 = 5;
const TICKS: usize = 5;
/// Marker radius in figure pixels, whatever the zoom, so markers stay visible and small.
const MARKER_RADIUS: f64 = 10.0;

impl ColourBar {
    pub fn from_lut(min: f64, max: f64, lut: [[u8; 3]; 256]) -> Self {
        Self { min, max, lut }
    }

    /// Samples `colormap` at 256 evenly spaced points of [0, 1].
    pub fn from_fn(min: f64, max: f64, colormap: impl Fn(f64) -> [u8; 3]) -> Self {
        Self { min, max, lut: std::array::from_fn(|i| colormap(i as f64 / 255.0)) }
    }

    /// Evenly spaced tick labels, low to high, with as many decimals as their spacing needs.
    fn ticks(&self) -> Vec<String> {
        let span = self.max - self.min;
        let decimals = (2.0 - span.log10().floor()).clamp(0.0, 6.0) as usize;
        (0..TICKS)
            .map(|k| format!("{:.decimals$}", self.min + span * k as f64 / (TICKS - 1) as f64))
            .collect()
    }
}

impl<'a> MapFigure<'a> {
    /// The image alone, zoomed so its longer side is about 384 figure pixels.
    pub fn new(width: u32, height: u32, rgb: &'a [u8]) -> Self {
        let zoom = (384 / width.max(height).max(1)).max(1);
        Self { width, height, rgb, title: None, colour_bar: None, markers: Vec::new(), zoom }
    }

    /// Writes the figure as PNG or SVG, by the extension of `path`.
    pub fn save(&self, path: &Path, guard: &PhiGuard) -> anyhow::Result<()> {
        self.validate()?;
        export::save(&Layout::new(self)?, path, guard)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let (w, h) = (self.width, self.height);
        export::check_rgb("the map", (w, h), self.rgb)?;
        anyhow::ensure!((1..=64).contains(&self.zoom), "zoom must be 1 to 64, not {}", self.zoom);
        if let Some(bar) = &self.colour_bar {
            anyhow::ensure!(
                bar.min.is_finite() && bar.max.is_finite() && bar.min < bar.max,
                "the colour bar needs a finite range with min < max, not {} to {}",
                bar.min,
                bar.max
            );
        }
        for m in &self.markers {
            anyhow::ensure!(
                (0.0..w as f64).contains(&m.x) && (0.0..h as f64).contains(&m.y),
                "a marker at ({}, {}) lies outside the {w}x{h} map",
                m.x,
                m.y
            );
        }
        Ok(())
    }
}

/// Where everything goes, worked out from the text sizes.
struct Layout<'f> {
    figure: &'f MapFigure<'f>,
    size: (u32, u32),
    image_top: i32,
    shown: (i32, i32),
    tick_labels: Vec<String>,
}

impl<'f> Layout<'f> {
    fn new(figure: &'f MapFigure<'f>) -> anyhow::Result<Self> {
        let shown = ((figure.width * figure.zoom) as i32, (figure.height * figure.zoom) as i32);
        let (title_width, title_height) = match &figure.title {
            Some(t) => text_size(t, TITLE_FONT).map(|(w, h)| (w as i32, h as i32 + PAD / 2))?,
            None => (0, 0),
        };
        let ticks = figure.colour_bar.as_ref().map(ColourBar::ticks).unwrap_or_default();
        let mut tick_width = 0;
        for label in &ticks {
            tick_width = tick_width.max(text_size(label, TICK_FONT)?.0 as i32);
        }
        let bar_width =
            if figure.colour_bar.is_some() { BAR_GAP + BAR_WIDTH + TICK_LENGTH + 4 + tick_width } else { 0 };
        let width = (shown.0 + bar_width).max(title_width) + 2 * PAD;
        let height = shown.1 + title_height + 2 * PAD;
        Ok(Self {
            figure,
            size: (width as u32, height as u32),
            image_top: PAD + title_height,
            shown,
            tick_labels: ticks,
        })
    }

    fn bar_left(&self) -> i32 {
        PAD + self.shown.0 + BAR_GAP
    }

    fn draw_colour_bar<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
        let (left, top, bottom) = (self.bar_left(), self.image_top, self.image_top + self.shown.1);
        let outline = Rectangle::new([(left - 1, top - 1), (left + BAR_WIDTH, bottom)], BLACK);
        area.draw(&outline).map_err(drawing_error)?;
        let style = TextStyle::from((FAMILY, TICK_FONT).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        let last = (TICKS - 1) as f64;
        for (k, label) in self.tick_labels.iter().enumerate() {
            let y = bottom - 1 - ((self.shown.1 - 1) as f64 * k as f64 / last).round() as i32;
            let x = left + BAR_WIDTH;
            area.draw(&PathElement::new(vec![(x, y), (x + TICK_LENGTH, y)], BLACK)).map_err(drawing_error)?;
            area.draw_text(label, &style, (x + TICK_LENGTH + 4, y)).map_err(drawing_error)?;
        }
        Ok(())
    }

    fn draw_marker<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        m: &Marker,
    ) -> anyhow::Result<()> {
        let zoom = self.figure.zoom as f64;
        let (cx, cy) = (PAD as f64 + (m.x + 0.5) * zoom, self.image_top as f64 + (m.y + 0.5) * zoom);
        let at = |angle: f64, r: f64| {
            ((cx + r * angle.cos()).round() as i32, (cy + r * angle.sin()).round() as i32)
        };
        let [r, g, b] = m.colour;
        let colour = RGBColor(r, g, b);
        // A dark outline under every shape keeps it visible on any colour of the map.
        let outline = BLACK.stroke_width(5);
        let line = colour.stroke_width(3);
        let radius = MARKER_RADIUS;
        match m.shape {
            MarkerShape::Star => {
                let points: Vec<_> = (0..10)
                    .map(|i| {
                        let r = if i % 2 == 0 { radius } else { radius * 0.45 };
                        at(std::f64::consts::PI * (i as f64 / 5.0 - 0.5), r)
                    })
                    .collect();
                let mut closed = points.clone();
                closed.push(points[0]);
                area.draw(&Polygon::new(points, colour.filled())).map_err(drawing_error)?;
                area.draw(&PathElement::new(closed, BLACK.stroke_width(2))).map_err(drawing_error)?;
            }
            MarkerShape::Cross => {
                for style in [outline, line] {
                    for angle in [0.25, 0.75] {
                        let a = std::f64::consts::PI * angle;
                        let ends = vec![at(a, radius), at(a + std::f64::consts::PI, radius)];
                        area.draw(&PathElement::new(ends, style)).map_err(drawing_error)?;
                    }
                }
            }
            MarkerShape::Circle => {
                let centre = at(0.0, 0.0);
                for style in [outline, line] {
                    area.draw(&Circle::new(centre, radius as i32, style)).map_err(drawing_error)?;
                }
            }
        }
        Ok(())
    }
}

impl Figure for Layout<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn texts(&self) -> Vec<(String, &str)> {
        self.figure.title.as_deref().map(|t| ("the title".to_string(), t)).into_iter().collect()
    }

    fn rasters(&self) -> Vec<Raster<'_>> {
        let f = self.figure;
        let image = Raster {
            left: PAD,
            top: self.image_top,
            shown: (self.shown.0 as u32, self.shown.1 as u32),
            size: (f.width, f.height),
            rgb: Cow::Borrowed(f.rgb),
        };
        let bar = f.colour_bar.as_ref().map(|bar| {
            // One row per figure pixel, top row the highest value, so that both ends of the
            // table are shown whatever the bar's height.
            let rows = self.shown.1 as usize;
            let entry = |row: usize| 255 - (row * 255 + (rows - 1).max(1) / 2) / (rows - 1).max(1);
            Raster {
                left: self.bar_left(),
                top: self.image_top,
                shown: (BAR_WIDTH as u32, rows as u32),
                size: (1, rows as u32),
                rgb: Cow::Owned((0..rows).flat_map(|row| bar.lut[entry(row)]).collect()),
            }
        });
        std::iter::once(image).chain(bar).collect()
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
        if let Some(title) = &self.figure.title {
            let style =
                TextStyle::from((FAMILY, TITLE_FONT).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
            area.draw_text(title, &style, (self.size.0 as i32 / 2, PAD)).map_err(drawing_error)?;
        }
        let (left, top) = (PAD, self.image_top);
        let frame = Rectangle::new([(left - 1, top - 1), (left + self.shown.0, top + self.shown.1)], BLACK);
        area.draw(&frame).map_err(drawing_error)?;
        if self.figure.colour_bar.is_some() {
            self.draw_colour_bar(area)?;
        }
        for marker in &self.figure.markers {
            self.draw_marker(area, marker)?;
        }
        Ok(())
    }
}
