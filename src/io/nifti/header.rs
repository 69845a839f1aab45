//! Reading a NIfTI-1, NIfTI-2 or Analyze 7.5 header into the `nifti` crate's header struct, and
//! finding where its voxels are.
//!
//! The crate parses NIfTI-1 only. NIfTI-2 (the same fields, wider, in another order) is parsed
//! by `nifti2`. Analyze 7.5, NIfTI-1's ancestor, shares its layout up to the history block, so
//! the crate reads it once that block, which NIfTI-1 reuses for its transforms, is cleared.
use super::files::{self, read_up_to};
use super::nifti2;
use anyhow::Context;
use nifti::header::{MAGIC_CODE_NI1, MAGIC_CODE_NIP1};
use nifti::{Endianness, NiftiHeader};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Nifti1,
    Nifti2,
    Analyze,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Nifti1 => "NIfTI-1",
            Format::Nifti2 => "NIfTI-2",
            Format::Analyze => "Analyze 7.5",
        }
    }
}

pub struct Header {
    /// NIfTI-2 values are narrowed to the crate's NIfTI-1 types (f32 for f64); dimensions
    /// beyond 65535 are refused when parsing.
    pub fields: NiftiHeader,
    pub format: Format,
    pub header_path: PathBuf,
    /// The header's own file, or the `.img` of a pair.
    pub image_path: PathBuf,
    /// The byte of `image_path`'s (decompressed) contents where the voxels start.
    pub data_offset: u64,
    /// SPM's origin, a 1-based voxel index kept in Analyze's history block; zero when unset.
    pub spm_origin: [i16; 3],
}

const NIFTI1_SIZE: usize = 348;
const NIFTI2_SIZE: usize = 540;
/// The extension flag that follows the header in a single file.
const EXTENDER_SIZE: u64 = 4;

pub fn read(path: &Path) -> anyhow::Result<Header> {
    let (header_path, stem) = files::header_path(path)?;
    let shown = header_path.display();
    let mut stream = files::open(&header_path)?.stream;
    let mut bytes = [0u8; NIFTI2_SIZE];
    let got = read_up_to(&mut stream, &mut bytes[..4]).with_context(|| format!("cannot read {shown}"))?;
    anyhow::ensure!(got == 4, "{shown} is not a NIfTI file: {got} bytes are too few for a header");
    let size_le = i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let size_be = i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let size = match (size_le, size_be) {
        (348, _) | (_, 348) => NIFTI1_SIZE,
        (540, _) | (_, 540) => NIFTI2_SIZE,
        _ => anyhow::bail!(
            "{shown} is not a NIfTI or Analyze file: it starts with {:02x?}, not a header size of 348 or 540",
            &bytes[..4]
        ),
    };
    let got =
        4 + read_up_to(&mut stream, &mut bytes[4..size]).with_context(|| format!("cannot read {shown}"))?;
    anyhow::ensure!(
        got == size,
        "{shown} ends inside its header ({got} of {size} bytes): the file is truncated"
    );

    let lower = header_path.to_string_lossy().to_ascii_lowercase();
    let named_as_pair = lower.ends_with(".hdr") || lower.ends_with(".hdr.gz");
    let (fields, format, single_file, vox_offset, spm_origin) = if size == NIFTI2_SIZE {
        let parsed = nifti2::parse(&bytes, size_le == 540).with_context(|| format!("in {shown}"))?;
        (parsed.fields, Format::Nifti2, parsed.single_file, parsed.vox_offset, [0; 3])
    } else {
        let magic = &bytes[344..348];
        if magic == MAGIC_CODE_NIP1 || magic == MAGIC_CODE_NI1 {
            let fields = NiftiHeader::from_reader(&bytes[..size]).with_context(|| format!("in {shown}"))?;
            let offset = nifti1_offset(fields.vox_offset).with_context(|| format!("in {shown}"))?;
            (fields, Format::Nifti1, magic == MAGIC_CODE_NIP1, offset, [0; 3])
        } else if named_as_pair {
            let (fields, origin) =
                analyze_as_nifti1(&bytes[..size]).with_context(|| format!("in {shown}"))?;
            let offset = nifti1_offset(fields.vox_offset).with_context(|| format!("in {shown}"))?;
            (fields, Format::Analyze, false, offset, origin)
        } else {
            anyhow::bail!(
                "{shown} is not a NIfTI file: its magic (bytes 344..348) is {:?}, not \"n+1\"",
                String::from_utf8_lossy(magic)
            )
        }
    };
    let (image_path, data_offset) = if single_file {
        // nibabel reads a single file's voxels no earlier than right after the header and its
        // extension flag, whatever vox_offset says: files with vox_offset 0 exist.
        (header_path.clone(), vox_offset.max(size as u64 + EXTENDER_SIZE))
    } else {
        (files::image_path(&header_path, &stem)?, vox_offset)
    };
    Ok(Header { fields, format, header_path, image_path, data_offset, spm_origin })
}

/// NIfTI-1 keeps the voxel offset in a float (for Analyze's sake).
fn nifti1_offset(vox_offset: f32) -> anyhow::Result<u64> {
    anyhow::ensure!(
        vox_offset.is_finite() && (0.0..=u32::MAX as f32).contains(&vox_offset),
        "vox_offset {vox_offset} is not a byte offset"
    );
    Ok(vox_offset as u64)
}

/// Analyze's `vox_units`/`cal_units` lie where NIfTI-1 keeps the intent, and its history block
/// where NIfTI-1 keeps qform, sform and the magic: cleared, the crate reads the rest as NIfTI-1.
fn analyze_as_nifti1(bytes: &[u8]) -> anyhow::Result<(NiftiHeader, [i16; 3])> {
    let mut patched = bytes.to_vec();
    patched[39] = 0;
    patched[56..70].fill(0);
    patched[252..344].fill(0);
    patched[344..348].copy_from_slice(MAGIC_CODE_NI1);
    let fields = NiftiHeader::from_reader(patched.as_slice())?;
    let at = |offset: usize| {
        let pair = [bytes[offset], bytes[offset + 1]];
        match fields.endianness {
            Endianness::Little => i16::from_le_bytes(pair),
            Endianness::Big => i16::from_be_bytes(pair),
        }
    };
    let origin = [at(253), at(255), at(257)];
    Ok((fields, origin))
}
