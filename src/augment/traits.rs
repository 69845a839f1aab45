//! What every augmentation implements, and what it is given when it runs.
use super::{AugRng, Param};
use tch::Tensor;

/// One augmentation: `[B, C, H, W]` images or `[B, C, D, H, W]` volumes with values in [0, 1]
/// (C = 1 grey or 3 RGB) to the same shape and range, each sample drawn independently.
pub trait Augment {
    fn apply(&self, images: &Tensor, ctx: &mut Ctx) -> Tensor;

    /// Every parameter with the values it accepts, for the studio's controls and validation.
    fn params(&mut self) -> Vec<Param<'_>>;

    /// Whether the op is defined for 2 (images) or 3 (volumes) spatial dimensions.
    fn supports(&self, spatial_dims: usize) -> bool {
        spatial_dims == 2 || spatial_dims == 3
    }

    /// Why the op may be wrong for these images (it may change what the label means, or do
    /// nothing at all), if it may.
    fn caution(&self, _images: &ImageTraits) -> Option<String> {
        None
    }
}

/// What an op may draw on while it runs.
pub struct Ctx<'a> {
    pub rng: &'a mut AugRng,
    /// Images from another domain, `[N, C, H, W]` in [0, 1], for ops that mix (MixSSL's
    /// cross-domain mix-up); `None` where the caller has none.
    pub auxiliary: Option<&'a Tensor>,
}

impl<'a> Ctx<'a> {
    pub fn new(rng: &'a mut AugRng) -> Self {
        Self { rng, auxiliary: None }
    }
}

/// The imaging modality, as far as augmentations care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modality {
    Ct,
    Mr,
    /// Projection radiographs (CR, DX, mammography).
    Xray,
    /// Stained tissue (H&E and other brightfield stains).
    Histology,
    /// Photographs and anything else in colour.
    Natural,
    Unknown,
}

impl Modality {
    /// From a DICOM Modality code (0008,0060).
    pub fn from_dicom(code: &str) -> Self {
        match code.trim() {
            "CT" => Modality::Ct,
            "MR" => Modality::Mr,
            "CR" | "DX" | "MG" | "RF" | "XA" => Modality::Xray,
            "SM" | "GM" => Modality::Histology,
            "XC" | "OP" | "ES" => Modality::Natural,
            _ => Modality::Unknown,
        }
    }

    /// Anatomy whose left and right differ (situs, laterality of findings).
    pub fn has_laterality(self) -> bool {
        matches!(self, Modality::Ct | Modality::Mr | Modality::Xray)
    }
}

/// What the studio knows about the images being augmented.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageTraits {
    pub modality: Modality,
    /// One channel, or three equal ones: colour ops do nothing to these.
    pub grey: bool,
    pub volumetric: bool,
}
