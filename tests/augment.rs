//! Augmentations: each op does what its parameters say, on whole batches.
use medssl::augment::{
    Augment, AugmentOp, ColorJitter, GaussianBlur, HorizontalFlip, Pipeline, RandomGrayscale,
    RandomResizedCrop,
};
use std::sync::{Mutex, MutexGuard};
use tch::{Device, Kind, Tensor};

/// libtorch's generator is global to the process and these tests run in parallel: each holds
/// this lock so that seeding in one is not interleaved with draws in another.
fn rng() -> MutexGuard<'static, ()> {
    static RNG: Mutex<()> = Mutex::new(());
    RNG.lock().unwrap_or_else(|e| e.into_inner())
}

fn batch(seed: i64) -> Tensor {
    tch::manual_seed(seed);
    Tensor::rand([8, 3, 32, 32], (Kind::Float, Device::Cpu))
}

fn max_abs(t: &Tensor) -> f64 {
    t.abs().max().double_value(&[])
}

#[test]
fn the_simclr_pipeline_keeps_shape_and_range_and_is_seeded() {
    let _rng = rng();
    let x = batch(0);
    let p = Pipeline::simclr(1.0);
    tch::manual_seed(7);
    let a = p.apply(&x);
    tch::manual_seed(7);
    let b = p.apply(&x);
    assert_eq!(a.size(), x.size());
    assert!(a.equal(&b), "same seed, same views");
    assert!(a.min().double_value(&[]) >= 0.0 && a.max().double_value(&[]) <= 1.0);
    assert!(max_abs(&(&a - &x)) > 0.1, "the views differ from the input");
}

#[test]
fn a_full_square_crop_is_the_identity() {
    let _rng = rng();
    let x = batch(1);
    let crop = RandomResizedCrop { scale: (1.0, 1.0), ratio: (1.0, 1.0) };
    assert!(max_abs(&(crop.apply(&x) - &x)) < 1e-5);
}

#[test]
fn a_small_crop_magnifies() {
    let _rng = rng();
    // A horizontal ramp: a crop of a quarter of the area spans about half the ramp.
    let ramp = Tensor::linspace(0.0, 1.0, 64, (Kind::Float, Device::Cpu))
        .view([1, 1, 1, 64])
        .expand([4, 3, 64, 64], false);
    let crop = RandomResizedCrop { scale: (0.25, 0.25), ratio: (1.0, 1.0) };
    let y = crop.apply(&ramp.contiguous());
    let span = y.select(3, 63) - y.select(3, 0);
    let span = span.mean(Kind::Float).double_value(&[]);
    assert!((span - 0.5).abs() < 0.03, "span {span}");
}

#[test]
fn flip_and_grayscale_apply_with_their_probability() {
    let _rng = rng();
    let x = batch(2);
    assert!(HorizontalFlip { p: 1.0 }.apply(&x).equal(&x.flip([3])));
    assert!(HorizontalFlip { p: 0.0 }.apply(&x).equal(&x));
    let g = RandomGrayscale { p: 1.0 }.apply(&x);
    assert!(max_abs(&(g.select(1, 0) - g.select(1, 2))) < 1e-6);
    let red = Tensor::from_slice(&[1.0f32, 0.0, 0.0]).view([1, 3, 1, 1]);
    let luma = RandomGrayscale { p: 1.0 }.apply(&red).double_value(&[0, 1, 0, 0]);
    assert!((luma - 0.299).abs() < 1e-6);
}

#[test]
fn blur_smooths_noise_and_keeps_flat_images() {
    let _rng = rng();
    let x = batch(3);
    let blur = GaussianBlur { p: 1.0, sigma: (1.5, 2.0), kernel_fraction: 0.2 };
    let y = blur.apply(&x);
    assert!(y.std(true).double_value(&[]) < 0.5 * x.std(true).double_value(&[]));
    let flat = Tensor::full([2, 3, 32, 32], 0.3, (Kind::Float, Device::Cpu));
    assert!(max_abs(&(blur.apply(&flat) - 0.3)) < 1e-5);
    assert!(max_abs(&(GaussianBlur { p: 0.0, ..blur }.apply(&x) - &x)) < 1e-5);
}

#[test]
fn colour_jitter_without_change_is_the_identity_through_hsv() {
    let _rng = rng();
    // Zero ranges still run every op, the HSV round trip included.
    let x = batch(4);
    let none = ColorJitter { p: 1.0, brightness: 0.0, contrast: 0.0, saturation: 0.0, hue: 0.0 };
    assert!(max_abs(&(none.apply(&x) - &x)) < 1e-5);
}

#[test]
fn hue_rotation_keeps_saturation_and_value() {
    let _rng = rng();
    let x = batch(5);
    let hue = ColorJitter { p: 1.0, brightness: 0.0, contrast: 0.0, saturation: 0.0, hue: 0.5 };
    let y = hue.apply(&x);
    let max = |t: &Tensor| t.amax([1i64].as_slice(), false);
    let min = |t: &Tensor| t.amin([1i64].as_slice(), false);
    assert!(max_abs(&(max(&y) - max(&x))) < 1e-5, "value changed");
    assert!(max_abs(&((max(&y) - min(&y)) - (max(&x) - min(&x)))) < 1e-5, "chroma changed");
    assert!(max_abs(&(&y - &x)) > 0.1, "hue did not move");
}

#[test]
fn brightness_factors_stay_in_their_range() {
    let _rng = rng();
    let x = Tensor::full([64, 3, 4, 4], 0.5, (Kind::Float, Device::Cpu));
    let b = ColorJitter { p: 1.0, brightness: 0.4, contrast: 0.0, saturation: 0.0, hue: 0.0 };
    let f = b.apply(&x).mean_dim([1i64, 2, 3].as_slice(), false, Kind::Float) / 0.5;
    assert!(f.min().double_value(&[]) >= 0.6 - 1e-5 && f.max().double_value(&[]) <= 1.4 + 1e-5);
    assert!(f.std(true).double_value(&[]) > 0.1, "factors vary per sample");
}

#[test]
fn a_pipeline_round_trips_through_toml() {
    let _rng = rng();
    let p = Pipeline::simclr(0.5);
    let text = toml::to_string(&p).unwrap();
    let back: Pipeline = toml::from_str(&text).unwrap();
    assert_eq!(back, p);
    assert!(matches!(back.ops[0], AugmentOp::RandomResizedCrop(_)));
}
