//! The CycleGAN-style bottleneck decoder of MixSSL (digest §2.4.1): no skip connections from the
//! encoder, so every reconstructed pixel has to pass through the representation.
use serde::{Deserialize, Serialize};
use tch::nn::{self, Module};
use tch::Tensor;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecoderConfig {
    /// Channels after the 1×1 adapter (256 in the paper setting, 128 on CPU).
    pub channels: i64,
    /// CycleGAN residual blocks at the bottleneck resolution (9 in the paper setting).
    pub residual_blocks: usize,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        Self { channels: 256, residual_blocks: 9 }
    }
}

/// CycleGAN's convention: weights ~ N(0, 0.02), bias on, instance norm without affine terms.
fn conv_cfg(stride: i64) -> nn::ConvConfig {
    nn::ConvConfig { stride, ws_init: nn::Init::Randn { mean: 0.0, stdev: 0.02 }, ..Default::default() }
}

fn instance_norm(x: &Tensor) -> Tensor {
    x.instance_norm(None::<Tensor>, None::<Tensor>, None::<Tensor>, None::<Tensor>, true, 0.1, 1e-5, false)
}

#[derive(Debug)]
struct ResidualBlock {
    a: nn::Conv2D,
    b: nn::Conv2D,
}

impl ResidualBlock {
    fn forward(&self, x: &Tensor) -> Tensor {
        let y = instance_norm(&x.reflection_pad2d([1, 1, 1, 1]).apply(&self.a)).relu();
        let y = instance_norm(&y.reflection_pad2d([1, 1, 1, 1]).apply(&self.b));
        x + y
    }
}

#[derive(Debug)]
pub struct Decoder {
    adapter: nn::Conv2D,
    blocks: Vec<ResidualBlock>,
    ups: Vec<nn::ConvTranspose2D>,
    out: nn::Conv2D,
}

impl Decoder {
    /// `stride` is the encoder's down-sampling factor (a power of two); one up-block per
    /// halving brings the map back to the input size. Channels halve each time, down to 16.
    pub fn new(p: &nn::Path, in_channels: i64, stride: i64, cfg: &DecoderConfig) -> Self {
        assert!(stride > 0 && stride & (stride - 1) == 0, "encoder stride must be a power of two");
        let d = cfg.channels;
        let adapter = nn::conv2d(p / "adapter", in_channels, d, 1, conv_cfg(1));
        let blocks = (0..cfg.residual_blocks)
            .map(|i| {
                let bp = p / format!("res{i}");
                ResidualBlock {
                    a: nn::conv2d(&bp / "a", d, d, 3, conv_cfg(1)),
                    b: nn::conv2d(&bp / "b", d, d, 3, conv_cfg(1)),
                }
            })
            .collect();
        let mut c = d;
        let mut ups = Vec::new();
        for i in 0..stride.trailing_zeros() {
            let next = (c / 2).max(16);
            let cfg = nn::ConvTransposeConfig {
                stride: 2,
                padding: 1,
                output_padding: 1,
                ws_init: nn::Init::Randn { mean: 0.0, stdev: 0.02 },
                ..Default::default()
            };
            ups.push(nn::conv_transpose2d(p / format!("up{i}"), c, next, 3, cfg));
            c = next;
        }
        let out = nn::conv2d(p / "out", c, 3, 7, conv_cfg(1));
        Self { adapter, blocks, ups, out }
    }
}

impl Module for Decoder {
    /// A feature map in, an image in [-1, 1] out (Tanh, as CycleGAN's generator).
    fn forward(&self, map: &Tensor) -> Tensor {
        let mut y = instance_norm(&map.apply(&self.adapter)).relu();
        for b in &self.blocks {
            y = b.forward(&y);
        }
        for u in &self.ups {
            y = instance_norm(&y.apply(u)).relu();
        }
        y.reflection_pad2d([3, 3, 3, 3]).apply(&self.out).tanh()
    }
}
