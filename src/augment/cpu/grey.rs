//! Replacing the colour of the chosen RGB samples by their luma, as `grayscale`.
use super::colour::luma;
use super::map_samples;
use tch::Tensor;

/// `[B, 3, ...]` images whose samples `chosen` picks become grey, kept as three channels.
pub fn grey_batch(images: &Tensor, chosen: &[bool]) -> Tensor {
    map_samples(images, |i, source, out| {
        if !chosen[i] {
            return out.copy_from_slice(source);
        }
        let n = source.len() / 3;
        let (r, g, b) = (&source[..n], &source[n..2 * n], &source[2 * n..]);
        let (out_r, rest) = out.split_at_mut(n);
        let (out_g, out_b) = rest.split_at_mut(n);
        for (((l, r), g), b) in out_r.iter_mut().zip(r).zip(g).zip(b) {
            *l = luma(*r, *g, *b);
        }
        out_g.copy_from_slice(out_r);
        out_b.copy_from_slice(out_r);
    })
}
