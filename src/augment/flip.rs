use super::cpu;
use super::tensor::on_selected;
use super::{Augment, Ctx, ImageTraits, Param};
use serde::{Deserialize, Serialize};
use tch::Tensor;

/// Mirror left-right (the last axis) with probability `p`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HorizontalFlip {
    pub p: f64,
}

/// Mirror top-bottom (the second-last axis) with probability `p`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerticalFlip {
    pub p: f64,
}

/// Mirror along each spatial axis independently with probability `p` (PCRL's 3D flips).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AxisFlip {
    pub p: f64,
}

impl Default for HorizontalFlip {
    fn default() -> Self {
        Self { p: 0.5 }
    }
}

impl Default for VerticalFlip {
    fn default() -> Self {
        Self { p: 0.5 }
    }
}

impl Default for AxisFlip {
    fn default() -> Self {
        Self { p: 0.5 }
    }
}

/// Flips dimension `dim` of the samples that win a coin of probability `p`.
fn flip(images: &Tensor, dim: i64, p: f64, ctx: &mut Ctx) -> Tensor {
    let chosen = ctx.rng.coins(images.size()[0], p);
    if cpu::runs_here(images) {
        return cpu::flip::flip_batch(images, dim as usize, &chosen);
    }
    let mask = Tensor::from_slice(&chosen).to_device(images.device());
    on_selected(images, &mask, |x| x.flip([dim]))
}

impl Augment for HorizontalFlip {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        flip(images, images.dim() as i64 - 1, self.p, ctx)
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![Param::Probability(&mut self.p)]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        images.modality.has_laterality().then(|| {
            "mirrors left and right: in anatomy the flipped image shows situs inversus and moves \
             a finding to the other side; leave it off if a label depends on the side"
                .into()
        })
    }
}

impl Augment for VerticalFlip {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        flip(images, images.dim() as i64 - 2, self.p, ctx)
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![Param::Probability(&mut self.p)]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        images.modality.has_laterality().then(|| {
            "turns the anatomy upside down (head to feet in coronal and sagittal views), which \
             scans never show"
                .into()
        })
    }
}

impl Augment for AxisFlip {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor {
        (2..images.dim() as i64).fold(images.shallow_clone(), |x, dim| flip(&x, dim, self.p, ctx))
    }

    fn params(&mut self) -> Vec<Param<'_>> {
        vec![Param::Probability(&mut self.p)]
    }

    fn caution(&self, images: &ImageTraits) -> Option<String> {
        images.modality.has_laterality().then(|| {
            "mirrors left-right, front-back and head-feet: anatomy no scan shows; fine for \
             texture, wrong if a label depends on side or position"
                .into()
        })
    }
}
