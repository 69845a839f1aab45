//! Anatomical orientation letters from a voxel-to-RAS affine, as nibabel's `aff2axcodes`.

/// For each voxel axis, the patient side its positive direction points towards.
pub type AxisCodes = [char; 3];

/// Letters for +x, +y, +z of RAS+ world space, and their opposites.
const POSITIVE: [char; 3] = ['R', 'A', 'S'];
const NEGATIVE: [char; 3] = ['L', 'P', 'I'];

/// Each voxel axis is labelled by the world axis its direction is closest to; ties and oblique
/// axes go to the largest component, and no two voxel axes get the same world axis.
pub fn axis_codes(affine: &[[f64; 4]; 4]) -> AxisCodes {
    let column = |c: usize| [affine[0][c], affine[1][c], affine[2][c]];
    let mut taken = [false; 3];
    let mut codes = ['?'; 3];
    // Assign the most clearly aligned axes first, so an oblique one takes what is left.
    let mut order: Vec<usize> = (0..3).collect();
    let alignment = |c: usize| {
        let v = column(c);
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-12);
        v.iter().fold(0.0f64, |m, x| m.max(x.abs())) / norm
    };
    order.sort_by(|a, b| alignment(*b).total_cmp(&alignment(*a)));
    for c in order {
        let v = column(c);
        let world = (0..3).filter(|w| !taken[*w]).max_by(|a, b| v[*a].abs().total_cmp(&v[*b].abs()));
        if let Some(w) = world {
            taken[w] = true;
            codes[c] = if v[w] >= 0.0 { POSITIVE[w] } else { NEGATIVE[w] };
        }
    }
    codes
}

/// The side opposite a letter: what the negative direction of that axis points towards.
pub fn opposite(code: char) -> char {
    match code {
        'R' => 'L',
        'L' => 'R',
        'A' => 'P',
        'P' => 'A',
        'S' => 'I',
        'I' => 'S',
        other => other,
    }
}
