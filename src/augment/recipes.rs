//! The augmentation recipes of the reference methods, as pipelines, plus medical starting
//! points. Methods take their defaults from here; the studio lists `all()`.
use super::*;

/// A named recipe for the studio's menu.
pub struct Recipe {
    pub name: &'static str,
    /// Where the recipe comes from.
    pub source: &'static str,
    pub views: ViewPair,
}

/// Every recipe, in menu order.
pub fn all() -> Vec<Recipe> {
    let symmetric = ViewPair::symmetric;
    vec![
        Recipe { name: "SimCLR", source: "Chen et al. 2020; thesis ch. 5", views: symmetric(simclr(1.0)) },
        Recipe { name: "MoCo v2", source: "specs/003 §3 (Table V)", views: symmetric(moco_v2()) },
        Recipe { name: "BYOL (asymmetric)", source: "specs/003 §3", views: byol() },
        Recipe { name: "FixMatch weak / strong", source: "specs/003 §3", views: fixmatch() },
        Recipe {
            name: "Thesis ch. 4 (Table 4.3)",
            source: "specs/004a §4.5",
            views: symmetric(thesis_ch4()),
        },
        Recipe {
            name: "Models Genesis",
            source: "specs/002 §3.1 (code)",
            views: symmetric(models_genesis()),
        },
        Recipe {
            name: "PCRL low-level corruption",
            source: "specs/002 §3.1",
            views: symmetric(pcrl_corruption()),
        },
        Recipe {
            name: "CT slices (no colour, no mirroring)",
            source: "workbench default",
            views: symmetric(ct()),
        },
        Recipe { name: "H&E tiles", source: "workbench default", views: symmetric(histology()) },
    ]
}

/// SimCLR (Chen et al. 2020): crop scale (0.08, 1), flip, colour jitter of strength `s` with
/// p 0.8, grayscale p 0.2, blur p 0.5 with a kernel of 10 % of the side.
pub fn simclr(strength: f64) -> Pipeline {
    Pipeline::new([
        AugmentOp::RandomResizedCrop(RandomResizedCrop::default()),
        AugmentOp::HorizontalFlip(HorizontalFlip::default()),
        AugmentOp::ColorJitter(ColorJitter::with_strength(strength)),
        AugmentOp::RandomGrayscale(RandomGrayscale::default()),
        AugmentOp::GaussianBlur(GaussianBlur::default()),
    ])
}

/// MoCo v2: crop scale (0.2, 1), jitter (0.4, 0.4, 0.4, 0.1) p 0.8 (SimCLR's strength 0.5),
/// grayscale 0.2, blur p 0.5, flip.
pub fn moco_v2() -> Pipeline {
    Pipeline::new([
        AugmentOp::RandomResizedCrop(RandomResizedCrop { scale: (0.2, 1.0), ..Default::default() }),
        AugmentOp::ColorJitter(ColorJitter::with_strength(0.5)),
        AugmentOp::RandomGrayscale(RandomGrayscale::default()),
        AugmentOp::GaussianBlur(GaussianBlur::default()),
        AugmentOp::HorizontalFlip(HorizontalFlip::default()),
    ])
}

/// BYOL's two views differ in blur (p 1.0 / 0.1) and solarisation (p 0.0 / 0.2).
pub fn byol() -> ViewPair {
    let view = |blur: f64, solarize: f64| {
        Pipeline::new([
            AugmentOp::RandomResizedCrop(RandomResizedCrop::default()),
            AugmentOp::HorizontalFlip(HorizontalFlip::default()),
            AugmentOp::ColorJitter(ColorJitter {
                p: 0.8,
                brightness: 0.4,
                contrast: 0.4,
                saturation: 0.2,
                hue: 0.1,
            }),
            AugmentOp::RandomGrayscale(RandomGrayscale::default()),
            AugmentOp::GaussianBlur(GaussianBlur { p: blur, ..Default::default() }),
            AugmentOp::Solarize(Solarize { p: solarize, ..Default::default() }),
        ])
    };
    ViewPair { first: view(1.0, 0.0), second: Some(view(0.1, 0.2)) }
}

/// FixMatch: weak = flip + 12.5 % translation with reflection; strong = the same, then
/// RandAugment (N 2, random magnitudes) and a grey Cutout of half the side.
pub fn fixmatch() -> ViewPair {
    let weak = [
        AugmentOp::HorizontalFlip(HorizontalFlip::default()),
        AugmentOp::Affine(Affine::translate_only(0.125)),
    ];
    let mut strong = weak.to_vec();
    strong.push(AugmentOp::RandAugment(RandAugment::default()));
    ViewPair { first: Pipeline::new(weak), second: Some(Pipeline::new(strong)) }
}

/// The thesis's chapter-4 set (Table 4.3), in table order with the digest's probabilities.
pub fn thesis_ch4() -> Pipeline {
    Pipeline::new([
        AugmentOp::RandomResizedCrop(RandomResizedCrop::default()),
        AugmentOp::GaussianBlur(GaussianBlur { p: 0.5, kernel_size: 5, ..Default::default() }),
        AugmentOp::Rotate(Rotate { p: 0.5, degrees: (-30.0, 30.0), ..Default::default() }),
        AugmentOp::Cutout(Cutout { p: 0.5, holes: (1, 4), side: (0.25, 0.25), ..Default::default() }),
        AugmentOp::ColorJitter(ColorJitter {
            p: 0.8,
            brightness: 0.2,
            contrast: 0.2,
            saturation: 0.2,
            hue: 0.0,
        }),
        AugmentOp::GaussianNoise(GaussianNoise { p: 0.5, std: (0.1, 0.1) }),
    ])
}

/// Painting as Models Genesis schedules it: 90 % of samples, out-painting for 80 % of those.
fn painting() -> AugmentOp {
    AugmentOp::OneOf(OneOf {
        p: 0.9,
        choices: vec![
            Weighted { weight: 0.2, op: AugmentOp::Inpaint(Inpaint { p: 1.0, ..Default::default() }) },
            Weighted { weight: 0.8, op: AugmentOp::Outpaint(Outpaint { p: 1.0, ..Default::default() }) },
        ],
    })
}

/// Models Genesis (Zhou et al. 2019): flips, local pixel shuffling, the Bézier intensity
/// curve, then in- or out-painting.
pub fn models_genesis() -> Pipeline {
    Pipeline::new([
        AugmentOp::AxisFlip(AxisFlip { p: 0.4 }),
        AugmentOp::LocalPixelShuffle(LocalPixelShuffle::default()),
        AugmentOp::BezierIntensity(BezierIntensity::default()),
        painting(),
    ])
}

/// PCRL's low-level corruption of X¹ into X²: in- or out-painting, then blur p 0.5.
pub fn pcrl_corruption() -> Pipeline {
    Pipeline::new([painting(), AugmentOp::GaussianBlur(GaussianBlur::default())])
}

/// For CT slices: crops, small rotations, window, gamma and noise; no colour ops (nothing to
/// change on grey) and no mirroring (laterality).
pub fn ct() -> Pipeline {
    Pipeline::new([
        AugmentOp::RandomResizedCrop(RandomResizedCrop { scale: (0.5, 1.0), ..Default::default() }),
        AugmentOp::Rotate(Rotate { p: 0.5, degrees: (-10.0, 10.0), ..Default::default() }),
        AugmentOp::WindowJitter(WindowJitter::default()),
        AugmentOp::Gamma(Gamma::default()),
        AugmentOp::GaussianNoise(GaussianNoise { p: 0.5, std: (0.0, 0.05) }),
        AugmentOp::GaussianBlur(GaussianBlur { p: 0.3, ..Default::default() }),
    ])
}

/// For H&E tiles: tissue has no orientation, so every flip and right angle; stain jitter in
/// HED space rather than hue shifts.
pub fn histology() -> Pipeline {
    Pipeline::new([
        AugmentOp::RandomResizedCrop(RandomResizedCrop { scale: (0.4, 1.0), ..Default::default() }),
        AugmentOp::HorizontalFlip(HorizontalFlip::default()),
        AugmentOp::VerticalFlip(VerticalFlip::default()),
        AugmentOp::Rotate90(Rotate90::default()),
        AugmentOp::StainJitter(StainJitter::default()),
        AugmentOp::GaussianBlur(GaussianBlur { p: 0.3, ..Default::default() }),
    ])
}
