//! Helpers of the augmentation tests.
use medssl::augment::{AugRng, Augment, Ctx};
use tch::{Device, Tensor};

/// `op` on `x` with a fresh generator seeded by `seed`.
pub fn run(op: &dyn Augment, x: &Tensor, seed: u64) -> Tensor {
    let mut rng = AugRng::new(seed);
    op.apply(x, &mut Ctx::new(&mut rng))
}

/// Uniform random images of `shape` on the CPU.
pub fn images(seed: u64, shape: &[i64]) -> Tensor {
    AugRng::new(seed).uniform_tensor(shape, Device::Cpu)
}

pub fn max_abs(t: &Tensor) -> f64 {
    t.abs().max().double_value(&[])
}
