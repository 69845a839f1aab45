//! NIfTI-1 and NIfTI-2 volumes (`.nii`, `.nii.gz`, `.hdr`/`.img`) through the `nifti` crate.
use super::Volume;
use std::path::Path;

/// How many 3D volumes the file holds, and a one-line non-identifying label.
pub fn volume_count(path: &Path) -> anyhow::Result<(usize, String)> {
    anyhow::bail!("NIfTI support is not built yet: {}", path.display())
}

/// Loads 3D volume `volume` (0-based along the 4th dimension).
pub fn load(path: &Path, volume: usize) -> anyhow::Result<Volume> {
    anyhow::bail!("NIfTI support is not built yet: {} volume {volume}", path.display())
}
