//! The augmentations' own seeded generator. libtorch's generator is global to the process and
//! shared by every thread (the training run, the studio's preview), so draws from it are not
//! reproducible once two threads use it. Every random number an augmentation uses comes from
//! here instead: drawn on the CPU from a ChaCha stream, then moved to the images' device. The
//! same seed gives the same views on a CPU and on a GPU.
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

#[derive(Debug, Clone)]
pub struct AugRng(ChaCha8Rng);

impl AugRng {
    pub fn new(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }

    /// An independent stream, e.g. one per view, so that adding an op to one pipeline does not
    /// change the draws of another.
    pub fn fork(&mut self) -> AugRng {
        AugRng::new(self.0.next_u64())
    }

    /// The underlying generator, for `rand_distr` and CPU-side choices.
    pub fn gen(&mut self) -> &mut ChaCha8Rng {
        &mut self.0
    }

    /// One draw from U[lo, hi).
    pub fn uniform_one(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.0.random::<f64>()
    }

    /// A uniform integer in `[lo, hi]`.
    pub fn int_one(&mut self, lo: i64, hi: i64) -> i64 {
        self.0.random_range(lo..=hi)
    }

    /// `n` draws from U[lo, hi) on the CPU side, for kernels that read them per sample.
    pub fn uniforms(&mut self, n: i64, lo: f64, hi: f64) -> Vec<f32> {
        (0..n).map(|_| self.uniform_one(lo, hi) as f32).collect()
    }

    /// `n` draws from U[lo, hi) as a `[n]` float tensor on `device`.
    pub fn uniform(&mut self, n: i64, lo: f64, hi: f64, device: Device) -> Tensor {
        Tensor::from_slice(&self.uniforms(n, lo, hi)).to_device(device)
    }

    /// `n` draws from a log-uniform distribution on [lo, hi] (lo, hi > 0).
    pub fn log_uniform(&mut self, n: i64, lo: f64, hi: f64, device: Device) -> Tensor {
        self.uniform(n, lo.ln(), hi.ln(), device).exp()
    }

    /// `n` uniform integers in `[lo, hi]` as a `[n]` int64 tensor.
    pub fn ints(&mut self, n: i64, lo: i64, hi: i64, device: Device) -> Tensor {
        let v: Vec<i64> = (0..n).map(|_| self.int_one(lo, hi)).collect();
        Tensor::from_slice(&v).to_device(device)
    }

    /// A `[n]` boolean mask, each entry true with probability `p`.
    pub fn coin(&mut self, n: i64, p: f64, device: Device) -> Tensor {
        let v: Vec<bool> = (0..n).map(|_| self.0.random::<f64>() < p).collect();
        Tensor::from_slice(&v).to_device(device)
    }

    /// The same as `coin`, on the CPU side, for ops that branch per sample.
    pub fn coins(&mut self, n: i64, p: f64) -> Vec<bool> {
        (0..n).map(|_| self.0.random::<f64>() < p).collect()
    }

    /// A tensor of `shape` filled from U[0, 1), for per-pixel noise.
    pub fn uniform_tensor(&mut self, shape: &[i64], device: Device) -> Tensor {
        let n: i64 = shape.iter().product();
        let mut bits = vec![0u32; n as usize];
        self.0.fill(bits.as_mut_slice());
        // 24 random bits give every float in [0, 1) a step of 2^-24, as torch.rand does.
        let v: Vec<f32> = bits.iter().map(|b| (b >> 8) as f32 * (1.0 / 16_777_216.0)).collect();
        Tensor::from_slice(&v).view(shape).to_device(device)
    }

    /// A tensor of `shape` filled from N(0, 1) (Box–Muller on the device).
    pub fn normal_tensor(&mut self, shape: &[i64], device: Device) -> Tensor {
        let u = self.uniform_tensor(&[2, shape.iter().product()], device);
        let radius = (u.get(0).neg().log1p() * -2.0).sqrt();
        let angle = u.get(1) * (2.0 * std::f64::consts::PI);
        (radius * angle.cos()).view(shape)
    }

    /// A uniformly random permutation of `0..n`.
    pub fn permutation(&mut self, n: i64, device: Device) -> Tensor {
        let keys = self.uniform_tensor(&[n], Device::Cpu);
        keys.argsort(0, false).to_kind(Kind::Int64).to_device(device)
    }
}
