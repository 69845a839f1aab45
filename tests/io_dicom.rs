//! DICOM series from files written the way scanners write them: ordering, spacing,
//! orientation, windows, hidden patient data, and bad input.
use medssl::io::dicom::{write_ct_series, SeriesLayout};
use medssl::io::{self, list_files, no_progress, Volume};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::path::Path;

/// A volume whose every voxel tells where it is: value = 100·z + 10·y + x (HU).
fn labelled_volume(nx: usize, ny: usize, nz: usize) -> Volume {
    let voxels = (0..nz)
        .flat_map(|z| (0..ny).flat_map(move |y| (0..nx).map(move |x| (100 * z + 10 * y + x) as f32 - 500.0)))
        .collect();
    Volume::new(voxels, [nx, ny, nz], 1, [1.0; 3])
}

fn write_shuffled(dir: &Path, volume: &Volume, uid: &str, first_z: f64, step: f64, seed: u64) {
    let nz = volume.dims[2];
    let mut names: Vec<String> = (0..nz).map(|k| format!("IM{k:04}")).collect();
    names.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    let layout = SeriesLayout {
        series_uid: uid.into(),
        positions: (0..nz).map(|k| first_z + step * k as f64).collect(),
        file_names: names,
        pixel_spacing: [0.8, 0.6],
    };
    write_ct_series(volume, dir, &layout).unwrap();
}

#[test]
fn shuffled_series_loads_in_spatial_order_with_spacing_and_orientation() {
    let dir = tempfile::tempdir().unwrap();
    let truth = labelled_volume(7, 5, 9);
    write_shuffled(dir.path(), &truth, "1.2.826.0.1.3680043.99.1", -40.0, 2.5, 7);

    let v = io::open(dir.path(), &no_progress).unwrap();
    assert_eq!(v.dims, [7, 5, 9]);
    assert_eq!(v.voxels, truth.voxels, "slices out of order or values wrong");
    let [sx, sy, sz] = v.spacing();
    assert!(
        (sx - 0.6).abs() < 1e-9 && (sy - 0.8).abs() < 1e-9 && (sz - 2.5).abs() < 1e-9,
        "{:?}",
        v.spacing()
    );
    // Columns run to the patient's left, rows to posterior, slices up: LPS, as nibabel says
    // of an axial DICOM series.
    assert_eq!(v.axis_codes(), ['L', 'P', 'S']);
    assert_eq!(v.world([0.0, 0.0, 0.0]), [0.0, 0.0, -40.0]);
    assert_eq!(v.modality, "CT");
    let names: Vec<&str> = v.windows.iter().map(|w| w.name.as_str()).collect();
    for preset in ["Lung", "Mediastinum", "Bone", "Brain", "Abdomen"] {
        assert!(names.contains(&preset), "missing CT window {preset} in {names:?}");
    }
}

#[test]
fn descending_positions_sort_by_position_not_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let truth = labelled_volume(4, 3, 6);
    // Slice k sits at 10 - 3k: spatial order is the reverse of slice order.
    write_shuffled(dir.path(), &truth, "1.2.826.0.1.3680043.99.2", 10.0, -3.0, 3);
    let v = io::open(dir.path(), &no_progress).unwrap();
    let first_slice = &v.voxels[..12];
    assert_eq!(first_slice, &truth.voxels[5 * 12..6 * 12], "the lowest slice must come first");
    assert_eq!(v.axis_codes()[2], 'S');
    assert!((v.spacing()[2] - 3.0).abs() < 1e-9);
}

#[test]
fn identifying_fields_are_marked_and_inspect_never_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    write_shuffled(dir.path(), &labelled_volume(4, 4, 3), "1.2.826.0.1.3680043.99.3", 0.0, 1.0, 1);
    let v = io::open(dir.path(), &no_progress).unwrap();
    let name = v.metadata.fields.iter().find(|f| f.name == "PatientName").expect("PatientName is listed");
    assert!(name.identifying && name.value.contains("PHANTOM"));
    assert!(v.metadata.public().all(|f| !f.value.contains("PHANTOM")));

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_medssl"))
        .args(["inspect", "--headers"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("4 × 4 × 3") && text.contains("LPS") && text.contains("CT"), "{text}");
    assert!(!text.contains("PHANTOM") && !text.contains("1.2.826.0.1.3680043.99.3"), "PHI printed:\n{text}");
}

#[test]
fn a_folder_of_two_series_offers_a_choice() {
    let dir = tempfile::tempdir().unwrap();
    write_shuffled(&dir.path().join("a"), &labelled_volume(4, 4, 3), "1.2.826.0.1.3680043.99.4", 0.0, 1.0, 1);
    write_shuffled(&dir.path().join("b"), &labelled_volume(6, 5, 2), "1.2.826.0.1.3680043.99.5", 0.0, 1.0, 2);
    let found = io::discover(dir.path(), &no_progress).unwrap().found;
    assert_eq!(found.len(), 2);
    let mut shapes: Vec<[usize; 3]> =
        found.iter().map(|f| io::load(&f.source, &no_progress).unwrap().dims).collect();
    shapes.sort();
    assert_eq!(shapes, vec![[4, 4, 3], [6, 5, 2]]);
    let err = io::open(dir.path(), &no_progress).unwrap_err().to_string();
    assert!(err.contains("pick one") && err.contains("2 series"), "{err}");
}

#[test]
fn two_images_at_one_position_are_not_one_volume() {
    let dir = tempfile::tempdir().unwrap();
    let layout = SeriesLayout {
        series_uid: "1.2.826.0.1.3680043.99.6".into(),
        positions: vec![0.0, 0.0, 1.0],
        file_names: vec!["a".into(), "b".into(), "c".into()],
        pixel_spacing: [1.0, 1.0],
    };
    write_ct_series(&labelled_volume(3, 3, 3), dir.path(), &layout).unwrap();
    let err = format!("{:#}", io::open(dir.path(), &no_progress).unwrap_err());
    assert!(err.contains("not one volume"), "{err}");
}

/// Bytes of one valid slice file, to corrupt.
fn one_slice() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let layout = SeriesLayout {
        series_uid: "1.2.826.0.1.3680043.99.7".into(),
        positions: vec![0.0],
        file_names: vec!["x.dcm".into()],
        pixel_spacing: [1.0, 1.0],
    };
    write_ct_series(&labelled_volume(16, 16, 1), dir.path(), &layout).unwrap();
    std::fs::read(dir.path().join("x.dcm")).unwrap()
}

fn open_bytes(bytes: &[u8]) -> anyhow::Result<Volume> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.dcm");
    std::fs::write(&path, bytes).unwrap();
    io::open(&path, &no_progress)
}

/// Replaces the value of a US element (tag bytes, explicit VR LE) in a file's bytes.
fn patch_us(bytes: &mut [u8], group: u16, element: u16, value: u16) {
    let mut tag = group.to_le_bytes().to_vec();
    tag.extend(element.to_le_bytes());
    tag.extend(b"US");
    let at = bytes.windows(6).position(|w| w == tag.as_slice()).expect("element present");
    bytes[at + 8..at + 10].copy_from_slice(&value.to_le_bytes());
}

#[test]
fn bad_files_give_clear_errors_without_panicking_or_huge_allocations() {
    let good = one_slice();
    assert!(open_bytes(&good).is_ok());

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "not a readable DICOM file"),
        ("wrong magic", b"\x89PNG\r\n\x1a\n not dicom at all".repeat(20), "not a readable DICOM file"),
        ("truncated", good[..good.len() - 200].to_vec(), "cannot be read"),
        (
            "absurd size",
            {
                let mut b = good.clone();
                patch_us(&mut b, 0x0028, 0x0010, 60000);
                patch_us(&mut b, 0x0028, 0x0011, 60000);
                b
            },
            "the header is corrupt",
        ),
    ];
    for (what, bytes, expected) in cases {
        let result = std::panic::catch_unwind(|| open_bytes(&bytes));
        let err = match result {
            Ok(Err(e)) => format!("{e:#}"),
            Ok(Ok(v)) => panic!("{what}: loaded a {:?} volume from a bad file", v.dims),
            Err(_) => panic!("{what}: panicked"),
        };
        assert!(err.contains(expected), "{what}: {err}");
    }
}

#[test]
fn a_series_with_a_missing_slice_loads_with_a_note_and_an_even_one_without() {
    let dir = tempfile::tempdir().unwrap();
    let volume = labelled_volume(4, 4, 6);
    write_shuffled(&dir.path().join("even"), &volume, "1.2.826.0.1.3680043.99.6", 0.0, 2.5, 3);
    let even = io::open(&dir.path().join("even"), &no_progress).unwrap();
    assert!(even.notes.is_empty(), "{:?}", even.notes);

    let gap = dir.path().join("gap");
    write_shuffled(&gap, &volume, "1.2.826.0.1.3680043.99.7", 0.0, 2.5, 4);
    // The slice at 7.5 mm is lost, as a broken export loses one: 5.0 mm then 2.5 mm steps.
    let lost = list_files(&gap, false).unwrap().into_iter().find(|p| {
        let v = io::open(p, &no_progress).unwrap();
        (v.world([0.0, 0.0, 0.0])[2] - 7.5).abs() < 1e-6
    });
    std::fs::remove_file(lost.expect("a slice at 7.5 mm")).unwrap();
    let loaded = io::open(&gap, &no_progress).unwrap();
    assert_eq!(loaded.dims[2], 5);
    let note = loaded.notes.join("\n");
    assert!(
        note.contains("uneven slice spacing") && note.contains("gap") && note.contains("2.500"),
        "{note}"
    );
}

#[test]
fn files_a_folder_cannot_load_are_listed_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    write_shuffled(dir.path(), &labelled_volume(4, 4, 3), "1.2.826.0.1.3680043.99.8", 0.0, 1.0, 5);
    std::fs::write(dir.path().join("notes.txt"), "not an image").unwrap();
    std::fs::write(dir.path().join("broken.nii"), [0u8; 40]).unwrap();
    let discovery = io::discover(dir.path(), &no_progress).unwrap();
    assert_eq!(discovery.found.len(), 1);
    let mut skipped: Vec<String> = discovery
        .skipped
        .iter()
        .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    skipped.sort();
    assert_eq!(skipped, ["broken.nii", "notes.txt"]);
    assert!(discovery.skipped.iter().all(|s| !s.reason.is_empty()));
}

#[test]
fn a_decoder_panic_becomes_an_error_naming_the_file() {
    let error = io::without_panic("scan/IM0007", || -> anyhow::Result<()> { panic!("index out of bounds") })
        .unwrap_err()
        .to_string();
    assert!(error.contains("scan/IM0007") && error.contains("index out of bounds"), "{error}");
    assert_eq!(io::without_panic("f", || Ok(3)).unwrap(), 3);
}
