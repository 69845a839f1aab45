use super::{coin, luma, where_sample, Augment};
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
    fn apply(&self, images: &Tensor) -> Tensor {
        let mask = coin(images.size()[0], self.p, images);
        where_sample(&mask, &luma(images).expand_as(images), images)
    }
}
