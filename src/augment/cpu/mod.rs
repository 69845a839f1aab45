//! Fused CPU kernels for the ops that dominate a two-view pipeline's time. libtorch runs each
//! elementwise op as its own pass over memory, so colour jitter's HSV hue rotation alone is
//! some forty passes over the batch; a kernel here does a sample in one or two passes over
//! cache-sized tiles, samples in parallel. Ops use them for float images on the CPU and keep
//! their tensor form on other devices; the tests hold each kernel to that tensor form.
pub mod blur;
pub mod colour;
pub mod crop;
pub mod flip;
pub mod grey;

use rayon::prelude::*;
use std::cell::RefCell;
use tch::{Device, Kind, Tensor};

thread_local! {
    /// The threads this thread's kernels run on; rayon's global pool (every core) if unset.
    static POOL: RefCell<Option<rayon::ThreadPool>> = const { RefCell::new(None) };
}

/// Runs the kernels called from this thread on `threads` threads, as libtorch's intra-op
/// count, so that a run told to leave a core free does.
pub fn set_threads(threads: usize) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads.max(1)).build().ok();
    POOL.with(|p| *p.borrow_mut() = pool);
}

/// `work` on this thread's pool.
fn in_pool(work: impl FnOnce() + Send) {
    POOL.with(|pool| match &*pool.borrow() {
        Some(pool) => pool.install(work),
        None => work(),
    })
}

/// Whether the kernels here can take `images`.
pub fn runs_here(images: &Tensor) -> bool {
    images.device() == Device::Cpu && images.kind() == Kind::Float
}

/// A new tensor the shape of `images` whose sample `i` is written by `f(i, source, out)`
/// from that sample's values, samples in parallel.
pub fn map_samples(images: &Tensor, f: impl Fn(usize, &[f32], &mut [f32]) + Sync) -> Tensor {
    let source = images.contiguous();
    let mut out = Tensor::empty(source.size(), (Kind::Float, Device::Cpu));
    if out.numel() == 0 {
        return out;
    }
    let per_sample = out.numel() / source.size()[0] as usize;
    // SAFETY: `out` is new, so nothing else reads or writes it meanwhile.
    let values = unsafe { values_mut(&mut out) };
    let source = values_of(&source);
    in_pool(|| {
        values
            .par_chunks_mut(per_sample)
            .zip(source.par_chunks(per_sample))
            .enumerate()
            .for_each(|(i, (out, source))| f(i, source, out))
    });
    out
}

/// `parts` joined along the batch axis, as `Tensor::cat`. It runs on this module's threads:
/// libtorch's would keep spinning for milliseconds after the copy, on the cores the next
/// op's kernel needs.
pub fn concat(parts: &[Tensor]) -> Tensor {
    let parts: Vec<Tensor> = parts.iter().map(Tensor::contiguous).collect();
    let mut size = parts[0].size();
    size[0] = parts.iter().map(|p| p.size()[0]).sum();
    let mut out = Tensor::empty(size.as_slice(), (Kind::Float, Device::Cpu));
    // SAFETY: `out` is new, so nothing else reads or writes it meanwhile.
    let mut rest = unsafe { values_mut(&mut out) };
    let mut pieces = Vec::new();
    for part in &parts {
        let (piece, after) = rest.split_at_mut(part.numel());
        pieces.push((piece, values_of(part)));
        rest = after;
    }
    in_pool(|| pieces.into_par_iter().for_each(|(out, source)| out.copy_from_slice(source)));
    out
}

/// The values of a contiguous float CPU tensor.
fn values_of(t: &Tensor) -> &[f32] {
    assert!(runs_here(t) && t.is_contiguous(), "CPU kernels take contiguous float CPU tensors");
    // SAFETY: the tensor holds `numel` floats in a row and outlives the borrow.
    unsafe { std::slice::from_raw_parts(t.data_ptr() as *const f32, t.numel()) }
}

/// The values of a contiguous float CPU tensor, to write.
///
/// # Safety
/// Nothing else, not even a shallow clone, may read or write `t` while the slice lives.
unsafe fn values_mut(t: &mut Tensor) -> &mut [f32] {
    assert!(runs_here(t) && t.is_contiguous(), "CPU kernels take contiguous float CPU tensors");
    std::slice::from_raw_parts_mut(t.data_ptr() as *mut f32, t.numel())
}
