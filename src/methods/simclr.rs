//! SimCLR (Chen et al. 2020): two augmented views per image, a projector, NT-Xent over the
//! 2N views of a batch. The thesis (digest 004a §4.2, §5.3) uses it as its baseline.
use super::{losses, BuildContext, Method, MethodInfo, PreviewRow, StepOutput};
use crate::augment::{recipes, AugRng, ViewPair};
use crate::nn::{Encoder, Mlp};
use serde::{Deserialize, Serialize};
use tch::nn::{self, Module};
use tch::Tensor;

pub static INFO: MethodInfo = MethodInfo {
    id: "simclr",
    name: "SimCLR",
    family: "contrastive (instance)",
    source: "004_7ad4960432a0c864.txt (thesis ch. 4-5), digest specs/004a_thesis_ch1-5.md",
    summary: "Pull two augmented views of an image together, push the other 2N-2 views apart (NT-Xent).",
    needs_labels: false,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimclrConfig {
    /// τ; 0.1, the value the thesis uses for SimCLR.
    pub temperature: f64,
    /// Hidden width of the projector; `None` uses the encoder's output width (512-512-128).
    pub projector_hidden: Option<i64>,
    pub projector_out: i64,
    /// The two views; SimCLR draws both from one pipeline.
    pub views: ViewPair,
    /// Negative control for teaching and tests: pair each view with a view of another image,
    /// so the "positives" carry no shared content and nothing useful can be learned.
    pub shuffle_positives: bool,
}

impl Default for SimclrConfig {
    fn default() -> Self {
        Self {
            temperature: 0.1,
            projector_hidden: None,
            projector_out: 128,
            views: ViewPair::symmetric(recipes::simclr(1.0)),
            shuffle_positives: false,
        }
    }
}

pub struct Simclr {
    cfg: SimclrConfig,
    rng: AugRng,
    encoder: Encoder,
    projector: Mlp,
}

impl Simclr {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: SimclrConfig) -> Self {
        let encoder = Encoder::new(&(p / "encoder"), ctx.encoder);
        let c = encoder.out_channels();
        let hidden = cfg.projector_hidden.unwrap_or(c);
        let projector = Mlp::new(&(p / "projector"), &[c, hidden, cfg.projector_out]);
        Self { cfg, rng: AugRng::new(ctx.seed), encoder, projector }
    }
}

impl Method for Simclr {
    fn step(&mut self, images: &Tensor) -> StepOutput {
        let (a, mut b) = self.cfg.views.apply(images, &mut self.rng);
        if self.cfg.shuffle_positives {
            let n = images.size()[0];
            b = b.index_select(0, &self.rng.permutation(n, images.device()));
        }
        let z = self.projector.forward(&self.encoder.features(&Tensor::cat(&[&a, &b], 0), true).pooled);
        let loss = losses::nt_xent(&z, self.cfg.temperature);
        let fed = vec![
            PreviewRow::new("input", images),
            PreviewRow::new("view 1", &a),
            PreviewRow::new("view 2", &b),
        ];
        StepOutput { loss, metrics: Vec::new(), fed }
    }

    fn encoder(&self) -> &Encoder {
        &self.encoder
    }
}
