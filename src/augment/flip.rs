use super::{coin, where_sample, Augment};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// Mirror left-right with probability `p`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HorizontalFlip {
    pub p: f64,
}

impl Default for HorizontalFlip {
    fn default() -> Self {
        Self { p: 0.5 }
    }
}

impl Augment for HorizontalFlip {
    fn apply(&self, images: &Tensor) -> Tensor {
        let mask = coin(images.size()[0], self.p, images);
        where_sample(&mask, &images.flip([3]), images)
    }
}
