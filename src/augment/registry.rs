//! Every op by name: the serialised tag in presets, the label in the studio, its family.
use super::*;
use serde::{Deserialize, Serialize};

/// Groups for the studio's "Add operation" menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Moves pixels: crops, flips, rotations, warps.
    Geometry,
    /// Changes values pixel by pixel: colour, contrast, noise.
    Intensity,
    /// Hides or scrambles content: cut-out, painting, shuffling.
    Corruption,
    /// Composites: RandAugment, mix-up, jigsaw, a random choice among ops.
    Composite,
}

impl Family {
    pub const ALL: [Family; 4] = [Family::Geometry, Family::Intensity, Family::Corruption, Family::Composite];

    pub fn label(self) -> &'static str {
        match self {
            Family::Geometry => "Geometry",
            Family::Intensity => "Intensity and colour",
            Family::Corruption => "Corruption",
            Family::Composite => "Composite",
        }
    }
}

macro_rules! registry {
    ($($variant:ident: $label:literal, $family:ident;)+) => {
        /// One op of a pipeline, tagged by `op = "snake_case_name"` in TOML.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op", rename_all = "snake_case")]
        pub enum AugmentOp {
            $($variant($variant),)+
        }

        impl AugmentOp {
            /// One of each op with its default parameters, in menu order.
            pub fn catalog() -> Vec<AugmentOp> {
                vec![$(AugmentOp::$variant($variant::default()),)+]
            }

            pub fn label(&self) -> &'static str {
                match self {
                    $(AugmentOp::$variant(_) => $label,)+
                }
            }

            pub fn family(&self) -> Family {
                match self {
                    $(AugmentOp::$variant(_) => Family::$family,)+
                }
            }

            pub fn as_augment(&self) -> &dyn Augment {
                match self {
                    $(AugmentOp::$variant(a) => a,)+
                }
            }

            pub fn as_augment_mut(&mut self) -> &mut dyn Augment {
                match self {
                    $(AugmentOp::$variant(a) => a,)+
                }
            }
        }
    };
}

registry! {
    RandomResizedCrop: "Random resized crop", Geometry;
    HorizontalFlip: "Horizontal flip", Geometry;
    VerticalFlip: "Vertical flip", Geometry;
    AxisFlip: "Flip along each axis (3D)", Geometry;
    Rotate: "Rotation", Geometry;
    Rotate90: "Rotation by 90° steps", Geometry;
    Affine: "Affine (scale, shear, shift)", Geometry;
    Elastic: "Elastic deformation", Geometry;
    ColorJitter: "Colour jitter", Intensity;
    RandomGrayscale: "Grayscale", Intensity;
    GaussianBlur: "Gaussian blur", Intensity;
    GaussianNoise: "Gaussian noise", Intensity;
    Gamma: "Gamma", Intensity;
    WindowJitter: "CT window jitter", Intensity;
    StainJitter: "H&E stain jitter (HED)", Intensity;
    BezierIntensity: "Non-linear intensity (Bézier)", Intensity;
    Solarize: "Solarise", Intensity;
    Posterize: "Posterise", Intensity;
    Equalize: "Equalise", Intensity;
    AutoContrast: "Autocontrast", Intensity;
    Sharpness: "Sharpness", Intensity;
    Cutout: "Cut-out", Corruption;
    Inpaint: "In-painting", Corruption;
    Outpaint: "Out-painting", Corruption;
    LocalPixelShuffle: "Local pixel shuffling", Corruption;
    RandAugment: "RandAugment", Composite;
    Mixup: "Cross-domain mix-up", Composite;
    Jigsaw: "Jigsaw (3×3 shuffle)", Composite;
    OneOf: "One of several", Composite;
}
