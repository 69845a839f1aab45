//! The encoder every method trains: input normalisation followed by a ResNet backbone.
use super::resnet::{Depth, FeatureLevel, ResNet, Stem};
use crate::data::to_float;
use crate::range::Range;
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

impl EncoderConfig {
    /// Every stage keeps at least 8 channels, so any positive width builds; 4 is the widest
    /// network of the SimCLR paper, and beyond it a ResNet-50 no longer fits in memory.
    pub const WIDTH: Range<f64> = Range::above_up_to(0.0, 4.0).control(0.125, 4.0);

    pub fn validate(&self) -> anyhow::Result<()> {
        Self::WIDTH.check("encoder.width", self.width)
    }
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

impl Features {
    fn of_map(map: Tensor) -> Self {
        let pooled = map.mean_dim([2i64, 3].as_slice(), false, Kind::Float);
        Features { map, pooled }
    }
}

/// ImageNet statistics: the convention of torchvision and DINO weights, so imported weights
/// see the inputs they were trained on.
const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

/// The fewest channels a layer may have for the encoder to run channels-last; 12 was the
/// narrowest seen to work.
const CHANNELS_LAST_MIN: i64 = 16;

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
        Features::of_map(self.backbone.feature_map(&self.normalise(images), train))
    }

    /// The map at `level` alone; the network stops there.
    pub fn level_map(&self, images: &Tensor, level: FeatureLevel, train: bool) -> Tensor {
        self.backbone.level_map(&self.normalise(images), train, level)
    }

    /// The map at `level` and the final features from one forward pass, so that the final
    /// features can be differentiated with respect to that map.
    pub fn features_with_level(
        &self,
        images: &Tensor,
        level: FeatureLevel,
        train: bool,
    ) -> (Tensor, Features) {
        let mut kept = None;
        let map = self.backbone.forward_to(&self.normalise(images), train, FeatureLevel::Layer4, |l, m| {
            if l == level {
                kept = Some(m.shallow_clone());
            }
        });
        let level_map = kept.expect("forward_to visits every level up to layer4");
        (level_map, Features::of_map(map))
    }

    /// Normalised with the ImageNet statistics and laid out channels-last (NHWC), the layout
    /// oneDNN and cuDNN convolve fastest: measured 822 vs 1002 ms per SimCLR step (ResNet-18,
    /// 64 px, batch 64, 2 CPU threads). The logical shape is unchanged.
    fn normalise(&self, images: &Tensor) -> Tensor {
        let x = (images - &self.mean) / &self.std;
        // libtorch 2.11's oneDNN crashes (segfault, double free) in the backward pass of a
        // channels-last 1×1 stride-2 convolution with 8 input channels from 48 px up: layer2's
        // downsample at width 1/8. Such narrow networks keep the plain layout.
        match self.backbone.base_channels() >= CHANNELS_LAST_MIN {
            true => x.permute([0, 2, 3, 1]).contiguous().permute([0, 3, 1, 2]),
            false => x,
        }
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
