//! The one font every figure uses, registered with plotters once per process.
//!
//! plotters' `ab_glyph` backend knows no system fonts: a family must be registered before any
//! text is measured or drawn. The font is the one egui ships, so the GUI and the exported
//! figures look alike and nothing depends on what the machine has installed.
use plotters::style::{register_font, FontDesc, FontFamily, FontStyle};
use std::sync::OnceLock;

/// The family name plotters looks up by default (axis labels, legends), so every text finds it.
pub const FAMILY: &str = "sans-serif";

/// Registers the font on first use; later calls cost a lock-free read.
pub fn ensure_registered() -> anyhow::Result<()> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font(FAMILY, FontStyle::Normal, epaint_default_fonts::UBUNTU_LIGHT)
                .map_err(|_| "the built-in figure font could not be read".to_string())
        })
        .clone()
        .map_err(anyhow::Error::msg)
}

/// Width and height of `text` at `size` pixels, for laying out figures before drawing them.
pub fn text_size(text: &str, size: f64) -> anyhow::Result<(u32, u32)> {
    ensure_registered()?;
    FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Normal)
        .box_size(text)
        .map_err(|e| anyhow::anyhow!("cannot measure the text of a figure: {e}"))
}
