//! Colormaps for maps shown or exported as pictures, and the overlay of a map on its image.
use super::colormap_tables::{INFERNO, TURBO, VIRIDIS};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Colormap {
    /// Perceptually uniform, readable in grey and by colour-blind viewers: the default.
    #[default]
    Viridis,
    /// Perceptually uniform from black to pale yellow, brightest where the value is highest.
    Inferno,
    /// A smooth rainbow, the customary look of GradCAM; not perceptually uniform.
    Turbo,
    /// Black to white, so that "brighter = more similar" holds literally.
    Gray,
}

impl Colormap {
    pub const ALL: [Colormap; 4] = [Colormap::Viridis, Colormap::Inferno, Colormap::Turbo, Colormap::Gray];

    pub fn id(self) -> &'static str {
        match self {
            Colormap::Viridis => "viridis",
            Colormap::Inferno => "inferno",
            Colormap::Turbo => "turbo",
            Colormap::Gray => "gray",
        }
    }

    /// The colour of `t`, clamped to [0, 1], from the 256-entry table (NaN gives the lowest).
    pub fn rgb(self, t: f32) -> [u8; 3] {
        let i = (t.clamp(0.0, 1.0) * 255.0).round() as usize;
        let table = match self {
            Colormap::Viridis => &VIRIDIS,
            Colormap::Inferno => &INFERNO,
            Colormap::Turbo => &TURBO,
            Colormap::Gray => return [i as u8; 3],
        };
        [table[3 * i], table[3 * i + 1], table[3 * i + 2]]
    }

    /// A row-major map as RGB bytes, `range` (low, high) mapped onto the whole colormap.
    pub fn colorize(self, map: &[f32], range: (f64, f64)) -> anyhow::Result<Vec<u8>> {
        let position = unit_position(range)?;
        Ok(map.iter().flat_map(|&v| self.rgb(position(v))).collect())
    }
}

/// `image` (row-major RGB bytes) with `map` (one value per pixel) coloured over it at
/// `opacity` in [0, 1]; pixels where the map is NaN keep the image's colour.
pub fn overlay(
    image: &[u8],
    map: &[f32],
    range: (f64, f64),
    colormap: Colormap,
    opacity: f32,
) -> anyhow::Result<Vec<u8>> {
    anyhow::ensure!(
        image.len() == 3 * map.len(),
        "an RGB image of {} bytes does not match a map of {} pixels",
        image.len(),
        map.len()
    );
    anyhow::ensure!((0.0..=1.0).contains(&opacity), "opacity must lie in [0, 1], got {opacity}");
    let position = unit_position(range)?;
    let mut out = image.to_vec();
    for (pixel, &value) in out.chunks_exact_mut(3).zip(map) {
        if value.is_nan() {
            continue;
        }
        for (channel, colour) in pixel.iter_mut().zip(colormap.rgb(position(value))) {
            let blended = f32::from(*channel) * (1.0 - opacity) + f32::from(colour) * opacity;
            *channel = blended.round() as u8;
        }
    }
    Ok(out)
}

/// Maps `range` linearly onto [0, 1].
fn unit_position((low, high): (f64, f64)) -> anyhow::Result<impl Fn(f32) -> f32> {
    anyhow::ensure!(
        low.is_finite() && high.is_finite() && low < high,
        "a colour range needs finite low < high, got ({low}, {high})"
    );
    Ok(move |v: f32| ((f64::from(v) - low) / (high - low)) as f32)
}
