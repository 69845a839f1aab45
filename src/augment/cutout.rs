//! Cut-out: square (cubic) holes filled with a constant.
use super::tensor::{on_selected, per_sample, selected};
use super::{Augment, Ctx, Param};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// `[B, 1, ...size]` float masks, 1 inside one box per sample: along spatial axis a (in tensor
/// order, depth first) the box covers `centre − ⌊side / 2⌋ .. centre − ⌊side / 2⌋ + side`,
/// clipped at the borders. `centres` and `sides` are `[B, n]` pixels.
pub fn box_mask(size: &[i64], centres: &Tensor, sides: &Tensor) -> Tensor {
    let device = centres.device();
    let n = size.len();
    let sides = sides.to_kind(Kind::Float);
    let start = centres.to_kind(Kind::Float) - (&sides / 2.0).floor();
    let end = &start + &sides;
    let mut per_sample = vec![-1i64];
    per_sample.resize(n + 2, 1);
    let mut ones = per_sample.clone();
    ones[0] = centres.size()[0];
    // The box is the product of one interval per axis; broadcasting grows the mask axis by axis.
    size.iter().enumerate().fold(
        Tensor::ones(ones.as_slice(), (Kind::Float, device)),
        |mask, (axis, &len)| {
            let mut along = vec![1i64; n + 2];
            along[axis + 2] = len;
            let coord = Tensor::arange(len, (Kind::Float, device)).view(along.as_slice());
            let from = start.select(1, axis as i64).view(per_sample.as_slice());
            let to = end.select(1, axis as i64).view(per_sample.as_slice());
            mask * coord.ge_tensor(&from).logical_and(&coord.lt_tensor(&to)).to_kind(Kind::Float)
        },
    )
}

/// Cut-out (DeVries & Taylor) with probability `p`: a number of holes drawn from `holes`, each
/// a square (a cube in 3D) with side ⌊s · smallest side⌋, s ~ U(side), centred uniformly in
/// the image and clipped at the borders, filled with `fill`. Defaults: the thesis's Table 4.3
/// (specs/004a_thesis_ch1-5.md §4.5): 1–4 holes of ⌊min(H, W) / 4⌋, p 0.5, zero fill (DeVries
/// & Taylor zero the pixels; black is also the background of CT, MR and X-ray). FixMatch's
/// single grey half-side square is `Cutout::fixmatch()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cutout {
    pub p: f64,
    /// The range of the number of holes per sample.
    pub holes: (i64, i64),
    /// The range of each hole's side as a fraction of the smallest side.
    pub side: (f64, f64),
    /// The value holes are filled with.
    pub fill: f64,
}

impl Default for Cutout {
    fn default() -> Self {
        Self { p: 0.5, holes: (1, 4), side: (0.25, 0.25), fill: 0.0 }
    }
}

impl Cutout {
    /// FixMatch's final step of the strong view (specs/003_target_pretraining.md §3): on every
    /// sample one square of half the side, filled grey (0.5).
    pub fn fixmatch() -> Self {
        Self { p: 1.0, holes: (1, 1), side: (0.5, 0.5), fill: 0.5 }
    }

    /// `[B, 1, ...]` masks of every sample's holes, drawn for the whole batch.
    fn holes_mask(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let size = &images.size()[2..];
        let smallest = size.iter().copied().min().unwrap_or(1) as f64;
        let count = ctx.rng.ints(b, self.holes.0, self.holes.1, device);
        let mut mask_shape = vec![b, 1];
        mask_shape.extend_from_slice(size);
        let mut mask = Tensor::zeros(mask_shape.as_slice(), (Kind::Float, device));
        for hole in 0..self.holes.1 {
            let side = (ctx.rng.uniform(b, self.side.0, self.side.1, device) * smallest).floor();
            let centres: Vec<Tensor> = size.iter().map(|&len| ctx.rng.ints(b, 0, len - 1, device)).collect();
            let sides = side.unsqueeze(1).expand([b, size.len() as i64], false);
            let used = count.gt(hole).to_kind(Kind::Float);
            let one = box_mask(size, &Tensor::stack(&centres, 1), &sides) * per_sample(&used, &mask);
            mask = mask.maximum(&one);
        }
        mask
    }
}

impl Augment for Cutout {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let chosen = ctx.rng.coin(images.size()[0], self.p, images.device());
        let holes = self.holes_mask(images, ctx);
        on_selected(images, &chosen, |x| {
            let holes = selected(&holes, &chosen);
            x * (1.0 - &holes) + holes * self.fill
        })
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::IntInterval { name: "holes", value: &mut self.holes, range: (0, 16) },
            Param::Interval { name: "side (fraction)", value: &mut self.side, range: (0.0, 1.0) },
            Param::Number { name: "fill", value: &mut self.fill, range: (0.0, 1.0) },
        ]
    }
}
