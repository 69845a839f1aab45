//! Writing a volume as a DICOM CT series (one Explicit VR Little Endian file per slice), so
//! tests and benchmarks read files made the way scanners make them; also how a user exports
//! a phantom to try another viewer on it.
use crate::io::Volume;
use dicom::core::{DataElement, PrimitiveValue, VR};
use dicom::dictionary_std::{tags, uids};
use dicom::object::meta::FileMetaTableBuilder;
use dicom::object::InMemDicomObject;
use std::path::{Path, PathBuf};

/// Options of a written series: where each slice sits and how files are named.
pub struct SeriesLayout {
    pub series_uid: String,
    /// Slice positions along z (mm): slice k of the volume is written at `positions[k]`.
    pub positions: Vec<f64>,
    /// File name of slice k (callers shuffle names to test ordering).
    pub file_names: Vec<String>,
    pub pixel_spacing: [f64; 2],
}

/// Writes `volume` (one channel, values in HU) as 16-bit signed CT slices with intercept
/// -1024, returning the paths written.
pub fn write_ct_series(volume: &Volume, dir: &Path, layout: &SeriesLayout) -> anyhow::Result<Vec<PathBuf>> {
    let [nx, ny, nz] = volume.dims;
    anyhow::ensure!(volume.channels == 1, "only single-channel volumes are written as CT");
    anyhow::ensure!(
        layout.positions.len() == nz && layout.file_names.len() == nz,
        "one position and name per slice"
    );
    std::fs::create_dir_all(dir)?;
    let mut paths = Vec::with_capacity(nz);
    for z in 0..nz {
        let slice = &volume.voxels[z * nx * ny..(z + 1) * nx * ny];
        let stored: Vec<u16> =
            slice.iter().map(|v| (v.round() + 1024.0).clamp(-32768.0, 32767.0) as i16 as u16).collect();
        let sop_uid = format!("{}.{}", layout.series_uid, z + 1);
        let text = |tag, vr, value: String| DataElement::new(tag, vr, PrimitiveValue::from(value));
        let us = |tag, value: u16| DataElement::new(tag, VR::US, PrimitiveValue::from(value));
        let obj = InMemDicomObject::from_element_iter([
            text(tags::SOP_CLASS_UID, VR::UI, uids::CT_IMAGE_STORAGE.into()),
            text(tags::SOP_INSTANCE_UID, VR::UI, sop_uid),
            text(tags::MODALITY, VR::CS, "CT".into()),
            text(tags::PATIENT_NAME, VR::PN, "PHANTOM^SYNTHETIC".into()),
            text(tags::SERIES_INSTANCE_UID, VR::UI, layout.series_uid.clone()),
            text(tags::INSTANCE_NUMBER, VR::IS, format!("{}", z + 1)),
            text(tags::IMAGE_POSITION_PATIENT, VR::DS, format!("0\\0\\{}", layout.positions[z])),
            text(tags::IMAGE_ORIENTATION_PATIENT, VR::DS, "1\\0\\0\\0\\1\\0".into()),
            text(
                tags::PIXEL_SPACING,
                VR::DS,
                format!("{}\\{}", layout.pixel_spacing[0], layout.pixel_spacing[1]),
            ),
            us(tags::SAMPLES_PER_PIXEL, 1),
            text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2".into()),
            us(tags::ROWS, ny as u16),
            us(tags::COLUMNS, nx as u16),
            us(tags::BITS_ALLOCATED, 16),
            us(tags::BITS_STORED, 16),
            us(tags::HIGH_BIT, 15),
            us(tags::PIXEL_REPRESENTATION, 1),
            text(tags::RESCALE_INTERCEPT, VR::DS, "-1024".into()),
            text(tags::RESCALE_SLOPE, VR::DS, "1".into()),
            DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::U16(stored.into())),
        ]);
        let file =
            obj.with_meta(FileMetaTableBuilder::new().transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN))?;
        let path = dir.join(&layout.file_names[z]);
        file.write_to_file(&path)?;
        paths.push(path);
    }
    Ok(paths)
}
