//! The voxel-to-RAS+ affine, chosen as nibabel chooses it: the sform when sform_code is set,
//! else the qform when qform_code is set, else pixdim with x flipped (the radiological
//! convention); for Analyze, SPM's origin.
use super::header::{Format, Header};

pub type Affine = [[f64; 4]; 4];

pub fn affine(header: &Header) -> anyhow::Result<Affine> {
    let mut h = header.fields.clone();
    // nibabel's fixes on load, which also keep the crate's qform code from panicking on what
    // it asserts: spacings made positive (0 becomes 1) and a qfac of ±1.
    for spacing in &mut h.pixdim[1..4] {
        *spacing = if *spacing == 0.0 { 1.0 } else { spacing.abs() };
    }
    if h.pixdim[0] != 1.0 && h.pixdim[0] != -1.0 {
        h.pixdim[0] = 1.0;
    }
    let from_shape = header.format == Format::Analyze || (h.sform_code == 0 && h.qform_code == 0);
    if from_shape {
        // A 1D or 2D image is a 3D one, one voxel deep, with a spacing of 1 where it has none
        // (the crate indexes three axes).
        let rank = usize::from(h.dim[0]).clamp(1, 7);
        for axis in rank + 1..=3 {
            h.dim[axis] = 1;
            h.pixdim[axis] = 1.0;
        }
        h.dim[0] = rank.max(3) as u16;
    }
    if header.format == Format::Analyze {
        return Ok(spm_origin_affine(&h.dim, &h.pixdim, header.spm_origin));
    }
    if h.sform_code == 0 && h.qform_code != 0 {
        let [b, c, d] = [h.quatern_b, h.quatern_c, h.quatern_d].map(f64::from);
        // The crate panics past 3 float epsilons; nibabel raises there. A little margin keeps
        // rounding in the sum from reaching the panic.
        anyhow::ensure!(
            1.0 - (b * b + c * c + d * d) >= -2.5 * f32::EPSILON as f64,
            "the qform quaternion (b, c, d) = ({b}, {c}, {d}) is longer than 1: not a rotation"
        );
    }
    let m = h.affine::<f64>();
    Ok(std::array::from_fn(|r| std::array::from_fn(|c| m[(r, c)])))
}

/// SPM's reading of Analyze: x flipped, and the world origin at the 1-based voxel `origin` when
/// it is set and lies within a volume's reach of the grid, else at the grid's centre.
fn spm_origin_affine(dim: &[u16; 8], pixdim: &[f32; 8], origin: [i16; 3]) -> Affine {
    let zooms = [-pixdim[1] as f64, pixdim[2] as f64, pixdim[3] as f64];
    let dims: [f64; 3] = std::array::from_fn(|i| dim[i + 1] as f64);
    let origin = origin.map(f64::from);
    let usable =
        origin.iter().any(|o| *o != 0.0) && (0..3).all(|i| origin[i] > -dims[i] && origin[i] < 2.0 * dims[i]);
    let centre: [f64; 3] =
        std::array::from_fn(|i| if usable { origin[i] - 1.0 } else { (dims[i] - 1.0) / 2.0 });
    let mut affine = [[0.0; 4]; 4];
    for i in 0..3 {
        affine[i][i] = zooms[i];
        affine[i][3] = -centre[i] * zooms[i];
    }
    affine[3][3] = 1.0;
    affine
}
