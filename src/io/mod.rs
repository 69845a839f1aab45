//! Reading medical images from disk: DICOM series, NIfTI volumes, 2D rasters and MedMNIST-style
//! `.npz` arrays, all into one [`Volume`]. No UI and no torch here: `data` turns volumes into
//! training tensors, `ui` shows them.
pub mod dicom;
pub mod discover;
pub mod limits;
pub mod metadata;
pub mod nifti;
pub mod npz;
pub mod orientation;
pub mod raster;
pub mod volume;

pub use discover::{discover, list_files, load, open, Discovery, Found, Skipped, Source};
pub use limits::{
    check_declared_size, check_decoded_size, memory_ceiling, panic_text, set_memory_ceiling, without_panic,
    DEFLATE_RATIO,
};
pub use metadata::{MetaField, Metadata};
pub use volume::{standard_ct_windows, Provenance, Volume, Window};

/// Reports progress as (what, done, total); returning an error cancels the work.
pub type Progress<'a> = &'a dyn Fn(&str, usize, usize) -> anyhow::Result<()>;

/// Progress for callers with nothing to show and nothing to cancel.
pub fn no_progress(_: &str, _: usize, _: usize) -> anyhow::Result<()> {
    Ok(())
}
