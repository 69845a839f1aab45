//! Renders a figure with plotters to PNG or SVG and writes it atomically.
//!
//! Figures draw vectors (lines, text, markers) through plotters' generic backend. Images
//! inside a figure (a heat map, a colour bar's gradient) are [`Raster`]s laid under the
//! vectors: blitted into the pixel buffer for PNG, embedded as one PNG `<image>` for SVG, so an
//! SVG of a 512² map stays a few hundred kB instead of one `<rect>` per pixel.
use super::font;
use super::privacy::PhiGuard;
use crate::train::run_dir::write_atomic;
use anyhow::Context;
use image::ImageEncoder;
use plotters::backend::RGBPixel;
use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingAreaErrorKind, DrawingBackend, SVGBackend};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// The format a file name asks for, by its extension.
    pub fn from_path(path: &Path) -> anyhow::Result<Self> {
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            _ => anyhow::bail!("cannot tell the figure format of {}: name it .png or .svg", path.display()),
        }
    }
}

/// An RGB image shown at `shown` size (nearest neighbour) with its top-left corner at `left`,
/// `top`, under whatever the figure draws.
pub struct Raster<'a> {
    pub left: i32,
    pub top: i32,
    pub shown: (u32, u32),
    pub size: (u32, u32),
    /// `[height][width][3]` bytes.
    pub rgb: std::borrow::Cow<'a, [u8]>,
}

/// A figure laid out and ready to draw.
pub trait Figure {
    /// Width and height in pixels (SVG user units).
    fn size(&self) -> (u32, u32);
    /// Every text the figure shows, with what it is ("the title"), for the PHI guard.
    fn texts(&self) -> Vec<(String, &str)>;
    fn rasters(&self) -> Vec<Raster<'_>> {
        Vec::new()
    }
    /// Draws on a white canvas over the rasters; the background is not the figure's to fill.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> anyhow::Result<()>;
}

/// Checks every text with `guard`, renders in the format `path` names and writes the file;
/// nothing is written if a text is refused or drawing fails.
pub fn save(figure: &impl Figure, path: &Path, guard: &PhiGuard) -> anyhow::Result<()> {
    let format = Format::from_path(path)?;
    for (what, text) in figure.texts() {
        guard.check(&what, text)?;
    }
    font::ensure_registered()?;
    let bytes = match format {
        Format::Png => png(figure)?,
        Format::Svg => svg(figure)?.into_bytes(),
    };
    write_atomic(path, &bytes).with_context(|| format!("cannot save the figure {}", path.display()))
}

/// plotters' errors borrow nothing but are generic over the backend; as text they fit anyhow.
pub fn drawing_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow::anyhow!("cannot draw the figure: {e}")
}

fn png(figure: &impl Figure) -> anyhow::Result<Vec<u8>> {
    let (width, height) = figure.size();
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    for raster in figure.rasters() {
        blit(&raster, &mut pixels, (width, height))?;
    }
    {
        let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut pixels, (width, height))
            .map_err(|e| anyhow::anyhow!("cannot draw the figure: {e}"))?;
        let area = DrawingArea::from(backend);
        figure.draw(&area)?;
        area.present().map_err(drawing_error)?;
    }
    encode_png(&pixels, (width, height))
}

fn svg(figure: &impl Figure) -> anyhow::Result<String> {
    let (width, height) = figure.size();
    let mut text = String::new();
    {
        let area = DrawingArea::from(SVGBackend::with_string(&mut text, (width, height)));
        figure.draw(&area)?;
        area.present().map_err(drawing_error)?;
    }
    let mut underlay = format!("<rect width=\"{width}\" height=\"{height}\" fill=\"#FFFFFF\"/>\n");
    for raster in figure.rasters() {
        let (w, h) = raster.shown;
        let data = base64(&encode_png(&raster.rgb, raster.size)?);
        underlay.push_str(&format!(
            "<image x=\"{}\" y=\"{}\" width=\"{w}\" height=\"{h}\" preserveAspectRatio=\"none\" \
             style=\"image-rendering:pixelated\" href=\"data:image/png;base64,{data}\"/>\n",
            raster.left, raster.top
        ));
    }
    let opening_end = text
        .find("<svg")
        .and_then(|start| text[start..].find('>').map(|end| start + end + 1))
        .context("plotters wrote no <svg> element")?;
    text.insert_str(opening_end, &format!("\n{underlay}"));
    Ok(text)
}

/// Refuses RGB bytes that do not fill a `w`×`h` image; `what` names the image in the error.
pub fn check_rgb(what: &str, (w, h): (u32, u32), rgb: &[u8]) -> anyhow::Result<()> {
    anyhow::ensure!(w > 0 && h > 0, "{what} has no pixels ({w}x{h})");
    let needed = w as usize * h as usize * 3;
    anyhow::ensure!(
        rgb.len() == needed,
        "{what} of {w}x{h} pixels needs {needed} RGB bytes, not {}",
        rgb.len()
    );
    Ok(())
}

fn blit(raster: &Raster, pixels: &mut [u8], (width, height): (u32, u32)) -> anyhow::Result<()> {
    let (w, h) = raster.size;
    check_rgb("an image in a figure", (w, h), &raster.rgb)?;
    let (shown_w, shown_h) = raster.shown;
    for dy in 0..shown_h {
        let y = raster.top + dy as i32;
        if y < 0 || y >= height as i32 {
            continue;
        }
        let src_row = (dy as u64 * h as u64 / shown_h as u64) as usize;
        for dx in 0..shown_w {
            let x = raster.left + dx as i32;
            if x < 0 || x >= width as i32 {
                continue;
            }
            let src_col = (dx as u64 * w as u64 / shown_w as u64) as usize;
            let src = (src_row * w as usize + src_col) * 3;
            let dst = (y as usize * width as usize + x as usize) * 3;
            pixels[dst..dst + 3].copy_from_slice(&raster.rgb[src..src + 3]);
        }
    }
    Ok(())
}

fn encode_png(rgb: &[u8], (width, height): (u32, u32)) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(rgb, width, height, image::ExtendedColorType::Rgb8)
        .context("cannot encode the figure as PNG")?;
    Ok(bytes)
}

/// Standard base64 with padding, for the `data:` URIs of embedded images.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }
}
