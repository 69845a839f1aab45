//! Additive white Gaussian noise (thesis Ch. 4 Table 4.3; PCRL's phantoms, specs/002_pcrl.md §7.5).
use super::tensor::{on_selected, per_sample, selected};
use super::{Augment, Ctx, Param};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// Adds N(0, σ²) noise to every pixel (voxel), σ ~ U(std) per sample, with probability `p`;
/// the result is clamped to [0, 1]. Defaults from specs/004a_thesis_ch1-5.md §4.5 (Table 4.3):
/// std 0.1, p 0.5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GaussianNoise {
    pub p: f64,
    /// Range of the noise's standard deviation, in units of the [0, 1] intensity scale.
    pub std: (f64, f64),
}

impl Default for GaussianNoise {
    fn default() -> Self {
        Self { p: 0.5, std: (0.1, 0.1) }
    }
}

impl Augment for GaussianNoise {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let (b, device) = (images.size()[0], images.device());
        let mask = ctx.rng.coin(b, self.p, device);
        let std = ctx.rng.uniform(b, self.std.0, self.std.1, device);
        // The noise comes from a stream of its own, so that only the selected samples cost a
        // draw while the batch's stream advances by the same amount whatever was selected.
        let mut noise_rng = ctx.rng.fork();
        on_selected(images, &mask, |x| {
            let std = selected(&std, &mask);
            let noise = noise_rng.normal_tensor(&x.size(), device);
            (x + noise * per_sample(&std, x)).clamp(0.0, 1.0)
        })
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Probability(&mut self.p),
            Param::Interval { name: "std", value: &mut self.std, range: (0.0, 1.0) },
        ]
    }
}
