//! The photometric ops (noise, solarise, posterise, equalise, autocontrast, sharpness, gamma)
//! and FixMatch's RandAugment: the contract (shape, range, seed, probability, 3D) and their
//! known answers (torchvision / PIL semantics).
mod common;

use common::augment::{images, max_abs, run};
use medssl::augment::*;
use tch::{Device, Kind, Tensor};

/// Per sample, the largest absolute difference.
fn per_sample_diff(a: &Tensor, b: &Tensor) -> Tensor {
    let dims: Vec<i64> = (1..a.dim() as i64).collect();
    (a - b).abs().amax(dims.as_slice(), false)
}

fn flags(t: &Tensor) -> Vec<bool> {
    Vec::<bool>::try_from(t).unwrap()
}

fn share(v: &[bool]) -> f64 {
    v.iter().filter(|&&c| c).count() as f64 / v.len() as f64
}

/// The share of samples `op` changes, on `x`.
fn changed_share(op: &dyn Augment, x: &Tensor, seed: u64) -> f64 {
    share(&flags(&per_sample_diff(&run(op, x, seed), x).gt(1e-4)))
}

/// Shape, dtype, range, same seed same output and, on a batch of 16 of the same shape,
/// another seed another output.
fn check_contract(op: &dyn Augment, shape: &[i64]) {
    let x = images(1, shape);
    let a = run(op, &x, 7);
    assert_eq!(a.size(), x.size(), "shape {shape:?}");
    assert_eq!(a.kind(), Kind::Float);
    let (lo, hi) = (a.min().double_value(&[]), a.max().double_value(&[]));
    assert!(lo >= 0.0 && hi <= 1.0, "range [{lo}, {hi}] on {shape:?}");
    assert!(a.equal(&run(op, &x, 7)), "the same seed gives the same output on {shape:?}");
    let mut batch = shape.to_vec();
    batch[0] = 16;
    let x = images(2, &batch);
    assert!(!run(op, &x, 7).equal(&run(op, &x, 8)), "another seed, another output on {batch:?}");
}

fn check_probability(op: &dyn Augment, side: i64) {
    let x = images(3, &[400, 1, side, side]);
    let s = changed_share(op, &x, 4);
    assert!((s - 0.3).abs() < 0.07, "p 0.3: share of changed samples {s}");
}

const IMAGE: [i64; 4] = [4, 3, 16, 16];
const GREY: [i64; 4] = [1, 1, 8, 8];
const VOLUME: [i64; 5] = [2, 1, 8, 16, 16];

// Gaussian noise.

#[test]
fn noise_keeps_the_contract_in_2d_and_3d() {
    let op = GaussianNoise { p: 0.5, std: (0.05, 0.2) };
    for shape in [&IMAGE[..], &GREY, &VOLUME] {
        check_contract(&op, shape);
    }
    assert_eq!(GaussianNoise::default().std, (0.1, 0.1), "the thesis's std");
}

#[test]
fn noise_is_the_identity_at_zero_strength_and_honours_p() {
    let x = images(2, &IMAGE);
    assert!(run(&GaussianNoise { p: 0.0, std: (0.1, 0.1) }, &x, 1).equal(&x));
    assert!(max_abs(&(run(&GaussianNoise { p: 1.0, std: (0.0, 0.0) }, &x, 1) - &x)) < 1e-7);
    check_probability(&GaussianNoise { p: 0.3, std: (0.1, 0.1) }, 8);
}

#[test]
fn noise_has_the_drawn_standard_deviation_per_sample_also_in_3d() {
    // Mid-grey, so that the clamp to [0, 1] (5 σ away) does not bite.
    for shape in [[6i64, 1, 64, 64].as_slice(), &[4, 1, 16, 32, 32]] {
        let x = Tensor::full(shape, 0.5, (Kind::Float, Device::Cpu));
        let y = run(&GaussianNoise { p: 1.0, std: (0.05, 0.15) }, &x, 3);
        let dims: Vec<i64> = (1..x.dim() as i64).collect();
        let noise = y - &x;
        let std = Vec::<f64>::try_from(noise.std_dim(dims.as_slice(), true, false)).unwrap();
        let mean = Vec::<f64>::try_from(noise.mean_dim(dims.as_slice(), false, Kind::Float)).unwrap();
        for (s, m) in std.iter().zip(&mean) {
            assert!((0.045..0.16).contains(s), "std {s} outside (0.05, 0.15)");
            assert!(m.abs() < 0.01, "mean {m}");
        }
        assert!(std.iter().any(|s| (s - std[0]).abs() > 0.005), "σ is drawn per sample: {std:?}");
    }
    let x = Tensor::full([2, 1, 64, 64], 0.5, (Kind::Float, Device::Cpu));
    let y = run(&GaussianNoise { p: 1.0, std: (0.1, 0.1) }, &x, 5);
    let s = (y - x).std(true).double_value(&[]);
    assert!((s - 0.1).abs() < 0.005, "std 0.1 gives {s}");
}

// Solarise.

#[test]
fn solarize_keeps_the_contract_and_honours_p() {
    let op = Solarize { p: 0.5, threshold: 0.5 };
    for shape in [&IMAGE[..], &GREY, &VOLUME] {
        check_contract(&op, shape);
    }
    assert!(run(&Solarize { p: 0.0, threshold: 0.0 }, &images(2, &IMAGE), 1).equal(&images(2, &IMAGE)));
    check_probability(&Solarize { p: 0.3, threshold: 0.5 }, 8);
    assert_eq!(Solarize::default(), Solarize { p: 0.2, threshold: 0.5 }, "BYOL's second view");
}

#[test]
fn solarize_inverts_values_at_or_above_the_threshold_in_2d_and_3d() {
    for shape in [&IMAGE[..], &VOLUME] {
        let x = images(5, shape);
        let y = run(&Solarize { p: 1.0, threshold: 0.5 }, &x, 1);
        let inverted: Tensor = 1.0 - &x;
        assert!(y.equal(&x.where_self(&x.lt(0.5), &inverted)), "x < 0.5 ? x : 1 − x");
        assert!(
            max_abs(&(run(&Solarize { p: 1.0, threshold: 0.0 }, &x, 1) - inverted)) < 1e-7,
            "threshold 0"
        );
    }
    // Threshold 1 keeps everything, white included.
    let x = Tensor::from_slice(&[0.0f32, 0.25, 0.5, 0.999, 1.0]).view([1, 1, 1, 5]);
    assert!(run(&Solarize { p: 1.0, threshold: 1.0 }, &x, 1).equal(&x));
    let y = run(&Solarize { p: 1.0, threshold: 0.5 }, &x, 1);
    let expected = Tensor::from_slice(&[0.0f32, 0.25, 0.5, 0.001, 0.0]).view([1, 1, 1, 5]);
    assert!(max_abs(&(y - expected)) < 1e-6);
}

// Posterise.

#[test]
fn posterize_keeps_the_contract_and_honours_p() {
    let op = Posterize { p: 0.5, bits: (4, 8) };
    for shape in [&IMAGE[..], &GREY, &VOLUME] {
        check_contract(&op, shape);
    }
    check_probability(&Posterize { p: 0.3, bits: (4, 8) }, 8);
    let x = images(2, &IMAGE);
    assert!(run(&Posterize { p: 0.0, bits: (1, 1) }, &x, 1).equal(&x));
}

#[test]
fn posterize_keeps_the_top_bits_of_the_8_bit_levels() {
    let levels = Tensor::arange(256, (Kind::Float, Device::Cpu)).view([1, 1, 16, 16]);
    let x = &levels / 255.0;
    // 8 bits: an 8-bit image stays; other values go to the nearest level.
    assert!(max_abs(&(run(&Posterize { p: 1.0, bits: (8, 8) }, &x, 1) - &x)) < 1e-6);
    let y = images(6, &IMAGE);
    let quantised = (&y * 255.0).round() / 255.0;
    assert!(max_abs(&(run(&Posterize { p: 1.0, bits: (8, 8) }, &y, 1) - quantised)) < 1e-6);
    // 1 bit: 0 below level 128, 128/255 from there.
    let one = run(&Posterize { p: 1.0, bits: (1, 1) }, &x, 1);
    let expected = levels.ge(128.0).to_kind(Kind::Float) * (128.0 / 255.0);
    assert!(max_abs(&(one - expected)) < 1e-6, "1 bit gives only 0 and 128/255");
    // 4 bits: multiples of 16, each level rounded down.
    let four = run(&Posterize { p: 1.0, bits: (4, 4) }, &x, 1);
    let expected = (&levels / 16.0).floor() * 16.0 / 255.0;
    assert!(max_abs(&(four - expected)) < 1e-6);
}

#[test]
fn posterize_draws_bits_per_sample_and_works_on_volumes() {
    let levels = Tensor::arange(256, (Kind::Float, Device::Cpu)).view([1, 1, 1, 16, 16]);
    let x = (&levels / 255.0).expand([200, 1, 1, 16, 16], false).contiguous();
    let y = run(&Posterize { p: 1.0, bits: (2, 6) }, &x, 9);
    // The number of distinct levels a sample keeps is 2^bits.
    let counts: Vec<usize> = (0..200)
        .map(|i| {
            let mut v = Vec::<f32>::try_from(y.get(i).flatten(0, -1)).unwrap();
            v.dedup();
            v.len()
        })
        .collect();
    for bits in 2..=6u32 {
        let n = counts.iter().filter(|&&c| c == 1 << bits).count();
        assert!(n > 20, "bits {bits} drawn {n} times in 200");
    }
    assert_eq!(counts.iter().filter(|&&c| !(4..=64).contains(&c)).count(), 0);
}

// Equalise.

#[test]
fn equalize_keeps_the_contract_and_honours_p() {
    let op = Equalize { p: 0.5 };
    // 8×8 images have too few pixels to change (see below).
    for shape in [[4i64, 3, 32, 32].as_slice(), &VOLUME] {
        check_contract(&op, shape);
    }
    // torchvision leaves channels of fewer than 256 pixels alone: so 32×32 here.
    check_probability(&Equalize { p: 0.3 }, 32);
    let x = images(2, &[4, 3, 32, 32]);
    assert!(run(&Equalize { p: 0.0 }, &x, 1).equal(&x));
}

/// A 32×32 image of the given 8-bit levels and their counts, in order.
fn levels_image(counts: &[(i64, i64)]) -> Tensor {
    let v: Vec<f32> =
        counts.iter().flat_map(|&(level, n)| (0..n).map(move |_| level as f32 / 255.0)).collect();
    Tensor::from_slice(&v).view([1, 1, 32, 32])
}

#[test]
fn equalize_matches_a_hand_computed_histogram() {
    // 512 pixels at 0, 256 at 100, 256 at 255: step = (1024 − 256) // 255 = 3,
    // lut[100] = (512 + 1) // 3 = 171, lut[255] = (768 + 1) // 3 = 256 → 255.
    let x = levels_image(&[(0, 512), (100, 256), (255, 256)]);
    let y = run(&Equalize { p: 1.0 }, &x, 1);
    let expected = levels_image(&[(0, 512), (171, 256), (255, 256)]);
    assert!(max_abs(&(y - expected)) < 1e-6);
    // Pixel order does not matter.
    let shuffled =
        x.flatten(0, -1).index_select(0, &AugRng::new(3).permutation(1024, Device::Cpu)).view([1, 1, 32, 32]);
    let y = run(&Equalize { p: 1.0 }, &shuffled, 1);
    let expected = shuffled.where_self(&shuffled.ne(100.0 / 255.0), &Tensor::from(171.0f32 / 255.0));
    assert!(max_abs(&(y - expected)) < 1e-6);
}

#[test]
fn equalize_keeps_a_flat_histogram_and_tiny_images() {
    // Each level 4 times: step 4, lut[k] = (4k + 2) // 4 = k.
    let flat: Vec<(i64, i64)> = (0..256).map(|level| (level, 4)).collect();
    let x = levels_image(&flat);
    assert!(max_abs(&(run(&Equalize { p: 1.0 }, &x, 1) - &x)) < 1e-6);
    // 64 pixels: step 0, left alone as torchvision does.
    let x = images(2, &[3, 3, 8, 8]);
    assert!(run(&Equalize { p: 1.0 }, &x, 1).equal(&x));
}

#[test]
fn equalize_spans_the_full_range_per_channel() {
    let x = images(4, &[4, 3, 32, 32]) * 0.5 + 0.2;
    let y = run(&Equalize { p: 1.0 }, &x, 1);
    let lo = y.amin([2i64, 3].as_slice(), false);
    let hi = y.amax([2i64, 3].as_slice(), false);
    assert!(max_abs(&lo) < 1e-6, "every channel starts at 0");
    assert!(max_abs(&(hi - 1.0)) < 1e-6, "every channel ends at 1");
    // Monotone: each channel keeps the rank order of its levels.
    let order = x.flatten(2, -1).argsort(2, false);
    let sorted = y.flatten(2, -1).gather(2, &order, false);
    assert!(sorted.diff(1, 2, None::<Tensor>, None::<Tensor>).min().double_value(&[]) >= 0.0);
}

#[test]
fn equalize_treats_channels_apart_and_a_volume_as_a_whole() {
    let x = images(5, &[2, 3, 32, 32]);
    let y = run(&Equalize { p: 1.0 }, &x, 1);
    let per_channel = run(&Equalize { p: 1.0 }, &x.reshape([6, 1, 32, 32]), 1).reshape([2, 3, 32, 32]);
    assert!(y.equal(&per_channel));
    let v = images(6, &[2, 1, 8, 16, 16]);
    let y = run(&Equalize { p: 1.0 }, &v, 1);
    let flat = run(&Equalize { p: 1.0 }, &v.reshape([2, 1, 32, 64]), 1).reshape([2, 1, 8, 16, 16]);
    assert!(y.equal(&flat), "one histogram over the volume");
    assert!(max_abs(&(y - v)) > 1e-3, "2048 voxels are enough to change");
}

// Autocontrast.

#[test]
fn autocontrast_keeps_the_contract_and_honours_p() {
    let op = AutoContrast { p: 0.5 };
    for shape in [&IMAGE[..], &GREY, &VOLUME] {
        check_contract(&op, shape);
    }
    check_probability(&AutoContrast { p: 0.3 }, 8);
    let x = images(2, &IMAGE);
    assert!(run(&AutoContrast { p: 0.0 }, &x, 1).equal(&x));
}

#[test]
fn autocontrast_stretches_each_channel_to_zero_and_one() {
    let x = images(7, &[3, 3, 16, 16]) * 0.4 + 0.3;
    let y = run(&AutoContrast { p: 1.0 }, &x, 1);
    let lo = x.amin([2i64, 3].as_slice(), true);
    let hi = x.amax([2i64, 3].as_slice(), true);
    assert!(max_abs(&(&y - (&x - &lo) / (hi - lo))) < 1e-5);
    assert!(max_abs(&y.amin([2i64, 3].as_slice(), false)) < 1e-6);
    assert!(max_abs(&(y.amax([2i64, 3].as_slice(), false) - 1.0)) < 1e-6);
}

#[test]
fn autocontrast_leaves_constant_channels_and_stretches_over_the_volume() {
    let grey = Tensor::full([2, 1, 8, 8], 0.3, (Kind::Float, Device::Cpu));
    assert!(run(&AutoContrast { p: 1.0 }, &grey, 1).equal(&grey));
    // A constant red channel stays; the others stretch.
    let x = Tensor::cat(
        &[Tensor::full([1, 1, 8, 8], 0.7, (Kind::Float, Device::Cpu)), images(8, &[1, 2, 8, 8]) * 0.5],
        1,
    );
    let y = run(&AutoContrast { p: 1.0 }, &x, 1);
    assert!(y.narrow(1, 0, 1).equal(&x.narrow(1, 0, 1)));
    assert!(max_abs(&(y.narrow(1, 1, 2).amax([2i64, 3].as_slice(), false) - 1.0)) < 1e-6);
    // 3D: one minimum and maximum per volume, not per slice.
    let v = images(9, &VOLUME) * 0.5 + 0.25;
    let y = run(&AutoContrast { p: 1.0 }, &v, 1);
    let flat = run(&AutoContrast { p: 1.0 }, &v.reshape([2, 1, 32, 64]), 1).reshape(VOLUME);
    assert!(max_abs(&(&y - flat)) < 1e-6);
    let slice_max = y.amax([3i64, 4].as_slice(), false);
    assert!(slice_max.lt(0.999).any().int64_value(&[]) == 1, "some slices do not reach 1");
}

// Sharpness.

#[test]
fn sharpness_keeps_the_contract_and_honours_p_in_2d_only() {
    let op = Sharpness { p: 0.5, factor: (0.5, 1.5) };
    for shape in [&IMAGE[..], &GREY] {
        check_contract(&op, shape);
    }
    check_probability(&Sharpness { p: 0.3, factor: (0.5, 1.5) }, 8);
    let x = images(2, &IMAGE);
    assert!(max_abs(&(run(&Sharpness { p: 1.0, factor: (1.0, 1.0) }, &x, 1) - &x)) < 1e-6, "factor 1");
    assert!(run(&Sharpness { p: 0.0, factor: (0.0, 0.0) }, &x, 1).equal(&x));
    assert!(op.supports(2) && !op.supports(3));
}

#[test]
fn sharpness_blends_with_pils_smoothing_kernel() {
    // A bump of d on grey: smoothing gives 0.5 + 5d/13 at the bump and 0.5 + d/13 around it.
    let d = 0.13;
    let x = Tensor::full([1, 1, 8, 8], 0.5, (Kind::Float, Device::Cpu));
    let _ = x.get(0).get(0).get(3).get(4).fill_(0.5 + d);
    let at = |t: &Tensor, r: i64, c: i64| t.double_value(&[0, 0, r, c]);
    let smooth = run(&Sharpness { p: 1.0, factor: (0.0, 0.0) }, &x, 1);
    assert!((at(&smooth, 3, 4) - (0.5 + 5.0 * d / 13.0)).abs() < 1e-6);
    assert!((at(&smooth, 2, 3) - (0.5 + d / 13.0)).abs() < 1e-6);
    assert!((at(&smooth, 0, 0) - 0.5).abs() < 1e-6);
    let sharp = run(&Sharpness { p: 1.0, factor: (2.0, 2.0) }, &x, 1);
    assert!((at(&sharp, 3, 4) - (0.5 + 21.0 * d / 13.0)).abs() < 1e-6);
    assert!((at(&sharp, 4, 5) - (0.5 - d / 13.0)).abs() < 1e-6);
    // The one-pixel border is kept from the original.
    let y = images(3, &[2, 3, 8, 8]);
    let smooth = run(&Sharpness { p: 1.0, factor: (0.0, 0.0) }, &y, 1);
    for (dim, index) in [(2, 0), (2, 7), (3, 0), (3, 7)] {
        assert!(smooth.select(dim, index).equal(&y.select(dim, index)), "border {dim} {index}");
    }
    assert!(max_abs(&(smooth - y)) > 0.05);
}

// Gamma.

#[test]
fn gamma_keeps_the_contract_and_honours_p() {
    let op = Gamma { p: 0.5, gamma: (0.7, 1.5) };
    for shape in [&IMAGE[..], &GREY, &VOLUME] {
        check_contract(&op, shape);
    }
    check_probability(&Gamma { p: 0.3, gamma: (0.7, 1.5) }, 8);
    let x = images(2, &VOLUME);
    assert!(max_abs(&(run(&Gamma { p: 1.0, gamma: (1.0, 1.0) }, &x, 1) - &x)) < 1e-6, "γ = 1");
    assert!(run(&Gamma { p: 0.0, gamma: (3.0, 3.0) }, &x, 1).equal(&x));
    assert!(max_abs(&(run(&Gamma { p: 1.0, gamma: (2.0, 2.0) }, &x, 1) - x.square())) < 1e-6, "γ = 2 in 3D");
}

#[test]
fn gamma_is_monotone_keeps_the_ends_and_draws_log_uniformly() {
    let ramp = Tensor::linspace(0.0, 1.0, 64, (Kind::Float, Device::Cpu)).view([1, 1, 8, 8]);
    let x = ramp.expand([400, 1, 8, 8], false).contiguous();
    let y = run(&Gamma { p: 1.0, gamma: (0.5, 2.0) }, &x, 3).flatten(1, -1);
    assert!(y.diff(1, 1, None::<Tensor>, None::<Tensor>).min().double_value(&[]) >= 0.0, "monotone");
    assert!(max_abs(&y.select(1, 0)) < 1e-7 && max_abs(&(y.select(1, 63) - 1.0)) < 1e-6, "0 and 1 stay");
    // γ from the value at x = 32/63: log-uniform on [0.5, 2] is symmetric in log γ.
    let x0 = 32.0f64 / 63.0;
    let gamma: Vec<f64> = Vec::<f64>::try_from(y.select(1, 32).log() / x0.ln()).unwrap();
    assert!(gamma.iter().all(|g| (0.499..=2.001).contains(g)), "γ within its range");
    let below_one = gamma.iter().filter(|&&g| g < 1.0).count() as f64 / 400.0;
    assert!((below_one - 0.5).abs() < 0.07, "half the γ below 1: {below_one}");
    let below_07 = gamma.iter().filter(|&&g| g < 2f64.powf(-0.5)).count() as f64 / 400.0;
    assert!((below_07 - 0.25).abs() < 0.07, "a quarter below 2^-0.5: {below_07}");
}

// RandAugment.

fn rand_augment(n: i64, op_p: f64, cutout: f64) -> RandAugment {
    RandAugment { n, op_p, cutout, ..RandAugment::default() }
}

#[test]
fn rand_augment_keeps_the_contract_in_2d() {
    let op = RandAugment::default();
    for shape in [&IMAGE[..], &GREY, &[3, 1, 20, 28], &[8, 3, 32, 32]] {
        check_contract(&op, shape);
    }
    assert!(op.supports(2) && !op.supports(3));
    assert_eq!((op.n, op.cutout, op.fill), (2, 0.5, 0.5), "FixMatch's N and Cutout");
}

#[test]
fn rand_augment_without_ops_or_cutout_is_the_identity() {
    let x = images(2, &[6, 3, 32, 32]);
    assert!(run(&rand_augment(0, 1.0, 0.0), &x, 1).equal(&x));
    assert!(run(&rand_augment(3, 0.0, 0.0), &x, 1).equal(&x), "op p 0");
}

#[test]
fn rand_augment_cuts_out_one_clipped_grey_square() {
    let x = Tensor::ones([64, 3, 32, 32], (Kind::Float, Device::Cpu));
    let y = run(&rand_augment(0, 1.0, 0.5), &x, 5);
    let changed = y.ne(1.0);
    assert!(y.masked_select(&changed).eq(0.5).all().int64_value(&[]) == 1, "grey fill");
    assert!(changed.eq_tensor(&changed.narrow(1, 0, 1)).all().int64_value(&[]) == 1, "all channels");
    let changed = changed.select(1, 0);
    let count = |t: Tensor| Vec::<i64>::try_from(t.sum_dim_intlist(1, false, Kind::Int64)).unwrap();
    let pixels = count(changed.flatten(1, -1));
    let rows = count(changed.any_dim(2, false));
    let cols = count(changed.any_dim(1, false));
    for i in 0..64 {
        // One box: the changed pixels fill their rows × columns; 16 × 16 unless clipped.
        assert_eq!(pixels[i], rows[i] * cols[i], "sample {i} is one box");
        assert!((8..=16).contains(&rows[i]) && (8..=16).contains(&cols[i]), "sample {i}");
    }
    assert!(pixels.contains(&256) && pixels.iter().any(|&n| n < 256), "clipped at the borders, or not");
}

#[test]
fn rand_augment_draws_the_identity_one_time_in_14_and_applies_ops_with_op_p() {
    let x = images(3, &[400, 3, 32, 32]);
    let unchanged = |op: &RandAugment| 1.0 - changed_share(op, &x, 4);
    // Of the 14 ops only Identity keeps random images (Solarize's threshold 1 has measure 0).
    let u = unchanged(&rand_augment(1, 1.0, 0.0));
    assert!((u - 1.0 / 14.0).abs() < 0.04, "unchanged {u}");
    let u = unchanged(&rand_augment(1, 0.5, 0.0));
    assert!((u - (0.5 + 0.5 / 14.0)).abs() < 0.07, "op p 0.5: unchanged {u}");
    assert!(unchanged(&rand_augment(2, 1.0, 0.0)) < 0.03, "two rounds");
}

/// The sample-wise matches of `y` to `candidate`.
fn matches(y: &Tensor, candidate: &Tensor) -> Vec<bool> {
    flags(&per_sample_diff(y, candidate).lt(1e-5))
}

#[test]
fn rand_augment_at_full_magnitude_runs_fixmatchs_ops_with_their_ranges() {
    let b = 560;
    let x = images(8, &[b, 3, 32, 32]) * 0.8 + 0.1;
    let op = RandAugment { n: 1, magnitude: 1.0, random_magnitude: false, op_p: 1.0, cutout: 0.0, fill: 0.5 };
    let y = run(&op, &x, 9);
    let all = |op: &dyn Augment| run(op, &x, 1);
    let luma =
        (x.narrow(1, 0, 1) * 0.299 + x.narrow(1, 1, 1) * 0.587 + x.narrow(1, 2, 1) * 0.114).expand_as(&x);
    let mean = luma.mean_dim([1i64, 2, 3].as_slice(), true, Kind::Float);
    let grey = Tensor::full([b, 3, 32, 10], 0.5, (Kind::Float, Device::Cpu));
    let shifted = |dim: i64, forward: bool| {
        let grey = if dim == 3 { grey.shallow_clone() } else { grey.transpose(2, 3) };
        if forward {
            Tensor::cat(&[x.narrow(dim, 10, 22), grey], dim)
        } else {
            Tensor::cat(&[grey, x.narrow(dim, 0, 22)], dim)
        }
    };
    // Magnitude 1: factors 0.95, posterize 8 bits, solarize threshold 1 (the identity),
    // rotate ±30°, shear ±0.3, translate ±round(0.3 · 32) = ±10 px.
    let candidates: Vec<(&str, Vec<bool>, f64)> = vec![
        ("identity or solarize", matches(&y, &x), 2.0),
        ("autocontrast", matches(&y, &all(&AutoContrast { p: 1.0 })), 1.0),
        ("equalize", matches(&y, &all(&Equalize { p: 1.0 })), 1.0),
        ("posterize", matches(&y, &all(&Posterize { p: 1.0, bits: (8, 8) })), 1.0),
        ("sharpness", matches(&y, &all(&Sharpness { p: 1.0, factor: (0.95, 0.95) })), 1.0),
        ("brightness", matches(&y, &(&x * 0.95)), 1.0),
        ("color", matches(&y, &(&x * 0.95 + &luma * 0.05)), 1.0),
        ("contrast", matches(&y, &(&x * 0.95 + &mean * 0.05)), 1.0),
        (
            "translate x",
            matches(&y, &shifted(3, true))
                .iter()
                .zip(matches(&y, &shifted(3, false)))
                .map(|(a, b)| *a || b)
                .collect(),
            1.0,
        ),
        (
            "translate y",
            matches(&y, &shifted(2, true))
                .iter()
                .zip(matches(&y, &shifted(2, false)))
                .map(|(a, b)| *a || b)
                .collect(),
            1.0,
        ),
    ];
    // Rotations by 30° and shears by 0.3 about the top-left corner bring grey into a corner.
    let corners = Tensor::stack(
        &[
            y.select(2, 0).select(2, 0),
            y.select(2, 0).select(2, 31),
            y.select(2, 31).select(2, 0),
            y.select(2, 31).select(2, 31),
        ],
        1,
    );
    let grey_corner = flags(&(corners - 0.5).abs().lt(1e-6).all_dim(2, false).any_dim(1, false));
    let mut unexplained = 0;
    for (i, grey) in grey_corner.iter().enumerate() {
        let hits: Vec<&str> = candidates.iter().filter(|c| c.1[i]).map(|c| c.0).collect();
        assert!(hits.len() <= 1, "sample {i} matches {hits:?}");
        if hits.is_empty() {
            unexplained += 1;
            assert!(*grey, "sample {i} matches no op and has no grey corner");
        }
    }
    for (name, hits, weight) in &candidates {
        let s = share(hits);
        assert!((s - weight / 14.0).abs() < 0.04, "{name}: share {s}, expected {}", weight / 14.0);
    }
    let s = unexplained as f64 / b as f64;
    assert!((s - 3.0 / 14.0).abs() < 0.06, "rotate and shears: share {s}");
}

// Cautions.

#[test]
fn intensity_remapping_ops_warn_on_ct() {
    let ct = ImageTraits { modality: Modality::Ct, grey: true, volumetric: false };
    let photo = ImageTraits { modality: Modality::Natural, grey: false, volumetric: false };
    let ops: [&dyn Augment; 4] =
        [&Equalize::default(), &AutoContrast::default(), &Solarize::default(), &RandAugment::default()];
    for op in ops {
        assert!(op.caution(&ct).is_some());
        assert!(op.caution(&photo).is_none());
    }
    assert!(GaussianNoise::default().caution(&ct).is_none() && Gamma::default().caution(&ct).is_none());
}
