//! FixMatch's RandAugment, the strong augmentation A (specs/003_target_pretraining.md §3): per
//! sample N operations drawn uniformly from 14, each with a random magnitude, then Cutout.
use super::autocontrast::autocontrast;
use super::color_jitter::{adjust_brightness, adjust_contrast, adjust_saturation};
use super::equalize::equalize;
use super::posterize::posterize;
use super::sharpness::sharpen;
use super::solarize::solarize;
use super::tensor::{on_selected, selected, warp, Padding};
use super::{Augment, Ctx, Cutout, ImageTraits, Modality, Param};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// FixMatch's RandAugment variant on `[B, C, H, W]` images: `n` rounds, in each of which every
/// sample draws one of the 14 operations uniformly and a magnitude, and applies it with
/// probability `op_p`; then one grey square of side ⌊`cutout` × the shorter side⌋, centred on a
/// random pixel and clipped at the borders (the Cut-out op's). The ranges are FixMatch's (§3):
/// Brightness, Color, Contrast, Sharpness factor [0.05, 0.95] (PIL-enhance: 1 keeps, 0 degrades
/// fully); Posterize bits [4, 8]; Solarize threshold [0, 1]; Rotate ±30°; ShearX/Y ±0.3;
/// TranslateX/Y ±0.3 of the side; AutoContrast, Equalize and Identity take none. Defaults: n 2,
/// random magnitude, op_p 1 (the paper applies every drawn op; the widely used PyTorch port
/// applies each with p 0.5, set op_p 0.5 to match it), cutout 0.5 and fill 0.5 (grey). 2D only,
/// as its sources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandAugment {
    /// Operations per sample (N).
    pub n: i64,
    /// The position in each op's range (0 low end, 1 high end; the size of the signed ops,
    /// whose sign is drawn), when the magnitude is not drawn.
    pub magnitude: f64,
    /// Draw the magnitude per op and sample, uniformly over the op's range (FixMatch).
    pub random_magnitude: bool,
    /// The chance that a drawn op is applied.
    pub op_p: f64,
    /// The side of the final Cutout square as a fraction of the shorter side; 0 turns it off.
    pub cutout: f64,
    /// The value of the Cutout square and of what the geometric ops bring in from outside.
    pub fill: f64,
}

impl Default for RandAugment {
    fn default() -> Self {
        Self { n: 2, magnitude: 0.5, random_magnitude: true, op_p: 1.0, cutout: 0.5, fill: 0.5 }
    }
}

impl Augment for RandAugment {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let b = images.size()[0];
        let mut x = images.shallow_clone();
        for _ in 0..self.n {
            let draws: Vec<(Op, f64)> = (0..b)
                .map(|_| {
                    let op = Op::ALL[ctx.rng.int_one(0, Op::ALL.len() as i64 - 1) as usize];
                    let magnitude =
                        if self.random_magnitude { ctx.rng.uniform_one(0.0, 1.0) } else { self.magnitude };
                    let sign = if ctx.rng.uniform_one(0.0, 1.0) < 0.5 { -1.0 } else { 1.0 };
                    let applied = ctx.rng.uniform_one(0.0, 1.0) < self.op_p;
                    (if applied { op } else { Op::Identity }, op.value(magnitude, sign))
                })
                .collect();
            x = one_round(&x, &draws, self.fill);
        }
        if self.cutout > 0.0 {
            let cutout = Cutout { p: 1.0, holes: (1, 1), side: (self.cutout, self.cutout), fill: self.fill };
            x = cutout.apply(&x, ctx);
        }
        x
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Integer { name: "n (ops per sample)", value: &mut self.n, range: (0, 10) },
            Param::Number { name: "magnitude", value: &mut self.magnitude, range: (0.0, 1.0) },
            Param::Toggle { name: "random magnitude", value: &mut self.random_magnitude },
            // Not the op's `Probability`: at op p 0 the final Cutout still runs.
            Param::Number { name: "op p", value: &mut self.op_p, range: (0.0, 1.0) },
            Param::Number { name: "cutout (side fraction)", value: &mut self.cutout, range: (0.0, 1.0) },
            Param::Number { name: "fill", value: &mut self.fill, range: (0.0, 1.0) },
        ]
    }

    fn supports(&self, spatial_dims: usize) -> bool {
        spatial_dims == 2
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        match images.modality {
            Modality::Ct | Modality::Mr | Modality::Xray => Some(
                "solarise, equalise, posterise and autocontrast remap the tissue values as no scan does, \
                 and Color does nothing on grey images"
                    .into(),
            ),
            _ if images.grey => {
                Some("Color does nothing on grey images: one draw in 14 is an identity".into())
            }
            _ => None,
        }
    }
}

/// FixMatch's 14 operations (specs/003_target_pretraining.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    AutoContrast,
    Brightness,
    Color,
    Contrast,
    Equalize,
    Identity,
    Posterize,
    Rotate,
    Sharpness,
    ShearX,
    ShearY,
    Solarize,
    TranslateX,
    TranslateY,
}

impl Op {
    const ALL: [Op; 14] = [
        Op::AutoContrast,
        Op::Brightness,
        Op::Color,
        Op::Contrast,
        Op::Equalize,
        Op::Identity,
        Op::Posterize,
        Op::Rotate,
        Op::Sharpness,
        Op::ShearX,
        Op::ShearY,
        Op::Solarize,
        Op::TranslateX,
        Op::TranslateY,
    ];

    /// The op's parameter at `magnitude` ∈ [0, 1] of its range; the signed ops take `sign`.
    /// Rotate is in radians, translations in fractions of the side.
    fn value(self, magnitude: f64, sign: f64) -> f64 {
        match self {
            Op::Brightness | Op::Color | Op::Contrast | Op::Sharpness => 0.05 + 0.9 * magnitude,
            // Whole bits, each of 4..=8 equally likely for a uniform magnitude.
            Op::Posterize => (4.0 + (5.0 * magnitude).floor()).min(8.0),
            Op::Solarize => magnitude,
            Op::Rotate => sign * magnitude * 30f64.to_radians(),
            Op::ShearX | Op::ShearY | Op::TranslateX | Op::TranslateY => sign * magnitude * 0.3,
            Op::AutoContrast | Op::Equalize | Op::Identity => 0.0,
        }
    }

    fn is_geometric(self) -> bool {
        matches!(self, Op::Rotate | Op::ShearX | Op::ShearY | Op::TranslateX | Op::TranslateY)
    }

    /// The affine map (output to input, normalised coordinates, row-major `[2, 3]`) of a
    /// geometric op on an `h` × `w` image, as PIL's: rotation about the centre, shear about
    /// the top-left corner, translation by whole pixels. Other ops: the identity.
    fn theta(self, v: f64, h: f64, w: f64) -> [f64; 6] {
        match self {
            Op::Rotate => [v.cos(), -v.sin() * h / w, 0.0, v.sin() * w / h, v.cos(), 0.0],
            Op::ShearX => [1.0, v * h / w, v * h / w, 0.0, 1.0, 0.0],
            Op::ShearY => [1.0, 0.0, 0.0, v * w / h, 1.0, v * w / h],
            Op::TranslateX => [1.0, 0.0, 2.0 * (v * w).round() / w, 0.0, 1.0, 0.0],
            Op::TranslateY => [1.0, 0.0, 0.0, 0.0, 1.0, 2.0 * (v * h).round() / h],
            _ => [1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        }
    }

    /// A pixel-wise op on samples `x` with their parameters `v`.
    fn pixelwise(self, x: &Tensor, v: &Tensor) -> Tensor {
        match self {
            Op::AutoContrast => autocontrast(x),
            Op::Brightness => adjust_brightness(x, v),
            Op::Color => adjust_saturation(x, v),
            Op::Contrast => adjust_contrast(x, v),
            Op::Equalize => equalize(x),
            Op::Posterize => posterize(x, v),
            Op::Sharpness => sharpen(x, v),
            Op::Solarize => solarize(x, v),
            _ => x.shallow_clone(),
        }
    }
}

/// One round: each group of samples that drew the same pixel-wise op runs it, and all that
/// drew a geometric op share one warp.
fn one_round(x: &Tensor, draws: &[(Op, f64)], fill: f64) -> Tensor {
    let device = x.device();
    let values: Vec<f32> = draws.iter().map(|d| d.1 as f32).collect();
    let values = Tensor::from_slice(&values).to_device(device);
    let pixelwise = Op::ALL.into_iter().filter(|op| *op != Op::Identity && !op.is_geometric());
    let x = pixelwise.fold(x.shallow_clone(), |x, op| {
        let chosen: Vec<bool> = draws.iter().map(|d| d.0 == op).collect();
        on_chosen(&x, &chosen, &values, |s, v| op.pixelwise(s, v))
    });
    let size = x.size();
    let (h, w) = (size[2] as f64, size[3] as f64);
    let theta: Vec<f32> = draws.iter().flat_map(|(op, v)| op.theta(*v, h, w).map(|t| t as f32)).collect();
    let theta = Tensor::from_slice(&theta).view([-1, 2, 3]).to_device(device);
    let chosen: Vec<bool> = draws.iter().map(|d| d.0.is_geometric()).collect();
    on_chosen(&x, &chosen, &theta, |s, t| warp_filled(s, t, fill))
}

/// `on_selected` for a CPU-side choice, handing `f` the chosen samples' rows of `values`.
fn on_chosen(
    x: &Tensor,
    chosen: &[bool],
    values: &Tensor,
    f: impl FnOnce(&Tensor, &Tensor) -> Tensor,
) -> Tensor {
    if !chosen.contains(&true) {
        return x.shallow_clone();
    }
    let mask = Tensor::from_slice(chosen).to_device(x.device());
    on_selected(x, &mask, |s| f(s, &selected(values, &mask)))
}

/// Warps with zeros outside, then fills what came from outside with `fill` by warping a
/// channel of ones alongside (partly outside pixels at the border blend the two).
fn warp_filled(x: &Tensor, theta: &Tensor, fill: f64) -> Tensor {
    let c = x.size()[1];
    let warped =
        warp(&Tensor::cat(&[x.shallow_clone(), x.narrow(1, 0, 1).ones_like()], 1), theta, Padding::Zeros);
    let outside: Tensor = 1.0 - warped.narrow(1, c, 1);
    (warped.narrow(1, 0, c) + outside * fill).clamp(0.0, 1.0)
}
