//! Models Genesis's non-linear intensity transform: a random monotone Bézier curve.
use super::tensor::{on_selected, selected};
use super::{Augment, Ctx, ImageTraits, Param};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// Points at which the curve is evaluated; values between them are interpolated linearly
/// (Models Genesis evaluates 100 000, a difference far below one grey level of 8 bits).
const CURVE_POINTS: i64 = 1000;

/// Models Genesis's `nonlinear_transformation` (Zhou et al. 2019, used by PCRL's baselines,
/// specs/002_pcrl.md §3.1 and §5): a cubic Bézier curve from (0, 0) to (1, 1) with two control
/// points drawn from U(0, 1)², applied to every value of a sample. With probability `inverted`
/// the curve is the decreasing one Models Genesis gets by sorting only the x values:
/// `x(t) ↦ y(1 − t)`, which maps 0 to 1 and 1 to 0. The network must learn the intensities of
/// tissues back from their shapes. Defaults from the Models Genesis config: p 0.9
/// (`nonlinear_rate`), inverted half the time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BezierIntensity {
    pub p: f64,
    /// The chance that the curve is the decreasing one.
    pub inverted: f64,
}

impl Default for BezierIntensity {
    fn default() -> Self {
        Self { p: 0.9, inverted: 0.5 }
    }
}

impl BezierIntensity {
    /// Maps each sample's values through its curve: `points` `[B, 4]` holds the control points
    /// (x₁, y₁, x₂, y₂), `inverted` `[B]` which samples take the decreasing curve.
    pub fn map(images: &Tensor, points: &Tensor, inverted: &Tensor) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let t = Tensor::linspace(0.0, 1.0, CURVE_POINTS, (Kind::Float, device));
        let u: Tensor = 1.0 - &t;
        // Bernstein weights of the two control points; the end points (0, 0) and (1, 1)
        // contribute 0 and t³.
        let basis = Tensor::stack(&[&u * &u * &t * 3.0, &u * &t * &t * 3.0], 0);
        let end = t.pow_tensor_scalar(3.0);
        let control = points.view([-1, 2, 2]);
        // Sorted as Models Genesis sorts them: the curve is monotone, rounding aside.
        let (xs, _) = (control.select(2, 0).matmul(&basis) + &end).sort(1, false);
        let (ys, _) = (control.select(2, 1).matmul(&basis) + &end).sort(1, false);
        let ys = ys.flip([1]).where_self(&inverted.view([-1, 1]), &ys);
        interpolate(&images.reshape([b, -1]), &xs, &ys).view(images.size().as_slice())
    }
}

/// numpy's `interp` per row: `x` `[B, M]` through the points (`xs`, `ys`) `[B, N]`, with `xs`
/// sorted and spanning the values of `x`; clamped to [0, 1] against rounding at the ends.
fn interpolate(x: &Tensor, xs: &Tensor, ys: &Tensor) -> Tensor {
    let n = xs.size()[1];
    let upper = x.searchsorted(xs, false, true, "right", None::<Tensor>).clamp(1, n - 1);
    let lower = &upper - 1;
    let (x0, x1) = (xs.gather(1, &lower, false), xs.gather(1, &upper, false));
    let (y0, y1) = (ys.gather(1, &lower, false), ys.gather(1, &upper, false));
    let span = &x1 - &x0;
    // A zero span only happens past the last point, where numpy returns the last y.
    let w = ((x - &x0) / &span).where_self(&span.gt(0.0), &span.ones_like());
    (&y0 + w.clamp(0.0, 1.0) * (y1 - &y0)).clamp(0.0, 1.0)
}

impl Augment for BezierIntensity {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let mask = ctx.rng.coin(b, self.p, device);
        let points = ctx.rng.uniform(b * 4, 0.0, 1.0, device).view([b, 4]);
        let inverted = ctx.rng.coin(b, self.inverted, device);
        on_selected(images, &mask, |x| Self::map(x, &selected(&points, &mask), &selected(&inverted, &mask)))
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Number { name: "inverted curve chance", value: &mut self.inverted, range: (0.0, 1.0) },
        ]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        (!images.grey).then(|| {
            "made for grey CT and MR: on colour images one curve on every channel changes the \
             colours, and the inverted curve gives a colour negative"
                .into()
        })
    }
}
