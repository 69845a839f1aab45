//! The encoder every method trains: input normalisation followed by a ResNet backbone.
use super::resnet::{Depth, ResNet, Stem};
use crate::data::to_float;
use serde::{Deserialize, Serialize};
use tch::{nn, Device, Kind, Tensor};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncoderConfig {
    pub arch: Depth,
    /// Channel multiplier on every stage (1.0 = the standard network).
    pub width: f64,
    pub stem: Stem,
}

impl Default for EncoderConfig {
    fn default() -> Self {
        Self { arch: Depth::ResNet18, width: 1.0, stem: Stem::Small }
    }
}

/// What an encoder returns: the last feature map and its global average.
pub struct Features {
    pub map: Tensor,
    pub pooled: Tensor,
}

/// ImageNet statistics: the convention of torchvision and DINO weights, so imported weights
/// see the inputs they were trained on.
const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

#[derive(Debug)]
pub struct Encoder {
    pub backbone: ResNet,
    mean: Tensor,
    std: Tensor,
}

impl Encoder {
    pub fn new(p: &nn::Path, cfg: &EncoderConfig) -> Self {
        let backbone = ResNet::new(p, cfg.arch, cfg.width, cfg.stem, 3);
        let stat = |v: [f32; 3], d: Device| Tensor::from_slice(&v).view([1, 3, 1, 1]).to_device(d);
        Self { backbone, mean: stat(MEAN, p.device()), std: stat(STD, p.device()) }
    }

    pub fn out_channels(&self) -> i64 {
        self.backbone.out_channels()
    }

    /// `images` are `[B, 3, H, W]` in [0, 1].
    pub fn features(&self, images: &Tensor, train: bool) -> Features {
        // Channels-last (NHWC) memory, the layout oneDNN and cuDNN convolve fastest: measured
        // 822 vs 1002 ms per SimCLR step (ResNet-18, 64 px, batch 64, 2 CPU threads). Logical
        // shape and values are unchanged.
        let x = ((images - &self.mean) / &self.std).permute([0, 2, 3, 1]).contiguous().permute([0, 3, 1, 2]);
        let map = self.backbone.feature_map(&x, train);
        let pooled = map.mean_dim([2i64, 3].as_slice(), false, Kind::Float);
        Features { map, pooled }
    }

    /// Pooled features of many images (stored bytes or floats) in eval mode, without building
    /// a graph, in chunks so that a large held-out set fits in memory.
    pub fn embed(&self, images: &Tensor, chunk: i64) -> Tensor {
        tch::no_grad(|| {
            let parts: Vec<Tensor> =
                images.split(chunk, 0).iter().map(|x| self.features(&to_float(x), false).pooled).collect();
            Tensor::cat(&parts, 0)
        })
    }
}
