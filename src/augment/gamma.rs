//! Random gamma (PCRL's "random gamma", specs/002_pcrl.md §7.5; the thesis's intensity
//! transform, specs/004b_thesis_ch6-8.md §7.3).
use super::tensor::{on_selected, per_sample, selected};
use super::{Augment, Ctx, Param};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// x^γ with γ drawn log-uniformly from `gamma` per sample (so γ and 1/γ are equally likely
/// for a symmetric range), with probability `p`: γ < 1 brightens the dark values, γ > 1 darkens
/// them; 0 and 1 stay. Default γ (0.7, 1.5), nnU-Net's `GammaTransform` (batchgenerators);
/// p 0.5, as the other intensity ops here (the digests give none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Gamma {
    pub p: f64,
    pub gamma: (f64, f64),
}

impl Default for Gamma {
    fn default() -> Self {
        Self { p: 0.5, gamma: (0.7, 1.5) }
    }
}

impl Augment for Gamma {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let mask = ctx.rng.coin(b, self.p, device);
        let gamma = ctx.rng.log_uniform(b, self.gamma.0, self.gamma.1, device);
        on_selected(images, &mask, |x| {
            let gamma = selected(&gamma, &mask);
            x.clamp(0.0, 1.0).pow(&per_sample(&gamma, x))
        })
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Interval { name: "gamma", value: &mut self.gamma, range: (0.1, 10.0) },
        ]
    }
}
