//! The header attributes a volume needs, read from a parsed DICOM object (with or without its
//! pixel data), and the header as non-pixel metadata for the panel.
use crate::io::{Metadata, Window};
use dicom::core::{DataDictionary, Tag, VR};
use dicom::dictionary_std::{tags, StandardDataDictionary};
use dicom::encoding::TransferSyntaxIndex;
use dicom::object::mem::InMemElement;
use dicom::object::{DefaultDicomObject, InMemDicomObject};
use dicom::transfer_syntax::TransferSyntaxRegistry;

/// What one file contributes to a series.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceHeader {
    pub series_uid: Option<String>,
    pub modality: String,
    pub rows: usize,
    pub columns: usize,
    pub frames: usize,
    pub samples_per_pixel: usize,
    pub bits_allocated: usize,
    /// PhotometricInterpretation ("MONOCHROME2", "RGB", "YBR_FULL_422", ...).
    pub photometric: String,
    /// ImagePositionPatient of the first frame (LPS, mm).
    pub position: Option<[f64; 3]>,
    /// Per-frame positions of a multi-frame file (functional groups), when given.
    pub frame_positions: Vec<[f64; 3]>,
    /// ImageOrientationPatient: row then column direction cosines (LPS).
    pub orientation: Option<[f64; 6]>,
    /// PixelSpacing: between rows, then between columns (mm).
    pub pixel_spacing: Option<[f64; 2]>,
    /// SpacingBetweenSlices, else SliceThickness: the fallback slice step.
    pub slice_step: Option<f64>,
    pub instance_number: Option<i64>,
    pub transfer_syntax_uid: String,
}

impl SliceHeader {
    /// Fails on an image attribute whose value is not a number, which is a corrupt header
    /// rather than a default to guess.
    pub fn read(obj: &DefaultDicomObject) -> anyhow::Result<Self> {
        let shared = functional_group(obj, tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE, 0);
        let per_frame = obj.get(tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE).and_then(|e| e.items());
        let frame_positions: Vec<[f64; 3]> = per_frame
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| {
                        nested(item, tags::PLANE_POSITION_SEQUENCE, tags::IMAGE_POSITION_PATIENT)
                    })
                    .filter_map(|v| v.try_into().ok())
                    .collect()
            })
            .unwrap_or_default();
        let shared_floats = |seq, tag| shared.and_then(|g| nested(g, seq, tag));
        let orientation = floats(obj, tags::IMAGE_ORIENTATION_PATIENT)
            .or_else(|| shared_floats(tags::PLANE_ORIENTATION_SEQUENCE, tags::IMAGE_ORIENTATION_PATIENT))
            .and_then(|v| v.try_into().ok());
        let pixel_spacing = floats(obj, tags::PIXEL_SPACING)
            .or_else(|| shared_floats(tags::PIXEL_MEASURES_SEQUENCE, tags::PIXEL_SPACING))
            .and_then(|v| v.try_into().ok());
        // RT dose grids give their frames' offsets along the normal instead of positions.
        let grid_step =
            floats(obj, tags::GRID_FRAME_OFFSET_VECTOR).filter(|g| g.len() > 1).map(|g| (g[1] - g[0]).abs());
        let slice_step = grid_step
            .or_else(|| float(obj, tags::SPACING_BETWEEN_SLICES))
            .or_else(|| {
                shared_floats(tags::PIXEL_MEASURES_SEQUENCE, tags::SPACING_BETWEEN_SLICES).map(|v| v[0])
            })
            .or_else(|| float(obj, tags::SLICE_THICKNESS))
            .or_else(|| shared_floats(tags::PIXEL_MEASURES_SEQUENCE, tags::SLICE_THICKNESS).map(|v| v[0]));
        Ok(Self {
            series_uid: text(obj, tags::SERIES_INSTANCE_UID),
            modality: text(obj, tags::MODALITY).unwrap_or_else(|| "OT".into()),
            rows: strict_int(obj, tags::ROWS, "Rows")?.unwrap_or(0) as usize,
            columns: strict_int(obj, tags::COLUMNS, "Columns")?.unwrap_or(0) as usize,
            frames: strict_int(obj, tags::NUMBER_OF_FRAMES, "NumberOfFrames")?.unwrap_or(1).max(1) as usize,
            samples_per_pixel: strict_int(obj, tags::SAMPLES_PER_PIXEL, "SamplesPerPixel")?
                .unwrap_or(1)
                .max(1) as usize,
            bits_allocated: strict_int(obj, tags::BITS_ALLOCATED, "BitsAllocated")?.unwrap_or(16) as usize,
            photometric: text(obj, tags::PHOTOMETRIC_INTERPRETATION).unwrap_or_default(),
            position: floats(obj, tags::IMAGE_POSITION_PATIENT)
                .and_then(|v| v.try_into().ok())
                .or_else(|| frame_positions.first().copied()),
            frame_positions,
            orientation,
            pixel_spacing,
            slice_step: slice_step.filter(|s| *s > 0.0),
            instance_number: int(obj, tags::INSTANCE_NUMBER),
            transfer_syntax_uid: obj.meta().transfer_syntax().trim_end_matches('\0').to_string(),
        })
    }

    /// Files of one series with the same frame size and orientation stack into one volume.
    pub fn stack_key(&self) -> (Option<String>, usize, usize, Option<[i64; 6]>) {
        let orientation = self.orientation.map(|o| o.map(|v| (v * 1e4).round() as i64));
        (self.series_uid.clone(), self.rows, self.columns, orientation)
    }

    /// Uncompressed bytes of all frames, as the header declares them. YBR_FULL_422 stores
    /// two samples per pixel (chroma is shared by pixel pairs).
    pub fn declared_bytes(&self) -> u128 {
        let bits = self.bits_allocated.max(1) as u128;
        let samples = if self.photometric == "YBR_FULL_422" { 2 } else { self.samples_per_pixel };
        (self.rows * self.columns * samples) as u128 * self.frames as u128 * bits / 8
    }
}

/// "Explicit VR Little Endian (1.2.840.10008.1.2.1)", or the bare UID when unknown.
pub fn transfer_syntax_name(uid: &str) -> String {
    match TransferSyntaxRegistry.get(uid) {
        Some(ts) => format!("{} ({uid})", ts.name()),
        None => format!("unknown transfer syntax {uid}"),
    }
}

/// Whether the pixel data is stored as is (so a file must be at least as big as its pixels).
pub fn is_native(uid: &str) -> bool {
    matches!(uid, "1.2.840.10008.1.2" | "1.2.840.10008.1.2.1" | "1.2.840.10008.1.2.2")
}

/// WindowCenter/WindowWidth pairs, named by WindowCenterWidthExplanation when present.
pub fn windows(obj: &DefaultDicomObject) -> Vec<Window> {
    let centers = floats(obj, tags::WINDOW_CENTER).unwrap_or_default();
    let widths = floats(obj, tags::WINDOW_WIDTH).unwrap_or_default();
    let names: Vec<String> = text(obj, tags::WINDOW_CENTER_WIDTH_EXPLANATION)
        .map(|s| s.split('\\').map(|n| n.trim().to_string()).collect())
        .unwrap_or_default();
    centers
        .iter()
        .zip(&widths)
        .enumerate()
        .filter(|(_, (_, w))| **w > 0.0)
        .map(|(i, (c, w))| {
            let name =
                names.get(i).filter(|n| !n.is_empty()).cloned().unwrap_or_else(|| format!("File {}", i + 1));
            Window::new(&name, *c, *w)
        })
        .collect()
}

/// The header's attributes for the metadata panel: values of binary or long fields are
/// summarised, sequences are counted, pixel data is left out.
pub fn metadata(obj: &DefaultDicomObject) -> Metadata {
    let mut meta = Metadata::default();
    meta.push("(0002,0010)", "TransferSyntaxUID", transfer_syntax_name(obj.meta().transfer_syntax()));
    for element in obj.iter() {
        let tag = element.header().tag;
        if tag == tags::PIXEL_DATA || tag.group() == 0x7FE0 {
            continue;
        }
        let name = StandardDataDictionary
            .by_tag(tag)
            .map(|entry| entry.alias.to_string())
            .unwrap_or_else(|| format!("Private{:04X}{:04X}", tag.group(), tag.element()));
        let value = match element.vr() {
            VR::SQ => format!("<sequence of {} items>", element.items().map_or(0, |i| i.len())),
            VR::OB | VR::OW | VR::OF | VR::OD | VR::OL | VR::OV => {
                format!("<{} bytes>", element.header().len.get().unwrap_or(0))
            }
            _ => value_text(element).map(|s| truncate(&s, 200)).unwrap_or_default(),
        };
        meta.push(format!("({:04X},{:04X})", tag.group(), tag.element()), name, value);
    }
    meta
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// An element's value as text. Elements kept as UN (an implicit-VR data set re-encoded as
/// explicit without a dictionary) are read with the VR the standard dictionary gives them,
/// as pydicom does.
fn value_text(element: &InMemElement) -> Option<String> {
    let raw = if element.vr() == VR::UN {
        let bytes = element.to_bytes().ok()?;
        let vr = StandardDataDictionary.by_tag(element.header().tag).map(|e| e.vr.relaxed());
        match vr {
            Some(VR::US) => bytes
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]).to_string())
                .collect::<Vec<_>>()
                .join("\\"),
            Some(VR::UL) => bytes
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]).to_string())
                .collect::<Vec<_>>()
                .join("\\"),
            Some(VR::SS) => bytes
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]).to_string())
                .collect::<Vec<_>>()
                .join("\\"),
            _ => String::from_utf8_lossy(&bytes).into_owned(),
        }
    } else {
        element.to_str().ok()?.into_owned()
    };
    let trimmed = raw.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

fn text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    value_text(obj.get(tag)?)
}

/// An integer attribute that must be a non-negative number when present.
fn strict_int(obj: &InMemDicomObject, tag: Tag, name: &str) -> anyhow::Result<Option<i64>> {
    let Some(value) = text(obj, tag) else { return Ok(None) };
    match value.split('\\').next().unwrap_or("").trim().parse::<i64>() {
        Ok(v) if v >= 0 => Ok(Some(v)),
        _ => anyhow::bail!("the header is corrupt: {name} is {value:?}, not a count"),
    }
}

fn int(obj: &InMemDicomObject, tag: Tag) -> Option<i64> {
    text(obj, tag)?.split('\\').next()?.trim().parse().ok()
}

fn float(obj: &InMemDicomObject, tag: Tag) -> Option<f64> {
    floats(obj, tag).map(|v| v[0])
}

fn floats(obj: &InMemDicomObject, tag: Tag) -> Option<Vec<f64>> {
    let values: Option<Vec<f64>> = text(obj, tag)?.split('\\').map(|v| v.trim().parse().ok()).collect();
    values.filter(|v| !v.is_empty())
}

/// Item `index` of a functional group sequence.
fn functional_group(obj: &InMemDicomObject, sequence: Tag, index: usize) -> Option<&InMemDicomObject> {
    obj.get(sequence)?.items()?.get(index)
}

/// `tag` inside the first item of `sequence` inside `group`.
fn nested(group: &InMemDicomObject, sequence: Tag, tag: Tag) -> Option<Vec<f64>> {
    floats(functional_group(group, sequence, 0)?, tag)
}
