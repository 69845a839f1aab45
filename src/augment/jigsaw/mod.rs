//! The jigsaw pretext task of SSLACL and SKID (specs/004a_thesis_ch1-5.md §3): a slice cut into
//! 3 × 3 cells, each jittered and cropped, the nine patches shuffled by one permutation of a fixed
//! set whose index is the label. `Jigsaw::draw` gives the patches and labels the semi-parallel
//! networks train on; as an `Augment` the patches are stitched back into one image, the input of
//! the thesis's single-stream control and what the studio shows.
mod permutations;
mod puzzle;

pub use permutations::{
    hamming, hamming_greedy, Permutation, PermutationSet, SetKind, CELLS, HAMMING_CLASSES,
};
pub use puzzle::{stitch, unshuffle, Layout, Puzzle};

use super::tensor::on_selected;
use super::{AugRng, Augment, Ctx, ImageTraits, Param};
use puzzle::{render, Draws};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// How each cell is transformed before its crop (§3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    /// One of the 54 combinations of G: rotation {−15°, 0, 15°}, shift {−⌊0.1p⌋, 0, ⌊0.1p⌋} per
    /// axis, zoom {1, 1.2}, the draw the thesis describes.
    #[default]
    Grid,
    /// Rotation, shifts and zoom uniform within the same ranges (the thesis's text also
    /// describes these).
    Continuous,
    /// Cells only cropped.
    None,
}

crate::choice!(Jitter { Grid => "grid G (54)", Continuous => "continuous", None => "none" });

/// JUMPAT with the thesis's settings (§3.2.3, §3.3, §3.4.1.3): C = 1,000 classes from the Hamming
/// set, grid jitter, 64/85 crops, AWGN of variance 0.01 on the patches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Jigsaw {
    /// Chance that a sample is shuffled (as an augmentation; `draw` shuffles every sample).
    pub p: f64,
    /// C, the number of permutation classes (thesis: 500 or 1,000; at most 1,887 from the
    /// Hamming set).
    pub classes: i64,
    /// How the C permutations are chosen: SSLACL's Hamming set or SKID's uniform draw.
    pub set: SetKind,
    /// The seed of the permutation set, which with `set` and `classes` defines the labels.
    pub set_seed: i64,
    pub jitter: Jitter,
    /// The crop's side as a fraction of the cell's: 64/85 in the thesis. The gaps it leaves
    /// keep a network from matching patches by their continuous edges.
    pub crop_fraction: f64,
    /// Standard deviation of the white Gaussian noise added to the patches (σ = 0.1, variance
    /// 0.01 in the thesis).
    pub noise_std: f64,
}

impl Default for Jigsaw {
    fn default() -> Self {
        Self {
            p: 1.0,
            classes: 1000,
            set: SetKind::Hamming,
            set_seed: 0,
            jitter: Jitter::Grid,
            crop_fraction: 64.0 / 85.0,
            noise_std: 0.1,
        }
    }
}

impl Jigsaw {
    /// The class set these settings define (the Hamming set's A′ is built once per process).
    pub fn permutation_set(&self) -> PermutationSet {
        PermutationSet::new(self.set, self.classes.max(1) as usize, self.set_seed.max(0) as u64)
    }

    /// Where the grid lies in `height × width` images; `None` under 3 pixels a side.
    pub fn layout(&self, height: i64, width: i64) -> Option<Layout> {
        Layout::new(height, width, self.crop_fraction)
    }

    /// Puzzles of `[B, C, H, W]` images with this op's own permutation set.
    ///
    /// # Panics
    /// Where a side of the images is under 3 pixels.
    pub fn draw(&self, images: &Tensor, rng: &mut AugRng) -> Puzzle {
        self.draw_with(images, &self.permutation_set(), rng)
    }

    /// Puzzles labelled by `set`, e.g. the one stored with a model.
    ///
    /// # Panics
    /// Where a side of the images is under 3 pixels.
    pub fn draw_with(&self, images: &Tensor, set: &PermutationSet, rng: &mut AugRng) -> Puzzle {
        let size = images.size();
        let layout = self.layout(size[2], size[3]).expect("a jigsaw needs images of at least 3 × 3 pixels");
        let draws = Draws::sample(self, size[0], size[1], layout, set.len(), rng, images.device());
        render(images, layout, &draws, set)
    }
}

impl Augment for Jigsaw {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let size = images.size();
        let Some(layout) = (size.len() == 4).then(|| self.layout(size[2], size[3])).flatten() else {
            return images.shallow_clone();
        };
        let (b, device) = (size[0], images.device());
        let mask = ctx.rng.coin(b, self.p, device);
        let set = self.permutation_set();
        let draws = Draws::sample(self, b, size[1], layout, set.len(), ctx.rng, device);
        on_selected(images, &mask, |x| {
            let draws = draws.select(&mask.nonzero().view([-1]));
            stitch(&render(x, layout, &draws, &set).patches, layout, size[2], size[3])
        })
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Integer { name: "classes", value: &mut self.classes, range: (1, HAMMING_CLASSES as i64) },
            Param::Choice { name: "permutation set", value: &mut self.set },
            Param::Integer { name: "set seed", value: &mut self.set_seed, range: (0, u32::MAX as i64) },
            Param::Choice { name: "cell jitter", value: &mut self.jitter },
            Param::Number { name: "crop fraction", value: &mut self.crop_fraction, range: (0.1, 1.0) },
            Param::Number { name: "noise std", value: &mut self.noise_std, range: (0.0, 1.0) },
        ]
    }

    fn supports(&self, spatial_dims: usize) -> bool {
        spatial_dims == 2
    }

    fn caution(&self, _images: &ImageTraits) -> Option<String> {
        Some(
            "shuffles the image's 3 × 3 cells and so destroys its global anatomy: a pretext task \
             labelled by the permutation, not a label-preserving augmentation"
                .into(),
        )
    }
}
