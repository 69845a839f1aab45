//! Bringing slices and images of any size to the run's square image size.
use tch::{Kind, Tensor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resample {
    /// Antialiased bilinear, for intensities: downscaling a 512 px slice to 64 px without
    /// averaging would alias noise into the image.
    Bilinear,
    /// For masks, whose values are labels.
    Nearest,
}

/// Scales `batch` `[N, C, h, w]` into a `size`×`size` square keeping its physical aspect
/// (`spacing` in mm as (rows, columns)), centred, and pads the rest with each image's minimum
/// (air in CT, black in MR). A scan's edges can hold findings, so nothing is cut.
pub fn letterbox(batch: &Tensor, size: i64, spacing: (f64, f64)) -> Tensor {
    let (h, w) = (batch.size()[2], batch.size()[3]);
    let mm = |s: f64| if s.is_finite() && s > 0.0 { s } else { 1.0 };
    let (height, width) = (h as f64 * mm(spacing.0), w as f64 * mm(spacing.1));
    let scale = size as f64 / height.max(width);
    let fit = |extent: f64| ((extent * scale).round() as i64).clamp(1, size);
    let (th, tw) = (fit(height), fit(width));
    let resized = resize(batch, th, tw, Resample::Bilinear);
    let low = resized.amin([1, 2, 3], true);
    let (top, left) = ((size - th) / 2, (size - tw) / 2);
    (&resized - &low).constant_pad_nd([left, size - tw - left, top, size - th - top]) + low
}

/// Scales `batch` `[N, C, h, w]` so its shorter side is `size` and keeps the centre square, as
/// torchvision's Resize + CenterCrop do for photographs and tiles (a square tile loses nothing).
pub fn center_crop(batch: &Tensor, size: i64, how: Resample) -> Tensor {
    let (h, w) = (batch.size()[2], batch.size()[3]);
    let scale = size as f64 / h.min(w) as f64;
    let (th, tw) =
        (((h as f64 * scale).round() as i64).max(size), ((w as f64 * scale).round() as i64).max(size));
    resize(batch, th, tw, how).narrow(2, (th - size) / 2, size).narrow(3, (tw - size) / 2, size)
}

fn resize(batch: &Tensor, h: i64, w: i64, how: Resample) -> Tensor {
    let size = batch.size();
    if size[2] == h && size[3] == w {
        return batch.shallow_clone();
    }
    match how {
        Resample::Bilinear => {
            batch.to_kind(Kind::Float).internal_upsample_bilinear2d_aa([h, w], false, None, None)
        }
        Resample::Nearest => {
            batch.to_kind(Kind::Float).upsample_nearest2d([h, w], None, None).to_kind(batch.kind())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOAT: (Kind, tch::Device) = (Kind::Float, tch::Device::Cpu);

    #[test]
    fn letterbox_keeps_the_physical_aspect_and_pads_with_the_minimum() {
        // 8 rows of 4 mm by 16 columns of 1 mm (32 mm by 16 mm): 16 px by 8 px in a 16 px box.
        // The left half holds 1, the right half 3.
        let halves =
            Tensor::cat(&[Tensor::ones([1, 1, 8, 8], FLOAT), Tensor::ones([1, 1, 8, 8], FLOAT) * 3.0], 3);
        let out = letterbox(&halves, 16, (4.0, 1.0));
        assert_eq!(out.size(), [1, 1, 16, 16]);
        let row = Vec::<f32>::try_from(out.get(0).get(0).get(8)).unwrap();
        assert_eq!((row[1], row[5], row[10], row[14]), (1.0, 1.0, 3.0, 1.0), "{row:?}");
    }

    #[test]
    fn center_crop_takes_the_middle() {
        let columns = Tensor::arange(12, FLOAT).view([1, 1, 1, 12]).expand([1, 1, 4, 12], false);
        let out = center_crop(&columns, 4, Resample::Nearest);
        assert_eq!(Vec::<f32>::try_from(out.get(0).get(0).get(0)).unwrap(), [4.0, 5.0, 6.0, 7.0]);
    }
}
