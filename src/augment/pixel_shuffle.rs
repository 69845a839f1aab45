//! Models Genesis's local pixel shuffling: pixels shuffled within many small windows.
use super::tensor::on_selected;
use super::{AugRng, Augment, Ctx, Param};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// Models Genesis's `local_pixel_shuffling` (Zhou et al. 2019; in PCRL's code, specs/002_pcrl.md
/// §3.1): windows with random sides in [1, `max_side`·n] along each axis n and random
/// positions, each filled with its own pixels of the original image in a random order, later
/// windows overwriting earlier ones. Textures are scrambled while the global shapes stay, so
/// the network learns local texture and boundaries back. As in Models Genesis, windows that
/// overlap both take from the original, so the result is not a permutation of the image: a
/// value may appear twice and another not at all; every value comes from a pixel less than a
/// window side away.
///
/// The window count is `density` times the pixels (voxels) of the image: Models Genesis's
/// 10 000 windows on its 64×64×32 crops. All channels move together. The gather index is built
/// per sample on the CPU (in parallel, one stream per sample), at a cost of about `density` ×
/// the mean window size per pixel; the pixels are moved on the images' device. Defaults from
/// Models Genesis: p 0.5 (`local_rate`), sides up to a tenth of the image (`dim // 10`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LocalPixelShuffle {
    pub p: f64,
    /// Windows per pixel (voxel) of the image.
    pub density: f64,
    /// The largest window side as a fraction of the image's side along each axis.
    pub max_side: f64,
}

impl Default for LocalPixelShuffle {
    fn default() -> Self {
        Self { p: 0.5, density: 10_000.0 / (64.0 * 64.0 * 32.0), max_side: 0.1 }
    }
}

impl Augment for LocalPixelShuffle {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (size, device) = (images.size(), images.device());
        let coins = ctx.rng.coins(size[0], self.p);
        // One stream per sample: the draws do not depend on which samples are selected or on
        // how the work is split between threads.
        let streams: Vec<AugRng> = coins.iter().map(|_| ctx.rng.fork()).collect();
        let mask = Tensor::from_slice(&coins).to_device(device);
        on_selected(images, &mask, |x| {
            let chosen: Vec<AugRng> =
                streams.into_iter().zip(&coins).filter(|(_, &c)| c).map(|(s, _)| s).collect();
            let index = self.gather_index(&size[2..], chosen).to_device(device).to_kind(Kind::Int64);
            let (b, c) = (x.size()[0], x.size()[1]);
            let flat = x.reshape([b, c, -1]);
            flat.gather(2, &index.view([b, 1, -1]).expand([b, c, -1], false), false).view_as(x)
        })
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Number { name: "windows per pixel", value: &mut self.density, range: (0.0, 0.5) },
            Param::Number {
                name: "largest window side (× image side)",
                value: &mut self.max_side,
                range: (0.0, 0.5),
            },
        ]
    }
}

impl LocalPixelShuffle {
    /// `[streams, pixels]`: for each sample, the flat position in the original image that each
    /// output pixel takes its value from.
    fn gather_index(&self, spatial: &[i64], mut streams: Vec<AugRng>) -> Tensor {
        // 2D images are volumes of depth 1.
        let mut dims = [1usize; 3];
        for (d, &n) in dims[3 - spatial.len()..].iter_mut().zip(spatial) {
            *d = n as usize;
        }
        let pixels: usize = dims.iter().product();
        let windows = (self.density * pixels as f64).round() as usize;
        let max_sides = dims.map(|n| ((self.max_side * n as f64 + 1e-9).floor() as usize).clamp(1, n));
        let mut index = vec![0i32; pixels * streams.len()];
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per_thread = streams.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            for (rows, rngs) in index.chunks_mut(pixels * per_thread).zip(streams.chunks_mut(per_thread)) {
                scope.spawn(move || {
                    for (row, rng) in rows.chunks_mut(pixels).zip(rngs) {
                        shuffle_windows(row, dims, max_sides, windows, rng);
                    }
                });
            }
        });
        Tensor::from_slice(&index).view([-1, pixels as i64])
    }
}

/// Fills `index` (one sample, `dims` = depth, height, width) with the identity, then gives each
/// of `windows` random windows its own original positions in a random order.
fn shuffle_windows(
    index: &mut [i32],
    dims: [usize; 3],
    max_sides: [usize; 3],
    windows: usize,
    rng: &mut AugRng,
) {
    for (i, v) in index.iter_mut().enumerate() {
        *v = i as i32;
    }
    let mut positions = Vec::new();
    let mut shuffled = Vec::new();
    for _ in 0..windows {
        let side = max_sides.map(|m| rng.int_one(1, m as i64) as usize);
        let origin: [usize; 3] = std::array::from_fn(|a| rng.int_one(0, (dims[a] - side[a]) as i64) as usize);
        positions.clear();
        for z in origin[0]..origin[0] + side[0] {
            for y in origin[1]..origin[1] + side[1] {
                let row = (z * dims[1] + y) * dims[2];
                positions.extend((row + origin[2]..row + origin[2] + side[2]).map(|p| p as i32));
            }
        }
        shuffled.clone_from(&positions);
        shuffled.shuffle(rng.gen());
        for (&to, &from) in positions.iter().zip(&shuffled) {
            index[to as usize] = from;
        }
    }
}
