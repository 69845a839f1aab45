//! Models Genesis's in-painting and out-painting (Zhou et al. 2019; PCRL's I and O,
//! specs/002_pcrl.md §3.1): noise inside random boxes, or noise everywhere but inside them. The
//! network learns the context of the hidden part. Models Genesis paints 90 % of its samples,
//! out-painting 80 % of those and in-painting the rest; for that schedule put both ops in a
//! `OneOf` with p 0.9 and weights 0.2 and 0.8, and set their own p to 1.
use super::tensor::on_selected;
use super::{AugRng, Augment, Ctx, Param};
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

/// Models Genesis keeps its boxes this many pixels (voxels) away from the border.
const MARGIN: i64 = 3;

/// A box as `(start, end)` indices along each spatial axis.
pub type Region = Vec<(i64, i64)>;

/// Fills up to `boxes` boxes with U(0, 1) noise, each added with probability `box_p` (so with
/// probability 1 − `box_p` a sample keeps no box). Along an image side n, a box side is a
/// uniform integer between `side.0`·n and `side.1`·n, rounded down. Defaults from Models
/// Genesis's `image_in_painting`: 5 boxes, 0.95, (1/6, 1/3); p 0.9 is its `paint_rate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Inpaint {
    pub p: f64,
    pub boxes: i64,
    pub box_p: f64,
    /// Range of each box side as a fraction of the image's side along that axis.
    pub side: (f64, f64),
}

/// Replaces the image by U(0, 1) noise except inside one box and up to `boxes` − 1 more, each
/// further one added with probability `box_p`. Along an image side n, a box side is n minus a
/// uniform integer between `trim.0`·n and `trim.1`·n, rounded down. Defaults from Models
/// Genesis's `image_out_painting`: 1 + 4 boxes, 0.95, (3/7, 4/7); p 0.9 is its `paint_rate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Outpaint {
    pub p: f64,
    pub boxes: i64,
    pub box_p: f64,
    /// Range of the part of each side left out of a box, as a fraction of the image's side.
    pub trim: (f64, f64),
}

impl Default for Inpaint {
    fn default() -> Self {
        Self { p: 0.9, boxes: 5, box_p: 0.95, side: (1.0 / 6.0, 1.0 / 3.0) }
    }
}

impl Default for Outpaint {
    fn default() -> Self {
        Self { p: 0.9, boxes: 5, box_p: 0.95, trim: (3.0 / 7.0, 4.0 / 7.0) }
    }
}

impl Augment for Inpaint {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let draw = |n, rng: &mut AugRng| fraction_of(n, self.side, rng).clamp(1, n);
        paint(
            images,
            ctx,
            self.p,
            |spatial, rng| draw_boxes(spatial, self.boxes, self.box_p, false, draw, rng),
            true,
        )
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Integer { name: "at most boxes", value: &mut self.boxes, range: (1, 20) },
            Param::Number { name: "chance of each box", value: &mut self.box_p, range: (0.0, 1.0) },
            Param::Interval { name: "box side (× image side)", value: &mut self.side, range: (0.0, 1.0) },
        ]
    }
}

impl Augment for Outpaint {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let draw = |n, rng: &mut AugRng| (n - fraction_of(n, self.trim, rng)).clamp(1, n);
        paint(
            images,
            ctx,
            self.p,
            |spatial, rng| draw_boxes(spatial, self.boxes, self.box_p, true, draw, rng),
            false,
        )
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Integer { name: "at most boxes", value: &mut self.boxes, range: (1, 20) },
            Param::Number { name: "chance of each further box", value: &mut self.box_p, range: (0.0, 1.0) },
            Param::Interval {
                name: "side left out (× image side)",
                value: &mut self.trim,
                range: (0.0, 1.0),
            },
        ]
    }
}

/// Models Genesis's `randint(lo·n // 1, hi·n // 1)`; the tolerance keeps fractions like 3/7 of
/// 7 at 3 despite rounding.
fn fraction_of(n: i64, (lo, hi): (f64, f64), rng: &mut AugRng) -> i64 {
    let floor = |f: f64| (f * n as f64 + 1e-9).floor() as i64;
    let lo = floor(lo);
    rng.int_one(lo, floor(hi).max(lo))
}

/// The boxes of one sample: while fewer than `count`, one more with probability `box_p` (the
/// first for certain when `first_sure`), each side from `side` and its position uniform among
/// those `MARGIN` away from the border, or as far as the image allows.
fn draw_boxes(
    spatial: &[i64],
    count: i64,
    box_p: f64,
    first_sure: bool,
    side: impl Fn(i64, &mut AugRng) -> i64,
    rng: &mut AugRng,
) -> Vec<Region> {
    let mut boxes = Vec::new();
    while (boxes.len() as i64) < count
        && ((first_sure && boxes.is_empty()) || rng.uniform_one(0.0, 1.0) < box_p)
    {
        let sides: Vec<i64> = spatial.iter().map(|&n| side(n, rng)).collect();
        let region = spatial
            .iter()
            .zip(sides)
            .map(|(&n, s)| {
                let margin = MARGIN.min((n - s) / 2);
                let start = rng.int_one(margin, n - s - margin);
                (start, start + s)
            })
            .collect();
        boxes.push(region);
    }
    boxes
}

/// The samples that win a coin of probability `p` get noise inside their boxes
/// (`noise_inside`) or outside them; every sample's boxes are drawn first.
fn paint(
    images: &Tensor,
    ctx: &mut Ctx,
    p: f64,
    mut draw: impl FnMut(&[i64], &mut AugRng) -> Vec<Region>,
    noise_inside: bool,
) -> Tensor {
    let (size, device) = (images.size(), images.device());
    let coins = ctx.rng.coins(size[0], p);
    let boxes: Vec<Vec<Region>> = coins.iter().map(|_| draw(&size[2..], ctx.rng)).collect();
    let chosen: Vec<Vec<Region>> =
        boxes.into_iter().zip(&coins).filter(|(_, &c)| c).map(|(b, _)| b).collect();
    let mask = Tensor::from_slice(&coins).to_device(device);
    on_selected(images, &mask, |x| {
        let inside = box_mask(&chosen, &size[2..], device);
        let noise = ctx.rng.uniform_tensor(&x.size(), device);
        if noise_inside {
            noise.where_self(&inside, x)
        } else {
            x.where_self(&inside, &noise)
        }
    })
}

/// `[B, 1, ...spatial]`: true inside any of each sample's boxes, built on `device` from the
/// boxes' extents along each axis.
pub fn box_mask(boxes: &[Vec<Region>], spatial: &[i64], device: Device) -> Tensor {
    let k = boxes.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut shape = vec![boxes.len() as i64, k as i64];
    shape.resize(2 + spatial.len(), 1);
    let mut mask = Tensor::ones(shape.as_slice(), (Kind::Bool, device));
    for (axis, &n) in spatial.iter().enumerate() {
        // Samples with fewer boxes are padded with empty extents.
        let mut starts = vec![0i64; k * boxes.len()];
        let mut ends = starts.clone();
        for (s, sample) in boxes.iter().enumerate() {
            for (j, region) in sample.iter().enumerate() {
                (starts[s * k + j], ends[s * k + j]) = region[axis];
            }
        }
        let extent = |v: Vec<i64>| Tensor::from_slice(&v).view([-1, k as i64, 1]).to_device(device);
        let coord = Tensor::arange(n, (Kind::Int64, device));
        let inside = coord.ge_tensor(&extent(starts)).logical_and(&coord.lt_tensor(&extent(ends)));
        let mut along = shape.clone();
        along[2 + axis] = n;
        mask = mask.logical_and(&inside.view(along.as_slice()));
    }
    mask.any_dim(1, true)
}
