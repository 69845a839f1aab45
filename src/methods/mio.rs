//! MIO, the thesis's chapter 5 (digest specs/004a §5.2): the binary contrastive loss with
//! positives and negatives averaged separately (v1), without the positives' hidden repulsion
//! (v2), and with an exponential bound on the negatives (v3, the proposed one).
use super::losses::mio::{self, MioVersion};
use super::two_view::{Pass, ProjectorConfig, Siamese};
use super::{BuildContext, Method, MethodInfo, StepOutput};
use super::{LAYER_WIDTH, TEMPERATURE};
use crate::augment::Param;
use crate::augment::{recipes, ViewPair};
use crate::nn::{Encoder, Norm};
use serde::{Deserialize, Serialize};
use tch::nn;
use tch::Tensor;

pub static INFO: MethodInfo = MethodInfo {
    id: "mio",
    name: "MIO (thesis ch. 5)",
    family: "contrastive (mutual-information bound)",
    source: "004_7ad4960432a0c864.txt (thesis ch. 5), digest specs/004a_thesis_ch1-5.md §5",
    summary: "Maximise a bound on the mutual information between views by classifying view pairs: the \
              mean attraction of positives plus the mean repulsion of negatives, each averaged on its own \
              so the few positives are not drowned. v3 bounds the repulsion by an exponential.",
    needs_labels: false,
};

crate::choice!(MioVersion { V1 => "MIOv1", V2 => "MIOv2", V3 => "MIOv3" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MioConfig {
    pub version: MioVersion,
    /// τ (0.2, the thesis's best of {0.07, 0.1, 0.2, 0.5}).
    pub temperature: f64,
    pub views: ViewPair,
    /// Linear–BN–ReLU–Linear–BN, 512 → 512 → 128 (the lightly head of the thesis, specs/004a §5.3).
    pub projector: ProjectorConfig,
    /// Negative control: each view's positive is a view of another image.
    pub shuffle_positives: bool,
}

impl MioConfig {
    /// The settings the method picker shows as controls.
    pub fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Choice { name: "version", value: &mut self.version },
            Param::Number {
                name: "temperature τ",
                value: &mut self.temperature,
                range: TEMPERATURE.control_pair(),
            },
            Param::Integer {
                name: "projection width",
                value: &mut self.projector.out,
                range: LAYER_WIDTH.control_pair(),
            },
            Param::Toggle {
                name: "shuffle positives (negative control)",
                value: &mut self.shuffle_positives,
            },
        ]
    }

    /// Every setting against its declared range; `path` is the config's place ("method.mio").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        TEMPERATURE.check(&format!("{path}.temperature"), self.temperature)?;
        self.projector.validate(&format!("{path}.projector"))
    }
}

impl Default for MioConfig {
    fn default() -> Self {
        Self {
            version: MioVersion::default(),
            temperature: mio::MIO_TEMPERATURE,
            views: ViewPair::symmetric(recipes::simclr(0.5)),
            projector: ProjectorConfig::default(),
            shuffle_positives: false,
        }
    }
}

pub struct Mio {
    cfg: MioConfig,
    siamese: Siamese,
}

impl Mio {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: MioConfig) -> Self {
        Self { siamese: Siamese::new(p, ctx, &cfg.projector, Norm::HiddenAndOutput, Pass::Joint), cfg }
    }
}

impl Method for Mio {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        let c = &self.cfg;
        self.siamese.step(images, &c.views, c.shuffle_positives, |z| {
            Ok((mio::mio(z, c.temperature, c.version)?, Vec::new()))
        })
    }

    fn encoder(&self) -> &Encoder {
        &self.siamese.net.encoder
    }
}
