//! A loaded volume with what every frame of the viewer needs, computed once (on the loading
//! thread when it comes from disk): window presets, histogram, value range, plane layout.
use super::histogram::Histogram;
use super::slice::VOXEL_ORDER;
use crate::io::orientation::AxisCodes;
use crate::io::{Volume, Window};

pub struct Prepared {
    pub volume: Volume,
    /// The file's windows, the modality's standard ones, then Auto.
    pub presets: Vec<Window>,
    pub initial_window: Window,
    pub histogram: Histogram,
    pub value_range: (f32, f32),
    /// Whether the affine places the voxels in a patient: only then are the planes reoriented
    /// and their edges lettered. Images, arrays and DICOM without ImageOrientationPatient
    /// (ultrasound, secondary capture) are shown in voxel order.
    pub has_geometry: bool,
    /// The codes the planes are laid out from: the volume's own, or voxel order.
    pub layout_codes: AxisCodes,
}

impl Prepared {
    pub fn new(volume: Volume) -> Self {
        let mut presets = volume.all_windows();
        let value_range = volume.value_range();
        if volume.channels >= 3 && value_range.0 >= 0.0 && value_range.1 <= 255.0 {
            // Colour images (H&E tiles, photos) look right unstretched.
            presets.insert(0, Window::new("Full 8-bit", 127.5, 255.0));
        }
        let initial_window = presets[0].clone();
        let has_geometry = volume.in_patient_space;
        let layout_codes = if has_geometry { volume.axis_codes() } else { VOXEL_ORDER };
        Self {
            histogram: Histogram::of(&volume, value_range),
            presets,
            initial_window,
            value_range,
            has_geometry,
            layout_codes,
            volume,
        }
    }

    /// The volume is one image: it is shown in one pane, with no slices to scroll.
    pub fn is_single_slice(&self) -> bool {
        self.volume.dims[2] == 1
    }
}
