//! The one in-memory form of every loaded scan, tile or array: voxels as f32 with their geometry.
use super::metadata::Metadata;
use super::orientation::{axis_codes, AxisCodes};

/// A display window in the volume's own units (Hounsfield units for CT).
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub name: String,
    pub center: f64,
    pub width: f64,
}

impl Window {
    pub fn new(name: &str, center: f64, width: f64) -> Self {
        Self { name: name.into(), center, width }
    }

    /// Maps a value to [0, 1], linearly across [center - width/2, center + width/2]. DICOM's
    /// VOI LUT shifts this by half a stored unit, which matters for integers only; this form
    /// also serves float data whose windows are narrower than one unit.
    pub fn apply(&self, value: f32) -> f32 {
        let width = self.width.max(f64::MIN_POSITIVE);
        (((value as f64 - self.center) / width + 0.5).clamp(0.0, 1.0)) as f32
    }
}

/// The radiology windows every CT viewer offers, in HU.
pub fn standard_ct_windows() -> Vec<Window> {
    vec![
        Window::new("Lung", -600.0, 1500.0),
        Window::new("Mediastinum", 50.0, 350.0),
        Window::new("Bone", 400.0, 1800.0),
        Window::new("Brain", 40.0, 80.0),
        Window::new("Abdomen", 40.0, 400.0),
    ]
}

/// Where a volume came from, for the status line and `medssl inspect` (never patient data).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provenance {
    /// "DICOM", "NIfTI-1", "NIfTI-2", "PNG", "NPZ", ...
    pub format: String,
    /// The DICOM transfer syntax name, or the NIfTI datatype, or the image's pixel type.
    pub encoding: String,
    /// Files the volume was built from.
    pub files: usize,
}

/// A 3D grid of voxels (a 2D image is one slice deep), with `channels` values per voxel.
///
/// Voxel (x, y, z) channel c is at `((z * ny + y) * nx + x) * channels + c`: x (columns) varies
/// fastest, as in a DICOM frame and a NIfTI file, so both load without reordering.
#[derive(Debug, Clone)]
pub struct Volume {
    pub voxels: Vec<f32>,
    /// [nx, ny, nz]: columns, rows, slices.
    pub dims: [usize; 3],
    /// 1 for grey, 3 for RGB.
    pub channels: usize,
    /// Voxel index (x, y, z, 1) to patient millimetres in RAS+ (NIfTI's convention; DICOM's LPS
    /// is converted on load).
    pub affine: [[f64; 4]; 4],
    /// Whether the file places the voxels in the patient (a DICOM ImageOrientationPatient, a
    /// NIfTI or Analyze affine). Without it the affine only scales, and orientation letters
    /// would be made up.
    pub in_patient_space: bool,
    /// DICOM Modality ("CT", "MR", ...), "OT" when the file does not say.
    pub modality: String,
    /// Windows stored in the file, then the standard ones for the modality.
    pub windows: Vec<Window>,
    /// MONOCHROME1: low values are bright. Windowing inverts; the values stay the file's.
    pub inverted: bool,
    pub metadata: Metadata,
    pub provenance: Provenance,
    /// What the loader noticed that changes how the values should be read (uneven slice
    /// spacing, a series split by orientation), for `inspect`, the viewer and a run's data
    /// summary. Never identifying.
    pub notes: Vec<String>,
}

impl Volume {
    /// A volume with an identity affine scaled by `spacing`, for images and arrays with no
    /// geometry of their own.
    pub fn new(voxels: Vec<f32>, dims: [usize; 3], channels: usize, spacing: [f64; 3]) -> Self {
        assert_eq!(voxels.len(), dims.iter().product::<usize>() * channels, "voxel count");
        let mut affine = [[0.0; 4]; 4];
        for (axis, s) in spacing.iter().enumerate() {
            affine[axis][axis] = *s;
        }
        affine[3][3] = 1.0;
        Self {
            voxels,
            dims,
            channels,
            affine,
            in_patient_space: false,
            modality: "OT".into(),
            windows: Vec::new(),
            inverted: false,
            metadata: Metadata::default(),
            provenance: Provenance::default(),
            notes: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn index(&self, x: usize, y: usize, z: usize) -> usize {
        ((z * self.dims[1] + y) * self.dims[0] + x) * self.channels
    }

    /// The first channel's value at (x, y, z).
    pub fn value(&self, x: usize, y: usize, z: usize) -> f32 {
        self.voxels[self.index(x, y, z)]
    }

    /// Millimetres between voxel centres along each voxel axis.
    pub fn spacing(&self) -> [f64; 3] {
        std::array::from_fn(|axis| (0..3).map(|r| self.affine[r][axis].powi(2)).sum::<f64>().sqrt())
    }

    /// Patient position (RAS+, mm) of a voxel index.
    pub fn world(&self, voxel: [f64; 3]) -> [f64; 3] {
        std::array::from_fn(|r| (0..3).map(|c| self.affine[r][c] * voxel[c]).sum::<f64>() + self.affine[r][3])
    }

    /// The side of the patient each voxel axis points towards ('R', 'A', 'S', ...).
    pub fn axis_codes(&self) -> AxisCodes {
        axis_codes(&self.affine)
    }

    /// Smallest and largest finite value.
    pub fn value_range(&self) -> (f32, f32) {
        self.voxels
            .iter()
            .filter(|v| v.is_finite())
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
    }

    /// A window spanning the 0.5th to 99.5th percentile, for data that brings none.
    pub fn auto_window(&self) -> Window {
        let mut sample: Vec<f32> = self
            .voxels
            .iter()
            .step_by((self.voxels.len() / 200_000).max(1))
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        if sample.is_empty() {
            return Window::new("Auto", 0.0, 1.0);
        }
        sample.sort_by(f32::total_cmp);
        let at = |q: f64| sample[((sample.len() - 1) as f64 * q).round() as usize] as f64;
        let (lo, hi) = (at(0.005), at(0.995));
        Window::new("Auto", (lo + hi) / 2.0, (hi - lo).max(1.0))
    }

    /// The file's windows first, then the auto window.
    pub fn all_windows(&self) -> Vec<Window> {
        let mut windows = self.windows.clone();
        windows.push(self.auto_window());
        windows
    }
}
