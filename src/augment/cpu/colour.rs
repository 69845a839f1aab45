//! Colour jitter's adjustments fused per sample: brightness, saturation and hue are per-pixel,
//! so a run of them is one pass over cache-sized tiles; contrast blends towards the mean luma
//! of the image as the adjustments before it left it, so each contrast starts a new pass.
use super::map_samples;
use crate::augment::color_jitter::Adjust;
use multiversion::multiversion;
use tch::Tensor;

/// Pixels per tile: 12 KB of RGB, well within L1.
const TILE: usize = 1024;

/// ITU-R 601 luma weights, as `tensor::luma`.
const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

/// The kernel form of `color_jitter::adjust_batch`: sample i gets `draws[i]` in order.
pub fn adjust_batch(images: &Tensor, draws: &[Vec<Adjust>]) -> Tensor {
    let channels = images.size()[1] as usize;
    map_samples(images, |i, source, out| {
        out.copy_from_slice(source);
        adjust(out, channels, &draws[i]);
    })
}

/// Applies `adjustments` in order to one sample's `channels` planes (1 or 3; saturation and
/// hue do nothing on grey, as in torchvision).
#[multiversion(targets("x86_64+avx+avx2+fma"))]
pub fn adjust(values: &mut [f32], channels: usize, adjustments: &[Adjust]) {
    if adjustments.is_empty() {
        return;
    }
    let pixels = values.len() / channels;
    let mut pass: Vec<Pixelwise> = Vec::new();
    for adjustment in adjustments {
        let op = match *adjustment {
            Adjust::Brightness(f) => Pixelwise::Brightness(f),
            Adjust::Saturation(f) => Pixelwise::Saturation(f),
            Adjust::Hue(shift) => Pixelwise::Hue(shift),
            Adjust::Contrast(f) => {
                let luma_sum = run_pass(values, channels, &pass, true);
                pass.clear();
                Pixelwise::Contrast { f, mean: (luma_sum / pixels as f64) as f32 }
            }
        };
        pass.push(op);
    }
    run_pass(values, channels, &pass, false);
}

/// A per-pixel adjustment; contrast's mean luma is known by the time it runs.
#[derive(Clone, Copy)]
enum Pixelwise {
    Brightness(f32),
    Contrast { f: f32, mean: f32 },
    Saturation(f32),
    Hue(f32),
}

/// Runs `ops` over the image tile by tile; returns the sum of the result's luma when asked.
#[inline(always)]
fn run_pass(values: &mut [f32], channels: usize, ops: &[Pixelwise], measure: bool) -> f64 {
    if ops.is_empty() && !measure {
        return 0.0;
    }
    let mut luma_sum = 0.0f64;
    if channels == 3 {
        let (r, rest) = values.split_at_mut(values.len() / 3);
        let (g, b) = rest.split_at_mut(r.len());
        for ((r, g), b) in r.chunks_mut(TILE).zip(g.chunks_mut(TILE)).zip(b.chunks_mut(TILE)) {
            for op in ops {
                rgb_tile(*op, r, g, b);
            }
            if measure {
                let tile: f32 = r.iter().zip(&*g).zip(&*b).map(|((r, g), b)| luma(*r, *g, *b)).sum();
                luma_sum += tile as f64;
            }
        }
    } else {
        for v in values.chunks_mut(TILE) {
            for op in ops {
                grey_tile(*op, v);
            }
            if measure {
                luma_sum += v.iter().sum::<f32>() as f64;
            }
        }
    }
    luma_sum
}

/// The luma of one pixel.
#[inline(always)]
pub fn luma(r: f32, g: f32, b: f32) -> f32 {
    r * LUMA[0] + g * LUMA[1] + b * LUMA[2]
}

/// torchvision's `_blend`: `f·x + (1 − f)·y`, clamped to [0, 1].
#[inline(always)]
fn blend(x: f32, y: f32, f: f32) -> f32 {
    (x * f + y * (1.0 - f)).clamp(0.0, 1.0)
}

#[inline(always)]
fn grey_tile(op: Pixelwise, values: &mut [f32]) {
    let (f, towards) = match op {
        Pixelwise::Brightness(f) => (f, 0.0),
        Pixelwise::Contrast { f, mean } => (f, mean),
        Pixelwise::Saturation(_) | Pixelwise::Hue(_) => return,
    };
    for v in values.iter_mut() {
        *v = blend(*v, towards, f);
    }
}

#[inline(always)]
fn rgb_tile(op: Pixelwise, r: &mut [f32], g: &mut [f32], b: &mut [f32]) {
    match op {
        Pixelwise::Brightness(f) => {
            each_pixel(r, g, b, |r, g, b| (blend(r, 0.0, f), blend(g, 0.0, f), blend(b, 0.0, f)))
        }
        Pixelwise::Contrast { f, mean } => {
            each_pixel(r, g, b, |r, g, b| (blend(r, mean, f), blend(g, mean, f), blend(b, mean, f)))
        }
        Pixelwise::Saturation(f) => each_pixel(r, g, b, |r, g, b| {
            let l = luma(r, g, b);
            (blend(r, l, f), blend(g, l, f), blend(b, l, f))
        }),
        Pixelwise::Hue(shift) => each_pixel(r, g, b, |r, g, b| rotate_hue(r, g, b, shift)),
    }
}

/// Rewrites each pixel by `f`, in a plain loop that inlines into the AVX2 build of `adjust`.
#[inline(always)]
fn each_pixel(r: &mut [f32], g: &mut [f32], b: &mut [f32], f: impl Fn(f32, f32, f32) -> (f32, f32, f32)) {
    for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
        (*r, *g, *b) = f(*r, *g, *b);
    }
}

/// torchvision's `_rgb2hsv`, a shift of the hue modulo 1, and `_hsv2rgb` in closed form, on
/// one pixel; written without branches so that the loop vectorises. The chroma v·s of
/// `_hsv2rgb` is max − min, which saves the divisions by v.
#[inline(always)]
fn rotate_hue(r: f32, g: f32, b: f32, shift: f32) -> (f32, f32, f32) {
    let v = r.max(g).max(b);
    let chroma = v - r.min(g).min(b);
    let inverse = 1.0 / if chroma == 0.0 { 1.0 } else { chroma };
    let (rc, gc, bc) = ((v - r) * inverse, (v - g) * inverse, (v - b) * inverse);
    let sector = if v == r {
        bc - gc
    } else if v == g {
        2.0 + rc - bc
    } else {
        4.0 + gc - rc
    };
    let h = wrap(sector / 6.0 + 1.0, 1.0) + shift;
    let h = wrap(if h < 0.0 { h + 1.0 } else { h }, 1.0);
    let channel = |n: f32| {
        let k = wrap(n + 6.0 * h, 6.0);
        (v - chroma * k.min(4.0 - k).clamp(0.0, 1.0)).clamp(0.0, 1.0)
    };
    (channel(5.0), channel(3.0), channel(1.0))
}

/// `x mod period` for x in [0, 2·period).
#[inline(always)]
fn wrap(x: f32, period: f32) -> f32 {
    if x >= period {
        x - period
    } else {
        x
    }
}
