use super::{coin, luma, uniform, Augment};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// torchvision's ColorJitter applied with probability `p`: brightness, contrast, saturation
/// and hue factors drawn per sample and applied in a random order per sample.
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

const N_OPS: i64 = 4;

impl Augment for ColorJitter {
    fn apply(&self, images: &Tensor) -> Tensor {
        let b = images.size()[0];
        let factor = |m: f64| uniform(b, (1.0 - m).max(0.0), 1.0 + m, images);
        let factors = [factor(self.brightness), factor(self.contrast), factor(self.saturation)];
        let hue = uniform(b, -self.hue, self.hue, images);
        let active = coin(b, self.p, images);
        let order = Tensor::rand([b, N_OPS], (Kind::Float, images.device())).argsort(1, false);
        let mut x = images.copy();
        // Round r applies, to each active sample, the r-th op of its own order; grouping the
        // samples by op keeps it to four batched calls per round.
        for round in 0..N_OPS {
            for op in 0..N_OPS {
                let chosen = order.select(1, round).eq(op).logical_and(&active);
                let idx = chosen.nonzero().view([-1]);
                if idx.numel() == 0 {
                    continue;
                }
                let sub = x.index_select(0, &idx);
                let out = match op {
                    0 => adjust_brightness(&sub, &factors[0].index_select(0, &idx)),
                    1 => adjust_contrast(&sub, &factors[1].index_select(0, &idx)),
                    2 => adjust_saturation(&sub, &factors[2].index_select(0, &idx)),
                    _ => adjust_hue(&sub, &hue.index_select(0, &idx)),
                };
                x = x.index_copy(0, &idx, &out);
            }
        }
        x
    }
}

fn per_sample(f: &Tensor) -> Tensor {
    f.view([-1, 1, 1, 1])
}

/// torchvision's `_blend`: `f·x + (1 − f)·y`, clamped to [0, 1].
fn blend(x: &Tensor, y: &Tensor, f: &Tensor) -> Tensor {
    let f = per_sample(f);
    let g: Tensor = 1.0 - &f;
    (x * &f + y * g).clamp(0.0, 1.0)
}

fn adjust_brightness(x: &Tensor, f: &Tensor) -> Tensor {
    (x * per_sample(f)).clamp(0.0, 1.0)
}

fn adjust_contrast(x: &Tensor, f: &Tensor) -> Tensor {
    let mean = luma(x).mean_dim([1i64, 2, 3].as_slice(), true, Kind::Float);
    blend(x, &mean, f)
}

fn adjust_saturation(x: &Tensor, f: &Tensor) -> Tensor {
    blend(x, &luma(x), f)
}

/// Rotates the hue in HSV space, following torchvision's `_rgb2hsv`/`_hsv2rgb`.
fn adjust_hue(x: &Tensor, shift: &Tensor) -> Tensor {
    let (h, s, v) = rgb_to_hsv(x);
    let h = (h + per_sample(shift)).remainder(1.0);
    hsv_to_rgb(&h, &s, &v)
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

fn hsv_to_rgb(h: &Tensor, s: &Tensor, v: &Tensor) -> Tensor {
    let i = (h * 6.0).floor();
    let f = h * 6.0 - &i;
    let i = i.to_kind(Kind::Int64).remainder(6);
    let one_minus = |t: Tensor| -> Tensor { 1.0 - t };
    let p = (v * one_minus(s.shallow_clone())).clamp(0.0, 1.0);
    let q = (v * one_minus(s * &f)).clamp(0.0, 1.0);
    let t = (v * one_minus(s * one_minus(f.shallow_clone()))).clamp(0.0, 1.0);
    // Each channel picks one of six candidates by the hue sector.
    let pick = |c: [&Tensor; 6]| Tensor::cat(&c, 1).gather(1, &i, false);
    Tensor::cat(
        &[pick([v, &q, &p, &p, &t, v]), pick([&t, v, v, &q, &p, &p]), pick([&p, &p, &t, v, v, &q])],
        1,
    )
}
