use super::cpu;
use super::tensor::{on_selected, selected};
use super::{Augment, Ctx, Param};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// Gaussian blur with σ ~ U(sigma) pixels and probability `p`; the kernel side is
/// `kernel_fraction` of the smallest side, rounded to an odd number (SimCLR: 10 %), or
/// `kernel_size` when set (the thesis's 5×5). Separable, in 2D and 3D.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GaussianBlur {
    pub p: f64,
    pub sigma: (f64, f64),
    pub kernel_fraction: f64,
    /// A fixed odd kernel side in pixels (the thesis's 5); 0 uses `kernel_fraction`.
    pub kernel_size: i64,
}

impl Default for GaussianBlur {
    fn default() -> Self {
        Self { p: 0.5, sigma: (0.1, 2.0), kernel_fraction: 0.1, kernel_size: 0 }
    }
}

impl GaussianBlur {
    fn kernel_side(&self, images: &Tensor) -> i64 {
        let smallest = images.size()[2..].iter().copied().min().unwrap_or(1);
        let k = match self.kernel_size {
            0 => (smallest as f64 * self.kernel_fraction) as i64,
            k => k,
        };
        // Reflection needs the half-kernel to fit inside the image.
        (k | 1).max(3).min((2 * smallest - 1) | 1)
    }
}

impl Augment for GaussianBlur {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let chosen = ctx.rng.coins(b, self.p);
        let sigma = ctx.rng.uniforms(b, self.sigma.0, self.sigma.1);
        let k = self.kernel_side(images);
        if cpu::runs_here(images) && images.dim() == 4 {
            return cpu::blur::blur_batch(images, &chosen, &sigma, k as usize);
        }
        let mask = Tensor::from_slice(&chosen).to_device(device);
        let sigma = Tensor::from_slice(&sigma).to_device(device);
        on_selected(images, &mask, |x| blur(x, &selected(&sigma, &mask), k))
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Interval { name: "sigma (px)", value: &mut self.sigma, range: (0.0, 20.0) },
            Param::Number { name: "kernel fraction", value: &mut self.kernel_fraction, range: (0.0, 0.5) },
            Param::Integer {
                name: "kernel size (0: fraction)",
                value: &mut self.kernel_size,
                range: (0, 63),
            },
        ]
    }
}

/// Blurs sample i with σ[i] by a `k`-tap Gaussian along each spatial axis, reflecting at the
/// borders; each (sample, channel) pair is one group of a depth-wise convolution. The form
/// for GPUs and volumes; 2D float images on the CPU take `cpu::blur::blur_batch`.
pub fn blur(images: &Tensor, sigma: &Tensor, k: i64) -> Tensor {
    let size = images.size();
    let (b, c) = (size[0], size[1]);
    let x = Tensor::arange(k, (Kind::Float, images.device())) - (k / 2) as f64;
    let g = (-(x.square().view([1, k]) / (sigma.clamp_min(1e-3).square().view([b, 1]) * 2.0))).exp();
    let g = (&g / g.sum_dim_intlist(1, true, Kind::Float)).repeat_interleave_self_int(c, 0, None::<i64>);
    let no_bias: Option<Tensor> = None;
    let pad = k / 2;
    let mut shape = vec![1, b * c];
    shape.extend_from_slice(&size[2..]);
    let mut out = images.reshape(shape.as_slice());
    let dims = size.len() - 2;
    for axis in 0..dims {
        let mut kernel_shape = vec![b * c, 1, 1, 1, 1];
        kernel_shape.truncate(dims + 2);
        kernel_shape[2 + axis] = k;
        let kernel = g.view(kernel_shape.as_slice());
        out = if dims == 2 {
            let padding = if axis == 0 { [0, 0, pad, pad] } else { [pad, pad, 0, 0] };
            out.reflection_pad2d(padding).conv2d(&kernel, no_bias.as_ref(), [1, 1], [0, 0], [1, 1], b * c)
        } else {
            let mut padding = [0i64; 6];
            // Pads are listed from the last axis backwards.
            padding[2 * (2 - axis)] = pad;
            padding[2 * (2 - axis) + 1] = pad;
            out.reflection_pad3d(padding).conv3d(
                &kernel,
                no_bias.as_ref(),
                [1, 1, 1],
                [0, 0, 0],
                [1, 1, 1],
                b * c,
            )
        };
    }
    out.view(size.as_slice())
}
