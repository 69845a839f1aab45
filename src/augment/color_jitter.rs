use super::tensor::{blend, luma, per_sample};
use super::{Augment, Ctx, ImageTraits, Param};
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

impl Augment for ColorJitter {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let active = ctx.rng.coins(b, self.p);
        let mut factor = |m: f64| ctx.rng.uniform(b, (1.0 - m).max(0.0), 1.0 + m, device);
        let factors = [factor(self.brightness), factor(self.contrast), factor(self.saturation)];
        let hue = ctx.rng.uniform(b, -self.hue, self.hue, device);
        // torchvision skips an op whose range is zero, and saturation and hue mean nothing on grey.
        let colour = images.size()[1] == 3;
        let used = [
            self.brightness > 0.0,
            self.contrast > 0.0,
            colour && self.saturation > 0.0,
            colour && self.hue > 0.0,
        ];
        // Samples sharing an order of ops run together, one op after another on that group
        // only: at most 24 groups, each small enough to stay in cache.
        let mut groups: BTreeMap<[usize; 4], Vec<i64>> = BTreeMap::new();
        for (i, on) in active.iter().enumerate() {
            let mut order = [0, 1, 2, 3];
            order.shuffle(ctx.rng.gen());
            if *on {
                groups.entry(order).or_default().push(i as i64);
            }
        }
        let mut out = images.copy();
        for (order, samples) in groups {
            let idx = Tensor::from_slice(&samples).to_device(device);
            let mut x = images.index_select(0, &idx);
            for op in order.into_iter().filter(|&op| used[op]) {
                x = match op {
                    3 => adjust_hue(&x, &hue.index_select(0, &idx)),
                    _ => {
                        let f = factors[op].index_select(0, &idx);
                        [adjust_brightness, adjust_contrast, adjust_saturation][op](&x, &f)
                    }
                };
            }
            out = out.index_copy(0, &idx, &x);
        }
        out
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
