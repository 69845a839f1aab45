//! The viewer driven headless with egui_kittest: open a volume, scroll it by wheel and keys,
//! window it by preset and right-drag, link the planes by clicking, switch layouts, keep the
//! identifying header fields hidden until revealed, and load files on the background thread
//! (typed path, dropped file, 4D volume picker, errors).
use eframe::egui::{
    self, Event, Key, Modifiers, MouseWheelSource, MouseWheelUnit, PointerButton, Pos2, Vec2,
};
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use medssl::io::{standard_ct_windows, Provenance, Volume, Window};
use medssl::ui::viewer::{Layout, Plane, REVEAL_LABEL};
use medssl::ui::{Tab, WorkbenchApp};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PATIENT_NAME: &str = "DOE^JANE";
const PATIENT_ID: &str = "MRN-8675309";

/// A 40×32×24 CT stored LPS (as DICOM stores it): 0.8 mm pixels, 2.5 mm slices; the value of
/// voxel (x, y, z) is 1000·z + 10·y + x − 1000, so any voxel can be told from its value.
fn ct_volume() -> Volume {
    let dims = [40, 32, 24];
    let mut voxels = Vec::with_capacity(dims.iter().product());
    for z in 0..dims[2] {
        for y in 0..dims[1] {
            for x in 0..dims[0] {
                voxels.push((1000 * z + 10 * y + x) as f32 - 1000.0);
            }
        }
    }
    let mut v = Volume::new(voxels, dims, 1, [0.8, 0.8, 2.5]);
    v.affine[0][0] = -0.8;
    v.affine[1][1] = -0.8;
    v.in_patient_space = true;
    v.modality = "CT".into();
    v.windows = vec![Window::new("File", 40.0, 400.0)];
    v.windows.extend(standard_ct_windows());
    v.provenance =
        Provenance { format: "DICOM".into(), encoding: "Explicit VR Little Endian".into(), files: 24 };
    v.metadata.push("(0010,0010)", "PatientName", PATIENT_NAME);
    v.metadata.push("(0010,0020)", "PatientID", PATIENT_ID);
    v.metadata.push("(0008,0060)", "Modality", "CT");
    v.metadata.push("(0028,0030)", "PixelSpacing", "0.8\\0.8");
    v
}

fn viewer_harness() -> Harness<'static, WorkbenchApp> {
    let app = WorkbenchApp::with_runs_root(std::env::temp_dir().join("medssl-viewer-test-runs"));
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 820.0))
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app);
    harness.run();
    harness.get_by_label("Viewer").click();
    harness.run();
    assert_eq!(harness.state().tab, Tab::Viewer);
    harness
}

/// Steps frames until `done`, for work on the loader thread.
fn step_until(harness: &mut Harness<'_, WorkbenchApp>, what: &str, done: impl Fn(&WorkbenchApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.run();
}

fn has_text(harness: &Harness<'_, WorkbenchApp>, text: &str) -> bool {
    harness.query_all_by_label(text).next().is_some()
}

/// Whether any widget shows `text` in its label or value.
fn any_widget_shows(harness: &Harness<'_, WorkbenchApp>, text: &str) -> bool {
    harness
        .query_all_by(|node| {
            node.label().is_some_and(|l| l.contains(text)) || node.value().is_some_and(|v| v.contains(text))
        })
        .next()
        .is_some()
}

fn pane_rect(harness: &Harness<'_, WorkbenchApp>, plane: &str) -> egui::Rect {
    harness.get_by_label(&format!("{plane} view")).rect()
}

fn wheel(harness: &mut Harness<'_, WorkbenchApp>, at: Pos2, lines: f32, modifiers: Modifiers) {
    harness.hover_at(at);
    harness.run();
    harness.event(Event::MouseWheel {
        unit: MouseWheelUnit::Line,
        delta: egui::vec2(0.0, lines),
        phase: egui::TouchPhase::Move,
        source: MouseWheelSource::Wheel,
        modifiers,
    });
    harness.run();
}

fn press(harness: &mut Harness<'_, WorkbenchApp>, at: Pos2, button: PointerButton, pressed: bool) {
    harness.event(Event::PointerButton { pos: at, button, pressed, modifiers: Modifiers::NONE });
    harness.run();
}

fn click_at(harness: &mut Harness<'_, WorkbenchApp>, at: Pos2) {
    harness.hover_at(at);
    harness.run();
    press(harness, at, PointerButton::Primary, true);
    press(harness, at, PointerButton::Primary, false);
}

fn drag(harness: &mut Harness<'_, WorkbenchApp>, from: Pos2, by: Vec2, button: PointerButton) {
    harness.hover_at(from);
    harness.run();
    press(harness, from, button, true);
    for step in 1..=10 {
        harness.hover_at(from + by * (step as f32 / 10.0));
        harness.run();
    }
    press(harness, from + by, button, false);
}

/// "W 1500 L -600" → (1500, -600).
fn shown_window(harness: &Harness<'_, WorkbenchApp>) -> (f64, f64) {
    let node = harness.get_by_label_contains("W ").accesskit_node();
    let label = node.label().or_else(|| node.value()).expect("the W/L label has text");
    let numbers: Vec<f64> = label.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    assert_eq!(numbers.len(), 2, "window label {label:?}");
    (numbers[0], numbers[1])
}

#[test]
fn scroll_window_link_and_switch_planes_of_an_open_volume() {
    let mut harness = viewer_harness();
    assert!(has_text(&harness, "No image open"));
    harness.state_mut().viewer.set_volume(ct_volume());
    harness.run();

    // 2×2 opens on the middle slices, each pane saying which it shows.
    assert_eq!(harness.state().viewer.layout(), Layout::Grid);
    for label in ["Axial 13/24", "Coronal 17/32", "Sagittal 21/40", "Histogram"] {
        assert!(has_text(&harness, label), "{label} is shown");
    }
    // The centre of the volume, (20, 16, 12), is under the crosshair: 12000 + 160 + 20 − 1000.
    assert!(any_widget_shows(&harness, "voxel (20, 16, 12)"));
    assert!(any_widget_shows(&harness, "value 11180"));

    // Wheel down over the axial pane: the next slice; wheel up three lines: three back.
    let axial = pane_rect(&harness, "Axial").center();
    wheel(&mut harness, axial, -1.0, Modifiers::NONE);
    assert!(has_text(&harness, "Axial 14/24"));
    wheel(&mut harness, axial, 3.0, Modifiers::NONE);
    assert!(has_text(&harness, "Axial 11/24"));
    assert_eq!(harness.state().viewer.slice(Plane::Axial), Some(10));
    // The other planes did not move.
    assert!(has_text(&harness, "Coronal 17/32") && has_text(&harness, "Sagittal 21/40"));

    // Keys act on the pane last under the pointer: the axial one.
    harness.key_press(Key::ArrowDown);
    harness.run();
    assert!(has_text(&harness, "Axial 12/24"));
    harness.key_press(Key::PageDown);
    harness.run();
    assert!(has_text(&harness, "Axial 22/24"));
    harness.key_press(Key::PageDown);
    harness.run();
    assert!(has_text(&harness, "Axial 24/24"), "scrolling stops at the last slice");
    harness.key_press(Key::ArrowUp);
    harness.run();
    assert!(has_text(&harness, "Axial 23/24"));

    // Ctrl+wheel zooms instead of scrolling.
    wheel(&mut harness, axial, 2.0, Modifiers::CTRL);
    assert!(has_text(&harness, "Axial 23/24"));

    harness.get_by_label("Reset view").click();
    harness.run();
    // Clicking the axial pane at a quarter of the width and three quarters of the height sets the
    // crosshair there: LPS x runs to screen-right (patient left) and y downwards (posterior),
    // so that is x = 10, y = 24: the sagittal pane shows slice 11, the coronal one 25.
    let pane = pane_rect(&harness, "Axial");
    let (w_mm, h_mm) = (40.0 * 0.8, 32.0 * 0.8);
    let fit = (pane.width() / w_mm).min(pane.height() / h_mm);
    let image = egui::Rect::from_center_size(pane.center(), egui::vec2(w_mm, h_mm) * fit);
    click_at(&mut harness, image.lerp_inside(egui::vec2(0.26, 0.76)));
    assert!(has_text(&harness, "Sagittal 11/40"), "the sagittal plane follows the click");
    assert!(has_text(&harness, "Coronal 25/32"), "the coronal plane follows the click");
    assert!(has_text(&harness, "Axial 23/24"), "the clicked plane stays");
    // The readout follows the pointer: voxel (10, 24, 22) holds 22000 + 240 + 10 − 1000.
    assert!(any_widget_shows(&harness, "voxel (10, 24, 22)"), "readout under the cursor");
    assert!(any_widget_shows(&harness, "value 21250"));

    // Window presets, then right-drag: right widens, down raises the level.
    harness.get_by_label("Lung").click();
    harness.run();
    assert_eq!(shown_window(&harness), (1500.0, -600.0));
    drag(&mut harness, axial, egui::vec2(120.0, 60.0), PointerButton::Secondary);
    let (width, level) = shown_window(&harness);
    assert!(width > 1500.0 && level > -600.0, "right-drag changed W/L to {width}/{level}");
    assert!((harness.state().viewer.window().width - width).abs() <= 0.5, "the label shows the state");
    harness.get_by_label("Bone").click();
    harness.run();
    assert_eq!(shown_window(&harness), (1800.0, 400.0));

    // Single planes and back to 2×2.
    for plane in ["Sagittal", "Coronal", "Axial"] {
        harness.get_by_label(plane).click();
        harness.run();
        for other in ["Axial", "Coronal", "Sagittal"] {
            let shown = harness.query_by_label(&format!("{other} view")).is_some();
            assert_eq!(shown, other == plane, "layout {plane}: {other} pane shown = {shown}");
        }
    }
    // Wheel in the single sagittal pane scrolls the sagittal slice.
    harness.get_by_label("Sagittal").click();
    harness.run();
    let sagittal = pane_rect(&harness, "Sagittal").center();
    wheel(&mut harness, sagittal, -2.0, Modifiers::NONE);
    assert!(has_text(&harness, "Sagittal 13/40"));
    harness.key_press(Key::ArrowDown);
    harness.run();
    assert!(has_text(&harness, "Sagittal 14/40"));
    harness.get_by_label("2×2").click();
    harness.run();
    assert_eq!(harness.state().viewer.layout(), Layout::Grid);
    assert!(has_text(&harness, "Histogram"));
}

#[test]
fn identifying_fields_stay_hidden_until_revealed() {
    let mut harness = viewer_harness();
    harness.state_mut().viewer.set_volume(ct_volume());
    harness.run();
    assert!(has_text(&harness, "PatientName") && has_text(&harness, "Modality"));
    assert!(has_text(&harness, "0.8\\0.8"), "non-identifying values are shown");
    for secret in [PATIENT_NAME, PATIENT_ID] {
        assert!(!any_widget_shows(&harness, secret), "{secret} must not be shown before reveal");
    }
    assert_eq!(harness.query_all_by_label("hidden").count(), 2);

    harness.get_by_label(REVEAL_LABEL).click();
    harness.run();
    assert!(any_widget_shows(&harness, PATIENT_NAME) && any_widget_shows(&harness, PATIENT_ID));

    // Another volume hides them again.
    harness.state_mut().viewer.set_volume(ct_volume());
    harness.run();
    assert!(!any_widget_shows(&harness, PATIENT_NAME));
}

#[test]
fn colour_and_two_dimensional_images_show_in_one_pane() {
    let mut harness = viewer_harness();
    // A 6×4 RGB image with no patient geometry: one pane, no plane buttons, colour readout.
    let rgb: Vec<f32> = (0..6 * 4).flat_map(|i| [i as f32, 100.0, 200.0]).collect();
    harness.state_mut().viewer.set_volume(Volume::new(rgb, [6, 4, 1], 3, [1.0; 3]));
    harness.run();
    assert!(matches!(harness.state().viewer.layout(), Layout::Single(_)));
    assert!(harness.query_by_label("2×2").is_none(), "a 2D image has no planes to pick");
    assert!(has_text(&harness, "Full 8-bit"), "colour opens unstretched");
    assert!(any_widget_shows(&harness, "RGB 15, 100, 200"), "all channels of the centre pixel (3, 2)");
    // Nothing to scroll.
    harness.key_press(Key::ArrowDown);
    harness.run();
    assert!(any_widget_shows(&harness, "voxel (3, 2, 0)"));
}

/// A float32 NIfTI-1 file of `volumes` volumes of 6×5×4 voxels, value 1000·t + linear index,
/// with an RAS sform of 2 mm voxels and a patient name in `descrip`. The header is written
/// byte by byte from the NIfTI-1 specification, independently of the loader under test.
fn write_nifti(path: &Path, volumes: usize) {
    let dims = [6i16, 5, 4, volumes as i16];
    let mut h = vec![0u8; 352];
    let put_i16 = |h: &mut Vec<u8>, at: usize, v: i16| h[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put_f32 = |h: &mut Vec<u8>, at: usize, v: f32| h[at..at + 4].copy_from_slice(&v.to_le_bytes());
    h[0..4].copy_from_slice(&348i32.to_le_bytes());
    let dim = [4, dims[0], dims[1], dims[2], dims[3], 1, 1, 1];
    for (i, d) in dim.iter().enumerate() {
        put_i16(&mut h, 40 + 2 * i, *d);
    }
    put_i16(&mut h, 70, 16); // datatype: float32
    put_i16(&mut h, 72, 32); // bitpix
    for (i, p) in [1.0f32, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0].iter().enumerate() {
        put_f32(&mut h, 76 + 4 * i, *p);
    }
    put_f32(&mut h, 108, 352.0); // vox_offset
    put_f32(&mut h, 112, 1.0); // scl_slope
    h[148..148 + 16].copy_from_slice(b"Jane Doe, MRI 1\0");
    put_i16(&mut h, 254, 1); // sform_code: scanner
    let srow = [[2.0f32, 0.0, 0.0, -5.0], [0.0, 2.0, 0.0, -4.0], [0.0, 0.0, 2.0, -3.0]];
    for (r, row) in srow.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            put_f32(&mut h, 280 + 16 * r + 4 * c, *v);
        }
    }
    h[344..348].copy_from_slice(b"n+1\0");
    let per_volume = 6 * 5 * 4;
    for t in 0..volumes {
        for i in 0..per_volume {
            h.extend_from_slice(&((1000 * t + i) as f32).to_le_bytes());
        }
    }
    std::fs::write(path, h).unwrap();
}

fn first_voxel(app: &WorkbenchApp) -> Option<f32> {
    app.viewer.volume().map(|v| v.value(0, 0, 0))
}

#[test]
fn a_typed_path_loads_on_the_loader_thread_and_a_4d_volume_is_picked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fmri.nii");
    write_nifti(&path, 3);
    let mut harness = viewer_harness();
    harness.get_by_label("Path").focus();
    harness.run();
    harness.get_by_label("Path").type_text(path.to_str().unwrap());
    harness.run();
    harness.get_by_label("Open").click();
    // The loader thread asks for repaints until it ends: step, not run.
    harness.step();
    step_until(&mut harness, "the first volume", |app| first_voxel(app) == Some(0.0));
    assert!(!harness.state().viewer.is_loading());
    assert_eq!(harness.state().viewer.volume().unwrap().dims, [6, 5, 4]);
    for label in ["Axial 3/4", "Coronal 3/5", "Sagittal 4/6"] {
        assert!(has_text(&harness, label), "{label}");
    }
    assert!(!any_widget_shows(&harness, "Jane Doe"), "descrip is identifying");

    // A 4D file offers its volumes: pick the third.
    harness.get_by_role_and_label(egui::Role::Slider, "Volume (of 3)").set_value_accesskit(2.0);
    harness.run();
    harness.get_by_label("Load").click();
    // The loader thread asks for repaints until it ends: step, not run.
    harness.step();
    step_until(&mut harness, "the third volume", |app| first_voxel(app) == Some(2000.0));

    // What is open becomes the training data in one click.
    harness.get_by_label("Train on this").click();
    harness.run();
    assert_eq!(harness.state().tab, Tab::Train);
    assert_eq!(harness.state().settings.config.data.source, format!("files:{}", path.display()));
    assert!(harness.state().settings.config.data.validate().is_ok());
}

#[test]
fn a_dropped_file_opens_in_the_viewer_from_any_tab() {
    #[derive(Debug)]
    struct Dropped(PathBuf);
    impl egui::DroppedFile for Dropped {
        fn path(&self) -> &Path {
            &self.0
        }
        fn bytes(&self) -> Result<Vec<u8>, String> {
            std::fs::read(&self.0).map_err(|e| e.to_string())
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t1.nii");
    write_nifti(&path, 1);
    let mut harness = viewer_harness();
    harness.get_by_label("Train").click();
    harness.run();
    assert_eq!(harness.state().tab, Tab::Train);
    harness.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(path)));
    // The loader thread asks for repaints until it ends: step, not run.
    harness.step();
    assert_eq!(harness.state().tab, Tab::Viewer, "dropping switches to the viewer");
    step_until(&mut harness, "the dropped file", |app| first_voxel(app) == Some(0.0));
    assert!(harness.query_by_label("Volume (of 1)").is_none(), "one volume: no picker");
}

#[test]
fn a_path_that_cannot_be_opened_gives_a_message_and_the_viewer_stays_usable() {
    let mut harness = viewer_harness();
    harness.state_mut().viewer.open_path(PathBuf::from("/no/such/scan.nii"));
    step_until(&mut harness, "the error", |app| !app.viewer.is_loading());
    assert!(any_widget_shows(&harness, "cannot open /no/such/scan.nii"));
    assert!(harness.state().viewer.volume().is_none());
    harness.state_mut().viewer.set_volume(ct_volume());
    harness.run();
    assert!(has_text(&harness, "Axial 13/24"));
}
