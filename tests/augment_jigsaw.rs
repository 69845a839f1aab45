//! The jigsaw pretext task (thesis ch. 3): the permutation sets, JUMPAT's puzzles, and the
//! stitched image the `Augment` impl gives.
mod common;

use common::augment::{images, max_abs, run};
use medssl::augment::jigsaw::{
    hamming, hamming_greedy, stitch, unshuffle, Jitter, Permutation, PermutationSet, SetKind, HAMMING_CLASSES,
};
use medssl::augment::*;
use std::collections::HashSet;
use tch::{Device, Kind, Tensor};

/// No jitter, no crop, no noise: the patches are the cells, only shuffled.
fn plain() -> Jigsaw {
    Jigsaw { jitter: Jitter::None, crop_fraction: 1.0, noise_std: 0.0, ..Jigsaw::default() }
}

/// `[B, 9, C, s, s]` cells of the centred 3s × 3s grid, cut one by one.
fn cells(images: &Tensor, s: i64) -> Tensor {
    let size = images.size();
    let (top, left) = ((size[2] - 3 * s) / 2, (size[3] - 3 * s) / 2);
    let cells: Vec<Tensor> =
        (0..9).map(|k| images.narrow(2, top + k / 3 * s, s).narrow(3, left + k % 3 * s, s)).collect();
    Tensor::stack(&cells, 1)
}

fn identity() -> Permutation {
    [0, 1, 2, 3, 4, 5, 6, 7, 8]
}

#[test]
fn the_greedy_hamming_set_is_setarr() {
    let set = hamming_greedy();
    assert_eq!(set.len(), 1887);
    assert_eq!(HAMMING_CLASSES, 1887);
    // Lexicographic greedy order, checked against Python's itertools pass.
    assert_eq!(set[0], identity());
    assert_eq!(set[1], [0, 1, 2, 3, 5, 4, 7, 8, 6]);
    assert_eq!(set[2], [0, 1, 2, 3, 6, 7, 8, 4, 5]);
    assert_eq!(set[1886], [8, 7, 6, 4, 5, 1, 0, 3, 2]);
    assert!(set.windows(2).all(|w| w[0] < w[1]), "members in lexicographic order");
    for (i, a) in set.iter().enumerate() {
        let mut sorted = *a;
        sorted.sort();
        assert_eq!(sorted, identity(), "{a:?} is a permutation");
        for b in &set[i + 1..] {
            assert!(hamming(a, b) >= 5, "{a:?} and {b:?} differ in fewer than 5 positions");
        }
    }
    assert_eq!(hamming(&identity(), &[1, 0, 2, 3, 4, 5, 6, 7, 8]), 2);
}

#[test]
fn hamming_class_sets_start_with_the_identity_and_are_reproducible() {
    let set = PermutationSet::new(SetKind::Hamming, 1000, 7);
    assert_eq!(set.len(), 1000);
    assert_eq!(set.permutations()[0], identity());
    let distinct: HashSet<_> = set.permutations().iter().collect();
    assert_eq!(distinct.len(), 1000);
    let pool: HashSet<_> = hamming_greedy().iter().collect();
    assert!(set.permutations().iter().all(|p| pool.contains(p)));
    assert_eq!(set, PermutationSet::new(SetKind::Hamming, 1000, 7));
    let other = PermutationSet::new(SetKind::Hamming, 1000, 8);
    assert_eq!(other.permutations()[0], identity());
    assert_ne!(set.permutations(), other.permutations());
    // All of A′ at most, then every member once.
    let all = PermutationSet::new(SetKind::Hamming, 5000, 1);
    assert_eq!(all.len(), 1887);
    assert_eq!(all.permutations().iter().collect::<HashSet<_>>(), pool);
    assert_eq!(PermutationSet::new(SetKind::Hamming, 1, 3).permutations(), &[identity()]);
}

#[test]
fn uniform_class_sets_are_distinct_permutations_reproducible_from_the_seed() {
    let set = PermutationSet::new(SetKind::Uniform, 1000, 3);
    assert_eq!(set.len(), 1000);
    assert_eq!(set.permutations().iter().collect::<HashSet<_>>().len(), 1000);
    for p in set.permutations() {
        let mut sorted = *p;
        sorted.sort();
        assert_eq!(sorted, identity());
    }
    // Random orders differ in 8 positions on average (spec [V]: mean ≈ 8.0).
    let ps = set.permutations();
    let mean = (1..ps.len()).map(|i| hamming(&ps[i - 1], &ps[i]) as f64).sum::<f64>() / (ps.len() - 1) as f64;
    assert!((mean - 8.0).abs() < 0.2, "mean distance {mean}");
    assert_eq!(set, PermutationSet::new(SetKind::Uniform, 1000, 3));
    assert_ne!(set.permutations(), PermutationSet::new(SetKind::Uniform, 1000, 4).permutations());
}

#[test]
fn a_permutation_set_round_trips_through_serde() {
    let set = PermutationSet::new(SetKind::Hamming, 64, 11);
    let text = serde_json::to_string(&set).unwrap();
    let back: PermutationSet = serde_json::from_str(&text).unwrap();
    assert_eq!(back, set);
    assert_eq!(back.to_tensor(Device::Cpu).size(), [64, 9]);
    let op: Jigsaw = serde_json::from_str(r#"{"set": "uniform", "classes": 64, "set_seed": 11}"#).unwrap();
    assert_eq!(op.permutation_set(), PermutationSet::new(SetKind::Uniform, 64, 11));
    assert!(serde_json::from_str::<Jigsaw>(r#"{"tiles": 4}"#).is_err());
}

#[test]
fn puzzles_have_the_thesis_shapes() {
    let op = Jigsaw::default();
    let x = images(1, &[2, 1, 256, 256]);
    let puzzle = op.draw(&x, &mut AugRng::new(0));
    // s = ⌊256 / 3⌋ = 85, p = 64.
    assert_eq!(puzzle.patches.size(), [2, 9, 1, 64, 64]);
    assert_eq!(puzzle.patches.kind(), Kind::Float);
    assert_eq!(puzzle.labels.size(), [2]);
    assert_eq!(puzzle.labels.kind(), Kind::Int64);
    assert_eq!(puzzle.permutations.size(), [2, 9]);
    assert!(puzzle.labels.min().int64_value(&[]) >= 0 && puzzle.labels.max().int64_value(&[]) < 1000);
    assert!(puzzle.patches.min().double_value(&[]) >= 0.0 && puzzle.patches.max().double_value(&[]) <= 1.0);
}

#[test]
fn unshuffle_restores_the_cells_exactly() {
    // Not square: the grid is cut from the centred square.
    for shape in [[4i64, 3, 30, 30], [3, 1, 20, 32]] {
        let x = images(2, &shape);
        let s = shape[2].min(shape[3]) / 3;
        let op = plain();
        let set = op.permutation_set();
        let puzzle = op.draw(&x, &mut AugRng::new(5));
        let original = cells(&x, s);
        assert_eq!(puzzle.patches.size(), original.size());
        assert!(puzzle.patches != original, "the patches are shuffled");
        assert!(unshuffle(&puzzle.patches, &puzzle.permutations) == original);
        assert!(set.unshuffle(&puzzle.patches, &puzzle.labels) == original);
    }
}

#[test]
fn the_label_names_the_arrangement() {
    let x = images(3, &[8, 3, 27, 27]);
    let op = Jigsaw { classes: 100, ..plain() };
    let set = op.permutation_set();
    let puzzle = op.draw(&x, &mut AugRng::new(9));
    let original = cells(&x, 9);
    let labels = Vec::<i64>::try_from(&puzzle.labels).unwrap();
    assert!(labels.iter().any(|&l| l != 0));
    for (i, &label) in labels.iter().enumerate() {
        let tau = set.permutations()[label as usize];
        let row = Vec::<i64>::try_from(&puzzle.permutations.get(i as i64)).unwrap();
        assert_eq!(row, tau.map(|t| t as i64));
        for (k, &t) in tau.iter().enumerate() {
            let slot = puzzle.patches.get(i as i64).get(k as i64);
            assert!(slot == original.get(i as i64).get(t as i64), "sample {i} slot {k} holds cell {t}");
        }
    }
}

#[test]
fn patches_are_crops_of_their_cells() {
    let x = images(4, &[2, 1, 30, 30]);
    let op = Jigsaw { crop_fraction: 0.75, ..plain() };
    let puzzle = op.draw(&x, &mut AugRng::new(1));
    // s = 10, p = round(7.5) = 8: each patch is one of the 3 × 3 windows of its cell.
    assert_eq!(puzzle.patches.size(), [2, 9, 1, 8, 8]);
    let restored = unshuffle(&puzzle.patches, &puzzle.permutations);
    let original = cells(&x, 10);
    let mut corners = HashSet::new();
    for i in 0..2 {
        for k in 0..9 {
            let patch = restored.get(i).get(k);
            let cell = original.get(i).get(k);
            let at = (0..3)
                .flat_map(|r| (0..3).map(move |c| (r, c)))
                .find(|&(r, c)| cell.narrow(1, r, 8).narrow(2, c, 8) == patch);
            corners.insert(at.expect("the patch is a window of its cell"));
        }
    }
    assert!(corners.len() > 3, "crop corners vary: {corners:?}");
}

/// What the jitter did to each cell of 60 × 60 ramps `column / 60`, uncropped: a warp keeps a
/// ramp a ramp, turned by the rotation and flattened by the zoom, and the value at the centre
/// tells the horizontal shift. (angle in degrees, gradient × 60, centre offset in pixels.)
fn ramp_jitter(jitter: Jitter) -> Vec<(f64, f64, f64)> {
    let s = 60;
    let ramp =
        (Tensor::arange(3 * s, (Kind::Float, Device::Cpu)).remainder(s) / s as f64).view([1, 1, 1, -1]);
    let x = ramp.expand([4, 1, 3 * s, 3 * s], false).contiguous();
    let op = Jigsaw { jitter, crop_fraction: 1.0, noise_std: 0.0, ..Jigsaw::default() };
    let patches = op.draw(&x, &mut AugRng::new(2)).patches.view([36, s, s]);
    // The centre stays away from the corners the rotation uncovers.
    let centre = patches.narrow(1, 26, 8).narrow(2, 26, 8);
    let mean = |t: Tensor| Vec::<f64>::try_from(&t.mean_dim(&[1i64, 2][..], false, Kind::Double)).unwrap();
    let gx = mean(centre.narrow(2, 1, 7) - centre.narrow(2, 0, 7));
    let gy = mean(centre.narrow(1, 1, 7) - centre.narrow(1, 0, 7));
    // The mean of the central 2 × 2 pixels is the ramp at the cell's centre, pixel 29.5.
    let middle = mean(patches.narrow(1, 29, 2).narrow(2, 29, 2));
    (0..36)
        .map(|i| (gy[i].atan2(gx[i]).to_degrees(), gx[i].hypot(gy[i]) * 60.0, middle[i] * 60.0 - 29.5))
        .collect()
}

#[test]
fn grid_jitter_draws_from_the_54_transforms() {
    let (mut angles, mut zooms, mut shifts) = (HashSet::new(), HashSet::new(), HashSet::new());
    for (angle, magnitude, offset) in ramp_jitter(Jitter::Grid) {
        let a = [-15.0, 0.0, 15.0].into_iter().find(|a: &f64| (angle - a).abs() < 0.3);
        let a = a.unwrap_or_else(|| panic!("angle {angle}° is not in G"));
        let z = [1.0, 1.2].into_iter().find(|z: &f64| (magnitude * z - 1.0).abs() < 0.01);
        let z = z.unwrap_or_else(|| panic!("zoom 1/{magnitude} is not in G"));
        // Shifts of 0 or ±⌊0.1 · 60⌋ = 6 pixels per axis, seen through the rotation and zoom.
        let (sin, cos) = a.to_radians().sin_cos();
        let shift = [-6.0, 0.0, 6.0]
            .iter()
            .flat_map(|&dx| [-6.0, 0.0, 6.0].map(|dy| (dx, dy)))
            .find(|(dx, dy)| (offset + (cos * dx + sin * dy) / z).abs() < 0.05);
        let shift = shift.unwrap_or_else(|| panic!("centre moved by {offset} px: no shift of G does that"));
        angles.insert(a as i64);
        zooms.insert((z * 10.0) as i64);
        shifts.insert(shift.0 as i64);
    }
    assert_eq!(angles.len(), 3, "every rotation of G is drawn");
    assert_eq!(zooms.len(), 2, "both zooms of G are drawn");
    assert_eq!(shifts.len(), 3, "every horizontal shift of G is drawn");

    let continuous = ramp_jitter(Jitter::Continuous);
    assert!(continuous
        .iter()
        .all(|&(a, m, o)| a.abs() <= 15.1 && (1.0 / 1.21..=1.01).contains(&m) && o.abs() < 8.5));
    let off_grid =
        continuous.iter().filter(|(a, _, _)| [-15.0, 0.0, 15.0].iter().all(|g| (a - g).abs() > 0.3));
    assert!(off_grid.count() > 25);

    let none = ramp_jitter(Jitter::None);
    assert!(none.iter().all(|&(a, m, o)| a.abs() < 1e-3 && (m - 1.0).abs() < 1e-3 && o.abs() < 1e-3));
}

#[test]
fn noise_has_the_configured_deviation() {
    let x = Tensor::full([4, 1, 96, 96], 0.5, (Kind::Float, Device::Cpu));
    let op = Jigsaw { noise_std: 0.1, ..plain() };
    let noise = op.draw(&x, &mut AugRng::new(3)).patches - 0.5;
    assert!(noise.mean(Kind::Double).double_value(&[]).abs() < 0.002);
    assert!((noise.std(true).double_value(&[]) - 0.1).abs() < 0.002);
}

#[test]
fn puzzles_follow_the_seed() {
    let x = images(5, &[4, 1, 48, 48]);
    let op = Jigsaw::default();
    let a = op.draw(&x, &mut AugRng::new(1));
    let b = op.draw(&x, &mut AugRng::new(1));
    let c = op.draw(&x, &mut AugRng::new(2));
    assert!(a.patches == b.patches && a.labels == b.labels && a.permutations == b.permutations);
    assert!(a.patches != c.patches && a.labels != c.labels);
}

#[test]
fn the_stitched_image_shows_the_patches_with_grey_gaps() {
    let x = images(6, &[3, 3, 64, 64]);
    let op = Jigsaw { noise_std: 0.0, jitter: Jitter::None, ..Jigsaw::default() };
    let y = run(&op, &x, 4);
    assert_eq!(y.size(), x.size());
    assert_eq!(y.kind(), Kind::Float);
    assert!(y.min().double_value(&[]) >= 0.0 && y.max().double_value(&[]) <= 1.0);
    // s = 21, p = round(21 · 64/85) = 16: a 2-pixel grey band before each patch, 3 after, and
    // the 64th row and column beyond the grid.
    let grey = |t: Tensor| max_abs(&(t - 0.5)) == 0.0;
    assert!(grey(y.narrow(2, 63, 1)) && grey(y.narrow(3, 63, 1)));
    for k in 0..3 {
        for (start, len) in [(21 * k, 2), (21 * k + 18, 3)] {
            assert!(grey(y.narrow(2, start, len)) && grey(y.narrow(3, start, len)));
        }
        assert!(!grey(y.narrow(2, 21 * k + 2, 16)));
    }

    // The public `stitch` puts slot k of a drawn puzzle in cell k.
    let puzzle = op.draw(&x, &mut AugRng::new(4));
    let layout = op.layout(64, 64).unwrap();
    let stitched = stitch(&puzzle.patches, layout, 64, 64);
    let slot5 = stitched.narrow(2, 21 + 2, 16).narrow(3, 42 + 2, 16);
    assert!(slot5 == puzzle.patches.select(1, 5));
}

#[test]
fn the_stitched_image_without_crops_is_a_shuffle_of_the_image() {
    let x = images(7, &[2, 1, 63, 63]);
    let y = run(&plain(), &x, 1);
    assert!(max_abs(&(&y - &x)) > 0.1, "the cells moved");
    let sorted = |t: &Tensor| t.view([2, -1]).sort(1, false).0;
    assert!(sorted(&y) == sorted(&x));
}

#[test]
fn the_augmentation_follows_seed_and_probability() {
    let x = images(8, &[4, 3, 32, 32]);
    let op = Jigsaw::default();
    assert!(run(&op, &x, 1) == run(&op, &x, 1));
    assert!(run(&op, &x, 1) != run(&op, &x, 2));
    assert!(run(&Jigsaw { p: 0.0, ..Jigsaw::default() }, &x, 1) == x);

    let x = images(9, &[400, 1, 8, 8]);
    let y = run(&Jigsaw { p: 0.3, ..Jigsaw::default() }, &x, 3);
    let changed = (y - &x).abs().view([400, -1]).amax(&[1i64][..], false).gt(1e-6);
    let share = changed.to_kind(Kind::Double).mean(Kind::Double).double_value(&[]);
    assert!((share - 0.3).abs() < 0.07, "share {share}");
}

#[test]
fn tiny_images_and_volumes_do_not_panic() {
    let op = Jigsaw::default();
    let x = images(10, &[1, 1, 8, 8]);
    let y = run(&op, &x, 1);
    assert_eq!(y.size(), [1, 1, 8, 8]);
    assert_eq!(op.draw(&x, &mut AugRng::new(1)).patches.size(), [1, 9, 1, 2, 2]);
    let small = images(11, &[2, 1, 2, 5]);
    assert!(run(&op, &small, 1) == small);
    assert!(op.supports(2) && !op.supports(3));
    let volume = images(12, &[1, 1, 8, 8, 8]);
    assert!(run(&op, &volume, 1) == volume);
}

#[test]
fn every_field_is_a_parameter_and_the_caution_is_given() {
    let mut op = Jigsaw::default();
    let params = op.params();
    let names: Vec<_> = params.iter().map(|p| p.name()).collect();
    assert_eq!(names.len(), 7, "{names:?}");
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), 7);
    assert!(params.iter().all(|p| p.problem().is_none()));
    drop(params);
    let fields = serde_json::to_value(&op).unwrap();
    assert_eq!(fields.as_object().unwrap().len(), 7);
    let traits = ImageTraits { modality: Modality::Mr, grey: true, volumetric: false };
    assert!(op.caution(&traits).is_some());
}
