//! Tables of results (one row per run or method): as CSV for spreadsheets and scripts, and as
//! PNG or SVG to put in a report.
use super::export::{self, drawing_error, Figure, Format};
use super::font::{text_size, FAMILY};
use super::privacy::PhiGuard;
use crate::train::run_dir::write_atomic;
use anyhow::Context;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Drawn above a rendered table; CSV holds only the header and the rows.
    pub title: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

const PAD: i32 = 16;
const FONT: f64 = 15.0;
const TITLE_FONT: f64 = 18.0;
const CELL_PAD_X: i32 = 10;
const CELL_PAD_Y: i32 = 6;
const HEADER_FILL: RGBColor = RGBColor(230, 230, 230);
const RULE: RGBColor = RGBColor(180, 180, 180);

impl Table {
    /// Writes the table as CSV, PNG or SVG, by the extension of `path`.
    pub fn save(&self, path: &Path, guard: &PhiGuard) -> anyhow::Result<()> {
        self.validate()?;
        let is_csv = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if is_csv {
            return self.save_csv(path, guard);
        }
        Format::from_path(path).context("tables are saved as .csv, .png or .svg")?;
        export::save(&Layout::new(self)?, path, guard)
    }

    fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.header.is_empty(), "a table needs at least one column");
        if let Some((i, row)) = self.rows.iter().enumerate().find(|(_, r)| r.len() != self.header.len()) {
            anyhow::bail!("row {i} of the table has {} cells, the header {}", row.len(), self.header.len());
        }
        Ok(())
    }

    /// Every text with what it is, for the PHI guard; the title only when it is shown.
    fn texts(&self, with_title: bool) -> Vec<(String, &str)> {
        let title = self.title.as_deref().filter(|_| with_title).map(|t| ("the title".to_string(), t));
        let header =
            self.header.iter().enumerate().map(|(c, h)| (format!("the header of column {c}"), h.as_str()));
        let cells = self.rows.iter().enumerate().flat_map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(move |(c, cell)| (format!("the cell in row {r}, column {c}"), cell.as_str()))
        });
        title.into_iter().chain(header).chain(cells).collect()
    }

    fn save_csv(&self, path: &Path, guard: &PhiGuard) -> anyhow::Result<()> {
        for (what, text) in self.texts(false) {
            guard.check(&what, text)?;
        }
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&self.header)?;
        for row in &self.rows {
            writer.write_record(row)?;
        }
        let bytes = writer.into_inner().context("cannot write the table as CSV")?;
        write_atomic(path, &bytes).with_context(|| format!("cannot save the table {}", path.display()))
    }
}

/// Column widths and row height, from the widest text of each column.
struct Layout<'t> {
    table: &'t Table,
    size: (u32, u32),
    title_height: i32,
    column_widths: Vec<i32>,
    row_height: i32,
}

impl<'t> Layout<'t> {
    fn new(table: &'t Table) -> anyhow::Result<Self> {
        let (title_width, title_height) = match &table.title {
            Some(t) => text_size(t, TITLE_FONT).map(|(w, h)| (w as i32, h as i32 + PAD / 2))?,
            None => (0, 0),
        };
        let mut column_widths = vec![0; table.header.len()];
        let mut text_height = text_size("Ag", FONT)?.1 as i32;
        for row in std::iter::once(&table.header).chain(&table.rows) {
            for (width, cell) in column_widths.iter_mut().zip(row) {
                let (w, h) = text_size(cell, FONT)?;
                *width = (*width).max(w as i32 + 2 * CELL_PAD_X);
                text_height = text_height.max(h as i32);
            }
        }
        let row_height = text_height + 2 * CELL_PAD_Y;
        let width = column_widths.iter().sum::<i32>().max(title_width) + 2 * PAD;
        let height = title_height + (table.rows.len() as i32 + 1) * row_height + 2 * PAD;
        Ok(Self { table, size: (width as u32, height as u32), title_height, column_widths, row_height })
    }

    fn table_width(&self) -> i32 {
        self.column_widths.iter().sum()
    }
}

impl Figure for Layout<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn texts(&self) -> Vec<(String, &str)> {
        self.table.texts(true)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
        if let Some(title) = &self.table.title {
            let style = TextStyle::from((FAMILY, TITLE_FONT).into_font());
            area.draw_text(title, &style, (PAD, PAD)).map_err(drawing_error)?;
        }
        let (left, top) = (PAD, PAD + self.title_height);
        let right = left + self.table_width();
        let header_box = Rectangle::new([(left, top), (right, top + self.row_height)], HEADER_FILL.filled());
        area.draw(&header_box).map_err(drawing_error)?;
        let style = TextStyle::from((FAMILY, FONT).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        let rows = std::iter::once(&self.table.header).chain(&self.table.rows);
        for (r, row) in rows.enumerate() {
            let y = top + r as i32 * self.row_height;
            if r > 0 {
                area.draw(&PathElement::new(vec![(left, y), (right, y)], RULE)).map_err(drawing_error)?;
            }
            let mut x = left;
            for (cell, width) in row.iter().zip(&self.column_widths) {
                area.draw_text(cell, &style, (x + CELL_PAD_X, y + self.row_height / 2))
                    .map_err(drawing_error)?;
                x += width;
            }
        }
        let bottom = top + (self.table.rows.len() as i32 + 1) * self.row_height;
        area.draw(&Rectangle::new([(left, top), (right, bottom)], BLACK)).map_err(drawing_error)?;
        Ok(())
    }
}
