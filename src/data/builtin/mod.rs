//! Procedural built-in datasets, so the app and the tests work with no download.
//!
//! Each image is drawn from its own random stream seeded from (seed, kind, index), which makes
//! sets reproducible, prefix-stable and independent of how many threads draw them.

mod canvas;
mod ct;
mod histo;
mod natural;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::ops::Range;

/// Which procedural dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BuiltinKind {
    Ct,
    Histo,
    Natural,
}

impl BuiltinKind {
    pub const ALL: [BuiltinKind; 3] = [BuiltinKind::Ct, BuiltinKind::Histo, BuiltinKind::Natural];

    pub fn id(self) -> &'static str {
        match self {
            BuiltinKind::Ct => "ct",
            BuiltinKind::Histo => "histo",
            BuiltinKind::Natural => "natural",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            BuiltinKind::Ct => "CT-like slices",
            BuiltinKind::Histo => "H&E-like tiles",
            BuiltinKind::Natural => "Synthetic natural images",
        }
    }

    /// Class names; label `i` of a [`BuiltinSet`] names `class_names()[i]`.
    pub fn class_names(self) -> &'static [&'static str] {
        match self {
            BuiltinKind::Ct => &["no lesion", "hypodense cyst", "hyperdense mass", "ring-enhancing"],
            BuiltinKind::Histo => &["stroma", "tumour", "lymphocytes", "gland"],
            // The background generator; shapes are drawn over every class alike.
            BuiltinKind::Natural => &["linear gradient", "radial gradient", "stripes", "noise texture"],
        }
    }

    /// Accepts the id, ignoring case and surrounding whitespace.
    pub fn parse(s: &str) -> Option<BuiltinKind> {
        let s = s.trim();
        BuiltinKind::ALL.into_iter().find(|kind| kind.id().eq_ignore_ascii_case(s))
    }

    /// Keeps the random streams of different kinds apart for the same seed.
    fn salt(self) -> u64 {
        match self {
            BuiltinKind::Ct => 0x4354_5f73_6c69_6365,
            BuiltinKind::Histo => 0x4845_5f74_696c_6573,
            BuiltinKind::Natural => 0x6e61_7475_7261_6c21,
        }
    }

    fn draw(self, rng: &mut ChaCha8Rng, label: i64, size: usize) -> (Vec<f32>, Vec<u8>) {
        match self {
            BuiltinKind::Ct => ct::draw(rng, label, size),
            BuiltinKind::Histo => histo::draw(rng, label, size),
            BuiltinKind::Natural => natural::draw(rng, label, size),
        }
    }
}

/// `count` images of `size`×`size`, channel-first RGB in [0,1].
pub struct BuiltinSet {
    pub kind: BuiltinKind,
    pub size: usize,
    /// count*3*size*size, layout [n][c][y][x]
    pub images: Vec<f32>,
    /// count, in 0..class_names().len()
    pub labels: Vec<i64>,
    /// count*size*size, 0 or 1
    pub masks: Vec<u8>,
}

impl BuiltinSet {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn image_seed(seed: u64, kind: BuiltinKind, index: usize) -> u64 {
    splitmix64(splitmix64(seed ^ kind.salt()) ^ index as u64)
}

/// Deterministic: the same (kind, count, size, seed) always gives identical bytes.
/// Image i depends only on (kind, size, seed, i), so a set of 100 is a prefix of a set of 200.
/// Classes are balanced: label of image i is i % n_classes.
///
/// Geometry is designed at 64 px and scales with `size`; 32 to 512 is the tested range.
///
/// # Panics
/// If `size` is 0.
pub fn generate(kind: BuiltinKind, count: usize, size: usize, seed: u64) -> BuiltinSet {
    generate_range(kind, 0..count, size, seed)
}

/// Images `range` of the sequence that [`generate`] draws from, so a large set can be made in
/// chunks (with progress and a chance to cancel between them) and come out identical.
pub fn generate_range(kind: BuiltinKind, range: Range<usize>, size: usize, seed: u64) -> BuiltinSet {
    assert!(size > 0, "built-in image size must be positive");
    let classes = kind.class_names().len();
    let count = range.len();
    let labels: Vec<i64> = range.clone().map(|i| (i % classes) as i64).collect();
    let pixels = size * size;
    let mut images = vec![0.0; count * 3 * pixels];
    let mut masks = vec![0; count * pixels];
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = count.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let chunks = images
            .chunks_mut(per_thread * 3 * pixels)
            .zip(masks.chunks_mut(per_thread * pixels))
            .zip(labels.chunks(per_thread));
        for (chunk, ((images, masks), labels)) in chunks.enumerate() {
            scope.spawn(move || {
                let slots = images.chunks_mut(3 * pixels).zip(masks.chunks_mut(pixels));
                for (offset, ((image, mask), &label)) in slots.zip(labels).enumerate() {
                    let index = range.start + chunk * per_thread + offset;
                    let mut rng = ChaCha8Rng::seed_from_u64(image_seed(seed, kind, index));
                    let (drawn_image, drawn_mask) = kind.draw(&mut rng, label, size);
                    image.copy_from_slice(&drawn_image);
                    mask.copy_from_slice(&drawn_mask);
                }
            });
        }
    });
    BuiltinSet { kind, size, images, labels, masks }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(set: &BuiltinSet, i: usize) -> &[f32] {
        let n = 3 * set.size * set.size;
        &set.images[i * n..(i + 1) * n]
    }

    fn mask(set: &BuiltinSet, i: usize) -> &[u8] {
        let n = set.size * set.size;
        &set.masks[i * n..(i + 1) * n]
    }

    #[test]
    fn ids_round_trip() {
        for kind in BuiltinKind::ALL {
            assert_eq!(BuiltinKind::parse(kind.id()), Some(kind));
            assert_eq!(kind.class_names().len(), 4);
        }
        assert_eq!(BuiltinKind::parse(" CT "), Some(BuiltinKind::Ct));
        assert_eq!(BuiltinKind::parse("mri"), None);
    }

    #[test]
    fn same_arguments_give_identical_sets_and_prefixes_agree() {
        for kind in BuiltinKind::ALL {
            let a = generate(kind, 12, 48, 7);
            let b = generate(kind, 12, 48, 7);
            assert_eq!(a.images, b.images, "{kind:?}");
            assert_eq!(a.masks, b.masks, "{kind:?}");
            let short = generate(kind, 5, 48, 7);
            assert_eq!(short.images[..], a.images[..short.images.len()], "{kind:?}");
            assert_eq!(short.masks[..], a.masks[..short.masks.len()], "{kind:?}");
            assert_eq!(short.labels[..], a.labels[..5], "{kind:?}");
            let tail = generate_range(kind, 5..12, 48, 7);
            assert_eq!(tail.images[..], a.images[short.images.len()..], "{kind:?}");
            assert_eq!(tail.labels[..], a.labels[5..], "{kind:?}");
        }
    }

    #[test]
    fn different_seeds_and_indices_give_different_images() {
        for kind in BuiltinKind::ALL {
            let a = generate(kind, 4, 32, 1);
            let b = generate(kind, 4, 32, 2);
            for i in 0..4 {
                assert_ne!(image(&a, i), image(&b, i), "{kind:?} image {i}");
            }
            assert_ne!(image(&a, 0), image(&a, 1), "{kind:?}: images within a set repeat");
        }
    }

    #[test]
    fn shapes_values_and_balance() {
        for kind in BuiltinKind::ALL {
            for size in [32, 64, 128] {
                let set = generate(kind, 10, size, 3);
                assert_eq!(set.len(), 10);
                assert_eq!(set.images.len(), 10 * 3 * size * size);
                assert_eq!(set.masks.len(), 10 * size * size);
                assert!(set.images.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)));
                assert!(set.masks.iter().all(|&m| m <= 1));
                let expected: Vec<i64> = (0..10).map(|i| i % 4).collect();
                assert_eq!(set.labels, expected, "{kind:?}");
            }
        }
        assert!(generate(BuiltinKind::Ct, 0, 64, 0).is_empty());
    }

    #[test]
    fn images_are_not_flat() {
        for kind in BuiltinKind::ALL {
            let set = generate(kind, 8, 64, 5);
            for i in 0..set.len() {
                let img = image(&set, i);
                let mean = img.iter().sum::<f32>() / img.len() as f32;
                let var = img.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / img.len() as f32;
                assert!(var.sqrt() > 0.05, "{kind:?} image {i} is nearly flat");
            }
        }
    }

    #[test]
    fn ct_masks_mark_lesions_exactly_for_lesion_classes() {
        for size in [32, 64, 128] {
            let set = generate(BuiltinKind::Ct, 40, size, 11);
            for i in 0..set.len() {
                let lesion_pixels = mask(&set, i).iter().filter(|&&m| m == 1).count();
                if set.labels[i] == 0 {
                    assert_eq!(lesion_pixels, 0, "size {size} image {i}");
                } else {
                    assert!(lesion_pixels > 0, "size {size} image {i} has no lesion");
                }
            }
        }
    }

    #[test]
    fn histo_and_natural_masks_are_never_empty() {
        for kind in [BuiltinKind::Histo, BuiltinKind::Natural] {
            for size in [32, 64, 128] {
                let set = generate(kind, 24, size, 13);
                for i in 0..set.len() {
                    assert!(mask(&set, i).contains(&1), "{kind:?} size {size} image {i}");
                }
            }
        }
    }

    /// Mean intensity inside the lesions minus the mean of a thin ring of liver around them.
    fn lesion_contrast(set: &BuiltinSet, i: usize) -> f32 {
        let n = set.size;
        let m = mask(set, i);
        let gray = &image(set, i)[..n * n];
        let reach = (2 * n / 64).max(1) as isize;
        let near_lesion = |p: usize| {
            let (x, y) = ((p % n) as isize, (p / n) as isize);
            (-reach..=reach).any(|dy| {
                (-reach..=reach).any(|dx| {
                    let (xx, yy) = (x + dx, y + dy);
                    (0..n as isize).contains(&xx)
                        && (0..n as isize).contains(&yy)
                        && m[yy as usize * n + xx as usize] == 1
                })
            })
        };
        let (mut inside, mut ring) = ((0.0, 0), (0.0, 0));
        for (p, &v) in gray.iter().enumerate() {
            if m[p] == 1 {
                inside = (inside.0 + v, inside.1 + 1);
            } else if near_lesion(p) {
                ring = (ring.0 + v, ring.1 + 1);
            }
        }
        inside.0 / inside.1 as f32 - ring.0 / ring.1 as f32
    }

    #[test]
    fn cysts_are_darker_and_masses_brighter_than_the_liver() {
        let set = generate(BuiltinKind::Ct, 80, 64, 17);
        for i in 0..set.len() {
            let contrast = lesion_contrast(&set, i);
            match set.labels[i] {
                1 => assert!(contrast < -0.03, "cyst {i} contrast {contrast}"),
                2 => assert!(contrast > 0.03, "mass {i} contrast {contrast}"),
                _ => {}
            }
        }
    }

    #[test]
    fn class_is_not_the_mean_intensity() {
        // Nuisance variation must dominate: per-class mean brightness ranges overlap.
        let set = generate(BuiltinKind::Ct, 200, 64, 19);
        let means: Vec<(i64, f32)> = (0..set.len())
            .map(|i| {
                let img = image(&set, i);
                (set.labels[i], img.iter().sum::<f32>() / img.len() as f32)
            })
            .collect();
        let range = |c: i64| {
            means
                .iter()
                .filter(|(l, _)| *l == c)
                .fold((f32::MAX, f32::MIN), |(lo, hi), &(_, m)| (lo.min(m), hi.max(m)))
        };
        let (lo0, hi0) = range(0);
        for c in 1..4 {
            let (lo, hi) = range(c);
            assert!(lo < hi0 && lo0 < hi, "class {c} separable by mean intensity");
        }
    }
}
