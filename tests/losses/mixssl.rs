//! MixSSL's losses and the mix-up they train on (specs/000_mixup_ssl.md §7.3).
use crate::support::value;
use medssl::augment::mixup::{beta, mix, Mixup};
use medssl::augment::AugRng;
use medssl::methods::mixssl::losses as mixssl_losses;
use tch::{Device, Kind, Tensor};

#[test]
fn mixssl_losses_on_hand_made_tensors() {
    // Target pixels in [0, 1] are compared with the Tanh output in [-1, 1] as 2x − 1.
    let target = Tensor::from_slice(&[0.0f32, 0.5, 1.0, 0.25]).view([1, 1, 2, 2]);
    let reconstruction = Tensor::from_slice(&[-1.0f32, 0.5, 0.0, -0.5]).view([1, 1, 2, 2]);
    // Errors: 0, 0.5, −1, 0 → MSE = (0.25 + 1) / 4.
    let lambda = Tensor::from_slice(&[0.2f32, 0.9]);
    let pred = Tensor::from_slice(&[0.5f32, 0.6]);
    let (rec, trans) = mixssl_losses(&reconstruction, &target, &pred, &lambda);
    assert!((value(&rec) - 0.3125).abs() < 1e-6);
    assert!((value(&trans) - 0.3).abs() < 1e-6);
}

#[test]
fn mix_weights_the_auxiliary_image_by_lambda() {
    let target = Tensor::ones([2, 3, 2, 2], (Kind::Float, Device::Cpu));
    let aux = Tensor::zeros([2, 3, 2, 2], (Kind::Float, Device::Cpu));
    let lambda = Tensor::from_slice(&[0.25f32, 1.0]);
    let m = mix(&target, &aux, &lambda);
    assert!((value(&m.get(0).mean(Kind::Float)) - 0.75).abs() < 1e-6);
    assert!(value(&m.get(1).abs().max()) < 1e-6);
}

#[test]
fn beta_one_one_has_uniform_moments() {
    let mut rng = AugRng::new(3);
    let l = beta(1.0, 200_000, &mut rng, Device::Cpu);
    assert!((value(&l.mean(Kind::Float)) - 0.5).abs() < 0.005);
    assert!((value(&l.var(true)) - 1.0 / 12.0).abs() < 0.002);
    // α = 0.2 is U-shaped: far more mass near the ends than U(0, 1) has.
    let u = beta(0.2, 200_000, &mut rng, Device::Cpu);
    let ends = value(&(u.lt(0.1).logical_or(&u.gt(0.9))).to_kind(Kind::Float).mean(Kind::Float));
    assert!(ends > 0.5, "Beta(0.2, 0.2) mass at the ends: {ends}");
}

#[test]
fn lambda_is_shared_by_the_batch_unless_per_sample() {
    let mut rng = AugRng::new(4);
    let per_batch = Mixup::default().sample_lambda(16, &mut rng, Device::Cpu);
    assert_eq!(value(&(per_batch.max() - per_batch.min())), 0.0);
    let per_sample =
        Mixup { per_sample: true, ..Default::default() }.sample_lambda(16, &mut rng, Device::Cpu);
    assert!(value(&(per_sample.max() - per_sample.min())) > 0.0);
    let clipped = Mixup { per_sample: true, clip: (0.2, 0.6), ..Default::default() }.sample_lambda(
        64,
        &mut rng,
        Device::Cpu,
    );
    // f32 bounds: 0.6 is stored as 0.6000000238.
    assert!(value(&clipped.min()) >= 0.2 - 1e-6 && value(&clipped.max()) <= 0.6 + 1e-6);
}
