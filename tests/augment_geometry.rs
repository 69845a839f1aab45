//! The geometry ops: flips, resized crop, rotations, affine, elastic and cut-out. Known answers
//! (quarter turns, pixel-exact shifts, constant images, hole areas), zero strength, seeding,
//! probability and volumes.
mod common;

use common::augment::{images, max_abs, run};
use medssl::augment::*;
use tch::{Device, Kind, Tensor};

/// Selects option `index` of the op's drop-down called `name`.
fn choose(op: &mut dyn Augment, name: &str, index: usize) {
    let mut params = op.params();
    let found = params.iter_mut().find_map(|q| match q {
        Param::Choice { name: n, value } if *n == name => Some(value),
        _ => None,
    });
    found.unwrap_or_else(|| panic!("no choice {name}")).select(index);
}

/// Drops a ring of `ring` pixels from each side of the last two axes.
fn interior(x: &Tensor, ring: i64) -> Tensor {
    let d = x.dim() as i64;
    let (h, w) = (x.size()[d as usize - 2], x.size()[d as usize - 1]);
    x.narrow(d - 2, ring, h - 2 * ring).narrow(d - 1, ring, w - 2 * ring)
}

/// `[B]` whether each sample differs from the input by more than 1e-4 anywhere.
fn changed(out: &Tensor, x: &Tensor) -> Vec<bool> {
    let dims: Vec<i64> = (1..x.dim() as i64).collect();
    Vec::<bool>::try_from((out - x).abs().amax(dims.as_slice(), false).gt(1e-4)).unwrap()
}

/// Shape, dtype, range and seeding on RGB and grey images, a tiny one, and a volume.
fn keeps_contract(op: &dyn Augment, name: &str) {
    for shape in [&[4, 3, 24, 24][..], &[3, 1, 20, 28], &[1, 1, 8, 8], &[2, 1, 8, 16, 16]] {
        let x = images(1, shape);
        let a = run(op, &x, 7);
        assert_eq!(a.size(), x.size(), "{name}: shape on {shape:?}");
        assert_eq!(a.kind(), Kind::Float, "{name}: dtype on {shape:?}");
        let (lo, hi) = (a.min().double_value(&[]), a.max().double_value(&[]));
        assert!(lo >= 0.0 && hi <= 1.0, "{name}: range [{lo}, {hi}] on {shape:?}");
        assert!(max_abs(&(&a - run(op, &x, 7))) == 0.0, "{name}: same seed differs on {shape:?}");
        if shape[0] > 1 {
            assert!(
                max_abs(&(&a - run(op, &x, 8))) > 1e-3,
                "{name}: another seed gives the same on {shape:?}"
            );
        }
    }
}

/// The share of 400 samples of 8×8 the op changes at probability 0.3.
fn share_changed(op: &mut dyn Augment) -> f64 {
    for q in op.params().iter_mut() {
        if let Param::Probability(p) = q {
            **p = 0.3;
        }
    }
    let x = images(3, &[400, 1, 8, 8]);
    let out = run(op, &x, 11);
    changed(&out, &x).iter().filter(|&&c| c).count() as f64 / 400.0
}

fn assert_share(op: &mut dyn Augment, expected: f64, name: &str) {
    let share = share_changed(op);
    assert!((share - expected).abs() < 0.07, "{name}: changed {share}, expected {expected}");
}

fn traits(modality: Modality) -> ImageTraits {
    ImageTraits { modality, grey: true, volumetric: false }
}

#[test]
fn flips_twice_are_the_identity() {
    let x = images(1, &[3, 3, 12, 16]);
    let h = HorizontalFlip { p: 1.0 };
    let once = run(&h, &x, 1);
    assert!(max_abs(&(&once - x.flip([-1]))) == 0.0, "horizontal flip mirrors the last axis");
    assert!(max_abs(&(run(&h, &once, 2) - &x)) == 0.0, "horizontal flip twice");
    let v = VerticalFlip { p: 1.0 };
    let once = run(&v, &x, 1);
    assert!(max_abs(&(&once - x.flip([-2]))) == 0.0, "vertical flip mirrors the second-last axis");
    assert!(max_abs(&(run(&v, &once, 2) - &x)) == 0.0, "vertical flip twice");
    assert!(max_abs(&(run(&HorizontalFlip { p: 0.0 }, &x, 1) - &x)) == 0.0, "p = 0");
}

#[test]
fn axis_flip_mirrors_every_axis_of_a_volume() {
    let x = images(2, &[2, 1, 8, 16, 16]);
    let op = AxisFlip { p: 1.0 };
    let once = run(&op, &x, 1);
    assert!(max_abs(&(&once - x.flip([2, 3, 4]))) == 0.0, "all three axes at p = 1");
    assert!(max_abs(&(run(&op, &once, 5) - &x)) == 0.0, "twice is the identity");
    assert_share(&mut AxisFlip::default(), 1.0 - 0.7f64.powi(2), "axis flip (two axes of an image)");
}

#[test]
fn full_square_resized_crop_is_the_identity() {
    let op = RandomResizedCrop { scale: (1.0, 1.0), ratio: (1.0, 1.0) };
    for shape in [&[2, 3, 16, 16][..], &[2, 1, 8, 16, 16]] {
        let x = images(4, shape);
        assert!(max_abs(&(run(&op, &x, 3) - &x)) < 1e-5, "identity on {shape:?}");
    }
}

#[test]
fn rotate_keeps_the_contract_and_its_zero_strength() {
    keeps_contract(&Rotate { p: 1.0, degrees: (-30.0, 30.0), ..Rotate::default() }, "rotate");
    for plane in 0..3 {
        let mut op = Rotate { p: 1.0, degrees: (20.0, 40.0), ..Rotate::default() };
        choose(&mut op, "plane (3D)", plane);
        keeps_contract(&op, "rotate (volume plane)");
    }
    let x = images(5, &[3, 3, 20, 28]);
    let still = Rotate { p: 1.0, degrees: (0.0, 0.0), ..Rotate::default() };
    assert!(max_abs(&(run(&still, &x, 1) - &x)) < 1e-5, "0°");
    assert!(max_abs(&(run(&Rotate { p: 0.0, ..Rotate::default() }, &x, 1) - &x)) == 0.0, "p = 0");
    assert_share(&mut Rotate { degrees: (10.0, 30.0), ..Rotate::default() }, 0.3, "rotate");
}

#[test]
fn rotate_by_90_degrees_is_a_quarter_turn() {
    let quarter = Rotate { p: 1.0, degrees: (90.0, 90.0), ..Rotate::default() };
    let x = images(6, &[2, 3, 16, 16]);
    let turned = run(&quarter, &x, 1);
    let exact = x.rot90(1, [-2, -1]);
    assert!(max_abs(&interior(&(&turned - &exact), 1)) < 1e-4, "counter-clockwise, as rot90");
    assert!(max_abs(&(Rotate90::default().turn(&x, 1) - &exact)) == 0.0, "Rotate90::turn(1) is rot90");
    // A non-square image turns in pixel units: its central square turns onto itself.
    let wide = images(7, &[1, 1, 20, 28]);
    let turned = run(&quarter, &wide, 1).narrow(3, 4, 20);
    let exact = wide.narrow(3, 4, 20).rot90(1, [-2, -1]);
    assert!(max_abs(&interior(&(turned - exact), 1)) < 1e-4, "non-square: the central square turns");
}

#[test]
fn rotate_and_rotate90_agree_in_every_plane_of_a_volume() {
    let x = images(8, &[1, 1, 16, 16, 16]);
    for plane in 0..3 {
        let mut rotate = Rotate { p: 1.0, degrees: (90.0, 90.0), ..Rotate::default() };
        let mut quarter = Rotate90::default();
        choose(&mut rotate, "plane (3D)", plane);
        choose(&mut quarter, "plane (3D)", plane);
        let turned = run(&rotate, &x, 1);
        let exact = quarter.turn(&x, 1);
        assert!(max_abs(&(&exact - &x)) > 0.1, "plane {plane}: the turn moves voxels");
        let inner = |t: &Tensor| t.narrow(2, 1, 14).narrow(3, 1, 14).narrow(4, 1, 14);
        assert!(max_abs(&inner(&(turned - exact))) < 1e-4, "plane {plane}: rotate(90°) = rot90");
    }
    let axial = Rotate90::default().turn(&x, 1);
    assert!(max_abs(&(axial - x.rot90(1, [3, 4]))) == 0.0, "axial turns H–W");
}

#[test]
fn rotate_warns_of_large_turns_of_anatomy() {
    assert!(Rotate::default().caution(&traits(Modality::Ct)).is_none(), "±10° is fine");
    let large = Rotate { degrees: (-45.0, 45.0), ..Rotate::default() };
    assert!(large.caution(&traits(Modality::Mr)).is_some(), "±45° on MR");
    assert!(large.caution(&traits(Modality::Natural)).is_none(), "photographs turn freely");
    assert!(Rotate90::default().caution(&traits(Modality::Xray)).is_some(), "quarter turns on X-ray");
    assert!(Rotate90::default().caution(&traits(Modality::Histology)).is_none(), "slides have no up");
}

#[test]
fn four_quarter_turns_are_the_identity() {
    for shape in [&[2, 3, 16, 16][..], &[2, 1, 8, 8, 8]] {
        let x = images(9, shape);
        let op = Rotate90::default();
        let once = op.turn(&x, 1);
        assert!(max_abs(&(&once - &x)) > 0.1, "one turn moves pixels on {shape:?}");
        let four = (0..4).fold(x.shallow_clone(), |t, _| op.turn(&t, 1));
        assert!(max_abs(&(four - &x)) == 0.0, "four turns on {shape:?}");
    }
}

#[test]
fn rotate90_draws_each_turn_uniformly() {
    keeps_contract(&Rotate90::default(), "rotate90");
    let op = Rotate90::default();
    let x = images(10, &[400, 1, 8, 8]);
    let out = run(&op, &x, 3);
    let mut counts = [0; 4];
    for i in 0..400 {
        let (o, s) = (out.get(i), x.get(i));
        let k = (0..4).find(|&k| max_abs(&(&o - op.turn(&s.unsqueeze(0), k).squeeze_dim(0))) == 0.0);
        counts[k.expect("every sample is a quarter turn of its input") as usize] += 1;
    }
    assert!(counts.iter().all(|&c| (60..=140).contains(&c)), "uniform k: {counts:?}");
    assert!(max_abs(&(run(&Rotate90 { p: 0.0, ..op.clone() }, &x, 3) - &x)) == 0.0, "p = 0");
    assert_share(&mut Rotate90::default(), 0.3 * 0.75, "rotate90 (k = 0 a quarter of the time)");
}

#[test]
fn rotate90_turns_non_square_planes_by_half_turns_only() {
    let x = images(11, &[40, 1, 8, 12]);
    let out = run(&Rotate90::default(), &x, 4);
    assert_eq!(out.size(), x.size());
    let half = x.rot90(2, [-2, -1]);
    let mut kinds = [0; 2];
    for i in 0..40 {
        let o = out.get(i);
        if max_abs(&(&o - x.get(i))) == 0.0 {
            kinds[0] += 1;
        } else {
            assert!(max_abs(&(&o - half.get(i))) == 0.0, "sample {i} is neither kept nor half-turned");
            kinds[1] += 1;
        }
    }
    assert!(kinds[0] > 5 && kinds[1] > 5, "both 0 and 2 occur: {kinds:?}");
    // The coronal plane of an 8×16×16 volume is 8×16.
    let mut coronal = Rotate90::default();
    choose(&mut coronal, "plane (3D)", 1);
    let v = images(12, &[20, 1, 8, 16, 16]);
    let out = run(&coronal, &v, 5);
    assert_eq!(out.size(), v.size());
    let half = v.rot90(2, [2, 4]);
    for i in 0..20 {
        let o = out.get(i);
        assert!(
            max_abs(&(&o - v.get(i))) == 0.0 || max_abs(&(&o - half.get(i))) == 0.0,
            "coronal sample {i}: a half turn in D–W or none"
        );
    }
}

fn affine_only(rotation: f64, scale: f64, shear: f64) -> Affine {
    Affine {
        p: 1.0,
        part_p: 1.0,
        rotation: (rotation, rotation),
        scale: (scale, scale),
        shear: (shear, shear),
        translate: 0.0,
        ..Affine::default()
    }
}

#[test]
fn affine_keeps_the_contract_and_its_zero_strength() {
    keeps_contract(&Affine { p: 1.0, part_p: 1.0, ..Affine::default() }, "affine");
    keeps_contract(&Affine::translate_only(0.25), "affine translate");
    for shape in [&[2, 3, 20, 28][..], &[2, 1, 8, 16, 16]] {
        let x = images(13, shape);
        assert!(max_abs(&(run(&affine_only(0.0, 1.0, 0.0), &x, 1) - &x)) < 1e-5, "identity on {shape:?}");
        assert!(max_abs(&(run(&Affine { p: 0.0, ..Affine::default() }, &x, 1) - &x)) == 0.0, "p = 0");
        let none = Affine { p: 1.0, part_p: 0.0, ..Affine::default() };
        assert!(max_abs(&(run(&none, &x, 1) - &x)) < 1e-5, "no part on: {shape:?}");
    }
    assert_share(&mut Affine { part_p: 1.0, ..Affine::default() }, 0.3, "affine");
    assert!(Affine::default().caution(&traits(Modality::Ct)).is_none(), "±30° is the limit");
}

/// The whole-pixel shift (dy, dx) by which `out` shows `x` in its interior, if one does.
fn integer_shift(out: &Tensor, x: &Tensor, most: i64) -> Option<(i64, i64)> {
    let ring = most + 1;
    let pairs = (-most..=most).flat_map(|dy| (-most..=most).map(move |dx| (dy, dx)));
    let found: Vec<(i64, i64)> = pairs
        .filter(|&(dy, dx)| {
            let moved = x.roll([dy, dx], [-2, -1]);
            max_abs(&interior(&(out - moved), ring)) < 1e-5
        })
        .collect();
    (found.len() == 1).then(|| found[0])
}

#[test]
fn affine_translation_moves_a_pattern_by_whole_pixels() {
    let op = Affine::translate_only(0.125);
    let x = images(14, &[16, 1, 32, 32]);
    let out = run(&op, &x, 2);
    let shifts: Vec<(i64, i64)> = (0..16)
        .map(|i| {
            integer_shift(&out.get(i), &x.get(i), 4)
                .unwrap_or_else(|| panic!("sample {i}: no whole shift ≤ 4"))
        })
        .collect();
    assert!(shifts.iter().any(|&(dy, dx)| dy != 0 && dx != 0), "shifts along both axes: {shifts:?}");
    assert!(
        shifts.iter().any(|&(_, dx)| dx > 0) && shifts.iter().any(|&(_, dx)| dx < 0),
        "both signs: {shifts:?}"
    );
    // Reflection brings in the image's own pixels, never black.
    let ones = Tensor::ones([8, 1, 32, 32], (Kind::Float, Device::Cpu));
    assert!(max_abs(&(run(&op, &ones, 3) - &ones)) < 1e-5, "reflection keeps a constant image");
}

/// A ramp along the last axis with values (x + 0.5) / W: bilinear sampling reproduces it exactly.
fn ramp(h: i64, w: i64) -> Tensor {
    ((Tensor::arange(w, (Kind::Float, Device::Cpu)) + 0.5) / w as f64)
        .view([1, 1, 1, w])
        .expand([1, 1, h, w], false)
}

#[test]
fn affine_scale_and_shear_act_in_pixels_about_the_centre() {
    let (h, w) = (20i64, 28i64);
    let x = ramp(h, w);
    let cx = (w as f64 - 1.0) / 2.0;
    let column = Tensor::arange(w, (Kind::Float, Device::Cpu)).view([1, 1, 1, w]);
    let row = Tensor::arange(h, (Kind::Float, Device::Cpu)).view([1, 1, h, 1]);
    // Scale 2 enlarges: output pixel q shows input point c + (q − c) / 2.
    let out = run(&affine_only(0.0, 2.0, 0.0), &x, 1);
    let expected = ((&column - cx) / 2.0 + cx + 0.5) / w as f64;
    assert!(max_abs(&interior(&(&out - &expected), 1)) < 1e-4, "scale 2");
    // Shear x' = x + s·y: output (x', y') shows input x = x' − s·(y' − cy), here s = 0.5.
    let out = run(&affine_only(0.0, 1.0, 0.5), &x, 1);
    let cy = (h as f64 - 1.0) / 2.0;
    let source = &column - (&row - cy) * 0.5;
    let expected = (&source + 0.5) / w as f64;
    let inside = source.ge(0.0).logical_and(&source.le((w - 1) as f64));
    let error = (out - expected).abs() * inside.to_kind(Kind::Float);
    assert!(max_abs(&error) < 1e-4, "shear 0.5");
    // A quarter turn as the rotation part is rot90, also in 3D (axial).
    let sq = images(15, &[2, 1, 16, 16]);
    let turned = run(&affine_only(90.0, 1.0, 0.0), &sq, 1);
    assert!(max_abs(&interior(&(turned - sq.rot90(1, [-2, -1])), 1)) < 1e-4, "rotation 90°");
    let v = images(16, &[1, 1, 8, 16, 16]);
    let turned = run(&affine_only(90.0, 1.0, 0.0), &v, 1);
    assert!(max_abs(&interior(&(turned - v.rot90(1, [3, 4])), 1)) < 1e-4, "3D: axial rotation 90°");
}

#[test]
fn elastic_keeps_the_contract_and_its_zero_strength() {
    keeps_contract(&Elastic { p: 1.0, ..Elastic::default() }, "elastic");
    keeps_contract(&Elastic { p: 1.0, control_points: 16, ..Elastic::default() }, "elastic, dense");
    for shape in [&[2, 3, 20, 28][..], &[2, 1, 8, 16, 16]] {
        let x = images(17, shape);
        let flat = Elastic { p: 1.0, magnitude: 0.0, ..Elastic::default() };
        assert!(max_abs(&(run(&flat, &x, 1) - &x)) < 1e-5, "magnitude 0 on {shape:?}");
        assert!(max_abs(&(run(&Elastic { p: 0.0, ..Elastic::default() }, &x, 1) - &x)) == 0.0, "p = 0");
        let constant = x.full_like(0.37);
        let strong = Elastic { p: 1.0, magnitude: 0.1, ..Elastic::default() };
        assert!(max_abs(&(run(&strong, &constant, 2) - &constant)) < 1e-5, "constant stays on {shape:?}");
    }
    assert_share(&mut Elastic::default(), 0.3, "elastic");
}

#[test]
fn elastic_displaces_smoothly_by_the_magnitude() {
    let (side, b) = (64i64, 32i64);
    let x = ramp(side, side).expand([b, 1, side, side], false).contiguous();
    let op = Elastic { p: 1.0, magnitude: 0.03, ..Elastic::default() };
    // On a ramp the output is the input shifted by the field's x part: out − x = −dx / W.
    let dx = interior(&((run(&op, &x, 4) - &x) * -(side as f64)), 8);
    let spread = dx.std(true).double_value(&[]);
    let expected = 0.03 * side as f64;
    assert!(
        spread > 0.4 * expected && spread < 1.2 * expected,
        "displacement std {spread} px, expected ≈ {expected}"
    );
    let step = (dx.narrow(3, 1, 47) - dx.narrow(3, 0, 47)).abs().mean(Kind::Float).double_value(&[]);
    assert!(
        step < 0.25 * spread,
        "neighbouring pixels move alike: step {step} px against spread {spread} px"
    );
}

#[test]
fn cutout_keeps_the_contract_and_its_zero_strength() {
    keeps_contract(&Cutout { p: 1.0, ..Cutout::default() }, "cutout");
    keeps_contract(&Cutout::fixmatch(), "cutout fixmatch");
    let x = images(18, &[3, 3, 20, 28]);
    for still in [
        Cutout { p: 0.0, ..Cutout::default() },
        Cutout { p: 1.0, holes: (0, 0), ..Cutout::default() },
        Cutout { p: 1.0, side: (0.0, 0.0), ..Cutout::default() },
    ] {
        assert!(max_abs(&(run(&still, &x, 1) - &x)) == 0.0, "{still:?}");
    }
    assert_share(&mut Cutout::default(), 0.3, "cutout");
}

/// Per sample of an image of ones with holes at 0: the rows and columns the holes touch and
/// the number of hidden pixels.
fn holes(out: &Tensor) -> Vec<(i64, i64, i64)> {
    let hidden = out.lt(0.75);
    let rows = hidden.any_dim(3, false).sum_dim_intlist(-1, false, Kind::Int64);
    let cols = hidden.any_dim(2, false).sum_dim_intlist(-1, false, Kind::Int64);
    let count = hidden.sum_dim_intlist([1i64, 2, 3].as_slice(), false, Kind::Int64);
    let v = |t: Tensor| Vec::<i64>::try_from(t.view([-1])).unwrap();
    let (rows, cols, count) = (v(rows), v(cols), v(count));
    (0..rows.len()).map(|i| (rows[i], cols[i], count[i])).collect()
}

#[test]
fn one_cutout_hole_hides_its_clipped_square() {
    let (side, b) = (64i64, 400i64);
    let ones = Tensor::ones([b, 1, side, side], (Kind::Float, Device::Cpu));
    let op = Cutout { p: 1.0, holes: (1, 1), side: (0.25, 0.25), fill: 0.0 };
    let out = run(&op, &ones, 6);
    let found = holes(&out);
    let full = found.iter().filter(|&&(_, _, n)| n == 256).count();
    for &(rows, cols, n) in &found {
        assert_eq!(rows * cols, n, "one rectangle: {rows}×{cols} vs {n}");
        assert!(
            (8..=16).contains(&rows) && (8..=16).contains(&cols),
            "the centre lies inside: {rows}×{cols}"
        );
    }
    assert!(full > 200, "most 16×16 squares lie whole inside: {full}");
    // The centre is uniform over pixels 0..63, the square spans centre − 8 .. centre + 8.
    let reach: f64 =
        (0..side).map(|c| ((c + 8).min(side) - (c - 8).max(0)) as f64).sum::<f64>() / side as f64;
    let expected = (reach / side as f64).powi(2);
    let share = out.lt(0.5).to_kind(Kind::Float).mean(Kind::Float).double_value(&[]);
    assert!((share - expected).abs() < 0.003, "hidden share {share}, expected {expected}");
    assert!(out.max().double_value(&[]) == 1.0 && out.min().double_value(&[]) == 0.0, "ones and zeros only");
}

#[test]
fn cutout_fills_fixmatch_grey_squares_and_cubes() {
    let ones = Tensor::ones([50, 1, 32, 32], (Kind::Float, Device::Cpu));
    let out = run(&Cutout::fixmatch(), &ones, 7);
    let grey = out.eq(0.5).logical_or(&out.eq(1.0)).all().int64_value(&[]);
    assert_eq!(grey, 1, "values 0.5 and 1 only");
    for (rows, cols, n) in holes(&out) {
        assert!(
            rows * cols == n && (8..=16).contains(&rows) && (8..=16).contains(&cols),
            "{rows}×{cols}: {n}"
        );
    }
    // Cubes of half of the smallest side (8 → 4 voxels) in a volume.
    let ones = Tensor::ones([20, 1, 8, 16, 16], (Kind::Float, Device::Cpu));
    let op = Cutout { p: 1.0, holes: (1, 1), side: (0.5, 0.5), fill: 0.0 };
    let hidden = run(&op, &ones, 8).eq(0.0);
    for i in 0..20 {
        let h = hidden.get(i).get(0);
        let extent = |keep: i64| {
            let other: Vec<i64> = (0..3).filter(|&d| d != keep).collect();
            h.any_dim(other[1], false).any_dim(other[0], false).sum(Kind::Int64).int64_value(&[])
        };
        let (d, y, x) = (extent(0), extent(1), extent(2));
        let n = h.sum(Kind::Int64).int64_value(&[]);
        assert!(d * y * x == n && [d, y, x].iter().all(|e| (2..=4).contains(e)), "cube {d}×{y}×{x}: {n}");
    }
}

#[test]
fn several_cutout_holes_are_drawn_per_sample() {
    let ones = Tensor::ones([200, 1, 64, 64], (Kind::Float, Device::Cpu));
    let op = Cutout { p: 1.0, ..Cutout::default() };
    let counts: Vec<i64> = holes(&run(&op, &ones, 9)).iter().map(|&(_, _, n)| n).collect();
    assert!(counts.iter().all(|&n| (64..=4 * 256).contains(&n)), "1 to 4 holes of 16×16");
    assert!(counts.iter().filter(|&&n| n > 256).count() > 100, "more than one hole in most samples");
}
