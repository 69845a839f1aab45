//! The distribution of a volume's values, with the current window drawn over it.
use crate::io::{Volume, Window};
use eframe::egui::{self, Color32};
use egui_plot::{Bar, BarChart, Plot, Span, VLine};

const BINS: usize = 256;
/// Enough voxels for a faithful shape; a 512×512×300 series is sampled, not read whole.
const MAX_SAMPLES: usize = 2_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub low: f32,
    pub high: f32,
    pub counts: Vec<u64>,
}

impl Histogram {
    /// Counts of the finite values (all channels) in `BINS` bins across `(low, high)`, the
    /// volume's value range.
    pub fn of(volume: &Volume, (low, high): (f32, f32)) -> Self {
        let mut counts = vec![0u64; BINS];
        if low > high {
            return Self { low: 0.0, high: 1.0, counts };
        }
        let width = (high - low).max(f32::MIN_POSITIVE);
        let mut step = (volume.voxels.len() / MAX_SAMPLES).max(1);
        if volume.channels > 1 && step.is_multiple_of(volume.channels) {
            // Otherwise a colour image would be sampled in one channel only.
            step += 1;
        }
        for v in volume.voxels.iter().step_by(step).filter(|v| v.is_finite()) {
            let bin = (((v - low) / width) * BINS as f32) as usize;
            counts[bin.min(BINS - 1)] += 1;
        }
        Self { low, high, counts }
    }

    fn bin_width(&self) -> f64 {
        ((self.high - self.low) as f64 / BINS as f64).max(f64::MIN_POSITIVE)
    }
}

/// Bars on a logarithmic count scale (CT's air and background peaks would flatten the rest),
/// the window as a shaded span, its centre as a line.
pub fn show(ui: &mut egui::Ui, histogram: &Histogram, window: &Window, height: f32) {
    let bin_width = histogram.bin_width();
    let bars = histogram
        .counts
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let centre = histogram.low as f64 + (i as f64 + 0.5) * bin_width;
            Bar::new(centre, (n as f64).ln_1p()).width(bin_width)
        })
        .collect();
    let (lo, hi) = (window.center - window.width / 2.0, window.center + window.width / 2.0);
    let accent = Color32::from_rgb(255, 190, 60);
    Plot::new("viewer-histogram")
        .height(height)
        .show_y(false)
        .y_axis_label("log count")
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("values", bars).color(Color32::from_gray(170)));
            plot.span(Span::new("window", lo..=hi).fill(accent.gamma_multiply(0.15)).border_color(accent));
            plot.vline(VLine::new("level", window.center).color(accent));
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_span_the_finite_range() {
        let empty = Volume::new(vec![f32::NAN], [1, 1, 1], 1, [1.0; 3]);
        assert_eq!(Histogram::of(&empty, empty.value_range()).counts.iter().sum::<u64>(), 0);
        let v = Volume::new(vec![0.0, 0.0, 10.0, f32::NAN, 5.0], [5, 1, 1], 1, [1.0; 3]);
        let h = Histogram::of(&v, v.value_range());
        assert_eq!((h.low, h.high), (0.0, 10.0));
        assert_eq!(h.counts.iter().sum::<u64>(), 4, "NaN is left out");
        assert_eq!(h.counts[0], 2);
        assert_eq!(h.counts[BINS - 1], 1);
        assert_eq!(h.counts[BINS / 2], 1);
    }
}
