//! ResNet family with a width multiplier, in torchvision's parameter layout (so converted
//! torchvision/DINO weights load by name), returning feature maps as well as the pooled vector:
//! GradCAM, similarity maps and decoders need the last map or an earlier one.
use serde::{Deserialize, Serialize};
use tch::nn::{self, ModuleT};
use tch::Tensor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Depth {
    /// One basic block per stage: the CPU-sized "mini-ResNet" of the MixSSL digest (§7.3).
    ResNet10,
    ResNet18,
    ResNet34,
    ResNet50,
}

impl Depth {
    pub const ALL: [Depth; 4] = [Depth::ResNet10, Depth::ResNet18, Depth::ResNet34, Depth::ResNet50];

    pub fn id(self) -> &'static str {
        match self {
            Depth::ResNet10 => "resnet10",
            Depth::ResNet18 => "resnet18",
            Depth::ResNet34 => "resnet34",
            Depth::ResNet50 => "resnet50",
        }
    }

    pub fn parse(s: &str) -> anyhow::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|d| d.id() == s)
            .ok_or_else(|| anyhow::anyhow!("unknown architecture '{s}'"))
    }

    fn blocks_per_stage(self) -> [usize; 4] {
        match self {
            Depth::ResNet10 => [1, 1, 1, 1],
            Depth::ResNet18 => [2, 2, 2, 2],
            Depth::ResNet34 | Depth::ResNet50 => [3, 4, 6, 3],
        }
    }

    fn bottleneck(self) -> bool {
        self == Depth::ResNet50
    }
}

/// The input stem. ImageNet's 7×7/2 conv and max-pool shrink a 64 px image to 16 px before the
/// first block, so small images use the CIFAR-style 3×3/1 stem instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stem {
    Imagenet,
    Small,
}

impl Stem {
    /// Total down-sampling of the stem.
    pub fn stride(self) -> i64 {
        match self {
            Stem::Imagenet => 4,
            Stem::Small => 1,
        }
    }

    /// Down-sampling of the whole network: the stem's, then ×2 in each of stages 2 to 4.
    pub fn network_stride(self) -> i64 {
        self.stride() * 8
    }
}

/// Where in the network a feature map is taken: after the stem or after one of the four stages,
/// torchvision's `layer1` to `layer4`. Earlier levels are finer and less semantic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureLevel {
    Stem,
    Layer1,
    Layer2,
    Layer3,
    /// The last map, the encoder's output.
    #[default]
    Layer4,
}

impl FeatureLevel {
    /// In forward order.
    pub const ALL: [FeatureLevel; 5] = [
        FeatureLevel::Stem,
        FeatureLevel::Layer1,
        FeatureLevel::Layer2,
        FeatureLevel::Layer3,
        FeatureLevel::Layer4,
    ];

    pub fn id(self) -> &'static str {
        match self {
            FeatureLevel::Stem => "stem",
            FeatureLevel::Layer1 => "layer1",
            FeatureLevel::Layer2 => "layer2",
            FeatureLevel::Layer3 => "layer3",
            FeatureLevel::Layer4 => "layer4",
        }
    }

    pub fn parse(s: &str) -> anyhow::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.id() == s)
            .ok_or_else(|| anyhow::anyhow!("unknown feature level '{s}': use stem or layer1 to layer4"))
    }

    /// The level that stage `i` (0-based) ends in.
    fn after_stage(i: usize) -> Self {
        Self::ALL[i + 1]
    }
}

fn conv(p: nn::Path, cin: i64, cout: i64, k: i64, stride: i64) -> nn::Conv2D {
    let cfg = nn::ConvConfig {
        stride,
        padding: k / 2,
        bias: false,
        ws_init: nn::Init::Kaiming {
            dist: nn::init::NormalOrUniform::Normal,
            fan: nn::init::FanInOut::FanOut,
            non_linearity: nn::init::NonLinearity::ReLU,
        },
        ..Default::default()
    };
    nn::conv2d(p, cin, cout, k, cfg)
}

fn bn(p: nn::Path, c: i64) -> nn::BatchNorm {
    nn::batch_norm2d(p, c, Default::default())
}

/// A residual block; `Basic` for ResNet-10/18/34, `Bottleneck` (expansion 4) for ResNet-50.
#[derive(Debug)]
struct Block {
    convs: Vec<(nn::Conv2D, nn::BatchNorm)>,
    downsample: Option<(nn::Conv2D, nn::BatchNorm)>,
}

impl Block {
    fn new(p: &nn::Path, cin: i64, planes: i64, stride: i64, bottleneck: bool) -> (Self, i64) {
        let (shapes, cout): (Vec<(i64, i64, i64, i64)>, i64) = if bottleneck {
            let cout = planes * 4;
            (vec![(cin, planes, 1, 1), (planes, planes, 3, stride), (planes, cout, 1, 1)], cout)
        } else {
            (vec![(cin, planes, 3, stride), (planes, planes, 3, 1)], planes)
        };
        let convs = shapes
            .into_iter()
            .enumerate()
            .map(|(i, (a, b, k, s))| {
                let n = i + 1;
                (conv(p / format!("conv{n}"), a, b, k, s), bn(p / format!("bn{n}"), b))
            })
            .collect();
        let downsample = (stride != 1 || cin != cout).then(|| {
            let d = p / "downsample";
            (conv(&d / "0", cin, cout, 1, stride), bn(&d / "1", cout))
        });
        (Self { convs, downsample }, cout)
    }

    fn forward(&self, x: &Tensor, train: bool) -> Tensor {
        let last = self.convs.len() - 1;
        let mut y = x.shallow_clone();
        for (i, (c, b)) in self.convs.iter().enumerate() {
            y = y.apply(c).apply_t(b, train);
            if i < last {
                y = y.relu();
            }
        }
        let skip = match &self.downsample {
            Some((c, b)) => x.apply(c).apply_t(b, train),
            None => x.shallow_clone(),
        };
        (y + skip).relu()
    }
}

#[derive(Debug)]
pub struct ResNet {
    stem: Stem,
    conv1: nn::Conv2D,
    bn1: nn::BatchNorm,
    stages: Vec<Vec<Block>>,
    /// The stem's and first stage's channels, the fewest any layer has.
    base_channels: i64,
    out_channels: i64,
}

impl ResNet {
    /// `width` scales every stage's channel count (64·width, 128·width, …), at least 8 each.
    pub fn new(p: &nn::Path, depth: Depth, width: f64, stem: Stem, in_channels: i64) -> Self {
        let scaled = |c: f64| ((c * width).round() as i64).max(8);
        let base = scaled(64.0);
        let conv1 = match stem {
            Stem::Imagenet => conv(p / "conv1", in_channels, base, 7, 2),
            Stem::Small => conv(p / "conv1", in_channels, base, 3, 1),
        };
        let bn1 = bn(p / "bn1", base);
        let mut cin = base;
        let mut stages = Vec::new();
        for (i, n_blocks) in depth.blocks_per_stage().into_iter().enumerate() {
            let planes = scaled(64.0 * (1 << i) as f64);
            let sp = p / format!("layer{}", i + 1);
            let mut blocks = Vec::new();
            for j in 0..n_blocks {
                let stride = if i > 0 && j == 0 { 2 } else { 1 };
                let (block, cout) = Block::new(&(&sp / j), cin, planes, stride, depth.bottleneck());
                blocks.push(block);
                cin = cout;
            }
            stages.push(blocks);
        }
        Self { stem, conv1, bn1, stages, base_channels: base, out_channels: cin }
    }

    pub fn base_channels(&self) -> i64 {
        self.base_channels
    }

    pub fn out_channels(&self) -> i64 {
        self.out_channels
    }

    /// Input pixels per cell of the last feature map.
    pub fn stride(&self) -> i64 {
        self.stem.network_stride()
    }

    /// Input pixels per cell of `level`'s map: the stem's stride, doubled by stages 2 to 4.
    pub fn level_stride(&self, level: FeatureLevel) -> i64 {
        let halvings = (level as u32).saturating_sub(FeatureLevel::Layer1 as u32);
        self.stem.stride() << halvings
    }

    /// The last feature map, `[B, out_channels, H/stride, W/stride]`.
    pub fn feature_map(&self, x: &Tensor, train: bool) -> Tensor {
        self.forward_to(x, train, FeatureLevel::Layer4, |_, _| {})
    }

    /// Runs the network only as far as `level` and returns that level's map.
    pub fn level_map(&self, x: &Tensor, train: bool, level: FeatureLevel) -> Tensor {
        self.forward_to(x, train, level, |_, _| {})
    }

    /// Runs the network as far as `deepest`, showing each level's map to `visit` as it is made,
    /// and returns `deepest`'s map. One loop serves the last map, a chosen level, and a caller
    /// that keeps an earlier map while the forward pass goes on (GradCAM).
    pub fn forward_to(
        &self,
        x: &Tensor,
        train: bool,
        deepest: FeatureLevel,
        mut visit: impl FnMut(FeatureLevel, &Tensor),
    ) -> Tensor {
        let mut y = x.apply(&self.conv1).apply_t(&self.bn1, train).relu();
        if self.stem == Stem::Imagenet {
            y = y.max_pool2d([3, 3], [2, 2], [1, 1], [1, 1], false);
        }
        visit(FeatureLevel::Stem, &y);
        for (i, stage) in self.stages.iter().enumerate() {
            let level = FeatureLevel::after_stage(i);
            if level > deepest {
                break;
            }
            for block in stage {
                y = block.forward(&y, train);
            }
            visit(level, &y);
        }
        y
    }
}

impl ModuleT for ResNet {
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        self.feature_map(x, train).mean_dim([2i64, 3].as_slice(), false, tch::Kind::Float)
    }
}
