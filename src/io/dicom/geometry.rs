//! Slice order and the voxel-to-patient affine of a stack of DICOM frames.
use super::header::SliceHeader;

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

/// Row and column direction cosines, and the slice normal (row × column), in LPS.
fn directions(orientation: Option<[f64; 6]>) -> [[f64; 3]; 3] {
    let o = orientation.unwrap_or([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    let (row, col) = ([o[0], o[1], o[2]], [o[3], o[4], o[5]]);
    [row, col, cross(row, col)]
}

/// Sorts the files of one series into spatial order: by ImagePositionPatient projected on the
/// slice normal when every file has one, else by InstanceNumber. Fails when two files sit at
/// the same position, as echoes or time points of one series do: they are not one volume.
pub fn order(headers: &[SliceHeader]) -> anyhow::Result<Vec<usize>> {
    let mut index: Vec<usize> = (0..headers.len()).collect();
    let normal = directions(headers[0].orientation)[2];
    if headers.iter().all(|h| h.position.is_some()) && headers.len() > 1 {
        let depth = |i: usize| dot(headers[i].position.unwrap_or_default(), normal);
        index.sort_by(|a, b| depth(*a).total_cmp(&depth(*b)));
        let duplicates = index.windows(2).filter(|w| (depth(w[1]) - depth(w[0])).abs() < 1e-4).count();
        anyhow::ensure!(
            duplicates == 0,
            "the series has {} images at {} distinct positions (several echoes, phases or time points?): \
             it is not one volume",
            headers.len(),
            headers.len() - duplicates
        );
    } else {
        index.sort_by_key(|i| headers[*i].instance_number.unwrap_or(i64::MAX));
    }
    Ok(index)
}

/// The affine of frames stacked in `ordered` order, in RAS+ (DICOM's LPS with x and y negated).
/// The slice step is the mean step between the first and last positions, so a gantry tilt
/// shows as a sheared axis; without positions it falls back to SpacingBetweenSlices or
/// SliceThickness along the normal.
pub fn affine(ordered: &[&SliceHeader]) -> [[f64; 4]; 4] {
    let first = ordered[0];
    let [row, col, normal] = directions(first.orientation);
    let [row_spacing, col_spacing] = first.pixel_spacing.unwrap_or([1.0, 1.0]);
    let positions: Vec<[f64; 3]> = if ordered.len() == 1 && first.frame_positions.len() == first.frames {
        first.frame_positions.clone()
    } else {
        ordered.iter().filter_map(|h| h.position).collect()
    };
    let expected = if ordered.len() == 1 { first.frames } else { ordered.len() };
    let step = match positions.as_slice() {
        [a, .., b] if positions.len() == expected && expected > 1 => {
            let n = (positions.len() - 1) as f64;
            [(b[0] - a[0]) / n, (b[1] - a[1]) / n, (b[2] - a[2]) / n]
        }
        _ => normal.map(|v| v * first.slice_step.unwrap_or(1.0)),
    };
    let origin = first.position.unwrap_or_default();
    let lps = [row.map(|v| v * col_spacing), col.map(|v| v * row_spacing), step];
    let mut affine = [[0.0; 4]; 4];
    for r in 0..3 {
        let sign = if r < 2 { -1.0 } else { 1.0 };
        for (c, column) in lps.iter().enumerate() {
            affine[r][c] = sign * column[r];
        }
        affine[r][3] = sign * origin[r];
    }
    affine[3][3] = 1.0;
    affine
}
