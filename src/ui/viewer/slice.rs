//! Planes of a volume as screen images, in the radiological display convention: axial with the
//! patient's left on screen right and anterior at the top, coronal with the left on the right and
//! superior at the top, sagittal with anterior on the left and superior at the top. The voxel
//! axes are reoriented from the volume's axis codes, so an LPS DICOM series and a RAS NIfTI file
//! look the same.
use crate::io::orientation::{opposite, AxisCodes};
use crate::io::{Volume, Window};
use eframe::egui::{Color32, ColorImage};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Plane {
    Axial,
    Coronal,
    Sagittal,
}

/// The patient sides towards which the RAS world axes point, and their opposites.
const POSITIVE: [char; 3] = ['R', 'A', 'S'];
const NEGATIVE: [char; 3] = ['L', 'P', 'I'];

/// The codes used to lay out a volume with no patient geometry (an image, an array): they make
/// every plane show voxel indices growing to the right and downwards.
pub const VOXEL_ORDER: AxisCodes = ['L', 'P', 'I'];

impl Plane {
    pub const ALL: [Plane; 3] = [Plane::Axial, Plane::Coronal, Plane::Sagittal];

    pub fn name(self) -> &'static str {
        match self {
            Plane::Axial => "Axial",
            Plane::Coronal => "Coronal",
            Plane::Sagittal => "Sagittal",
        }
    }

    /// The world axis normal to the plane, then the patient sides that screen-right and
    /// screen-down point towards.
    fn convention(self) -> (usize, char, char) {
        match self {
            Plane::Axial => (2, 'L', 'P'),
            Plane::Coronal => (1, 'L', 'I'),
            Plane::Sagittal => (0, 'P', 'I'),
        }
    }

    /// The plane a one-slice volume lies in: the one whose normal is its z axis.
    pub fn of_single_slice(codes: AxisCodes) -> Plane {
        let codes = usable(codes);
        match world_axis(codes[2]) {
            Some(0) => Plane::Sagittal,
            Some(1) => Plane::Coronal,
            _ => Plane::Axial,
        }
    }
}

fn world_axis(code: char) -> Option<usize> {
    (0..3).find(|&w| POSITIVE[w] == code || NEGATIVE[w] == code)
}

/// `codes` when they name three different world axes, else the voxel order.
fn usable(codes: AxisCodes) -> AxisCodes {
    let mut seen = [false; 3];
    for code in codes {
        match world_axis(code) {
            Some(w) if !seen[w] => seen[w] = true,
            _ => return VOXEL_ORDER,
        }
    }
    codes
}

/// How one plane of one volume maps onto the screen: which voxel axis is the slice normal, which
/// runs to the right and which downwards, and whether those run against the voxel index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaneAxes {
    pub normal: usize,
    pub right: usize,
    pub right_flipped: bool,
    pub down: usize,
    pub down_flipped: bool,
    /// The patient sides at the right and bottom edges, from the volume's codes.
    pub right_side: char,
    pub down_side: char,
}

impl PlaneAxes {
    pub fn new(plane: Plane, codes: AxisCodes) -> Self {
        let codes = usable(codes);
        let (normal_world, right_side, down_side) = plane.convention();
        let voxel_axis =
            |world: usize| (0..3).find(|&v| world_axis(codes[v]) == Some(world)).unwrap_or(world);
        let right = voxel_axis(world_axis(right_side).unwrap_or(0));
        let down = voxel_axis(world_axis(down_side).unwrap_or(1));
        let right_flipped = codes[right] != right_side;
        let down_flipped = codes[down] != down_side;
        let side = |axis: usize, flipped: bool| if flipped { opposite(codes[axis]) } else { codes[axis] };
        Self {
            normal: voxel_axis(normal_world),
            right,
            right_flipped,
            down,
            down_flipped,
            right_side: side(right, right_flipped),
            down_side: side(down, down_flipped),
        }
    }

    /// Pixels of the full-resolution slice: [width, height].
    pub fn size(&self, dims: [usize; 3]) -> [usize; 2] {
        [dims[self.right], dims[self.down]]
    }

    /// The slice's extent in millimetres, so anisotropic voxels keep their true aspect.
    pub fn extent_mm(&self, volume: &Volume) -> [f32; 2] {
        let spacing = volume.spacing();
        let mm = |axis: usize| (volume.dims[axis] as f64 * spacing[axis]).max(f64::MIN_POSITIVE) as f32;
        [mm(self.right), mm(self.down)]
    }

    /// The voxel under a point of slice `slice`, the point given as fractions [0, 1) of the
    /// shown image's width and height.
    pub fn voxel_at(&self, dims: [usize; 3], slice: usize, fraction: [f32; 2]) -> [usize; 3] {
        let index = |axis: usize, f: f32, flipped: bool| {
            let n = dims[axis];
            let i = ((f * n as f32).floor().max(0.0) as usize).min(n - 1);
            if flipped {
                n - 1 - i
            } else {
                i
            }
        };
        let mut voxel = [0; 3];
        voxel[self.normal] = slice;
        voxel[self.right] = index(self.right, fraction[0], self.right_flipped);
        voxel[self.down] = index(self.down, fraction[1], self.down_flipped);
        voxel
    }

    /// Where a voxel's centre lies on the shown image, as fractions of its width and height.
    pub fn fraction_of(&self, dims: [usize; 3], voxel: [usize; 3]) -> [f32; 2] {
        let fraction = |axis: usize, flipped: bool| {
            let n = dims[axis];
            let i = voxel[axis].min(n - 1);
            let i = if flipped { n - 1 - i } else { i };
            (i as f32 + 0.5) / n as f32
        };
        [fraction(self.right, self.right_flipped), fraction(self.down, self.down_flipped)]
    }
}

/// Slice `slice` of the plane as an image, windowed (and inverted for MONOCHROME1 or on
/// request); RGB volumes keep their colour, each channel through the same window. An image wider
/// or taller than `max_side` pixels is subsampled to fit a texture; the shown extent is the same.
pub fn extract(
    volume: &Volume,
    axes: &PlaneAxes,
    slice: usize,
    window: &Window,
    inverted: bool,
    max_side: usize,
) -> ColorImage {
    let [width, height] = axes.size(volume.dims);
    let step = width.max(height).div_ceil(max_side.max(1)).max(1);
    let (out_w, out_h) = (width.div_ceil(step), height.div_ceil(step));
    let channels = volume.channels;
    let stride = [channels, volume.dims[0] * channels, volume.dims[0] * volume.dims[1] * channels];
    let base = slice.min(volume.dims[axes.normal] - 1) * stride[axes.normal];
    let lookup = |n: usize, i: usize, flipped: bool| if flipped { n - 1 - i } else { i };
    let column_offsets: Vec<usize> =
        (0..out_w).map(|c| lookup(width, c * step, axes.right_flipped) * stride[axes.right]).collect();
    let grey = |v: f32| {
        let t = window.apply(v);
        let t = if inverted { 1.0 - t } else { t };
        (t * 255.0).round() as u8
    };
    let mut pixels = Vec::with_capacity(out_w * out_h);
    for r in 0..out_h {
        let row = base + lookup(height, r * step, axes.down_flipped) * stride[axes.down];
        if channels >= 3 {
            pixels.extend(column_offsets.iter().map(|&c| {
                let v = &volume.voxels[row + c..row + c + 3];
                Color32::from_rgb(grey(v[0]), grey(v[1]), grey(v[2]))
            }));
        } else {
            pixels.extend(column_offsets.iter().map(|&c| Color32::from_gray(grey(volume.voxels[row + c]))));
        }
    }
    ColorImage::new([out_w, out_h], pixels)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAS: AxisCodes = ['R', 'A', 'S'];
    const LPS: AxisCodes = ['L', 'P', 'S'];

    /// A 5×4×3 volume, each voxel its own value, with `affine` signs giving the axis codes.
    fn numbered(signs: [f64; 3]) -> Volume {
        let dims = [5, 4, 3];
        let voxels = (0..60).map(|i| i as f32).collect();
        let mut v = Volume::new(voxels, dims, 1, [1.0, 1.0, 2.0]);
        for (axis, s) in signs.iter().enumerate() {
            v.affine[axis][axis] *= s;
        }
        v
    }

    fn identity_window() -> Window {
        // Maps 0..=255 to grey levels 0..=255 exactly.
        Window::new("raw", 127.5, 255.0)
    }

    fn grey_at(image: &ColorImage, x: usize, y: usize) -> u8 {
        image.pixels[y * image.width() + x].r()
    }

    #[test]
    fn a_known_voxel_lands_where_the_display_convention_puts_it() {
        // Voxel (1, 2, 1) of a 5×4×3 volume; its value is its linear index.
        let (x, y, z) = (1, 2, 1);
        for (codes, signs) in [(RAS, [1.0, 1.0, 1.0]), (LPS, [-1.0, -1.0, 1.0])] {
            let v = numbered(signs);
            assert_eq!(v.axis_codes(), codes);
            let value = v.value(x, y, z) as u8;
            // Screen-right is patient left: in RAS that is -x, in LPS +x; anterior at the top
            // is -y in LPS and +y in RAS; superior at the top is -z in both.
            let (col, row_axial) = if codes == RAS { (4 - x, 3 - y) } else { (x, y) };
            let cases = [
                (Plane::Axial, z, [col, row_axial], [5, 4]),
                (Plane::Coronal, y, [col, 2 - z], [5, 3]),
                (Plane::Sagittal, x, [if codes == RAS { 3 - y } else { y }, 2 - z], [4, 3]),
            ];
            for (plane, slice, [px, py], size) in cases {
                let axes = PlaneAxes::new(plane, codes);
                let image = extract(&v, &axes, slice, &identity_window(), false, 4096);
                assert_eq!(image.size, size, "{plane:?} {codes:?}");
                assert_eq!(grey_at(&image, px, py), value, "{plane:?} {codes:?}");
                let fraction = axes.fraction_of(v.dims, [x, y, z]);
                let back = axes.voxel_at(v.dims, slice, fraction);
                assert_eq!(back, [x, y, z], "{plane:?} {codes:?} round trip");
            }
        }
    }

    #[test]
    fn edge_letters_follow_the_convention_for_any_storage_order() {
        for codes in [RAS, LPS, ['L', 'A', 'I'], ['A', 'S', 'R']] {
            let letters = |p: Plane| {
                let a = PlaneAxes::new(p, codes);
                (a.right_side, a.down_side)
            };
            assert_eq!(letters(Plane::Axial), ('L', 'P'), "{codes:?}");
            assert_eq!(letters(Plane::Coronal), ('L', 'I'), "{codes:?}");
            assert_eq!(letters(Plane::Sagittal), ('P', 'I'), "{codes:?}");
        }
        // Voxel axes permuted (a sagittal acquisition): the axial normal is voxel x.
        assert_eq!(PlaneAxes::new(Plane::Axial, ['A', 'S', 'R']).normal, 1);
        assert_eq!(Plane::of_single_slice(['A', 'S', 'R']), Plane::Sagittal);
        assert_eq!(Plane::of_single_slice(LPS), Plane::Axial);
    }

    #[test]
    fn without_geometry_indices_grow_right_and_down() {
        for plane in Plane::ALL {
            let a = PlaneAxes::new(plane, ['?', '?', '?']);
            assert!(!a.right_flipped && !a.down_flipped, "{plane:?}");
        }
        let a = PlaneAxes::new(Plane::Axial, VOXEL_ORDER);
        assert_eq!((a.normal, a.right, a.down), (2, 0, 1));
    }

    #[test]
    fn window_inversion_and_colour() {
        let mut v = Volume::new(vec![0.0, 100.0, 200.0, 50.0, 60.0, 70.0], [2, 1, 1], 3, [1.0; 3]);
        v.affine[0][0] = -1.0;
        let axes = PlaneAxes::new(Plane::Axial, VOXEL_ORDER);
        let image = extract(&v, &axes, 0, &identity_window(), false, 4096);
        assert_eq!(image.pixels[0], Color32::from_rgb(0, 100, 200));
        assert_eq!(image.pixels[1], Color32::from_rgb(50, 60, 70));
        let grey = Volume::new(vec![0.0, 255.0], [2, 1, 1], 1, [1.0; 3]);
        let inverted = extract(&grey, &axes, 0, &identity_window(), true, 4096);
        assert_eq!((inverted.pixels[0].r(), inverted.pixels[1].r()), (255, 0));
    }

    #[test]
    fn oversized_slices_are_subsampled_to_the_texture_limit() {
        let v = Volume::new(vec![1.0; 1000 * 10], [1000, 10, 1], 1, [1.0; 3]);
        let axes = PlaneAxes::new(Plane::Axial, VOXEL_ORDER);
        let image = extract(&v, &axes, 0, &identity_window(), false, 256);
        assert_eq!(image.size, [250, 3]);
    }

    #[test]
    fn sagittal_slice_of_a_512x512x300_volume_is_cheap() {
        let dims = [512, 512, 300];
        let v = Volume::new(vec![0.5; dims.iter().product()], dims, 1, [0.7, 0.7, 1.25]);
        let axes = PlaneAxes::new(Plane::Sagittal, LPS);
        let start = std::time::Instant::now();
        let image = extract(&v, &axes, 256, &Window::new("w", 0.5, 1.0), false, 8192);
        let elapsed = start.elapsed();
        assert_eq!(image.size, [512, 300]);
        println!("sagittal 512×300 slice of 512×512×300: {:.2} ms", elapsed.as_secs_f64() * 1e3);
    }
}
