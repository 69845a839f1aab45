//! 2D slices of a volume across one voxel axis.
//!
//! Slices keep voxel order, not display orientation: across z, pixel (row r, column c) of slice
//! i is voxel (x = c, y = r, z = i); across y it is voxel (c, i, r); across x, voxel (i, c, r).
//! Flips are the augmentations' business, and voxel order keeps every voxel findable.
use crate::io::Volume;
use serde::{Deserialize, Serialize};
use tch::Tensor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    X,
    Y,
    Z,
}

impl Axis {
    /// Which of the volume's dims [nx, ny, nz] this axis counts.
    fn dim(self) -> usize {
        match self {
            Axis::X => 0,
            Axis::Y => 1,
            Axis::Z => 2,
        }
    }

    pub fn name(self) -> &'static str {
        ["x", "y", "z"][self.dim()]
    }
}

/// The slice indices along `axis` within `range` (inclusive, all when unset), every `step`.
pub fn indices(
    volume: &Volume,
    axis: Axis,
    range: Option<[usize; 2]>,
    step: usize,
) -> anyhow::Result<Vec<usize>> {
    let count = volume.dims[axis.dim()];
    anyhow::ensure!(count > 0, "the volume is empty");
    let [first, last] = range.unwrap_or([0, count - 1]);
    anyhow::ensure!(
        first <= last && last < count,
        "slice range {first}-{last} does not fit the {count} slices along {}",
        axis.name()
    );
    Ok((first..=last).step_by(step.max(1)).collect())
}

/// The voxels as `[C, nz, ny, nx]` f32, a copy in torch's memory.
pub fn volume_tensor(volume: &Volume) -> Tensor {
    let [nx, ny, nz] = volume.dims.map(|d| d as i64);
    Tensor::from_slice(&volume.voxels).view([nz, ny, nx, volume.channels as i64]).permute([3, 0, 1, 2])
}

/// `voxels` (`[C, nz, ny, nx]`) as a stack of slices across `axis`, `[slices, C, rows, columns]`,
/// laid out so that taking slices copies whole slabs (gathering x-slices straight from x-fastest
/// voxels is ten times slower).
pub fn stack(voxels: &Tensor, axis: Axis) -> Tensor {
    match axis {
        Axis::Z => voxels.permute([1, 0, 2, 3]),
        Axis::Y => voxels.permute([2, 0, 1, 3]),
        Axis::X => voxels.permute([3, 0, 1, 2]),
    }
    .contiguous()
}

/// Millimetres between pixel centres of a slice across `axis`, as (rows, columns).
pub fn pixel_spacing(volume: &Volume, axis: Axis) -> (f64, f64) {
    let [sx, sy, sz] = volume.spacing();
    match axis {
        Axis::Z => (sy, sx),
        Axis::Y => (sz, sx),
        Axis::X => (sz, sy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_voxel_lands_where_the_module_says() {
        let dims = [4, 3, 2];
        let voxels: Vec<f32> = (0..24).map(|i| i as f32).collect();
        let v = Volume::new(voxels, dims, 1, [1.0, 2.0, 3.0]);
        let t = volume_tensor(&v);
        let [x, y, z] = [3i64, 1, 1];
        let want = v.value(3, 1, 1) as f64;
        assert_eq!(stack(&t, Axis::Z).double_value(&[z, 0, y, x]), want);
        assert_eq!(stack(&t, Axis::Y).double_value(&[y, 0, z, x]), want);
        assert_eq!(stack(&t, Axis::X).double_value(&[x, 0, z, y]), want);
        assert_eq!(stack(&t, Axis::Y).size(), [3, 1, 2, 4]);
        assert_eq!(pixel_spacing(&v, Axis::X), (3.0, 2.0));
    }

    #[test]
    fn ranges_are_inclusive_and_checked() {
        let v = Volume::new(vec![0.0; 10], [1, 1, 10], 1, [1.0; 3]);
        assert_eq!(indices(&v, Axis::Z, Some([2, 8]), 3).unwrap(), [2, 5, 8]);
        assert_eq!(indices(&v, Axis::Z, None, 1).unwrap().len(), 10);
        let err = indices(&v, Axis::Z, Some([5, 10]), 1).unwrap_err();
        assert!(format!("{err:#}").contains("10 slices along z"), "{err:#}");
    }
}
