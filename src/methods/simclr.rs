//! SimCLR (Chen et al. 2020): two augmented views per image, a projector, NT-Xent over the
//! 2N views of a batch. The thesis (digest 004a §4.2, §5.3) uses it as its baseline.
use super::two_view::{Pass, ProjectorConfig, Siamese};
use super::{losses, BuildContext, Method, MethodInfo, StepOutput};
use super::{LAYER_WIDTH, TEMPERATURE};
use crate::augment::Param;
use crate::augment::{recipes, ViewPair};
use crate::nn::{Encoder, Norm};
use serde::{Deserialize, Serialize};
use tch::nn;
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

impl SimclrConfig {
    /// The settings the method picker shows as controls.
    pub fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Number {
                name: "temperature τ",
                value: &mut self.temperature,
                range: TEMPERATURE.control_pair(),
            },
            Param::Integer {
                name: "projection width",
                value: &mut self.projector_out,
                range: LAYER_WIDTH.control_pair(),
            },
            Param::Toggle {
                name: "shuffle positives (negative control)",
                value: &mut self.shuffle_positives,
            },
        ]
    }

    /// Every setting against its declared range; `path` is the config's place ("method.simclr").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        TEMPERATURE.check(&format!("{path}.temperature"), self.temperature)?;
        if let Some(hidden) = self.projector_hidden {
            LAYER_WIDTH.check(&format!("{path}.projector_hidden"), hidden)?;
        }
        LAYER_WIDTH.check(&format!("{path}.projector_out"), self.projector_out)
    }
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
    siamese: Siamese,
}

impl Simclr {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: SimclrConfig) -> Self {
        let projector = ProjectorConfig { hidden: cfg.projector_hidden, out: cfg.projector_out, depth: 2 };
        Self { siamese: Siamese::new(p, ctx, &projector, Norm::None, Pass::Joint), cfg }
    }
}

impl Method for Simclr {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        let temperature = self.cfg.temperature;
        self.siamese.step(images, &self.cfg.views, self.cfg.shuffle_positives, |z| {
            Ok((losses::nt_xent(z, temperature), Vec::new()))
        })
    }

    fn encoder(&self) -> &Encoder {
        &self.siamese.net.encoder
    }
}
