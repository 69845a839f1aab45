//! The image the studio augments: a sample of a built-in set, or the viewer's current slice,
//! at the size training uses.
use crate::augment::{ImageTraits, Modality};
use crate::data::builtin::BuiltinKind;
use crate::data::{load_builtin, no_progress, to_float};
use crate::io::Volume;
use eframe::egui::ColorImage;
use tch::{Device, Tensor};

/// Samples generated per built-in set to choose from.
pub const BUILTIN_SAMPLES: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Builtin(BuiltinKind),
    /// The slice the viewer shows in its active plane, with its window.
    Viewer,
}

/// The picked image `[C, H, W]` in [0, 1] and what it is.
pub struct Picked {
    pub image: Tensor,
    pub traits: ImageTraits,
    /// Says where it comes from, e.g. "CT-like slices #3".
    pub name: String,
}

/// Built-in images, generated once per (set, size).
#[derive(Default)]
pub struct BuiltinCache {
    sets: Vec<(BuiltinKind, i64, Tensor)>,
}

impl BuiltinCache {
    pub fn images(&mut self, kind: BuiltinKind, size: i64) -> anyhow::Result<Tensor> {
        if let Some((_, _, t)) = self.sets.iter().find(|(k, s, _)| *k == kind && *s == size) {
            return Ok(t.shallow_clone());
        }
        let set = load_builtin(kind, BUILTIN_SAMPLES, size, 0, Device::Cpu, &no_progress)?;
        let images = to_float(&set.images);
        self.sets.push((kind, size, images.shallow_clone()));
        Ok(images)
    }

    pub fn pick(&mut self, kind: BuiltinKind, index: usize, size: i64) -> anyhow::Result<Picked> {
        let images = self.images(kind, size)?;
        let index = index.min(BUILTIN_SAMPLES - 1);
        let traits = match kind {
            BuiltinKind::Ct => ImageTraits { modality: Modality::Ct, grey: true, volumetric: false },
            BuiltinKind::Histo => {
                ImageTraits { modality: Modality::Histology, grey: false, volumetric: false }
            }
            BuiltinKind::Natural => {
                ImageTraits { modality: Modality::Natural, grey: false, volumetric: false }
            }
        };
        Ok(Picked {
            image: images.get(index as i64),
            traits,
            name: format!("{} #{}", kind.display_name(), index + 1),
        })
    }
}

/// The viewer's slice, resized to `size`×`size` as training does.
pub fn from_viewer((slice, volume): (ColorImage, &Volume), size: i64) -> Picked {
    let [w, h] = slice.size;
    let rgb: Vec<u8> = slice.pixels.iter().flat_map(|p| [p.r(), p.g(), p.b()]).collect();
    let image = Tensor::from_slice(&rgb).view([h as i64, w as i64, 3]).permute([2, 0, 1]).unsqueeze(0);
    let image = to_float(&image).upsample_bilinear2d([size, size], false, None, None).get(0).clamp(0.0, 1.0);
    let modality = Modality::from_dicom(&volume.modality);
    let traits = ImageTraits { modality, grey: volume.channels == 1, volumetric: false };
    Picked { image, traits, name: "the viewer's slice".into() }
}
