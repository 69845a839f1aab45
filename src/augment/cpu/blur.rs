//! Separable Gaussian blur of 2D images with a σ per sample and reflection at the borders,
//! as `blur::blur`; taps whose weight is below float resolution are left out, so a small σ
//! costs a few taps however large the kernel side.
use super::map_samples;
use multiversion::multiversion;
use tch::Tensor;

/// Taps lighter than this change no float result in [0, 1].
const TAP_FLOOR: f32 = 1e-9;

/// The kernel form of `blur::blur` on `[B, C, H, W]`: sample i is blurred with σ `sigma[i]`
/// by a `k`-tap kernel where `chosen[i]`, else left as it is.
pub fn blur_batch(images: &Tensor, chosen: &[bool], sigma: &[f32], k: usize) -> Tensor {
    let size = images.size();
    let (h, w) = (size[2] as usize, size[3] as usize);
    map_samples(images, |i, source, out| {
        if !chosen[i] {
            return out.copy_from_slice(source);
        }
        let taps = gaussian_taps(sigma[i], k);
        let mut scratch = vec![0.0; h * w];
        for (plane, out) in source.chunks(h * w).zip(out.chunks_mut(h * w)) {
            blur_plane(plane, out, h, w, &taps, &mut scratch);
        }
    })
}

/// The normalised weights of a `k`-tap Gaussian (k odd), trimmed symmetrically of the taps
/// below `TAP_FLOOR`.
pub fn gaussian_taps(sigma: f32, k: usize) -> Vec<f32> {
    let half = (k / 2) as f32;
    let two_var = 2.0 * sigma.max(1e-3).powi(2);
    let g: Vec<f32> = (0..k).map(|i| (-(i as f32 - half).powi(2) / two_var).exp()).collect();
    let total: f32 = g.iter().sum();
    let g: Vec<f32> = g.iter().map(|v| v / total).collect();
    let trim = g.iter().take_while(|&&v| v < TAP_FLOOR).count().min(k / 2);
    g[trim..k - trim].to_vec()
}

/// Blurs one `h` × `w` plane along rows into `scratch`, then along columns into `out`.
#[multiversion(targets("x86_64+avx+avx2+fma"))]
fn blur_plane(plane: &[f32], out: &mut [f32], h: usize, w: usize, taps: &[f32], scratch: &mut [f32]) {
    let half = taps.len() / 2;
    let mut padded = vec![0.0; w + 2 * half];
    for (row, blurred) in plane.chunks(w).zip(scratch.chunks_mut(w)) {
        for (i, p) in padded.iter_mut().enumerate() {
            *p = row[reflect(i as isize - half as isize, w)];
        }
        for (o, v) in blurred.iter_mut().zip(&padded) {
            *o = taps[0] * v;
        }
        for (j, t) in taps.iter().enumerate().skip(1) {
            for (o, v) in blurred.iter_mut().zip(&padded[j..j + w]) {
                *o += t * v;
            }
        }
    }
    for (y, row) in out.chunks_mut(w).enumerate() {
        row.fill(0.0);
        for (j, t) in taps.iter().enumerate() {
            let source = reflect(y as isize + j as isize - half as isize, h);
            for (o, v) in row.iter_mut().zip(&scratch[source * w..(source + 1) * w]) {
                *o += t * v;
            }
        }
    }
}

/// Index `i` of a line of `n` reflected at both ends without repeating the edge (`reflect`
/// padding); `i` lies within one reflection of the line.
#[inline(always)]
fn reflect(i: isize, n: usize) -> usize {
    let last = n as isize - 1;
    (if i < 0 {
        -i
    } else if i > last {
        2 * last - i
    } else {
        i
    }) as usize
}
