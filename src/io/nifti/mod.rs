//! NIfTI-1 and NIfTI-2 volumes (`.nii`, `.nii.gz`, `.hdr`/`.img`, compressed or not), and the
//! Analyze 7.5 pairs NIfTI grew from, read as nibabel reads them.
//!
//! The `nifti` crate parses NIfTI-1 headers and computes the affine; its reader loads a whole
//! 4D file to show one volume, so the voxels of the chosen volume are read here, after the
//! header's declared size has been checked against the file.
mod fields;
mod files;
mod geometry;
mod header;
mod nifti2;
mod voxels;

use super::{check_declared_size, check_decoded_size, Provenance, Volume};
use anyhow::Context;
use header::Header;
use nifti::NiftiType;
use std::path::Path;

/// How many 3D volumes the file holds, and a one-line non-identifying label.
pub fn volume_count(path: &Path) -> anyhow::Result<(usize, String)> {
    let header = header::read(path)?;
    let layout = Layout::checked(&header, &files::open(&header.image_path)?)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let [nx, ny, nz] = layout.dims;
    let mut label =
        format!("{} {name} {nx}×{ny}×{nz} {}", header.format.name(), voxels::datatype_name(layout.datatype));
    if layout.volumes > 1 {
        label += &format!(", {} volumes", layout.volumes);
    }
    Ok((layout.volumes, label))
}

/// Loads 3D volume `volume` (0-based along the 4th dimension; dimensions past the 4th count as
/// more volumes).
pub fn load(path: &Path, volume: usize) -> anyhow::Result<Volume> {
    let header = header::read(path)?;
    let mut image = files::open(&header.image_path)?;
    let layout = Layout::checked(&header, &image)?;
    let shown = header.image_path.display();
    anyhow::ensure!(
        volume < layout.volumes,
        "volume {volume} is out of range: {} holds {} volume(s), numbered from 0",
        path.display(),
        layout.volumes
    );
    let start = header.data_offset + volume as u64 * layout.volume_bytes as u64;
    let reached = image.stream.skip(start).with_context(|| format!("cannot read {shown}"))?;
    anyhow::ensure!(reached, "{shown} ends before volume {volume} starts: the file is truncated");
    let scaling = voxels::scaling(&header).with_context(|| format!("in {}", header.header_path.display()))?;
    let values = read_values(&mut image.stream, &layout, header.fields.endianness, scaling)
        .with_context(|| format!("volume {volume} of {shown}"))?;
    let mut loaded = Volume::new(values, layout.dims, layout.channels, [1.0; 3]);
    loaded.in_patient_space = true;
    loaded.affine =
        geometry::affine(&header).with_context(|| format!("in {}", header.header_path.display()))?;
    loaded.metadata = fields::metadata(&header);
    loaded.provenance = Provenance {
        format: header.format.name().into(),
        encoding: voxels::datatype_name(layout.datatype).into(),
        files: if header.image_path == header.header_path { 1 } else { 2 },
    };
    Ok(loaded)
}

/// Reads and decodes one volume a chunk at a time: each chunk is converted while it is still in
/// cache, and the raw bytes of the whole volume are never held.
fn read_values(
    stream: &mut files::Stream,
    layout: &Layout,
    endianness: nifti::Endianness,
    scaling: Option<(f64, f64)>,
) -> anyhow::Result<Vec<f32>> {
    let element = layout.datatype.size_of();
    let mut chunk = vec![0u8; layout.volume_bytes.min(element << 18)];
    let mut values = Vec::with_capacity(layout.volume_bytes / element * layout.channels);
    let mut done = 0;
    while done < layout.volume_bytes {
        let want = (layout.volume_bytes - done).min(chunk.len());
        let got = files::read_up_to(stream, &mut chunk[..want]).context("cannot read the voxels")?;
        anyhow::ensure!(
            got == want,
            "the file ends after {} of the volume's {} bytes: it is truncated",
            done + got,
            layout.volume_bytes
        );
        voxels::decode_into(&chunk[..want], layout.datatype, endianness, scaling, &mut values)?;
        done += want;
    }
    Ok(values)
}

/// The image's shape, validated and checked against the size of the file that holds it.
struct Layout {
    /// [nx, ny, nz]; 1 for the axes a 1D or 2D image lacks.
    dims: [usize; 3],
    volumes: usize,
    datatype: NiftiType,
    channels: usize,
    volume_bytes: usize,
}

impl Layout {
    fn checked(header: &Header, image: &files::Opened) -> anyhow::Result<Self> {
        let h = &header.fields;
        let shown = header.header_path.display();
        anyhow::ensure!(
            !(3000..3100).contains(&h.intent_code),
            "{shown} is a CIFTI file (intent {}): a matrix over brain surfaces and voxels, not an image volume",
            h.intent_code
        );
        let rank = usize::from(h.dim[0]);
        anyhow::ensure!((1..=7).contains(&rank), "{shown}: dim[0] is {rank}; an image has 1 to 7 dimensions");
        let dim = &h.dim[1..=rank];
        if let Some(axis) = dim.iter().position(|&d| d == 0) {
            anyhow::bail!("{shown}: dim[{}] is 0; an image has no empty axis", axis + 1);
        }
        let datatype =
            h.data_type().with_context(|| format!("{shown}: datatype {} is unknown", h.datatype))?;
        let channels = voxels::channels(datatype).with_context(|| format!("in {shown}"))?;
        let size = |axis: usize| dim.get(axis).map_or(1, |&d| d as u128);
        let volumes: u128 = (3..rank).map(size).product();
        let volume_bytes = size(0) * size(1) * size(2) * datatype.size_of() as u128;
        let declared = header.data_offset as u128 + volume_bytes * volumes;
        let image_shown = header.image_path.display().to_string();
        if image.max_ratio == 1 {
            anyhow::ensure!(
                image.file_bytes > header.data_offset,
                "{image_shown} holds a header only: no image data after its {} bytes",
                image.file_bytes
            );
        }
        check_declared_size(&image_shown, declared, image.file_bytes, image.max_ratio)?;
        // One volume is decoded to f32 values, whatever the stored type.
        check_decoded_size(&image_shown, size(0) * size(1) * size(2) * channels as u128)?;
        Ok(Self {
            dims: [size(0), size(1), size(2)].map(|d| d as usize),
            volumes: volumes as usize,
            datatype,
            channels,
            volume_bytes: volume_bytes as usize,
        })
    }
}
