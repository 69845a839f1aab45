//! Random resized crop's resampling in 2D, as `tensor::warp` through an axis-aligned map
//! (`grid_sample`, bilinear, border padding, `align_corners = false`): an axis-aligned map is
//! separable, so each output row blends two source rows at precomputed columns.
use super::map_samples;
use multiversion::multiversion;
use tch::Tensor;

/// `[B, C, H, W]` images, sample i resampled through the map `maps[i]` = `[sx, cx, sy, cy]`
/// from output to input coordinates normalised to [-1, 1]: x_in = sx·x_out + cx, likewise y.
pub fn resample_batch(images: &Tensor, maps: &[[f32; 4]]) -> Tensor {
    let size = images.size();
    let (h, w) = (size[2] as usize, size[3] as usize);
    map_samples(images, |i, source, out| {
        let [sx, cx, sy, cy] = maps[i];
        let (columns, rows) = (linear_taps(sx, cx, w), linear_taps(sy, cy, h));
        for (plane, out) in source.chunks(h * w).zip(out.chunks_mut(h * w)) {
            resample_plane(plane, out, w, &columns, &rows);
        }
    })
}

/// Each output row blends two source rows interpolated at `columns`; a crop enlarges, so
/// neighbouring output rows share source rows, and the two last interpolated are kept.
#[multiversion(targets("x86_64+avx+avx2+fma"))]
fn resample_plane(plane: &[f32], out: &mut [f32], w: usize, columns: &[Tap], rows: &[Tap]) {
    let mut kept = [(usize::MAX, vec![0.0; w]), (usize::MAX, vec![0.0; w])];
    for (&(y0, y1, wy), out) in rows.iter().zip(out.chunks_mut(w)) {
        if kept[0].0 != y0 {
            if kept[1].0 == y0 {
                kept.swap(0, 1);
            } else {
                kept[0] = (
                    y0,
                    interpolate_row(&plane[y0 * w..(y0 + 1) * w], columns, std::mem::take(&mut kept[0].1)),
                );
            }
        }
        if kept[1].0 != y1 {
            kept[1] =
                (y1, interpolate_row(&plane[y1 * w..(y1 + 1) * w], columns, std::mem::take(&mut kept[1].1)));
        }
        let (upper, lower) = (&kept[0].1, &kept[1].1);
        for ((o, a), b) in out.iter_mut().zip(upper).zip(lower) {
            *o = a * (1.0 - wy) + b * wy;
        }
    }
}

/// `row` sampled at `columns`, written into `into`.
#[inline(always)]
fn interpolate_row(row: &[f32], columns: &[Tap], mut into: Vec<f32>) -> Vec<f32> {
    for (&(x0, x1, wx), o) in columns.iter().zip(into.iter_mut()) {
        *o = row[x0] * (1.0 - wx) + row[x1] * wx;
    }
    into
}

/// Two neighbouring source indices and the weight of the second.
type Tap = (usize, usize, f32);

/// Per output index along an axis of `n` pixels: the two source indices it lies between and
/// the weight of the second, with grid_sample's unnormalisation and border clipping.
fn linear_taps(scale: f32, centre: f32, n: usize) -> Vec<Tap> {
    (0..n)
        .map(|i| {
            let normalised = scale * ((2 * i + 1) as f32 / n as f32 - 1.0) + centre;
            let source = (((normalised + 1.0) * n as f32 - 1.0) / 2.0).clamp(0.0, (n - 1) as f32);
            let first = source.floor();
            let i0 = first as usize;
            (i0, (i0 + 1).min(n - 1), source - first)
        })
        .collect()
}
