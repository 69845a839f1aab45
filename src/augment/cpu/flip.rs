//! Mirroring one axis of the chosen samples, as `flip::flip`: a copy that reads that axis
//! backwards.
use super::map_samples;
use tch::Tensor;

/// `images` with axis `dim` reversed in the samples `chosen` picks.
pub fn flip_batch(images: &Tensor, dim: usize, chosen: &[bool]) -> Tensor {
    let size = images.size();
    let len = size[dim] as usize;
    // Values from one index of the axis to the next.
    let inner: usize = size[dim + 1..].iter().product::<i64>() as usize;
    map_samples(images, |i, source, out| {
        if !chosen[i] {
            return out.copy_from_slice(source);
        }
        for (source, out) in source.chunks(len * inner).zip(out.chunks_mut(len * inner)) {
            if inner == 1 {
                out.iter_mut().zip(source.iter().rev()).for_each(|(o, v)| *o = *v);
            } else {
                for (j, out) in out.chunks_mut(inner).enumerate() {
                    out.copy_from_slice(&source[(len - 1 - j) * inner..(len - j) * inner]);
                }
            }
        }
    })
}
