use super::cpu;
use super::tensor::{luma, on_selected};
use super::{Augment, Ctx, ImageTraits, Param};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// Replace the colour by its luma (kept as 3 channels) with probability `p`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandomGrayscale {
    pub p: f64,
}

impl Default for RandomGrayscale {
    fn default() -> Self {
        Self { p: 0.2 }
    }
}

impl Augment for RandomGrayscale {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        let chosen = ctx.rng.coins(images.size()[0], self.p);
        if images.size()[1] != 3 {
            return images.shallow_clone();
        }
        if cpu::runs_here(images) {
            return cpu::grey::grey_batch(images, &chosen);
        }
        let mask = Tensor::from_slice(&chosen).to_device(images.device());
        on_selected(images, &mask, |x| luma(x).expand_as(x))
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![Param::Probability(&mut self.p)]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        images.grey.then(|| "does nothing: the images are already grey".into())
    }
}
