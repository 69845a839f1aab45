//! DySTreSS, the thesis's chapter 6 (digest specs/004b §6.2): InfoNCE in which every pair has
//! its own temperature, a function of the pair's cosine: high near ±1 (likely false negatives,
//! and steady gradients), low near 0 (ordinary negatives still repelled hard).
use super::losses::dystress::{self, TauGradient, TemperatureProfile, RATE, SHIFT, TAU};
use super::two_view::{Pass, ProjectorConfig, Siamese};
use super::{BuildContext, Method, MethodInfo, StepOutput};
use crate::augment::Param;
use crate::augment::{recipes, ViewPair};
use crate::nn::{Encoder, Norm};
use crate::range::Range;
use serde::{Deserialize, Serialize};
use tch::nn;
use tch::Tensor;

pub static INFO: MethodInfo = MethodInfo {
    id: "dystress",
    name: "DySTreSS (thesis ch. 6)",
    family: "contrastive (instance, dynamic temperature)",
    source: "004_7ad4960432a0c864.txt (thesis ch. 6), digest specs/004b_thesis_ch6-8.md §6",
    summary: "NT-Xent where each pair's temperature depends on its cosine: τ_max for pairs near ±1, τ_min \
              for pairs near 0. Hard, nearly aligned negatives (often the same anatomy) are pushed more \
              gently, while ordinary negatives are still pushed hard. The dashboard plots τ(c).",
    needs_labels: false,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DystressConfig {
    /// τ(c): the cosine profile of Eq. 6.16 by default, or the shifted one of Alg. 6.1.
    pub profile: TemperatureProfile,
    pub tau_gradient: TauGradient,
    pub views: ViewPair,
    /// Linear–BN–ReLU–Linear–BN, 512 → 512 → 128 for a ResNet-18 (specs/004b §6.2.9).
    pub projector: ProjectorConfig,
    /// Negative control: each view's positive is a view of another image.
    pub shuffle_positives: bool,
}

impl DystressConfig {
    /// The settings the method picker shows as controls: the profile's own numbers.
    pub fn params<'a>(&'a mut self) -> Vec<Param<'a>> {
        let (low, high) = TAU.control_pair();
        // τ_min's control stops at τ_max and τ_max's at τ_min, as validation requires.
        let pair = |tau_min: &'a mut f64, tau_max: &'a mut f64| {
            let (min, max) = (*tau_min, *tau_max);
            vec![
                Param::Number { name: "τ_min", value: tau_min, range: (low, max.min(high)) },
                Param::Number { name: "τ_max", value: tau_max, range: (min.max(low), high) },
            ]
        };
        let number =
            |name, value, range: Range<f64>| Param::Number { name, value, range: range.control_pair() };
        let mut params = match &mut self.profile {
            TemperatureProfile::Constant { tau } => {
                vec![Param::Number { name: "τ", value: tau, range: (low, high) }]
            }
            TemperatureProfile::Cosine { tau_min, tau_max }
            | TemperatureProfile::Linear { tau_min, tau_max } => pair(tau_min, tau_max),
            TemperatureProfile::Shifted { tau_min, tau_max, shift, .. } => {
                let mut params = pair(tau_min, tau_max);
                params.push(number("shift Δc", shift, SHIFT));
                params
            }
            TemperatureProfile::Exponential { tau_min, tau_max, rate } => {
                let mut params = pair(tau_min, tau_max);
                params.push(number("rate a", rate, RATE));
                params
            }
        };
        params.push(Param::Toggle {
            name: "shuffle positives (negative control)",
            value: &mut self.shuffle_positives,
        });
        params
    }

    /// Every setting against its declared range; `path` is the config's place ("method.dystress").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        self.profile.validate(&format!("{path}.profile"))?;
        self.projector.validate(&format!("{path}.projector"))
    }
}

impl Default for DystressConfig {
    fn default() -> Self {
        Self {
            profile: TemperatureProfile::default(),
            tau_gradient: TauGradient::default(),
            views: ViewPair::symmetric(recipes::simclr(0.5)),
            projector: ProjectorConfig::default(),
            shuffle_positives: false,
        }
    }
}

pub struct Dystress {
    cfg: DystressConfig,
    siamese: Siamese,
}

impl Dystress {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: DystressConfig) -> Self {
        Self { siamese: Siamese::new(p, ctx, &cfg.projector, Norm::HiddenAndOutput, Pass::Joint), cfg }
    }
}

impl Method for Dystress {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        let c = &self.cfg;
        let mut out = self.siamese.step(images, &c.views, c.shuffle_positives, |z| {
            Ok((dystress::dystress(z, c.profile, c.tau_gradient)?, Vec::new()))
        })?;
        if let Some(e) = out.embeddings.as_mut() {
            e.temperature = Some(c.profile);
        }
        Ok(out)
    }

    fn encoder(&self) -> &Encoder {
        &self.siamese.net.encoder
    }
}
