//! The thesis's chapter 4 (digest specs/004a §4.2): contrastive learning as binary
//! classification of the batch's ordered view pairs into same image / different image
//! (L_Proposed), its Euclidean InfoNCE companion (L_Contr), or their sum (L_Combo).
use super::losses::binary::{self, PairAveraging};
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
    id: "binary_contrastive",
    name: "Binary contrastive (thesis ch. 4)",
    family: "contrastive (pair classification)",
    source: "004_7ad4960432a0c864.txt (thesis ch. 4, ICVGIP'21), digest specs/004a_thesis_ch1-5.md §4",
    summary: "Classify every ordered pair of views in the batch as same image or different image with a \
              logistic classifier on cosine/τ. Unlike InfoNCE, whose bound keeps only a uniformity term, \
              this loss also pulls positives together explicitly; L_Combo adds a Euclidean InfoNCE.",
    needs_labels: false,
};

/// Which of chapter 4's losses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryLoss {
    /// L_Proposed (Eq. 4.14).
    Proposed,
    /// L_Contr (Eq. 4.17).
    Contr,
    /// L_Combo = L_Proposed + L_Contr (Eq. 4.18), the thesis's best rows.
    #[default]
    Combo,
}

crate::choice!(BinaryLoss { Proposed => "L_Proposed", Contr => "L_Contr", Combo => "L_Combo" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BinaryContrastiveConfig {
    pub loss: BinaryLoss,
    /// τ of L_Proposed (0.25).
    pub temperature: f64,
    /// τ_c of L_Contr (0.33).
    pub contr_temperature: f64,
    pub averaging: PairAveraging,
    /// Whether L_Contr measures distances between unit vectors (the thesis does not say).
    pub contr_normalized: bool,
    /// Table 4.3's pipeline, applied to both views.
    pub views: ViewPair,
    /// 2048 → 2048 (ReLU) → 512 or 1024 in Table 4.2.
    pub projector: ProjectorConfig,
    /// Negative control: each view's positive is a view of another image.
    pub shuffle_positives: bool,
}

impl BinaryContrastiveConfig {
    /// The settings the method picker shows as controls.
    pub fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Choice { name: "loss", value: &mut self.loss },
            Param::Number {
                name: "τ of L_Proposed",
                value: &mut self.temperature,
                range: TEMPERATURE.control_pair(),
            },
            Param::Number {
                name: "τ_c of L_Contr",
                value: &mut self.contr_temperature,
                range: TEMPERATURE.control_pair(),
            },
            Param::Toggle { name: "L_Contr on unit vectors", value: &mut self.contr_normalized },
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

    /// Every setting against its declared range; `path` is the config's place ("method.binary_contrastive").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        TEMPERATURE.check(&format!("{path}.temperature"), self.temperature)?;
        TEMPERATURE.check(&format!("{path}.contr_temperature"), self.contr_temperature)?;
        self.projector.validate(&format!("{path}.projector"))
    }
}

impl Default for BinaryContrastiveConfig {
    fn default() -> Self {
        Self {
            loss: BinaryLoss::default(),
            temperature: binary::PROPOSED_TEMPERATURE,
            contr_temperature: binary::CONTR_TEMPERATURE,
            averaging: PairAveraging::default(),
            contr_normalized: true,
            views: ViewPair::symmetric(recipes::thesis_ch4()),
            projector: ProjectorConfig { hidden: None, out: 512, depth: 2 },
            shuffle_positives: false,
        }
    }
}

pub struct BinaryContrastive {
    cfg: BinaryContrastiveConfig,
    siamese: Siamese,
}

impl BinaryContrastive {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: BinaryContrastiveConfig) -> Self {
        Self { siamese: Siamese::new(p, ctx, &cfg.projector, Norm::None, Pass::Joint), cfg }
    }
}

impl Method for BinaryContrastive {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        let c = &self.cfg;
        self.siamese.step(images, &c.views, c.shuffle_positives, |z| match c.loss {
            BinaryLoss::Proposed => Ok((binary::proposed(z, c.temperature, c.averaging)?, Vec::new())),
            BinaryLoss::Contr => {
                Ok((binary::euclidean_info_nce(z, c.contr_temperature, c.contr_normalized)?, Vec::new()))
            }
            BinaryLoss::Combo => {
                let terms =
                    binary::combo(z, c.temperature, c.contr_temperature, c.averaging, c.contr_normalized)?;
                Ok((terms.total.shallow_clone(), terms.metrics()))
            }
        })
    }

    fn encoder(&self) -> &Encoder {
        &self.siamese.net.encoder
    }
}
