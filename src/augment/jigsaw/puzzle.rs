//! JUMPAT (specs/004a_thesis_ch1-5.md §3.2.3, Algorithm 3.2), batched: the 3 × 3 cells of every
//! image are jittered by one `warp` over `[B·9, C, s, s]`, cropped, shuffled and noised.
use super::permutations::{PermutationSet, CELLS};
use super::{Jigsaw, Jitter};
use crate::augment::tensor::{affine_theta, warp, Padding};
use crate::augment::AugRng;
use tch::{Device, Kind, Tensor};

/// The grid G of §3.3: rotations of ±15° or none, shifts of ±⌊0.1·patch⌋ or none per axis,
/// zoom 1 or 1.2; the continuous variant draws from the same ranges.
const ROTATION_DEG: f64 = 15.0;
const SHIFT_FRACTION: f64 = 0.1;
const ZOOM: f64 = 1.2;

/// The shuffled patches of a batch and what they are labelled with.
#[derive(Debug)]
pub struct Puzzle {
    /// `[B, 9, C, p, p]`: slot k of sample i holds original cell `permutations[i][k]`.
    pub patches: Tensor,
    /// `[B]` int64: the index in the permutation set of each sample's arrangement.
    pub labels: Tensor,
    /// `[B, 9]` int64: the arrangement itself, the set's row `labels[i]`.
    pub permutations: Tensor,
}

/// Where the 3 × 3 grid lies in an image and the sides of its cells and patches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// s = ⌊side / 3⌋ of the centred square (85 for the thesis's 256 × 256 slices).
    pub cell: i64,
    /// p = round(s · crop fraction), the side of the random crop (64 in the thesis).
    pub patch: i64,
    /// The grid's 3s × 3s square is centred in the image.
    pub top: i64,
    pub left: i64,
}

impl Layout {
    /// `None` where a side is under 3 pixels, too small for nine cells.
    pub fn new(height: i64, width: i64, crop_fraction: f64) -> Option<Self> {
        let cell = height.min(width) / 3;
        (cell > 0).then(|| Self {
            cell,
            patch: ((cell as f64 * crop_fraction).round() as i64).clamp(1, cell),
            top: (height - 3 * cell) / 2,
            left: (width - 3 * cell) / 2,
        })
    }
}

/// Everything random about a batch's puzzles, drawn for all B samples before any is selected.
pub(super) struct Draws {
    labels: Tensor,
    /// `[B, 9, 2, 3]` warps from patch to cell coordinates; `None` without jitter.
    theta: Option<Tensor>,
    /// `[B, 9, 2]` (row, column) of each crop's corner in its cell.
    offsets: Tensor,
    /// `[B, 9, C, p, p]` noise, already scaled; `None` at zero strength.
    noise: Option<Tensor>,
}

impl Draws {
    /// Labels among `classes`, then jitter, crop corners and noise, for `[batch, channels, ...]`.
    pub(super) fn sample(
        jigsaw: &Jigsaw,
        batch: i64,
        channels: i64,
        layout: Layout,
        classes: usize,
        rng: &mut AugRng,
        device: Device,
    ) -> Self {
        let cells = batch * CELLS as i64;
        let labels = rng.ints(batch, 0, classes as i64 - 1, device);
        let theta = (jigsaw.jitter != Jitter::None).then(|| {
            jitter_theta(cells, layout, jigsaw.jitter, rng)
                .view([batch, CELLS as i64, 2, 3])
                .to_device(device)
        });
        let offsets =
            rng.ints(cells * 2, 0, layout.cell - layout.patch, device).view([batch, CELLS as i64, 2]);
        let p = layout.patch;
        let noise = (jigsaw.noise_std > 0.0)
            .then(|| rng.normal_tensor(&[batch, CELLS as i64, channels, p, p], device) * jigsaw.noise_std);
        Self { labels, theta, offsets, noise }
    }

    /// The draws of the samples at `index`.
    pub(super) fn select(&self, index: &Tensor) -> Self {
        let pick = |t: &Tensor| t.index_select(0, index);
        Self {
            labels: pick(&self.labels),
            theta: self.theta.as_ref().map(pick),
            offsets: pick(&self.offsets),
            noise: self.noise.as_ref().map(pick),
        }
    }
}

/// `[n, 2, 3]` maps (on the CPU) from a jittered cell back to the cell, one per cell: each a
/// rotation, zoom and shift about the cell's centre drawn from G (or its continuous ranges).
fn jitter_theta(n: i64, layout: Layout, jitter: Jitter, rng: &mut AugRng) -> Tensor {
    let shift = SHIFT_FRACTION * layout.patch as f64;
    let mut values = Vec::with_capacity(6 * n as usize);
    for _ in 0..n {
        let (angle, dx, dy, zoom) = match jitter {
            Jitter::Continuous => (
                rng.uniform_one(-ROTATION_DEG, ROTATION_DEG),
                rng.uniform_one(-shift, shift),
                rng.uniform_one(-shift, shift),
                rng.uniform_one(1.0, ZOOM),
            ),
            Jitter::Grid | Jitter::None => (
                ROTATION_DEG * rng.int_one(-1, 1) as f64,
                shift.floor() * rng.int_one(-1, 1) as f64,
                shift.floor() * rng.int_one(-1, 1) as f64,
                if rng.int_one(0, 1) == 1 { ZOOM } else { 1.0 },
            ),
        };
        // Output → input is the inverse of "zoom and rotate about the centre, then shift":
        // L = R(−angle) / zoom, applied to the output point less the shift (in [-1, 1] units).
        let (sin, cos) = angle.to_radians().sin_cos();
        let linear = [cos / zoom, sin / zoom, -sin / zoom, cos / zoom];
        let (tx, ty) = (2.0 * dx / layout.cell as f64, 2.0 * dy / layout.cell as f64);
        values.extend(linear.map(|v| v as f32));
        values.extend(
            [-(linear[0] * tx + linear[1] * ty), -(linear[2] * tx + linear[3] * ty)].map(|v| v as f32),
        );
    }
    let all = Tensor::from_slice(&values).view([n, 6]);
    affine_theta(&all.narrow(1, 0, 4).view([n, 2, 2]), &all.narrow(1, 4, 2))
}

/// The puzzles of `images` (`[B, C, H, W]`) with the drawn jitter, crops, arrangements and noise.
pub(super) fn render(images: &Tensor, layout: Layout, draws: &Draws, set: &PermutationSet) -> Puzzle {
    let size = images.size();
    let (b, c, s, p) = (size[0], size[1], layout.cell, layout.patch);
    let cells = images
        .narrow(2, layout.top, 3 * s)
        .narrow(3, layout.left, 3 * s)
        .reshape([b, c, 3, s, 3, s])
        .permute([0, 2, 4, 1, 3, 5])
        .reshape([b * CELLS as i64, c, s, s]);
    // Corners the rotation uncovers repeat the cell's edge (Keras' default `nearest` fill) rather
    // than showing black wedges the network could read the transform from.
    let cells = match &draws.theta {
        Some(theta) => warp(&cells, &theta.view([-1, 2, 3]), Padding::Border),
        None => cells,
    };
    let crops = crop(&cells, &draws.offsets.view([-1, 2]), p).view([b, CELLS as i64, c, p, p]);
    let permutations = set.lookup(&draws.labels);
    let patches = reorder(&crops, &permutations);
    let patches = match &draws.noise {
        Some(noise) => (patches + noise).clamp(0.0, 1.0),
        None => patches,
    };
    Puzzle { patches, labels: draws.labels.shallow_clone(), permutations }
}

/// `[N, C, p, p]` crops of `[N, C, s, s]` cells with corners at `[N, 2]` (row, column) offsets,
/// by integer indexing, so the pixels are copied exactly.
fn crop(cells: &Tensor, offsets: &Tensor, p: i64) -> Tensor {
    let size = cells.size();
    let (n, c, s) = (size[0], size[1], size[2]);
    let steps = Tensor::arange(p, (Kind::Int64, cells.device()));
    let rows = offsets.select(1, 0).unsqueeze(1) + &steps;
    let cols = offsets.select(1, 1).unsqueeze(1) + &steps;
    let index = (rows.unsqueeze(2) * s + cols.unsqueeze(1)).view([n, 1, p * p]).expand([n, c, p * p], false);
    cells.reshape([n, c, s * s]).gather(2, &index, false).view([n, c, p, p])
}

/// `[B, 9, ...]` with slot k of sample i taken from slot `index[i][k]`.
fn reorder(slots: &Tensor, index: &Tensor) -> Tensor {
    let size = slots.size();
    let (b, k) = (size[0], size[1]);
    let base = Tensor::arange(b, (Kind::Int64, slots.device())).unsqueeze(1) * k;
    let mut flat = vec![b * k];
    flat.extend_from_slice(&size[2..]);
    slots.reshape(flat.as_slice()).index_select(0, &(index + base).view([-1])).view(size.as_slice())
}

/// `[B, 9, ...]` shuffled patches back in raster order, given the `[B, 9]` permutations that
/// shuffled them (slot k holds original cell `permutations[i][k]`).
pub fn unshuffle(patches: &Tensor, permutations: &Tensor) -> Tensor {
    reorder(patches, &permutations.argsort(1, false))
}

/// The `[B, 9, C, p, p]` patches in their slots as one `[B, C, height, width]` image: each patch
/// centred in its s × s cell of the layout's grid, everything else a grey 0.5, so the gaps the
/// crops leave between the patches stay visible.
pub fn stitch(patches: &Tensor, layout: Layout, height: i64, width: i64) -> Tensor {
    let size = patches.size();
    let (b, c, s, p) = (size[0], size[2], layout.cell, layout.patch);
    let before = (s - p) / 2;
    let cells = patches.pad([before, s - p - before, before, s - p - before], "constant", 0.5);
    let grid = cells.reshape([b, 3, 3, c, s, s]).permute([0, 3, 1, 4, 2, 5]).reshape([b, c, 3 * s, 3 * s]);
    let (right, bottom) = (width - 3 * s - layout.left, height - 3 * s - layout.top);
    grid.pad([layout.left, right, layout.top, bottom], "constant", 0.5)
}
