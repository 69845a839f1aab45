//! NIfTI-1, NIfTI-2 and Analyze loading on synthetic files. Headers are written byte by byte
//! here (independently of the `nifti` crate the loader uses), so each case controls exactly
//! what the file says; the crate's own writer makes the gzip and pair files.
use medssl::io::nifti::{load, volume_count};
use medssl::io::Volume;
use ndarray::Array3;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Version {
    One,
    Two,
}

/// A NIfTI header built field by field, in either version and byte order.
#[derive(Clone)]
struct Header {
    bytes: Vec<u8>,
    version: Version,
    big: bool,
}

impl Header {
    fn new(version: Version, big: bool, dims: &[i64], datatype: i16, bitpix: i16) -> Self {
        let size = if version == Version::One { 348 } else { 540 };
        let mut h = Self { bytes: vec![0; size], version, big };
        h.int(0, 4, size as i64);
        match version {
            Version::One => {
                h.bytes[344..348].copy_from_slice(b"n+1\0");
                h.int(70, 2, datatype as i64);
                h.int(72, 2, bitpix as i64);
            }
            Version::Two => {
                h.bytes[4..12].copy_from_slice(b"n+2\0\r\n\x1a\n");
                h.int(12, 2, datatype as i64);
                h.int(14, 2, bitpix as i64);
            }
        }
        let mut dim = [1i64; 8];
        dim[0] = dims.len() as i64;
        dim[1..=dims.len()].copy_from_slice(dims);
        for (i, d) in dim.iter().enumerate() {
            h.dim(i, *d);
        }
        for i in 0..8 {
            h.pixdim(i, 1.0);
        }
        h.vox_offset(size as f64 + 4.0);
        h
    }

    fn int(&mut self, at: usize, width: usize, value: i64) {
        let bytes = if self.big { value.to_be_bytes() } else { value.to_le_bytes() };
        let range = if self.big { 8 - width..8 } else { 0..width };
        self.bytes[at..at + width].copy_from_slice(&bytes[range]);
    }

    fn real(&mut self, at: usize, width: usize, value: f64) {
        let bytes = match (width, self.big) {
            (4, false) => (value as f32).to_le_bytes().to_vec(),
            (4, true) => (value as f32).to_be_bytes().to_vec(),
            (_, false) => value.to_le_bytes().to_vec(),
            (_, true) => value.to_be_bytes().to_vec(),
        };
        self.bytes[at..at + width].copy_from_slice(&bytes);
    }

    fn one(&self) -> bool {
        self.version == Version::One
    }

    fn dim(&mut self, i: usize, value: i64) {
        if self.one() {
            self.int(40 + 2 * i, 2, value)
        } else {
            self.int(16 + 8 * i, 8, value)
        }
    }

    fn pixdim(&mut self, i: usize, value: f64) {
        if self.one() {
            self.real(76 + 4 * i, 4, value)
        } else {
            self.real(104 + 8 * i, 8, value)
        }
    }

    fn vox_offset(&mut self, value: f64) {
        if self.one() {
            self.real(108, 4, value)
        } else {
            self.int(168, 8, value as i64)
        }
    }

    fn scaling(&mut self, slope: f64, inter: f64) {
        let (at, width) = if self.one() { (112, 4) } else { (176, 8) };
        self.real(at, width, slope);
        self.real(at + width, width, inter);
    }

    fn codes(&mut self, qform: i64, sform: i64) {
        if self.one() {
            self.int(252, 2, qform);
            self.int(254, 2, sform);
        } else {
            self.int(344, 4, qform);
            self.int(348, 4, sform);
        }
    }

    /// quatern_b, c, d and qoffset_x, y, z.
    fn quatern(&mut self, values: [f64; 6]) {
        let (at, width) = if self.one() { (256, 4) } else { (352, 8) };
        for (i, v) in values.iter().enumerate() {
            self.real(at + width * i, width, *v);
        }
    }

    fn srow(&mut self, rows: [[f64; 4]; 3]) {
        let (at, width) = if self.one() { (280, 4) } else { (400, 8) };
        for (i, v) in rows.iter().flatten().enumerate() {
            self.real(at + width * i, width, *v);
        }
    }

    fn intent(&mut self, code: i64) {
        if self.one() {
            self.int(68, 2, code)
        } else {
            self.int(504, 4, code)
        }
    }

    fn descrip(&mut self, text: &str) {
        let at = if self.one() { 148 } else { 240 };
        self.bytes[at..at + text.len()].copy_from_slice(text.as_bytes());
    }

    /// A single `.nii` file: header, the 4-byte extension flag, voxels.
    fn write(&self, path: &Path, voxels: &[u8]) {
        let mut file = self.bytes.clone();
        file.extend_from_slice(&[0; 4]);
        file.extend_from_slice(voxels);
        std::fs::write(path, file).unwrap();
    }
}

/// `values` stored as NIfTI `datatype`, in the given byte order.
fn encode(values: &[f64], datatype: i16, big: bool) -> Vec<u8> {
    macro_rules! bytes {
        ($t:ty) => {
            values
                .iter()
                .flat_map(|&v| {
                    if big {
                        (v as $t).to_be_bytes().to_vec()
                    } else {
                        (v as $t).to_le_bytes().to_vec()
                    }
                })
                .collect()
        };
    }
    match datatype {
        2 => bytes!(u8),
        256 => bytes!(i8),
        4 => bytes!(i16),
        512 => bytes!(u16),
        8 => bytes!(i32),
        768 => bytes!(u32),
        1024 => bytes!(i64),
        1280 => bytes!(u64),
        16 => bytes!(f32),
        64 => bytes!(f64),
        other => panic!("no encoder for datatype {other}"),
    }
}

/// What the stored value is once written as `datatype`: the value a correct reader starts from.
fn stored(value: f64, datatype: i16) -> f64 {
    match datatype {
        16 => value as f32 as f64,
        1024 => value as i64 as f64,
        1280 => value as u64 as f64,
        _ => value,
    }
}

const DATATYPES: [(i16, i16, &str, [f64; 4]); 10] = [
    (2, 8, "uint8", [0.0, 1.0, 127.0, 255.0]),
    (256, 8, "int8", [-128.0, -1.0, 0.0, 127.0]),
    (4, 16, "int16", [-32768.0, -1.0, 0.0, 32767.0]),
    (512, 16, "uint16", [0.0, 1.0, 40000.0, 65535.0]),
    (8, 32, "int32", [-2147483648.0, -16777216.0, 0.0, 16777216.0]),
    (768, 32, "uint32", [0.0, 1.0, 16777216.0, 4000000000.0]),
    (1024, 64, "int64", [-1099511627776.0, -1.0, 0.0, 1099511627776.0]),
    (1280, 64, "uint64", [0.0, 1.0, 1099511627776.0, 1152921504606846976.0]),
    (16, 32, "float32", [-1.5, 0.0, 0.1, 1.0e30]),
    (64, 64, "float64", [-2.5, 0.1, 1.0e10, 123456.789]),
];

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn error_of(path: &Path, volume: usize) -> String {
    format!("{:#}", load(path, volume).expect_err("the file must be refused"))
}

#[test]
fn every_datatype_loads_exactly_in_both_versions_and_byte_orders() {
    let dir = tempdir();
    for version in [Version::One, Version::Two] {
        for big in [false, true] {
            for (datatype, bitpix, name, values) in DATATYPES {
                let path = dir.path().join(format!("{name}-{version:?}-{big}.nii"));
                let header = Header::new(version, big, &[2, 2], datatype, bitpix);
                header.write(&path, &encode(&values, datatype, big));
                let loaded = load(&path, 0).unwrap_or_else(|e| panic!("{name} {version:?} big={big}: {e:#}"));
                let expected: Vec<f32> = values.iter().map(|&v| stored(v, datatype) as f32).collect();
                assert_eq!(loaded.voxels, expected, "{name} {version:?} big-endian {big}");
                assert_eq!(loaded.dims, [2, 2, 1]);
                assert_eq!(loaded.provenance.encoding, name);
                let format = if version == Version::One { "NIfTI-1" } else { "NIfTI-2" };
                assert_eq!(loaded.provenance.format, format);
            }
        }
    }
}

#[test]
fn scl_slope_and_inter_apply_and_a_zero_or_nan_slope_means_none() {
    let dir = tempdir();
    for version in [Version::One, Version::Two] {
        for (datatype, bitpix, name, values) in DATATYPES {
            let path = dir.path().join(format!("{name}-{version:?}.nii"));
            let data = encode(&values, datatype, false);
            let mut header = Header::new(version, false, &[4], datatype, bitpix);
            header.scaling(0.5, -3.0);
            header.write(&path, &data);
            let scaled: Vec<f32> = values.iter().map(|&v| (stored(v, datatype) * 0.5 - 3.0) as f32).collect();
            assert_eq!(load(&path, 0).unwrap().voxels, scaled, "{name} {version:?} scaled");
            let raw: Vec<f32> = values.iter().map(|&v| stored(v, datatype) as f32).collect();
            for slope in [0.0, f64::NAN] {
                header.scaling(slope, 100.0);
                header.write(&path, &data);
                assert_eq!(load(&path, 0).unwrap().voxels, raw, "{name} {version:?} slope {slope}");
            }
        }
    }
}

#[test]
fn integer_label_maps_keep_exact_values_and_say_their_datatype() {
    let dir = tempdir();
    let path = dir.path().join("labels.nii");
    let labels: Vec<f64> = (0..27).map(|i| [0.0, 1.0, 2.0, 1000.0, 16_777_215.0][i % 5]).collect();
    Header::new(Version::One, false, &[3, 3, 3], 8, 32).write(&path, &encode(&labels, 8, false));
    let loaded = load(&path, 0).unwrap();
    assert_eq!(loaded.provenance.encoding, "int32");
    for (got, want) in loaded.voxels.iter().zip(&labels) {
        assert_eq!(*got as i64, *want as i64);
        assert_eq!(got.fract(), 0.0);
    }
    assert_eq!(loaded.value(2, 2, 2), labels[26] as f32);
}

#[test]
fn rgb24_loads_as_three_interleaved_channels() {
    let dir = tempdir();
    let path = dir.path().join("rgb.nii");
    let pixels: Vec<u8> = (0..2 * 3 * 2 * 3).map(|i| (i * 7) as u8).collect();
    Header::new(Version::One, false, &[2, 3, 2], 128, 24).write(&path, &pixels);
    let loaded = load(&path, 0).unwrap();
    assert_eq!(loaded.channels, 3);
    assert_eq!(loaded.dims, [2, 3, 2]);
    assert_eq!(loaded.provenance.encoding, "RGB24");
    let at = loaded.index(1, 2, 1);
    assert_eq!(
        &loaded.voxels[at..at + 3],
        &[pixels[at] as f32, pixels[at + 1] as f32, pixels[at + 2] as f32]
    );
    // (z ny + y) nx + x voxels before it, 3 values each.
    assert_eq!(at, 11 * 3);
}

#[test]
fn a_4d_file_loads_the_chosen_volume_and_refuses_one_past_the_end() {
    let dir = tempdir();
    for version in [Version::One, Version::Two] {
        let path = dir.path().join(format!("fmri-{version:?}.nii"));
        // Voxel value: volume * 1000 + voxel index within the volume.
        let values: Vec<f64> = (0..3).flat_map(|t| (0..12).map(move |i| (t * 1000 + i) as f64)).collect();
        Header::new(version, true, &[3, 2, 2, 3], 4, 16).write(&path, &encode(&values, 4, true));
        let (count, label) = volume_count(&path).unwrap();
        assert_eq!(count, 3);
        assert!(label.contains("3×2×2") && label.contains("3 volumes"), "{label}");
        let second = load(&path, 2).unwrap();
        assert_eq!(second.dims, [3, 2, 2]);
        assert_eq!(second.voxels, (0..12).map(|i| (2000 + i) as f32).collect::<Vec<_>>());
        let error = error_of(&path, 3);
        assert!(error.contains("volume 3 is out of range") && error.contains("3 volume"), "{error}");
    }
}

#[test]
fn a_2d_image_is_one_slice_deep() {
    let dir = tempdir();
    let path = dir.path().join("slice.nii");
    let mut header = Header::new(Version::One, false, &[4, 3], 2, 8);
    header.pixdim(1, 0.25);
    header.pixdim(2, 0.5);
    header.write(&path, &[7; 12]);
    let loaded = load(&path, 0).unwrap();
    assert_eq!(loaded.dims, [4, 3, 1]);
    assert_eq!(loaded.spacing(), [0.25, 0.5, 1.0]);
}

/// Loads a 4×3×2 uint8 file with the given header adjustments.
fn load_with(version: Version, adjust: impl Fn(&mut Header)) -> Volume {
    let dir = tempdir();
    let path = dir.path().join("oriented.nii");
    let mut header = Header::new(version, false, &[4, 3, 2], 2, 8);
    adjust(&mut header);
    header.write(&path, &[1; 24]);
    load(&path, 0).unwrap_or_else(|e| panic!("{e:#}"))
}

fn rotation_z(degrees: f64) -> [[f64; 4]; 3] {
    let (s, c) = degrees.to_radians().sin_cos();
    [[c, -s, 0.0, 0.0], [s, c, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]
}

fn assert_close(got: [f64; 3], want: [f64; 3]) {
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-5, "got {got:?}, want {want:?}");
    }
}

// Expected letters, by hand (each agrees with nibabel 5.4.2's aff2axcodes): a voxel axis takes
// the world axis its affine column points along most. Rotating by 30° about z leaves x mostly
// along +x (cos 30° = 0.87 > sin 30°) and y along +y: R, A, S. At 60° x points mostly along +y
// (A) and y along -x (L): A, L, S. diag(-1, 1, 1) is L, A, S; diag(1, -1, -1) is R, P, I.
#[test]
fn sform_orientation_letters_follow_flips_and_rotations() {
    for version in [Version::One, Version::Two] {
        let with_sform = |rows: [[f64; 4]; 3]| {
            load_with(version, |h| {
                h.codes(0, 2);
                h.srow(rows);
            })
        };
        let flipped = [[-1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]];
        assert_eq!(with_sform(flipped).axis_codes(), ['L', 'A', 'S']);
        let flipped_yz = [[1.0, 0.0, 0.0, 0.0], [0.0, -1.0, 0.0, 0.0], [0.0, 0.0, -1.0, 0.0]];
        assert_eq!(with_sform(flipped_yz).axis_codes(), ['R', 'P', 'I']);
        assert_eq!(with_sform(rotation_z(30.0)).axis_codes(), ['R', 'A', 'S']);
        assert_eq!(with_sform(rotation_z(60.0)).axis_codes(), ['A', 'L', 'S']);
        let mut scaled = rotation_z(60.0);
        scaled[0][3] = 12.5;
        for row in &mut scaled {
            row[2] *= 3.0;
        }
        let loaded = with_sform(scaled);
        assert_close(loaded.spacing(), [1.0, 1.0, 3.0]);
        assert_close(loaded.world([0.0, 0.0, 0.0]), [12.5, 0.0, 0.0]);
    }
}

// The qform is a rotation quaternion (b, c, d; a = sqrt(1 - b² - c² - d²)) times
// diag(pixdim[1], pixdim[2], qfac * pixdim[3]). 60° about z is (0, 0, sin 30°) = (0, 0, 0.5):
// columns (cos 60°, sin 60°, 0) * 0.5 and (-sin 60°, cos 60°, 0) * 0.7, A then L, as for the sform.
// qfac -1 turns +z into -z: A, L, I. 180° about x, (1, 0, 0), is diag(1, -1, -1): R, P, I.
#[test]
fn qform_orientation_spacing_and_origin() {
    for version in [Version::One, Version::Two] {
        let with_qform = |quatern: [f64; 6], qfac: f64| {
            load_with(version, |h| {
                h.codes(1, 0);
                h.quatern(quatern);
                h.pixdim(0, qfac);
                h.pixdim(1, 0.5);
                h.pixdim(2, 0.7);
                h.pixdim(3, 2.5);
            })
        };
        let rotated = with_qform([0.0, 0.0, 0.5, 10.0, -20.0, 5.0], 1.0);
        assert_eq!(rotated.axis_codes(), ['A', 'L', 'S']);
        assert_close(rotated.spacing(), [0.5, 0.7, 2.5]);
        assert_close(rotated.world([0.0, 0.0, 0.0]), [10.0, -20.0, 5.0]);
        assert_close(rotated.world([1.0, 0.0, 0.0]), [10.25, -20.0 + 0.5 * 60f64.to_radians().sin(), 5.0]);
        assert_eq!(with_qform([0.0, 0.0, 0.5, 0.0, 0.0, 0.0], -1.0).axis_codes(), ['A', 'L', 'I']);
        assert_eq!(with_qform([1.0, 0.0, 0.0, 0.0, 0.0, 0.0], 1.0).axis_codes(), ['R', 'P', 'I']);
        // A qfac that is neither 1 nor -1 is read as 1, and a negative spacing as its size,
        // as nibabel does.
        let sloppy = load_with(version, |h| {
            h.codes(1, 0);
            h.pixdim(0, 0.0);
            h.pixdim(1, -2.0);
        });
        assert_eq!(sloppy.axis_codes(), ['R', 'A', 'S']);
        assert_close(sloppy.spacing(), [2.0, 1.0, 1.0]);
    }
}

#[test]
fn sform_wins_over_qform_and_neither_means_radiological_pixdim() {
    let both = load_with(Version::One, |h| {
        h.codes(1, 1);
        h.quatern([1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        h.srow(rotation_z(0.0));
    });
    assert_eq!(both.axis_codes(), ['R', 'A', 'S']);
    // nibabel's base affine: x flipped, origin at the centre of the grid.
    let neither = load_with(Version::One, |h| {
        h.codes(0, 0);
        h.pixdim(1, 0.5);
        h.pixdim(2, 0.7);
        h.pixdim(3, 2.5);
    });
    assert_eq!(neither.axis_codes(), ['L', 'A', 'S']);
    assert_close(neither.spacing(), [0.5, 0.7, 2.5]);
    assert_close(neither.world([0.0, 0.0, 0.0]), [0.75, -0.7, -1.25]);
}

#[test]
fn gzip_files_and_header_image_pairs_written_by_the_nifti_crate_load() {
    let dir = tempdir();
    let data = Array3::from_shape_fn((5, 4, 3), |(x, y, z)| (x * 100 + y * 10 + z) as f32 - 50.5);
    for name in ["vol.nii.gz", "pair.hdr", "pairgz.hdr.gz"] {
        let path = dir.path().join(name);
        nifti::writer::WriterOptions::new(&path).write_nifti(&data).unwrap();
        let loaded = load(&path, 0).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert_eq!(loaded.dims, [5, 4, 3], "{name}");
        for (x, y, z) in [(0, 0, 0), (4, 0, 0), (1, 3, 2), (4, 3, 2)] {
            assert_eq!(loaded.value(x, y, z), data[[x, y, z]], "{name} at {x},{y},{z}");
        }
        let files = if name.starts_with("pair") { 2 } else { 1 };
        assert_eq!(loaded.provenance.files, files, "{name}");
    }
    // The image file of a pair, named directly, finds its header.
    let from_image = load(&dir.path().join("pair.img"), 0).unwrap();
    assert_eq!(from_image.value(1, 3, 2), data[[1, 3, 2]]);
}

/// A gzip member holding nothing: one final stored deflate block of length 0, CRC and size 0.
const EMPTY_GZIP_MEMBER: [u8; 23] =
    [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0];

#[test]
fn concatenated_gzip_members_read_as_one_stream() {
    let dir = tempdir();
    let single = dir.path().join("single.nii.gz");
    let data = Array3::from_shape_fn((6, 5, 4), |(x, y, z)| (x + 10 * y + 100 * z) as f32);
    nifti::writer::WriterOptions::new(&single).write_nifti(&data).unwrap();
    // As gzip(1) and nibabel do, a reader must go on into the next member: here the whole file
    // is in the second member, and an empty one (bgzip's end marker) follows.
    let mut bytes = EMPTY_GZIP_MEMBER.to_vec();
    bytes.extend(std::fs::read(&single).unwrap());
    bytes.extend(EMPTY_GZIP_MEMBER);
    let multi = written(dir.path(), "multi.nii.gz", &bytes);
    let loaded = load(&multi, 0).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(loaded.value(5, 4, 3), data[[5, 4, 3]]);
}

#[test]
fn analyze_pairs_load_with_spm_origin_and_radiological_x() {
    let dir = tempdir();
    let mut header = Header::new(Version::One, true, &[4, 3, 2], 2, 8);
    header.bytes[344..348].fill(0);
    header.vox_offset(0.0);
    for i in 1..4 {
        header.pixdim(i, 2.0);
    }
    // SPM's origin, 1-based voxel (3, 2, 1), in the history block.
    for (i, o) in [3i64, 2, 1].iter().enumerate() {
        header.int(253 + 2 * i, 2, *o);
    }
    std::fs::write(dir.path().join("t1.hdr"), &header.bytes).unwrap();
    let voxels: Vec<u8> = (0..24).collect();
    std::fs::write(dir.path().join("t1.img"), &voxels).unwrap();
    let loaded = load(&dir.path().join("t1.hdr"), 0).unwrap();
    assert_eq!(loaded.provenance.format, "Analyze 7.5");
    assert_eq!(loaded.voxels, voxels.iter().map(|&v| v as f32).collect::<Vec<_>>());
    assert_eq!(loaded.axis_codes(), ['L', 'A', 'S']);
    // Voxel origin - 1 = (2, 1, 0) sits at world 0; x runs towards the left.
    assert_close(loaded.world([2.0, 1.0, 0.0]), [0.0, 0.0, 0.0]);
    assert_close(loaded.world([3.0, 1.0, 0.0]), [-2.0, 0.0, 0.0]);
}

#[test]
fn metadata_lists_header_fields_and_hides_free_text() {
    let dir = tempdir();
    let path = dir.path().join("meta.nii");
    let mut header = Header::new(Version::One, false, &[2, 2, 2], 4, 16);
    header.descrip("Doe^John 1970-01-01");
    header.write(&path, &[0; 16]);
    let loaded = load(&path, 0).unwrap();
    assert_eq!(loaded.metadata.get("datatype"), Some("int16"));
    assert_eq!(loaded.metadata.get("dim"), Some("[3, 2, 2, 2, 1, 1, 1, 1]"));
    let descrip = loaded.metadata.fields.iter().find(|f| f.name == "descrip").expect("descrip listed");
    assert!(descrip.identifying);
    assert!(loaded.metadata.public().all(|f| !f.value.contains("Doe")));
    assert_eq!(loaded.modality, "OT");
    assert!(loaded.windows.is_empty());
}

#[test]
fn single_files_with_vox_offset_zero_read_after_the_header() {
    let dir = tempdir();
    let path = dir.path().join("spm.nii");
    let mut header = Header::new(Version::One, false, &[2, 2, 1], 2, 8);
    header.vox_offset(0.0);
    header.write(&path, &[9, 8, 7, 6]);
    assert_eq!(load(&path, 0).unwrap().voxels, vec![9.0, 8.0, 7.0, 6.0]);
}

fn written(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn bad_files_give_specific_errors_without_panicking() {
    let dir = tempdir();
    let dir = dir.path();
    let good = Header::new(Version::One, false, &[10, 10, 10], 4, 16);
    let mut full = good.bytes.clone();
    full.extend_from_slice(&[0; 4 + 2000]);

    let empty = written(dir, "empty.nii", &[]);
    assert!(error_of(&empty, 0).contains("is empty"));

    let short = written(dir, "short.nii", &full[..100]);
    assert!(error_of(&short, 0).contains("ends inside its header (100 of 348 bytes)"));

    let truncated = written(dir, "truncated.nii", &full[..352 + 1000]);
    let error = error_of(&truncated, 0);
    assert!(error.contains("declares 2352 bytes") && error.contains("1352-byte file"), "{error}");

    let png = written(dir, "png.nii", b"\x89PNG\r\n\x1a\n and more bytes");
    assert!(error_of(&png, 0).contains("not a NIfTI or Analyze file"));

    let mut bad_magic = full.clone();
    bad_magic[344..348].copy_from_slice(b"abc\0");
    let bad_magic = written(dir, "magic.nii", &bad_magic);
    assert!(error_of(&bad_magic, 0).contains("not a NIfTI file: its magic"));

    let mut huge = Header::new(Version::One, false, &[60000, 60000, 60000], 16, 32);
    huge.vox_offset(352.0);
    let huge_path = dir.join("huge.nii");
    huge.write(&huge_path, &[0; 64]);
    let error = error_of(&huge_path, 0);
    assert!(error.contains("declares 864000000000352 bytes") && error.contains("corrupt"), "{error}");
    assert!(format!("{:#}", volume_count(&huge_path).unwrap_err()).contains("corrupt"));

    let mut nifti2_huge = Header::new(Version::Two, false, &[60000, 60000, 60000], 16, 32);
    nifti2_huge.vox_offset(544.0);
    nifti2_huge.write(&dir.join("huge2.nii"), &[0; 64]);
    assert!(error_of(&dir.join("huge2.nii"), 0).contains("corrupt"));

    let mut header_only = good.clone();
    header_only.bytes[344..348].copy_from_slice(b"ni1\0");
    let hdr = written(dir, "lonely.hdr", &header_only.bytes);
    let error = error_of(&hdr, 0);
    assert!(error.contains("holds a header only: no image data") && error.contains("lonely.img"), "{error}");
    assert!(volume_count(&hdr).is_err());

    let img = written(dir, "orphan.img", &[0; 100]);
    assert!(error_of(&img, 0).contains("without its header"));

    let header_only_single = written(dir, "only.nii", &good.bytes);
    assert!(error_of(&header_only_single, 0).contains("holds a header only"));
}

#[test]
fn malformed_fields_give_specific_errors_without_panicking() {
    let dir = tempdir();
    let case = |name: &str, adjust: &dyn Fn(&mut Header)| {
        let path = dir.path().join(name);
        let mut header = Header::new(Version::One, false, &[2, 2, 2], 2, 8);
        adjust(&mut header);
        header.write(&path, &[0; 64]);
        error_of(&path, 0)
    };
    assert!(case("datatype.nii", &|h| h.int(70, 2, 999)).contains("datatype 999 is unknown"));
    assert!(case("complex.nii", &|h| h.int(70, 2, 32)).contains("complex64 is not supported"));
    assert!(case("zero-dim.nii", &|h| h.dim(2, 0)).contains("dim[2] is 0"));
    assert!(case("offset.nii", &|h| h.vox_offset(f64::NAN)).contains("vox_offset NaN"));
    assert!(case("inter.nii", &|h| h.scaling(2.0, f64::INFINITY)).contains("scl_inter is inf"));
    assert!(case("cifti.nii", &|h| h.intent(3001)).contains("CIFTI"));
    let quaternion = case("quaternion.nii", &|h| {
        h.codes(1, 0);
        h.quatern([0.9, 0.9, 0.9, 0.0, 0.0, 0.0]);
    });
    assert!(quaternion.contains("not a rotation"), "{quaternion}");
}

#[test]
fn a_truncated_gzip_file_says_so() {
    let dir = tempdir();
    let path = dir.path().join("whole.nii.gz");
    let data = Array3::from_shape_fn((64, 64, 16), |(x, y, z)| ((x * 7 + y * 13 + z * 31) % 251) as f32);
    nifti::writer::WriterOptions::new(&path).write_nifti(&data).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let cut = written(dir.path(), "cut.nii.gz", &bytes[..bytes.len() / 2]);
    let error = error_of(&cut, 0);
    assert!(error.contains("volume 0 of") && error.contains("cannot read the voxels"), "{error}");
}
