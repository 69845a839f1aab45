//! Intensities to the range a network sees: a window to [0, 1], a z-score per volume, or a
//! window followed by per-channel mean/std.
use crate::io::{Volume, Window};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalize {
    /// The window to [0, 1]; images are stored as bytes, like the built-in data.
    Window,
    /// (value - mean) / std over each volume or image, in the file's units; stored as f32.
    #[serde(rename = "zscore")]
    ZScore,
    /// The window, then (value - mean) / std per channel; stored as f32.
    ChannelStats,
}

impl Normalize {
    pub const ALL: [Normalize; 3] = [Normalize::Window, Normalize::ZScore, Normalize::ChannelStats];

    pub fn label(self) -> &'static str {
        match self {
            Normalize::Window => "window to [0, 1]",
            Normalize::ZScore => "z-score per volume",
            Normalize::ChannelStats => "per-channel mean/std",
        }
    }
}

/// The window a config asks for as [center, width], if any.
pub fn chosen(asked: Option<[f64; 2]>) -> Option<Window> {
    asked.map(|[center, width]| Window::new("Chosen", center, width))
}

/// The window asked for, else the file's first (a DICOM's own, or its modality's standard
/// one), else the 0.5th-99.5th percentile.
pub fn window_for(volume: &Volume, asked: Option<[f64; 2]>) -> Window {
    chosen(asked).or_else(|| volume.windows.first().cloned()).unwrap_or_else(|| volume.auto_window())
}

/// The window from 0 to `top`, the whole range of a sample type (255 for bytes).
pub fn window_to(top: f64) -> Window {
    Window::new("Full range", top / 2.0, top)
}

/// `values` through `window` into [0, 1] as [`Window::apply`] maps them; MONOCHROME1 data
/// (`inverted`) comes out with low values bright. Values that are not numbers become 0.
pub fn apply_window(values: &Tensor, window: &Window, inverted: bool) -> Tensor {
    let width = window.width.max(f64::MIN_POSITIVE);
    // In place after the first op: a chunk of CT slices is tens of MB per temporary.
    let mut unit = values.to_kind(Kind::Float) / width;
    let _ = unit.g_add_scalar_(0.5 - window.center / width);
    let _ = unit.clamp_(0.0, 1.0);
    if inverted {
        let _ = unit.neg_();
        let _ = unit.g_add_scalar_(1.0);
    }
    let _ = unit.nan_to_num_(0.0, 0.0, 0.0);
    unit
}

/// Mean and standard deviation of the finite values (std 1 when they are all equal, so a
/// constant volume maps to 0 rather than to NaN). Two passes in f64 over the voxels: faster
/// than torch's reductions on a CT volume, and exact enough for HU.
pub fn finite_mean_std(values: &[f32]) -> (f64, f64) {
    let finite = || values.iter().filter(|v| v.is_finite()).map(|&v| v as f64);
    let n = finite().count();
    if n == 0 {
        return (0.0, 1.0);
    }
    let mean = finite().sum::<f64>() / n as f64;
    let std = (finite().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    (mean, if std > 0.0 { std } else { 1.0 })
}

/// `(values - mean) / std` with the statistics of a whole volume; inverted data is negated so
/// that bright stays high.
pub fn zscore(values: &Tensor, (mean, std): (f64, f64), inverted: bool) -> Tensor {
    let z = (values.to_kind(Kind::Float) - mean) / std;
    let z = if inverted { -z } else { z };
    z.nan_to_num(0.0, 0.0, 0.0)
}

/// Each image of `images` `[N, ...]` z-scored with its own mean and standard deviation.
pub fn zscore_each(images: &Tensor) -> Tensor {
    let images = images.to_kind(Kind::Float);
    let dims: Vec<i64> = (1..images.dim() as i64).collect();
    let mean = images.mean_dim(dims.as_slice(), true, Kind::Float);
    let std = images.std_dim(dims.as_slice(), false, true);
    let std = std.where_self(&std.gt(0.0), &std.ones_like());
    ((images - mean) / std).nan_to_num(0.0, 0.0, 0.0)
}

/// Per-channel mean and standard deviation of `images` `[N, C, H, W]`.
pub fn channel_stats(images: &Tensor) -> (Vec<f64>, Vec<f64>) {
    let images = images.to_kind(Kind::Double);
    let mean = images.mean_dim([0i64, 2, 3].as_slice(), false, Kind::Double);
    let std = images.std_dim([0i64, 2, 3].as_slice(), false, false);
    let to_vec = |t: &Tensor| Vec::<f64>::try_from(t).expect("a 1-D double tensor");
    let std = to_vec(&std).into_iter().map(|s| if s > 0.0 { s } else { 1.0 }).collect();
    (to_vec(&mean), std)
}

/// `(images - mean[c]) / std[c]` for `images` `[N, C, H, W]`.
pub fn standardize(images: &Tensor, mean: &[f64], std: &[f64]) -> Tensor {
    let shape = [1, mean.len() as i64, 1, 1];
    let mean = Tensor::from_slice(mean).to_kind(Kind::Float).view(shape).to_device(images.device());
    let std = Tensor::from_slice(std).to_kind(Kind::Float).view(shape).to_device(images.device());
    (images.to_kind(Kind::Float) - mean) / std
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_matches_the_scalar_form_and_inverts() {
        let w = Window::new("Abdomen", 40.0, 400.0);
        let values = [-1000.0f32, -160.0, 40.0, 100.0, 240.0, 3000.0];
        let t = apply_window(&Tensor::from_slice(&values), &w, false);
        let inv = apply_window(&Tensor::from_slice(&values), &w, true);
        for (i, v) in values.iter().enumerate() {
            let got = t.double_value(&[i as i64]);
            assert!((got - w.apply(*v) as f64).abs() < 1e-6, "{v}: {got}");
            assert!((inv.double_value(&[i as i64]) - (1.0 - got)).abs() < 1e-6);
        }
        let nan = apply_window(&Tensor::from_slice(&[f32::NAN]), &w, false);
        assert_eq!(nan.double_value(&[0]), 0.0);
    }

    #[test]
    fn zscore_ignores_non_finite_values() {
        let values = [1.0f32, 2.0, 3.0, f32::INFINITY];
        let (mean, std) = finite_mean_std(&values);
        let t = Tensor::from_slice(&values);
        assert!((mean - 2.0).abs() < 1e-9 && (std - (2.0f64 / 3.0).sqrt()).abs() < 1e-9);
        let z = zscore(&t, (mean, std), false);
        assert!((z.double_value(&[2]) - 1.0 / std).abs() < 1e-5);
        assert_eq!(finite_mean_std(&[5.0, 5.0]), (5.0, 1.0));
        let each = zscore_each(&Tensor::from_slice(&[1.0f32, 3.0, 7.0, 7.0]).view([2, 2]));
        assert_eq!(Vec::<f32>::try_from(each.view([-1])).unwrap(), [-1.0, 1.0, 0.0, 0.0]);
    }
}
