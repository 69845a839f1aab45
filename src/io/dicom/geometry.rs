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

/// What a user must know about the slice positions of `ordered`: steps along the normal that
/// differ from the usual one (a missing slice, a duplicate, a change of spacing mid-series).
/// The volume is not resampled: its affine spreads the slices evenly from the first position
/// to the last, so an uneven stack shows distances that are off, and says so here.
pub fn spacing_notes(ordered: &[&SliceHeader]) -> Vec<String> {
    let first = ordered[0];
    let normal = directions(first.orientation)[2];
    let positions: Vec<[f64; 3]> = if ordered.len() == 1 {
        first.frame_positions.clone()
    } else {
        ordered.iter().filter_map(|h| h.position).collect()
    };
    let expected = if ordered.len() == 1 { first.frames } else { ordered.len() };
    if expected < 3 || positions.len() != expected {
        return Vec::new();
    }
    let steps: Vec<f64> = positions.windows(2).map(|w| dot(w[1], normal) - dot(w[0], normal)).collect();
    let mut sorted = steps.clone();
    sorted.sort_by(f64::total_cmp);
    let usual = sorted[sorted.len() / 2];
    // Scanners round positions to a few micrometres; 1% of the step is far above that.
    let tolerance = (0.01 * usual.abs()).max(1e-3);
    let odd: Vec<(usize, f64)> =
        steps.iter().copied().enumerate().filter(|(_, s)| (s - usual).abs() > tolerance).collect();
    let Some(&(at, step)) = odd.first() else { return Vec::new() };
    let kind = if step.abs() < tolerance {
        "two slices at the same position (a duplicate?)"
    } else if step.abs() > usual.abs() {
        "a gap (missing slices?)"
    } else {
        "slices closer than the rest"
    };
    vec![format!(
        "uneven slice spacing: the usual step is {:.3} mm, but {} of {} steps differ, the first between \
         slices {} and {} ({step:.3} mm: {kind}); distances along the slice axis are approximate \
         (the volume is not resampled)",
        usual.abs(),
        odd.len(),
        steps.len(),
        at + 1,
        at + 2,
    )]
}
