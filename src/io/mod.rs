//! Reading medical images from disk: DICOM series, NIfTI volumes, 2D rasters and MedMNIST-style
//! `.npz` arrays, all into one [`Volume`]. No UI and no torch here: `data` turns volumes into
//! training tensors, `ui` shows them.
pub mod dicom;
pub mod discover;
pub mod metadata;
pub mod nifti;
pub mod npz;
pub mod orientation;
pub mod raster;
pub mod volume;

pub use discover::{discover, list_files, load, open, Found, Source};
pub use metadata::{MetaField, Metadata};
pub use volume::{standard_ct_windows, Provenance, Volume, Window};

/// Reports progress as (what, done, total); returning an error cancels the work.
pub type Progress<'a> = &'a dyn Fn(&str, usize, usize) -> anyhow::Result<()>;

/// Progress for callers with nothing to show and nothing to cancel.
pub fn no_progress(_: &str, _: usize, _: usize) -> anyhow::Result<()> {
    Ok(())
}

/// Refuses a declared size that the file could not hold, before anything is allocated: a
/// header claiming 60000³ voxels in a 1 kB file is malformed, not a request for 800 TB.
/// `max_ratio` is how many bytes of data one byte of file may expand to (1 for raw data,
/// about 1032 for deflate, deflate's best case).
pub fn check_declared_size(
    what: &str,
    declared_bytes: u128,
    file_bytes: u64,
    max_ratio: u64,
) -> anyhow::Result<()> {
    let limit = file_bytes as u128 * max_ratio as u128;
    anyhow::ensure!(
        declared_bytes <= limit,
        "{what} declares {declared_bytes} bytes of image data, more than a {file_bytes}-byte file can hold: the header is corrupt"
    );
    Ok(())
}
