//! DySTreSS, the thesis's chapter 6 (digest specs/004b §6.2): InfoNCE in which every pair has
//! its own temperature, a function of the pair's cosine: high near ±1 (likely false negatives,
//! and steady gradients), low near 0 (ordinary negatives still repelled hard).
use super::losses::dystress::{self, TauGradient, TemperatureProfile};
use super::two_view::{Pass, ProjectorConfig, Siamese};
use super::{BuildContext, Method, MethodInfo, StepOutput};
use crate::augment::Param;
use crate::augment::{recipes, ViewPair};
use crate::nn::{Encoder, Norm};
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
    pub fn params(&mut self) -> Vec<Param<'_>> {
        let tau = |name, value| Param::Number { name, value, range: (0.01, 2.0) };
        let mut params = match &mut self.profile {
            TemperatureProfile::Constant { tau: t } => vec![tau("τ", t)],
            TemperatureProfile::Cosine { tau_min, tau_max }
            | TemperatureProfile::Linear { tau_min, tau_max } => {
                vec![tau("τ_min", tau_min), tau("τ_max", tau_max)]
            }
            TemperatureProfile::Shifted { tau_min, tau_max, shift, .. } => vec![
                tau("τ_min", tau_min),
                tau("τ_max", tau_max),
                Param::Number { name: "shift Δc", value: shift, range: (-1.0, 1.0) },
            ],
            TemperatureProfile::Exponential { tau_min, tau_max, rate } => vec![
                tau("τ_min", tau_min),
                tau("τ_max", tau_max),
                Param::Number { name: "rate a", value: rate, range: (0.01, 20.0) },
            ],
        };
        params.push(Param::Toggle {
            name: "shuffle positives (negative control)",
            value: &mut self.shuffle_positives,
        });
        params
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
