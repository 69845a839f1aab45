//! Random 3D crops of a volume, the input of 3D methods (Models Genesis, 3D contrastive).
use super::slices::volume_tensor;
use crate::io::Volume;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tch::Tensor;

/// Crops and where they were taken.
pub struct Crops {
    /// `[N, 1, D, H, W]` f32 in the volume's units (normalise with [`super::normalize`]).
    pub voxels: Tensor,
    /// Each crop's first voxel, as (x, y, z).
    pub origins: Vec<[usize; 3]>,
}

/// `count` crops of `size` = [D, H, W] voxels (along z, y, x) of `volume`'s first channel, each
/// wholly inside the volume, at places drawn from `seed`.
pub fn random_crops(volume: &Volume, size: [usize; 3], count: usize, seed: u64) -> anyhow::Result<Crops> {
    let [d, h, w] = size;
    let [nx, ny, nz] = volume.dims;
    anyhow::ensure!(count > 0, "ask for at least one crop");
    anyhow::ensure!(
        d > 0 && h > 0 && w > 0 && d <= nz && h <= ny && w <= nx,
        "a {d}×{h}×{w} crop (z×y×x) does not fit the {nz}×{ny}×{nx} volume"
    );
    let voxels = volume_tensor(volume).narrow(0, 0, 1);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut origins = Vec::with_capacity(count);
    let mut crops = Vec::with_capacity(count);
    for _ in 0..count {
        let origin =
            [rng.random_range(0..=nx - w), rng.random_range(0..=ny - h), rng.random_range(0..=nz - d)];
        let [x, y, z] = origin.map(|v| v as i64);
        crops.push(voxels.narrow(1, z, d as i64).narrow(2, y, h as i64).narrow(3, x, w as i64));
        origins.push(origin);
    }
    Ok(Crops { voxels: Tensor::stack(&crops, 0), origins })
}
