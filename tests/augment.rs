//! Augmentations: the contract every op of the catalogue keeps (shape, range, seed,
//! probability, 3D), the pipeline's machinery, and the known answers of the colour ops, blur
//! and mix-up. The other ops' known answers are in `augment_*.rs`.
mod common;

use common::augment::{images, max_abs, run};
use medssl::augment::{
    recipes, AugRng, Augment, AugmentOp, ColorJitter, Ctx, GaussianBlur, GaussianNoise, ImageTraits, Mixup,
    Modality, OneOf, Param, Pipeline, RandomGrayscale, RandomResizedCrop, Step, ViewPair,
};
use tch::{Device, Kind, Tensor};

fn run_with(op: &dyn Augment, x: &Tensor, seed: u64, auxiliary: &Tensor) -> Tensor {
    let mut rng = AugRng::new(seed);
    op.apply(x, &mut Ctx { rng: &mut rng, auxiliary: Some(auxiliary) })
}

/// Sets the op's probability, if it has one; returns whether it had.
fn set_p(op: &mut AugmentOp, p: f64) -> bool {
    let mut params = op.as_augment_mut().params();
    match params.iter_mut().find_map(|q| if let Param::Probability(v) = q { Some(v) } else { None }) {
        Some(v) => {
            **v = p;
            true
        }
        None => false,
    }
}

/// The shapes each op is tried on: RGB and grey images, and a grey volume where defined.
fn layouts(op: &AugmentOp) -> Vec<Vec<i64>> {
    let mut shapes = vec![vec![4, 3, 24, 24], vec![3, 1, 20, 28], vec![1, 3, 8, 8]];
    if op.as_augment().supports(3) {
        shapes.push(vec![2, 1, 8, 16, 16]);
    }
    shapes
}

#[test]
fn every_op_keeps_shape_dtype_and_range_and_is_seeded() {
    let auxiliary = images(99, &[5, 3, 24, 24]);
    for mut op in AugmentOp::catalog() {
        set_p(&mut op, 1.0);
        for shape in layouts(&op) {
            let x = images(1, &shape);
            let a = run_with(op.as_augment(), &x, 7, &auxiliary);
            let b = run_with(op.as_augment(), &x, 7, &auxiliary);
            let name = op.label();
            assert_eq!(a.size(), x.size(), "{name}: shape on {shape:?}");
            assert_eq!(a.kind(), Kind::Float, "{name}: dtype");
            assert!(a.isfinite().all().int64_value(&[]) == 1, "{name}: finite on {shape:?}");
            let (lo, hi) = (a.min().double_value(&[]), a.max().double_value(&[]));
            assert!(lo >= -1e-6 && hi <= 1.0 + 1e-6, "{name}: range [{lo}, {hi}] on {shape:?}");
            assert!(a.equal(&b), "{name}: the same seed gives the same output on {shape:?}");
        }
    }
}

#[test]
fn every_op_with_a_probability_is_the_identity_at_p_zero() {
    let x = images(2, &[4, 3, 24, 24]);
    let auxiliary = images(98, &[5, 3, 24, 24]);
    let mut with_p = 0;
    for mut op in AugmentOp::catalog() {
        if set_p(&mut op, 0.0) {
            with_p += 1;
            let y = run_with(op.as_augment(), &x, 3, &auxiliary);
            assert!(max_abs(&(y - &x)) < 1e-6, "{} at p = 0", op.label());
        }
    }
    assert!(with_p >= 20, "most ops have a probability ({with_p})");
}

#[test]
fn every_random_op_changes_images_at_p_one_and_depends_on_the_seed() {
    let x = images(4, &[8, 3, 32, 32]);
    let auxiliary = images(97, &[5, 3, 32, 32]);
    // Ops whose default is deterministic given p: the same output for any seed.
    let deterministic = [
        "Equalise",
        "Autocontrast",
        "Grayscale",
        "Horizontal flip",
        "Vertical flip",
        "Flip along each axis (3D)",
        "Solarise",
    ];
    for mut op in AugmentOp::catalog() {
        set_p(&mut op, 1.0);
        let a = run_with(op.as_augment(), &x, 5, &auxiliary);
        assert!(max_abs(&(&a - &x)) > 1e-3, "{} changes the images", op.label());
        if !deterministic.contains(&op.label()) {
            let b = run_with(op.as_augment(), &x, 6, &auxiliary);
            assert!(!a.equal(&b), "{}: another seed, another draw", op.label());
        }
    }
}

#[test]
fn every_default_parameter_lies_in_its_declared_range() {
    for mut op in AugmentOp::catalog() {
        let label = op.label();
        let params = op.as_augment_mut().params();
        assert!(
            !params.is_empty() || label == "Equalise" || label == "Autocontrast",
            "{label} lists its parameters"
        );
        for p in &params {
            assert_eq!(p.problem(), None, "{label}");
        }
    }
}

#[test]
fn probabilities_are_honoured_per_sample() {
    let x = images(8, &[600, 3, 8, 8]);
    for p in [0.2, 0.7] {
        let y = run(&GaussianNoise { p, std: (0.2, 0.2) }, &x, 9);
        let changed = (y - &x).abs().amax([1i64, 2, 3].as_slice(), false).gt(1e-4);
        let share = changed.to_kind(Kind::Float).mean(Kind::Float).double_value(&[]);
        assert!((share - p).abs() < 0.06, "p {p}: share {share}");
    }
}

#[test]
fn a_pipeline_with_every_op_round_trips_through_toml() {
    let mut pipeline = Pipeline::new(AugmentOp::catalog());
    pipeline.ops[1].enabled = false;
    let text = toml::to_string(&pipeline).unwrap();
    let back: Pipeline = toml::from_str(&text).unwrap();
    assert_eq!(back, pipeline);
    assert!(text.contains("enabled = false"), "a disabled step says so");
    let bad = "[[ops]]\nop = \"horizontal_flip\"\np = 0.5\nstrength = 2\n";
    assert!(toml::from_str::<Pipeline>(bad).is_err(), "unknown fields are refused");
}

#[test]
fn a_disabled_step_leaves_the_other_steps_draws_alone() {
    let x = images(10, &[6, 3, 16, 16]);
    let noise = GaussianNoise { p: 1.0, std: (0.1, 0.3) };
    let mut pipeline = Pipeline::new([
        AugmentOp::RandomResizedCrop(RandomResizedCrop::default()),
        AugmentOp::GaussianNoise(noise.clone()),
    ]);
    pipeline.ops[0].enabled = false;
    let mut rng = AugRng::new(11);
    let y = pipeline.apply(&x, &mut Ctx::new(&mut rng));
    // The noise step runs on the second stream forked from the seed, crop or no crop.
    let mut rng = AugRng::new(11);
    let _crop_stream = rng.fork();
    let expected = noise.apply(&x, &mut Ctx::new(&mut rng.fork()));
    assert!(y.equal(&expected));
    let mut seen = Vec::new();
    let _ = pipeline.apply_each(&x, &mut Ctx::new(&mut AugRng::new(11)), |i, _| seen.push(i));
    assert_eq!(seen, [1], "only enabled steps are reported");
}

#[test]
fn a_pipeline_reports_bad_parameters_and_unsupported_dimensions() {
    let mut pipeline = recipes::simclr(1.0);
    assert!(pipeline.problems(2).is_empty());
    if let AugmentOp::ColorJitter(c) = &mut pipeline.ops[2].op {
        c.p = 1.5;
    }
    let problems = pipeline.problems(2);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("Colour jitter") && problems[0].contains("1.5"), "{problems:?}");
    let jigsaw = Pipeline::new([AugmentOp::Jigsaw(Default::default())]);
    assert!(jigsaw.problems(3).iter().any(|p| p.contains("3D")));
}

#[test]
fn cautions_name_ops_that_are_questionable_for_the_modality() {
    let ct = ImageTraits { modality: Modality::Ct, grey: true, volumetric: false };
    let histology = ImageTraits { modality: Modality::Histology, grey: false, volumetric: false };
    let simclr = recipes::simclr(1.0);
    let on_ct: Vec<usize> = simclr.cautions(&ct).into_iter().map(|(i, _)| i).collect();
    // Horizontal flip (laterality), colour jitter (hue on grey), grayscale (already grey).
    assert_eq!(on_ct, [1, 2, 3]);
    assert!(simclr.cautions(&histology).is_empty());
}

#[test]
fn one_of_picks_by_weight() {
    let x = images(12, &[800, 1, 4, 4]);
    let mut choice = OneOf::default();
    choice.choices[1].weight = 3.0;
    let y = run(&choice, &x, 13);
    let flipped_h = (&y - x.flip([3])).abs().amax([1i64, 2, 3].as_slice(), false).lt(1e-7);
    let share = flipped_h.to_kind(Kind::Float).mean(Kind::Float).double_value(&[]);
    assert!((share - 0.25).abs() < 0.05, "horizontal share {share}");
    let none = OneOf { p: 0.0, ..choice };
    assert!(run(&none, &x, 13).equal(&x));
}

#[test]
fn a_view_pair_draws_two_different_views_or_uses_its_second_pipeline() {
    let x = images(14, &[4, 3, 16, 16]);
    let symmetric = ViewPair::symmetric(recipes::simclr(1.0));
    let (a, b) = symmetric.apply(&x, &mut AugRng::new(15));
    assert!(!a.equal(&b), "two draws of one pipeline differ");
    let asymmetric = ViewPair { first: Pipeline::default(), second: Some(recipes::simclr(1.0)) };
    let (a, b) = asymmetric.apply(&x, &mut AugRng::new(15));
    assert!(a.equal(&x), "an empty first pipeline passes the images through");
    assert!(!b.equal(&x));
}

#[test]
fn a_full_square_crop_is_the_identity() {
    let x = images(16, &[4, 3, 32, 32]);
    let crop = RandomResizedCrop { scale: (1.0, 1.0), ratio: (1.0, 1.0) };
    assert!(max_abs(&(run(&crop, &x, 0) - &x)) < 1e-5);
}

#[test]
fn a_small_crop_magnifies() {
    // A horizontal ramp: a crop of a quarter of the area spans about half the ramp.
    let ramp = Tensor::linspace(0.0, 1.0, 64, (Kind::Float, Device::Cpu))
        .view([1, 1, 1, 64])
        .expand([4, 3, 64, 64], false);
    let crop = RandomResizedCrop { scale: (0.25, 0.25), ratio: (1.0, 1.0) };
    let y = run(&crop, &ramp.contiguous(), 1);
    let span = (y.select(3, 63) - y.select(3, 0)).mean(Kind::Float).double_value(&[]);
    assert!((span - 0.5).abs() < 0.03, "span {span}");
}

#[test]
fn grayscale_of_grey_is_unchanged_and_red_has_luma_0_299() {
    let grey = images(17, &[4, 1, 8, 8]).expand([4, 3, 8, 8], false).contiguous();
    assert!(max_abs(&(run(&RandomGrayscale { p: 1.0 }, &grey, 0) - &grey)) < 1e-6);
    let g = run(&RandomGrayscale { p: 1.0 }, &images(18, &[4, 3, 8, 8]), 0);
    assert!(max_abs(&(g.select(1, 0) - g.select(1, 2))) < 1e-6);
    let red = Tensor::from_slice(&[1.0f32, 0.0, 0.0]).view([1, 3, 1, 1]);
    let luma = run(&RandomGrayscale { p: 1.0 }, &red, 0).double_value(&[0, 1, 0, 0]);
    assert!((luma - 0.299).abs() < 1e-6);
}

#[test]
fn blur_smooths_noise_and_keeps_flat_images_in_2d_and_3d() {
    let blur = GaussianBlur { p: 1.0, sigma: (1.5, 2.0), kernel_fraction: 0.2, kernel_size: 0 };
    for shape in [vec![4, 3, 32, 32], vec![2, 1, 16, 16, 16]] {
        let x = images(19, &shape);
        let y = run(&blur, &x, 0);
        assert!(y.std(true).double_value(&[]) < 0.5 * x.std(true).double_value(&[]), "{shape:?}");
        let flat = Tensor::full(shape.as_slice(), 0.3, (Kind::Float, Device::Cpu));
        assert!(max_abs(&(run(&blur, &flat, 0) - 0.3)) < 1e-5);
    }
}

#[test]
fn blur_matches_a_direct_gaussian_convolution() {
    // One sample, σ fixed at 1: the centre pixel of an impulse gets the kernel's peak squared.
    let impulse = Tensor::zeros([1, 1, 15, 15], (Kind::Float, Device::Cpu));
    let _ = impulse.get(0).get(0).get(7).get(7).fill_(1.0);
    let blur = GaussianBlur { p: 1.0, sigma: (1.0, 1.0), kernel_fraction: 0.0, kernel_size: 7 };
    let y = run(&blur, &impulse, 0);
    let g: Vec<f64> = (-3..=3).map(|i: i32| (-(i * i) as f64 / 2.0).exp()).collect();
    let peak = 1.0 / g.iter().sum::<f64>();
    assert!((y.double_value(&[0, 0, 7, 7]) - peak * peak).abs() < 1e-6);
    assert!((y.sum(Kind::Float).double_value(&[]) - 1.0).abs() < 1e-5, "blur keeps the mass");
}

#[test]
fn colour_jitter_without_change_is_the_identity_through_hsv() {
    // Zero ranges are skipped, as torchvision; a vanishing hue range runs the HSV round trip.
    let x = images(20, &[8, 3, 16, 16]);
    let none = ColorJitter { p: 1.0, brightness: 0.0, contrast: 0.0, saturation: 0.0, hue: 0.0 };
    assert!(run(&none, &x, 0).equal(&x));
    let round_trip = ColorJitter { hue: 1e-9, ..none };
    assert!(max_abs(&(run(&round_trip, &x, 0) - &x)) < 1e-5);
}

#[test]
fn hue_rotation_keeps_saturation_and_value() {
    let x = images(21, &[8, 3, 16, 16]);
    let hue = ColorJitter { p: 1.0, brightness: 0.0, contrast: 0.0, saturation: 0.0, hue: 0.5 };
    let y = run(&hue, &x, 0);
    let max = |t: &Tensor| t.amax([1i64].as_slice(), false);
    let min = |t: &Tensor| t.amin([1i64].as_slice(), false);
    assert!(max_abs(&(max(&y) - max(&x))) < 1e-5, "value changed");
    assert!(max_abs(&((max(&y) - min(&y)) - (max(&x) - min(&x)))) < 1e-5, "chroma changed");
    assert!(max_abs(&(&y - &x)) > 0.1, "hue did not move");
}

#[test]
fn saturation_and_hue_do_nothing_on_grey_images() {
    let grey = images(22, &[8, 1, 16, 16]);
    let colour_only = ColorJitter { p: 1.0, brightness: 0.0, contrast: 0.0, saturation: 0.8, hue: 0.5 };
    assert!(max_abs(&(run(&colour_only, &grey, 0) - &grey)) < 1e-6);
    let replicated = grey.expand([8, 3, 16, 16], false).contiguous();
    assert!(max_abs(&(run(&colour_only, &replicated, 0) - &replicated)) < 1e-5);
}

#[test]
fn brightness_factors_stay_in_their_range() {
    let x = Tensor::full([64, 3, 4, 4], 0.5, (Kind::Float, Device::Cpu));
    let b = ColorJitter { p: 1.0, brightness: 0.4, contrast: 0.0, saturation: 0.0, hue: 0.0 };
    let f = run(&b, &x, 0).mean_dim([1i64, 2, 3].as_slice(), false, Kind::Float) / 0.5;
    assert!(f.min().double_value(&[]) >= 0.6 - 1e-5 && f.max().double_value(&[]) <= 1.4 + 1e-5);
    assert!(f.std(true).double_value(&[]) > 0.1, "factors vary per sample");
}

#[test]
fn contrast_keeps_the_mean_luma_and_scales_deviations() {
    // Grey in three channels: each channel then has the luma's mean.
    let x = (images(23, &[16, 1, 8, 8]) * 0.5 + 0.25).expand([16, 3, 8, 8], false).contiguous();
    let c = ColorJitter { p: 1.0, brightness: 0.0, contrast: 0.5, saturation: 0.0, hue: 0.0 };
    let y = run(&c, &x, 1);
    let mean = |t: &Tensor| t.mean_dim([1i64, 2, 3].as_slice(), false, Kind::Float);
    assert!(max_abs(&(mean(&y) - mean(&x))) < 1e-4, "contrast keeps the mean grey level");
    let ratio = (&y - mean(&x).view([-1, 1, 1, 1])).std(true) / (&x - mean(&x).view([-1, 1, 1, 1])).std(true);
    let r = ratio.double_value(&[]);
    assert!((0.5..=1.5).contains(&r), "deviations scaled by a factor in [0.5, 1.5]: {r}");
}

#[test]
fn a_mixed_pixel_is_the_lambda_blend_of_target_and_auxiliary() {
    // One auxiliary image of constant 1: each mixed pixel is (1 − λ)·x + λ, one λ per sample.
    let x = images(24, &[6, 3, 8, 8]) * 0.5;
    let auxiliary = Tensor::ones([1, 3, 8, 8], (Kind::Float, Device::Cpu));
    let mixup = Mixup { per_sample: true, ..Default::default() };
    let y = run_with(&mixup, &x, 25, &auxiliary);
    let mut rng = AugRng::new(25);
    let lambda = mixup.sample_lambda(6, &mut rng, Device::Cpu).view([-1, 1, 1, 1]);
    let expected = &x * (1.0 - &lambda) + &lambda;
    assert!(max_abs(&(y - expected)) < 1e-6);
    assert!(run(&mixup, &x, 25).equal(&x), "without auxiliary images nothing is mixed");
}

#[test]
fn steps_deserialise_from_the_shipped_preset_form() {
    let text = "[[ops]]\nop = \"random_resized_crop\"\nscale = [0.5, 1.0]\nratio = [0.75, 1.3333]\n\
                [[ops]]\nop = \"horizontal_flip\"\np = 0.5\nenabled = false\n";
    let pipeline: Pipeline = toml::from_str(text).unwrap();
    assert!(matches!(pipeline.ops[0], Step { enabled: true, op: AugmentOp::RandomResizedCrop(_) }));
    assert!(!pipeline.ops[1].enabled);
}
