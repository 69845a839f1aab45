//! The header attributes a volume needs, read from a parsed DICOM object (with or without its
//! pixel data), and the header as non-pixel metadata for the panel.
use crate::io::{Metadata, Window};
use dicom::core::{DataDictionary, Tag, VR};
use dicom::dictionary_std::{tags, StandardDataDictionary};
use dicom::encoding::TransferSyntaxIndex;
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
    pub fn read(obj: &DefaultDicomObject) -> Self {
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
        let slice_step = float(obj, tags::SPACING_BETWEEN_SLICES)
            .or_else(|| {
                shared_floats(tags::PIXEL_MEASURES_SEQUENCE, tags::SPACING_BETWEEN_SLICES).map(|v| v[0])
            })
            .or_else(|| float(obj, tags::SLICE_THICKNESS))
            .or_else(|| shared_floats(tags::PIXEL_MEASURES_SEQUENCE, tags::SLICE_THICKNESS).map(|v| v[0]));
        Self {
            series_uid: text(obj, tags::SERIES_INSTANCE_UID),
            modality: text(obj, tags::MODALITY).unwrap_or_else(|| "OT".into()),
            rows: int(obj, tags::ROWS).unwrap_or(0) as usize,
            columns: int(obj, tags::COLUMNS).unwrap_or(0) as usize,
            frames: int(obj, tags::NUMBER_OF_FRAMES).unwrap_or(1).max(1) as usize,
            samples_per_pixel: int(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1).max(1) as usize,
            bits_allocated: int(obj, tags::BITS_ALLOCATED).unwrap_or(16) as usize,
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
        }
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
            VR::OB | VR::OW | VR::OF | VR::OD | VR::OL | VR::OV | VR::UN => {
                format!("<{} bytes>", element.header().len.get().unwrap_or(0))
            }
            _ => element.to_str().map(|s| truncate(s.trim_end_matches(['\0', ' ']), 200)).unwrap_or_default(),
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

fn text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    let s = obj.get(tag)?.to_str().ok()?;
    let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!s.is_empty()).then(|| s.to_string())
}

fn int(obj: &InMemDicomObject, tag: Tag) -> Option<i64> {
    obj.get(tag)?.to_int::<i64>().ok()
}

fn float(obj: &InMemDicomObject, tag: Tag) -> Option<f64> {
    obj.get(tag)?.to_float64().ok()
}

fn floats(obj: &InMemDicomObject, tag: Tag) -> Option<Vec<f64>> {
    obj.get(tag)?.to_multi_float64().ok().filter(|v| !v.is_empty())
}

/// Item `index` of a functional group sequence.
fn functional_group(obj: &InMemDicomObject, sequence: Tag, index: usize) -> Option<&InMemDicomObject> {
    obj.get(sequence)?.items()?.get(index)
}

/// `tag` inside the first item of `sequence` inside `group`.
fn nested(group: &InMemDicomObject, sequence: Tag, tag: Tag) -> Option<Vec<f64>> {
    floats(functional_group(group, sequence, 0)?, tag)
}
