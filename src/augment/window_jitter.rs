//! CT window jitter: the display window moved and widened a little after windowing.
use super::tensor::{on_selected, per_sample, selected};
use super::{Augment, Ctx, ImageTraits, Modality, Param};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// Re-windows CT images that were already windowed to [0, 1]: per sample, the window's level
/// moves by δ·width with δ ~ U(`level`) and its width is scaled by s ~ U(`width`), so
/// `x' = clamp((x − 0.5 − δ)/s + 0.5, 0, 1)`. It imitates the spread of window settings between
/// readers and protocols without going back to Hounsfield units.
///
/// Values the original window clipped are gone: a narrower window (s < 1) clips more, but a
/// wider one (s > 1) only lowers the contrast, since the tissue outside the original window
/// stays at 0 or 1 and cannot come back. The ranges are a [default] of the workbench (no
/// source names them): ±10 % of the width for the level and ±20 % for the width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowJitter {
    pub p: f64,
    /// Range of δ, the level shift as a fraction of the window width.
    pub level: (f64, f64),
    /// Range of s, the factor on the window width.
    pub width: (f64, f64),
}

impl Default for WindowJitter {
    fn default() -> Self {
        Self { p: 0.5, level: (-0.1, 0.1), width: (0.8, 1.2) }
    }
}

impl Augment for WindowJitter {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let mask = ctx.rng.coin(b, self.p, device);
        let shift = ctx.rng.uniform(b, self.level.0, self.level.1, device);
        let scale = ctx.rng.uniform(b, self.width.0, self.width.1, device);
        on_selected(images, &mask, |x| {
            let take = |t: &Tensor| per_sample(&selected(t, &mask), x);
            ((x - 0.5 - take(&shift)) / take(&scale) + 0.5).clamp(0.0, 1.0)
        })
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Interval { name: "level shift (× width)", value: &mut self.level, range: (-0.5, 0.5) },
            Param::Interval { name: "width factor", value: &mut self.width, range: (0.25, 4.0) },
        ]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        (images.modality != Modality::Ct).then(|| {
            "made for CT windowed to [0, 1]: on other images it is a plain brightness and contrast \
             change that clips the brightest and darkest values"
                .into()
        })
    }
}
