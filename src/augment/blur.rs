use super::{coin, uniform, Augment};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// Gaussian blur with σ ~ U(sigma) and probability `p`; the kernel side is `kernel_fraction`
/// of the image side, rounded to an odd number (SimCLR: 10 %).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GaussianBlur {
    pub p: f64,
    pub sigma: (f64, f64),
    pub kernel_fraction: f64,
}

impl Default for GaussianBlur {
    fn default() -> Self {
        Self { p: 0.5, sigma: (0.1, 2.0), kernel_fraction: 0.1 }
    }
}

impl Augment for GaussianBlur {
    fn apply(&self, images: &Tensor) -> Tensor {
        let (b, c, h, w) = images.size4().expect("images are [B, C, H, W]");
        let k = (((h.min(w) as f64 * self.kernel_fraction) as i64) | 1).max(3);
        let sigma = uniform(b, self.sigma.0, self.sigma.1, images);
        // Samples left unblurred get a delta kernel, so one grouped convolution serves all.
        let sigma = sigma
            .where_self(&coin(b, self.p, images), &Tensor::full([b], 1e-3, (Kind::Float, images.device())));
        let x = Tensor::arange(k, (Kind::Float, images.device())) - (k / 2) as f64;
        let g = (-(x.square().view([1, k]) / (sigma.square().view([b, 1]) * 2.0))).exp();
        let g = &g / g.sum_dim_intlist(1, true, Kind::Float);
        // One kernel per (sample, channel) pair, applied as a depth-wise convolution.
        let g = g.repeat_interleave_self_int(c, 0, None::<i64>);
        let flat = images.reshape([1, b * c, h, w]).reflection_pad2d([k / 2, k / 2, k / 2, k / 2]);
        let no_bias: Option<Tensor> = None;
        let rows = flat.conv2d(&g.view([b * c, 1, 1, k]), no_bias.as_ref(), [1, 1], [0, 0], [1, 1], b * c);
        let cols = rows.conv2d(&g.view([b * c, 1, k, 1]), no_bias.as_ref(), [1, 1], [0, 0], [1, 1], b * c);
        cols.view([b, c, h, w])
    }
}
