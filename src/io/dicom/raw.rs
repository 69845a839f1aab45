//! Data sets written without the part-10 preamble and file meta group, which older software
//! produced: the transfer syntax is guessed from the first element, as pydicom does.
use anyhow::Context;
use dicom::dictionary_std::uids;
use dicom::encoding::TransferSyntaxIndex;
use dicom::object::meta::{FileMetaTable, FileMetaTableBuilder};
use dicom::object::{DefaultDicomObject, InMemDicomObject};
use dicom::transfer_syntax::TransferSyntaxRegistry;
use std::io::{BufReader, Read};
use std::path::Path;

/// Explicit VR Big Endian: retired from the standard (dicom-rs marks its constant deprecated),
/// still found in archives.
pub(super) const EXPLICIT_VR_BIG_ENDIAN: &str = "1.2.840.10008.1.2.2";

/// The transfer syntax the first element's bytes are consistent with: its group number tells
/// the byte order, two upper-case letters after the tag tell an explicit VR. `None` when the
/// start does not look like a data set (group 0x0008 is where a bare data set begins).
pub(super) fn guess_transfer_syntax(start: &[u8]) -> Option<&'static str> {
    let [g0, g1, _, _, v0, v1, ..] = *start else { return None };
    let explicit = v0.is_ascii_uppercase() && v1.is_ascii_uppercase();
    match (u16::from_le_bytes([g0, g1]), u16::from_be_bytes([g0, g1]), explicit) {
        (0x0008, _, true) => Some(uids::EXPLICIT_VR_LITTLE_ENDIAN),
        (0x0008, _, false) => Some(uids::IMPLICIT_VR_LITTLE_ENDIAN),
        (_, 0x0008, true) => Some(EXPLICIT_VR_BIG_ENDIAN),
        _ => None,
    }
}

/// Whether the file has part 10's "DICM" after the 128-byte preamble.
pub fn has_part10_marker(path: &Path) -> bool {
    let mut head = [0u8; 132];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head[128..] == b"DICM"
}

/// A part-10 file whose data set is not in the transfer syntax its meta group names: some
/// writers put an implicit VR data set after a meta group that says explicit. The data set is
/// re-read in implicit VR Little Endian, keeping the meta group (and so the pixel codec).
pub fn open_mislabelled(path: &Path) -> anyhow::Result<DefaultDicomObject> {
    let mut file = BufReader::new(std::fs::File::open(path)?);
    let mut preamble = [0u8; 128];
    file.read_exact(&mut preamble)?;
    let meta = FileMetaTable::from_reader(&mut file)?;
    let implicit = TransferSyntaxRegistry
        .get(uids::IMPLICIT_VR_LITTLE_ENDIAN)
        .context("transfer syntax missing from the registry")?;
    let obj = InMemDicomObject::read_dataset_with_ts(file, implicit)?;
    Ok(obj.with_exact_meta(meta))
}

/// Reads a bare data set, or says why the file is not DICOM at all.
pub fn open_bare(path: &Path) -> anyhow::Result<DefaultDicomObject> {
    let mut file = BufReader::new(std::fs::File::open(path)?);
    let mut start = [0u8; 8];
    file.read_exact(&mut start).context("the file is shorter than one DICOM element")?;
    let uid = guess_transfer_syntax(&start)
        .context("neither a DICM marker at byte 128 nor a data set at byte 0")?;
    let ts = TransferSyntaxRegistry.get(uid).context("transfer syntax missing from the registry")?;
    let reader = std::io::Cursor::new(start).chain(file);
    let obj = InMemDicomObject::read_dataset_with_ts(reader, ts)
        .with_context(|| format!("no file meta group; read as {} it fails", ts.name()))?;
    Ok(obj.with_meta(FileMetaTableBuilder::new().transfer_syntax(uid))?)
}
