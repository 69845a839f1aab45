use super::cpu;
use super::tensor::{blend, luma, per_sample};
use super::{AugRng, Augment, Ctx, ImageTraits, Param};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tch::{Kind, Tensor};

/// torchvision's ColorJitter applied with probability `p`: brightness, contrast, saturation
/// and hue factors drawn per sample and applied in a random order per sample. On grey images
/// saturation and hue do nothing, as in torchvision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColorJitter {
    pub p: f64,
    pub brightness: f64,
    pub contrast: f64,
    pub saturation: f64,
    /// At most 0.5: the hue shift as a fraction of the colour wheel.
    pub hue: f64,
}

impl ColorJitter {
    /// SimCLR's parameterisation by one strength `s`: (0.8s, 0.8s, 0.8s, 0.2s), p 0.8.
    pub fn with_strength(s: f64) -> Self {
        Self { p: 0.8, brightness: 0.8 * s, contrast: 0.8 * s, saturation: 0.8 * s, hue: 0.2 * s }
    }
}

impl Default for ColorJitter {
    fn default() -> Self {
        Self::with_strength(0.5)
    }
}

impl ColorJitter {
    /// Per sample, the adjustments in the order drawn for it; none where its coin fell
    /// against `p`. torchvision skips an adjustment whose range is zero, and saturation and
    /// hue mean nothing on grey.
    pub fn draw(&self, images: &Tensor, rng: &mut AugRng) -> Vec<Vec<Adjust>> {
        let b = images.size()[0];
        let active = rng.coins(b, self.p);
        let mut factors = |m: f64| rng.uniforms(b, (1.0 - m).max(0.0), 1.0 + m);
        let (brightness, contrast, saturation) =
            (factors(self.brightness), factors(self.contrast), factors(self.saturation));
        let hue = rng.uniforms(b, -self.hue, self.hue);
        let colour = images.size()[1] == 3;
        let used = [
            self.brightness > 0.0,
            self.contrast > 0.0,
            colour && self.saturation > 0.0,
            colour && self.hue > 0.0,
        ];
        let adjustment = |slot: usize, i: usize| match slot {
            0 => Adjust::Brightness(brightness[i]),
            1 => Adjust::Contrast(contrast[i]),
            2 => Adjust::Saturation(saturation[i]),
            _ => Adjust::Hue(hue[i]),
        };
        (0..b as usize)
            .map(|i| {
                let mut order = [0, 1, 2, 3];
                order.shuffle(rng.gen());
                match active[i] {
                    true => {
                        order.into_iter().filter(|&slot| used[slot]).map(|slot| adjustment(slot, i)).collect()
                    }
                    false => Vec::new(),
                }
            })
            .collect()
    }
}

impl Augment for ColorJitter {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let draws = self.draw(images, ctx.rng);
        match cpu::runs_here(images) {
            true => cpu::colour::adjust_batch(images, &draws),
            false => adjust_batch(images, &draws),
        }
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Number { name: "brightness", value: &mut self.brightness, range: (0.0, 1.0) },
            Param::Number { name: "contrast", value: &mut self.contrast, range: (0.0, 1.0) },
            Param::Number { name: "saturation", value: &mut self.saturation, range: (0.0, 1.0) },
            Param::Number { name: "hue", value: &mut self.hue, range: (0.0, 0.5) },
        ]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        (images.grey && (self.saturation > 0.0 || self.hue > 0.0)).then(|| {
            "saturation and hue do nothing on grey images; on CT and MR, brightness and \
             contrast change the tissue values a label may depend on"
                .into()
        })
    }
}

/// One of colour jitter's adjustments with its drawn factor (for hue, the shift).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Adjust {
    Brightness(f32),
    Contrast(f32),
    Saturation(f32),
    Hue(f32),
}

impl Adjust {
    fn kind(self) -> usize {
        match self {
            Adjust::Brightness(_) => 0,
            Adjust::Contrast(_) => 1,
            Adjust::Saturation(_) => 2,
            Adjust::Hue(_) => 3,
        }
    }

    fn value(self) -> f32 {
        match self {
            Adjust::Brightness(v) | Adjust::Contrast(v) | Adjust::Saturation(v) | Adjust::Hue(v) => v,
        }
    }

    /// This kind of adjustment on samples `x` with their per-sample `values`.
    fn apply(self, x: &Tensor, values: &Tensor) -> Tensor {
        match self {
            Adjust::Brightness(_) => adjust_brightness(x, values),
            Adjust::Contrast(_) => adjust_contrast(x, values),
            Adjust::Saturation(_) => adjust_saturation(x, values),
            Adjust::Hue(_) => adjust_hue(x, values),
        }
    }
}

/// Sample i gets `draws[i]` in order, as tensor ops: the form for GPUs, and the reference
/// that `cpu::colour::adjust_batch` is tested against. Samples whose adjustments come in the
/// same order run together, one op after another on that group only: at most 24 groups,
/// each small enough to stay in cache.
pub fn adjust_batch(images: &Tensor, draws: &[Vec<Adjust>]) -> Tensor {
    let device = images.device();
    let mut groups: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    for (i, adjustments) in draws.iter().enumerate().filter(|(_, a)| !a.is_empty()) {
        groups.entry(adjustments.iter().map(|a| a.kind()).collect()).or_default().push(i);
    }
    let mut out = images.shallow_clone();
    for samples in groups.into_values() {
        let rows: Vec<i64> = samples.iter().map(|&i| i as i64).collect();
        let idx = Tensor::from_slice(&rows).to_device(device);
        let mut x = images.index_select(0, &idx);
        for (step, adjustment) in draws[samples[0]].iter().enumerate() {
            let values: Vec<f32> = samples.iter().map(|&i| draws[i][step].value()).collect();
            x = adjustment.apply(&x, &Tensor::from_slice(&values).to_device(device));
        }
        out = out.index_copy(0, &idx, &x);
    }
    out
}

/// Rotates the hue in HSV space, following torchvision's `_rgb2hsv`/`_hsv2rgb`.
pub fn adjust_hue(x: &Tensor, shift: &Tensor) -> Tensor {
    let (h, s, v) = rgb_to_hsv(x);
    let h = (h + per_sample(shift, x)).remainder(1.0);
    hsv_to_rgb(&h, &s, &v)
}

pub fn adjust_brightness(x: &Tensor, f: &Tensor) -> Tensor {
    blend(x, &x.zeros_like(), f)
}

pub fn adjust_contrast(x: &Tensor, f: &Tensor) -> Tensor {
    let grey = luma(x);
    let mean = grey.mean_dim(Some(&(1..x.dim() as i64).collect::<Vec<_>>()[..]), true, Kind::Float);
    blend(x, &mean, f)
}

pub fn adjust_saturation(x: &Tensor, f: &Tensor) -> Tensor {
    blend(x, &luma(x), f)
}

fn rgb_to_hsv(x: &Tensor) -> (Tensor, Tensor, Tensor) {
    let (r, g, b) = (x.narrow(1, 0, 1), x.narrow(1, 1, 1), x.narrow(1, 2, 1));
    let maxc = x.amax([1i64].as_slice(), true);
    let minc = x.amin([1i64].as_slice(), true);
    let grey = maxc.eq_tensor(&minc);
    let ones = maxc.ones_like();
    let cr = &maxc - &minc;
    let s = &cr / maxc.where_self(&grey.logical_not(), &ones);
    let divisor = cr.where_self(&grey.logical_not(), &ones);
    let rc = (&maxc - &r) / &divisor;
    let gc = (&maxc - &g) / &divisor;
    let bc = (&maxc - &b) / &divisor;
    let is_r = maxc.eq_tensor(&r);
    let is_g = maxc.eq_tensor(&g).logical_and(&is_r.logical_not());
    let is_b = is_r.logical_not().logical_and(&is_g.logical_not());
    let h: Tensor = is_r.to_kind(Kind::Float) * (&bc - &gc)
        + is_g.to_kind(Kind::Float) * ((&rc - &bc) + 2.0)
        + is_b.to_kind(Kind::Float) * ((&gc - &rc) + 4.0);
    let h = (h / 6.0 + 1.0).remainder(1.0);
    (h, s, maxc)
}

/// The closed form of HSV to RGB: channel n ∈ {5, 3, 1} (R, G, B) is
/// v − c·clamp(min(k, 4 − k), 0, 1) with k = (n + 6h) mod 6 and chroma c = v·s; it equals
/// torchvision's six-sector `_hsv2rgb` with fewer passes over the pixels.
fn hsv_to_rgb(h: &Tensor, s: &Tensor, v: &Tensor) -> Tensor {
    let chroma = v * s;
    let channel = |n: f64| {
        let k = (h * 6.0 + n).remainder(6.0);
        let ramp = k.minimum(&(4.0 - &k)).clamp(0.0, 1.0);
        v - &chroma * ramp
    };
    Tensor::cat(&[channel(5.0), channel(3.0), channel(1.0)], 1).clamp(0.0, 1.0)
}
