//! The medical-imaging ops: CT window jitter, H&E stain jitter, and the Models Genesis
//! corruptions (Bézier intensity curve, local pixel shuffling, in- and out-painting). The
//! contract every op keeps, then each op's known answers.
mod common;

use common::augment::{images, max_abs, run};
use medssl::augment::*;
use tch::{Device, Kind, Tensor};

/// Per sample, whether any value moved by more than 1e-4.
fn changed(y: &Tensor, x: &Tensor) -> Tensor {
    (y - x).abs().flatten(1, -1).amax([1i64].as_slice(), false).gt(1e-4)
}

fn share(mask: &Tensor) -> f64 {
    mask.to_kind(Kind::Float).mean(Kind::Float).double_value(&[])
}

/// Every op of this file at probability `p`, with its label.
fn ops(p: f64) -> Vec<(&'static str, Box<dyn Augment>)> {
    vec![
        ("window", Box::new(WindowJitter { p, ..Default::default() })),
        ("stain", Box::new(StainJitter { p, ..Default::default() })),
        ("bezier", Box::new(BezierIntensity { p, ..Default::default() })),
        ("shuffle", Box::new(LocalPixelShuffle { p, ..Default::default() })),
        // Every sample gets at least one box, so every selected sample changes.
        ("inpaint", Box::new(Inpaint { p, box_p: 1.0, ..Default::default() })),
        ("outpaint", Box::new(Outpaint { p, ..Default::default() })),
    ]
}

#[test]
fn every_op_keeps_shape_dtype_range_and_its_seed() {
    let shapes: [&[i64]; 5] =
        [&[4, 3, 24, 24], &[3, 1, 20, 28], &[1, 3, 8, 8], &[1, 1, 8, 8], &[2, 1, 8, 16, 16]];
    for (name, op) in ops(1.0) {
        for shape in shapes {
            assert!(op.supports(shape.len() - 2), "{name} supports {shape:?}");
            let x = images(1, shape);
            let a = run(op.as_ref(), &x, 7);
            assert_eq!(a.size(), shape, "{name}: shape");
            assert_eq!(a.kind(), Kind::Float, "{name}: dtype");
            let (lo, hi) = (a.min().double_value(&[]), a.max().double_value(&[]));
            assert!(lo >= 0.0 && hi <= 1.0, "{name}: range [{lo}, {hi}] on {shape:?}");
            assert!(a.equal(&run(op.as_ref(), &x, 7)), "{name}: same seed, same output on {shape:?}");
        }
        let x = images(2, &[4, 3, 32, 32]);
        let (a, b) = (run(op.as_ref(), &x, 8), run(op.as_ref(), &x, 9));
        assert!(max_abs(&(&a - &x)) > 1e-3, "{name} changes the images");
        assert!(!a.equal(&b), "{name}: another seed, another draw");
    }
}

#[test]
fn every_op_is_the_identity_at_p_zero() {
    for shape in [vec![4, 3, 32, 32], vec![2, 1, 16, 16, 16]] {
        let x = images(3, &shape);
        for (name, op) in ops(0.0) {
            assert!(run(op.as_ref(), &x, 4).equal(&x), "{name} at p = 0 on {shape:?}");
        }
    }
}

#[test]
fn every_op_changes_a_share_p_of_the_samples() {
    let x = images(5, &[400, 3, 32, 32]);
    for (name, op) in ops(0.3) {
        let s = share(&changed(&run(op.as_ref(), &x, 6), &x));
        assert!((s - 0.3).abs() < 0.07, "{name}: share {s}");
    }
}

#[test]
fn every_default_lies_in_its_declared_range() {
    let mut defaults: Vec<Box<dyn Augment>> = vec![
        Box::new(WindowJitter::default()),
        Box::new(StainJitter::default()),
        Box::new(BezierIntensity::default()),
        Box::new(LocalPixelShuffle::default()),
        Box::new(Inpaint::default()),
        Box::new(Outpaint::default()),
    ];
    for op in &mut defaults {
        for p in op.params() {
            assert_eq!(p.problem(), None);
        }
    }
    let shuffle = LocalPixelShuffle::default();
    assert!(
        (shuffle.density * 64.0 * 64.0 * 32.0 - 10_000.0).abs() < 1e-6,
        "Models Genesis's 10 000 windows"
    );
}

// CT window jitter.

#[test]
fn window_jitter_without_shift_or_scale_is_the_identity() {
    let none = WindowJitter { p: 1.0, level: (0.0, 0.0), width: (1.0, 1.0) };
    for shape in [vec![8, 1, 16, 16], vec![2, 1, 8, 16, 16]] {
        let x = images(10, &shape);
        assert!(max_abs(&(run(&none, &x, 0) - &x)) < 1e-6);
    }
}

#[test]
fn window_jitter_moves_mid_grey_by_minus_delta_over_s_and_re_clips() {
    let x = Tensor::from_slice(&[0.5f32, 0.9, 0.1, 0.0, 1.0]).view([1, 1, 1, 5]);
    let shifted = WindowJitter { p: 1.0, level: (0.1, 0.1), width: (1.25, 1.25) };
    let y = run(&shifted, &x, 0);
    // (x − 0.5 − 0.1)/1.25 + 0.5: mid-grey to 0.5 − 0.08; a wider window cannot reach 0 or 1.
    let expected = Tensor::from_slice(&[0.42f32, 0.74, 0.1, 0.02, 0.82]).view([1, 1, 1, 5]);
    assert!(max_abs(&(y - expected)) < 1e-6);
    let narrow = WindowJitter { p: 1.0, level: (0.0, 0.0), width: (0.5, 0.5) };
    let y = run(&narrow, &x, 0);
    let expected = Tensor::from_slice(&[0.5f32, 1.0, 0.0, 0.0, 1.0]).view([1, 1, 1, 5]);
    assert!(max_abs(&(y - expected)) < 1e-6, "a narrower window clips");
}

#[test]
fn window_jitter_draws_its_level_and_width_per_sample_within_their_ranges() {
    let x = Tensor::full([200, 1, 2, 2], 0.5, (Kind::Float, Device::Cpu));
    let y = run(&WindowJitter { p: 1.0, level: (-0.1, 0.1), width: (1.0, 1.0) }, &x, 1);
    let moved = (y - 0.5).view([200, -1]).select(1, 0);
    assert!(moved.min().double_value(&[]) >= -0.1 - 1e-6 && moved.max().double_value(&[]) <= 0.1 + 1e-6);
    assert!(moved.std(true).double_value(&[]) > 0.04, "shifts vary per sample");
}

#[test]
fn window_jitter_warns_off_ct() {
    let traits = |modality| ImageTraits { modality, grey: true, volumetric: true };
    assert!(WindowJitter::default().caution(&traits(Modality::Ct)).is_none());
    assert!(WindowJitter::default().caution(&traits(Modality::Mr)).is_some());
}

// H&E stain jitter.

fn hed(alpha: [f32; 3], beta: [f32; 3], b: i64) -> (Tensor, Tensor) {
    let t = |v: [f32; 3]| Tensor::from_slice(&v).view([1, 3]).expand([b, 3], false).contiguous();
    (t(alpha), t(beta))
}

#[test]
fn stain_jitter_without_change_round_trips_rgb_through_hed() {
    for shape in [vec![6, 3, 16, 16], vec![2, 3, 8, 8, 8]] {
        let x = images(20, &shape);
        let (alpha, beta) = hed([1.0; 3], [0.0; 3], shape[0]);
        assert!(max_abs(&(StainJitter::jitter(&x, &alpha, &beta) - &x)) < 1e-5, "{shape:?}");
        let none = StainJitter { p: 1.0, sigma_alpha: 0.0, sigma_beta: 0.0 };
        assert!(max_abs(&(run(&none, &x, 0) - &x)) < 1e-5, "{shape:?}");
    }
}

#[test]
fn more_haematoxylin_makes_pixels_bluer_and_darker() {
    // Red from 0.1: no channel falls below 0, where it would be clipped.
    let x = images(21, &[4, 3, 16, 16]) * 0.9 + 0.1;
    let (alpha, beta) = hed([1.0; 3], [0.05, 0.0, 0.0], 4);
    let y = StainJitter::jitter(&x, &alpha, &beta);
    // One unit of H adds 0.65, 0.70 and 0.29 to the optical densities −ln(rgb + 2), so each
    // channel plus 2 is multiplied by exp(−0.05 × its entry), until it reaches 0.
    for (c, entry) in [0.65f64, 0.70, 0.29].into_iter().enumerate() {
        let expected = ((&x.select(1, c as i64) + 2.0) * (-0.05 * entry).exp() - 2.0).clamp_min(0.0);
        assert!(max_abs(&(y.select(1, c as i64) - expected)) < 1e-5, "channel {c}");
    }
    assert!((&y - &x).max().double_value(&[]) <= 0.0, "no channel brightens");
    let blue_minus_red = |t: &Tensor| t.select(1, 2) - t.select(1, 0);
    let growth = (blue_minus_red(&y) - blue_minus_red(&x)).min().double_value(&[]);
    assert!(growth > 0.0, "blue − red grows everywhere ({growth})");
}

#[test]
fn stain_jitter_passes_grey_images_and_warns_off_histology() {
    let grey = images(22, &[4, 1, 16, 16]);
    assert!(run(&StainJitter { p: 1.0, ..Default::default() }, &grey, 0).equal(&grey));
    let traits = |modality, grey| ImageTraits { modality, grey, volumetric: false };
    let op = StainJitter::default();
    assert!(op.caution(&traits(Modality::Histology, true)).is_some(), "grey");
    assert!(op.caution(&traits(Modality::Natural, false)).is_some(), "not histology");
    assert!(op.caution(&traits(Modality::Histology, false)).is_none());
}

#[test]
fn a_stain_shift_scales_each_channel_plus_two_by_one_factor_per_sample() {
    // With α = 1, ln((y + 2)/(x + 2)) per channel is −Σ β_k · (stain k's entry): the same for
    // every pixel of a sample, and at most σ_β times the column's sum of entries; on these
    // mid-grey values nothing reaches 0 or 1.
    let x = images(23, &[16, 3, 12, 12]) * 0.3 + 0.3;
    let op = StainJitter { p: 1.0, sigma_alpha: 0.0, sigma_beta: 0.05 };
    let log_ratio = ((run(&op, &x, 1) + 2.0) / (&x + 2.0)).log().view([16, 3, -1]);
    let spread = log_ratio.amax([2i64].as_slice(), false) - log_ratio.amin([2i64].as_slice(), false);
    assert!(max_abs(&spread) < 1e-5, "one factor per sample and channel");
    let column_sums = [0.65 + 0.07 + 0.27, 0.70 + 0.99 + 0.57, 0.29 + 0.11 + 0.78];
    for (c, sum) in column_sums.iter().enumerate() {
        let largest = max_abs(&log_ratio.select(1, c as i64));
        assert!(largest <= 0.05 * sum + 1e-5, "channel {c}: {largest}");
    }
    assert!(log_ratio.select(2, 0).std(true).double_value(&[]) > 0.005, "shifts vary per sample");
}

#[test]
fn stain_jitter_at_its_defaults_is_light() {
    // About 0.08 on bright images; the current scikit-image units would give about 0.18.
    let x = images(24, &[32, 3, 16, 16]) * 0.5 + 0.5;
    let mean = (run(&StainJitter::default(), &x, 2) - &x).abs().mean(Kind::Float).double_value(&[]);
    assert!(mean > 0.02 && mean < 0.12, "mean change {mean}");
}

// Non-linear intensity (Bézier).

/// A cubic Bézier coordinate from 0 to 1 with inner control values `a` and `b`, at `t`.
fn bezier(a: f64, b: f64, t: f64) -> f64 {
    3.0 * (1.0 - t).powi(2) * t * a + 3.0 * (1.0 - t) * t * t * b + t.powi(3)
}

fn curve(x: &Tensor, points: [f32; 4], inverted: bool) -> Tensor {
    let b = x.size()[0];
    let points = Tensor::from_slice(&points).view([1, 4]).expand([b, 4], false).contiguous();
    BezierIntensity::map(x, &points, &Tensor::from_slice(&vec![inverted; b as usize]))
}

#[test]
fn control_points_on_the_diagonal_give_the_identity() {
    let x = images(30, &[4, 1, 16, 16]);
    assert!(max_abs(&(curve(&x, [0.3, 0.3, 0.8, 0.8], false) - &x)) < 1e-5);
    // At thirds the curve runs at constant speed, x(t) = t, so the inverted one is 1 − x.
    assert!(max_abs(&(curve(&x, [1.0 / 3.0, 1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0], true) - (1.0 - &x))) < 1e-5);
}

#[test]
fn the_curve_follows_models_genesis_in_both_directions() {
    let (p1, p2) = ((0.1, 0.9), (0.4, 0.2));
    let t = 0.3;
    let (xt, yt, y_back) = (bezier(p1.0, p2.0, t), bezier(p1.1, p2.1, t), bezier(p1.1, p2.1, 1.0 - t));
    let x = Tensor::from_slice(&[xt as f32]).view([1, 1, 1, 1]);
    let points = [p1.0 as f32, p1.1 as f32, p2.0 as f32, p2.1 as f32];
    let up = curve(&x, points, false).double_value(&[0, 0, 0, 0]);
    assert!((up - yt).abs() < 1e-3, "x(t) ↦ y(t): {up} vs {yt}");
    // Sorting only the x values pairs x(t) with y(1 − t), which is not 1 − y(t).
    let down = curve(&x, points, true).double_value(&[0, 0, 0, 0]);
    assert!((down - y_back).abs() < 1e-3, "x(t) ↦ y(1 − t): {down} vs {y_back}");
    assert!((down - (1.0 - yt)).abs() > 0.05);
}

#[test]
fn increasing_curves_are_monotone_and_inverted_ones_swap_black_and_white() {
    let ramp = Tensor::linspace(0.0, 1.0, 101, (Kind::Float, Device::Cpu))
        .view([1, 1, 1, 101])
        .expand([64, 1, 1, 101], false);
    let ramp = ramp.contiguous();
    let step = |y: &Tensor| y.narrow(3, 1, 100) - y.narrow(3, 0, 100);
    let up = run(&BezierIntensity { p: 1.0, inverted: 0.0 }, &ramp, 1);
    assert!(step(&up).min().double_value(&[]) >= -1e-6, "increasing");
    assert!(max_abs(&up.select(3, 0)) < 1e-6 && max_abs(&(up.select(3, 100) - 1.0)) < 1e-6, "0 ↦ 0, 1 ↦ 1");
    assert!(max_abs(&(&up - &ramp)) > 0.05, "a curve, not the identity");
    let down = run(&BezierIntensity { p: 1.0, inverted: 1.0 }, &ramp, 1);
    assert!(step(&down).max().double_value(&[]) <= 1e-6, "decreasing");
    assert!(
        max_abs(&(down.select(3, 0) - 1.0)) < 1e-6 && max_abs(&down.select(3, 100)) < 1e-6,
        "0 ↦ 1, 1 ↦ 0"
    );
    let half = run(&BezierIntensity { p: 1.0, inverted: 0.5 }, &ramp, 2);
    let s = share(&half.select(3, 0).view([-1]).gt(0.5));
    assert!((s - 0.5).abs() < 0.2, "inverted share {s}");
}

#[test]
fn a_volume_is_mapped_by_one_curve_per_sample() {
    // Equal values in a sample map to equal values, whatever their position in the volume.
    let x = Tensor::full([3, 1, 8, 8, 8], 0.3, (Kind::Float, Device::Cpu));
    let y = run(&BezierIntensity { p: 1.0, inverted: 0.0 }, &x, 3);
    let per_sample = y.view([3, -1]);
    let spread = per_sample.amax([1i64].as_slice(), false) - per_sample.amin([1i64].as_slice(), false);
    assert!(max_abs(&spread) < 1e-7);
    assert!(max_abs(&(&y - &x)) > 1e-3);
}

// Local pixel shuffling.

/// Images whose channels hold each pixel's row, column and flat position over the pixel count.
fn coordinates(b: i64, h: i64, w: i64) -> Tensor {
    let n = (h * w) as f64;
    let flat = Tensor::arange(h * w, (Kind::Float, Device::Cpu)).view([1, 1, h, w]);
    let row = Tensor::arange(h, (Kind::Float, Device::Cpu)).view([1, 1, h, 1]).expand([1, 1, h, w], false);
    let col = Tensor::arange(w, (Kind::Float, Device::Cpu)).view([1, 1, 1, w]).expand([1, 1, h, w], false);
    Tensor::cat(&[row / n, col / n, flat / n], 1).expand([b, 3, h, w], false).contiguous()
}

/// The flat position each output pixel of `y` (made from `coordinates`) came from.
fn origin(y: &Tensor, h: i64, w: i64) -> (Tensor, Tensor, Tensor) {
    let decode = |t: Tensor| (t * (h * w) as f64).round();
    (decode(y.select(1, 0)), decode(y.select(1, 1)), decode(y.select(1, 2)))
}

#[test]
fn shuffled_pixels_move_whole_and_come_from_within_a_window_of_the_original() {
    let (h, w) = (40i64, 50i64);
    let x = coordinates(4, h, w);
    let y = run(&LocalPixelShuffle { p: 1.0, ..Default::default() }, &x, 1);
    let (row, col, flat) = origin(&y, h, w);
    let (home_row, home_col, home) = origin(&x, h, w);
    assert!(flat.equal(&(&row * w as f64 + &col)), "the channels of a pixel move together");
    // Windows are at most 4 rows and 5 columns: a pixel comes from at most 3 and 4 away.
    let (dr, dc) = (max_abs(&(&row - home_row)), max_abs(&(&col - home_col)));
    assert!(dr == 3.0 && dc == 4.0, "largest moves {dr}, {dc}");
    let moved = share(&flat.ne_tensor(&home));
    assert!(moved > 0.3, "most pixels moved ({moved})");
    // Overlapping windows both copy from the original: some values are copied twice.
    let (unique, _, _) = flat.get(0).view([-1]).unique_dim(0, false, false, false);
    assert!(unique.size()[0] < h * w, "Models Genesis's overwrite, not a permutation");
}

#[test]
fn one_window_permutes_the_pixels_of_a_box() {
    let (h, w) = (40i64, 50i64);
    let x = coordinates(8, h, w);
    let one = LocalPixelShuffle { p: 1.0, density: 1.0 / (h * w) as f64, max_side: 0.2 };
    let (_, _, flat) = origin(&run(&one, &x, 2), h, w);
    let (_, _, home) = origin(&x, h, w);
    let (sorted, _) = flat.view([8, -1]).sort(1, false);
    assert!(sorted.equal(&home.view([8, -1])), "a permutation of each sample");
    let mut boxes = 0;
    for i in 0..8 {
        let moved = flat.get(i).ne_tensor(&home.get(i));
        if moved.any().int64_value(&[]) == 1 {
            let (extents, _) = bounding_box(&moved);
            assert!(extents[0].1 - extents[0].0 <= 8 && extents[1].1 - extents[1].0 <= 10, "{extents:?}");
            boxes += 1;
        }
    }
    assert!(boxes >= 4, "most windows move something ({boxes})");
}

#[test]
fn shuffled_voxels_come_from_at_most_one_away_along_every_axis() {
    let n = 20i64;
    let flat = Tensor::arange(n * n * n, (Kind::Float, Device::Cpu)).view([1, 1, n, n, n]);
    let x = (flat / (n * n * n) as f64).expand([2, 1, n, n, n], false).contiguous();
    let y = run(&LocalPixelShuffle { p: 1.0, ..Default::default() }, &x, 2);
    let position = (y * (n * n * n) as f64).round().to_kind(Kind::Int64);
    let home = Tensor::arange(n * n * n, (Kind::Int64, Device::Cpu)).view([1, 1, n, n, n]);
    for (axis, stride) in [(0, n * n), (1, n), (2, 1)] {
        let coord = |p: &Tensor| p.divide_scalar_mode(stride, "floor").remainder(n);
        let d = (coord(&position) - coord(&home)).abs().max().int64_value(&[]);
        assert_eq!(d, 1, "windows of at most 2 voxels along axis {axis}");
    }
}

#[test]
fn shuffling_without_windows_or_with_one_pixel_windows_is_the_identity() {
    let x = images(40, &[3, 3, 32, 32]);
    assert!(run(&LocalPixelShuffle { p: 1.0, density: 0.0, max_side: 0.1 }, &x, 0).equal(&x));
    assert!(run(&LocalPixelShuffle { p: 1.0, density: 0.2, max_side: 0.0 }, &x, 0).equal(&x));
}

// In-painting and out-painting.

/// The bounding box of `region` (`[spatial...]` bool) as (start, end) per axis, and whether
/// the region fills it.
fn bounding_box(region: &Tensor) -> (Vec<(i64, i64)>, bool) {
    let at = region.nonzero();
    let extents: Vec<(i64, i64)> = (0..region.dim() as i64)
        .map(|a| {
            let c = at.select(1, a);
            (c.min().int64_value(&[]), c.max().int64_value(&[]) + 1)
        })
        .collect();
    let volume: i64 = extents.iter().map(|(s, e)| e - s).product();
    (extents, volume == at.size()[0])
}

/// One box per sample: it is box-shaped, each side within `sides`, at least 3 from the border.
fn assert_one_box(region: &Tensor, spatial: &[i64], sides: &[(i64, i64)]) {
    for i in 0..region.size()[0] {
        let (extents, filled) = bounding_box(&region.get(i).get(0));
        assert!(filled, "sample {i}: one box {extents:?}");
        for (((s, e), &n), &(lo, hi)) in extents.iter().zip(spatial).zip(sides) {
            assert!((lo..=hi).contains(&(e - s)), "side {} not in [{lo}, {hi}]", e - s);
            assert!(*s >= 3 && n - e >= 3, "box {s}..{e} of {n} is 3 from the border");
        }
    }
}

#[test]
fn in_painting_fills_one_box_away_from_the_border_with_noise() {
    let one = Inpaint { p: 1.0, boxes: 1, box_p: 1.0, ..Default::default() };
    // Sides U[n/6, n/3]: 6..=13 of 40, 8..=16 of 48; 4..=8 of 24 in a volume.
    let x = Tensor::zeros([6, 1, 40, 48], (Kind::Float, Device::Cpu));
    let y = run(&one, &x, 1);
    assert_one_box(&y.gt(0.0), &[40, 48], &[(6, 13), (8, 16)]);
    let x = Tensor::zeros([3, 1, 24, 24, 24], (Kind::Float, Device::Cpu));
    assert_one_box(&run(&one, &x, 2).gt(0.0), &[24, 24, 24], &[(4, 8); 3]);
}

#[test]
fn in_painting_changes_only_pixels_inside_its_boxes() {
    let x = images(50, &[32, 1, 36, 36]);
    let y = run(&Inpaint { p: 1.0, ..Default::default() }, &x, 3);
    let changed = y.ne_tensor(&x);
    let border = Tensor::ones([36, 36], (Kind::Bool, Device::Cpu));
    let _ = border.narrow(0, 3, 30).narrow(1, 3, 30).fill_(0);
    assert_eq!(changed.logical_and(&border).sum(Kind::Int64).int64_value(&[]), 0, "the border 3 px stays");
    let boxes = Tensor::zeros([32, 1, 36, 36], (Kind::Float, Device::Cpu));
    let painted = run(&Inpaint { p: 1.0, ..Default::default() }, &boxes, 3).gt(0.0);
    assert!(changed.logical_and(&painted.logical_not()).sum(Kind::Int64).int64_value(&[]) == 0);
    // Up to 5 boxes, each with probability 0.95: most samples have several.
    let area = share(&painted);
    assert!(area > 0.1 && area < 0.5, "painted share {area}");
}

#[test]
fn out_painting_keeps_the_image_only_inside_its_box() {
    let one = Outpaint { p: 1.0, boxes: 1, ..Default::default() };
    // Sides n − U[3n/7, 4n/7]: 42 − 24..=18 and 28 − 16..=12; noise never reaches 1.
    let x = Tensor::ones([6, 1, 42, 28], (Kind::Float, Device::Cpu));
    let y = run(&one, &x, 1);
    assert_one_box(&y.eq(1.0), &[42, 28], &[(18, 24), (12, 16)]);
    assert!(y.lt(1.0).any().int64_value(&[]) == 1);
    let x = Tensor::ones([3, 1, 21, 28, 28], (Kind::Float, Device::Cpu));
    assert_one_box(&run(&one, &x, 2).eq(1.0), &[21, 28, 28], &[(9, 12), (12, 16), (12, 16)]);
}

#[test]
fn out_painting_keeps_the_original_values_in_the_union_of_its_boxes() {
    let x = images(60, &[16, 3, 42, 42]);
    let op = Outpaint { p: 1.0, ..Default::default() };
    let y = run(&op, &x, 4);
    let kept = run(&op, &Tensor::ones([16, 3, 42, 42], (Kind::Float, Device::Cpu)), 4).eq(1.0);
    assert!(y.masked_select(&kept).equal(&x.masked_select(&kept)));
    assert!(y.ne_tensor(&x).logical_or(&kept).all().int64_value(&[]) == 1, "noise everywhere else");
    // One box and up to 4 more, each of about half the sides: a quarter to most of the image.
    let s = share(&kept);
    assert!(s > 0.2 && s < 0.9, "kept share {s}");
}

#[test]
fn painting_works_on_tiny_images() {
    for shape in [vec![2, 1, 4, 4], vec![2, 3, 7, 7], vec![1, 1, 2, 8, 8]] {
        let x = images(70, &shape);
        for op in [
            &Inpaint { p: 1.0, ..Default::default() } as &dyn Augment,
            &Outpaint { p: 1.0, ..Default::default() },
        ] {
            let y = run(op, &x, 5);
            assert_eq!(y.size(), shape);
        }
    }
}
