//! 2D rasters (PNG, JPEG, TIFF through `image`) and MedMNIST-style `.npz` archives (through
//! `npyz`), on synthetic files written here.
use image::{ImageBuffer, Luma, LumaA, Rgb, Rgba};
use medssl::io::{npz, raster};
use npyz::WriterBuilder;
use std::io::Write;
use std::path::{Path, PathBuf};

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn raster_error(path: &Path) -> String {
    format!("{:#}", raster::load(path).expect_err("the file must be refused"))
}

const W: u32 = 5;
const H: u32 = 3;

fn grey16(x: u32, y: u32) -> u16 {
    (x * 13_000 + y * 500 + 7) as u16
}

#[test]
fn png_and_tiff_load_8_and_16_bit_grey_and_rgb_in_native_range() {
    let dir = tempdir();
    for ext in ["png", "tif"] {
        let format = if ext == "png" { "PNG" } else { "TIFF" };
        let path = |name: &str| dir.path().join(format!("{name}.{ext}"));

        ImageBuffer::from_fn(W, H, |x, y| Luma([(x * 50 + y) as u8])).save(path("l8")).unwrap();
        let l8 = raster::load(&path("l8")).unwrap();
        assert_eq!((l8.dims, l8.channels), ([5, 3, 1], 1));
        assert_eq!(l8.value(4, 2, 0), 202.0);
        assert_eq!(l8.provenance.format, format);
        assert_eq!(l8.provenance.encoding, "L8");

        ImageBuffer::from_fn(W, H, |x, y| Luma([grey16(x, y)])).save(path("l16")).unwrap();
        let l16 = raster::load(&path("l16")).unwrap();
        assert_eq!(l16.provenance.encoding, "L16");
        for (x, y) in [(0, 0), (4, 2), (3, 1)] {
            assert_eq!(l16.value(x, y, 0), grey16(x as u32, y as u32) as f32, "{ext} L16 at {x},{y}");
        }
        assert_eq!(l16.value_range().1, 53_007.0);

        ImageBuffer::from_fn(W, H, |x, y| Rgb([x as u16 * 1000, y as u16 * 20_000, 65_535]))
            .save(path("rgb16"))
            .unwrap();
        let rgb16 = raster::load(&path("rgb16")).unwrap();
        assert_eq!((rgb16.dims, rgb16.channels), ([5, 3, 1], 3));
        let at = rgb16.index(3, 2, 0);
        assert_eq!(&rgb16.voxels[at..at + 3], &[3000.0, 40_000.0, 65_535.0], "{ext} RGB16");
        assert_eq!(rgb16.provenance.encoding, "Rgb16");

        ImageBuffer::from_fn(W, H, |x, y| Rgba([x as u8, y as u8, 9, 17])).save(path("rgba8")).unwrap();
        let rgba = raster::load(&path("rgba8")).unwrap();
        assert_eq!(rgba.channels, 3, "alpha is dropped");
        let at = rgba.index(4, 1, 0);
        assert_eq!(&rgba.voxels[at..at + 3], &[4.0, 1.0, 9.0]);
    }
    let dir_path = dir.path().join("la16.png");
    ImageBuffer::from_fn(W, H, |x, y| LumaA([grey16(x, y), 3])).save(&dir_path).unwrap();
    let la = raster::load(&dir_path).unwrap();
    assert_eq!(la.channels, 1);
    assert_eq!(la.value(2, 1, 0), grey16(2, 1) as f32);
}

#[test]
fn jpeg_loads_within_lossy_tolerance() {
    let dir = tempdir();
    let path = dir.path().join("photo.jpg");
    let (w, h) = (64, 48);
    ImageBuffer::from_fn(w, h, |x, _| Rgb([(x * 4) as u8, 128, 200])).save(&path).unwrap();
    let loaded = raster::load(&path).unwrap();
    assert_eq!((loaded.dims, loaded.channels), ([64, 48, 1], 3));
    assert_eq!(loaded.provenance.format, "JPEG");
    // A smooth gradient survives JPEG's default quality within a few levels.
    for (x, y) in [(0, 0), (31, 20), (63, 47)] {
        let at = loaded.index(x, y, 0);
        let want = [(x * 4) as f32, 128.0, 200.0];
        for (c, (got, want)) in loaded.voxels[at..at + 3].iter().zip(want).enumerate() {
            assert!((got - want).abs() <= 6.0, "{x},{y} channel {c}: {got}");
        }
    }
}

/// CRC-32 (ISO 3309, as PNG uses), to forge a consistent chunk.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn written(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn bad_rasters_give_specific_errors_without_panicking() {
    let dir = tempdir();
    let dir = dir.path();
    let good = dir.join("good.png");
    ImageBuffer::from_fn(64, 64, |x, y| Luma([((x * y) % 251) as u8])).save(&good).unwrap();
    let png = std::fs::read(&good).unwrap();

    assert!(raster_error(&written(dir, "empty.png", &[])).contains("is empty"));
    let truncated = raster_error(&written(dir, "cut.png", &png[..png.len() / 2]));
    assert!(truncated.contains("cannot decode") || truncated.contains("not a readable PNG"), "{truncated}");
    assert!(raster_error(&written(dir, "text.png", b"just some text")).contains("not a readable PNG image"));
    assert!(raster_error(&written(dir, "text.xyz", b"just some text")).contains("not a PNG, JPEG or TIFF"));
    assert!(raster_error(&written(dir, "anim.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")).contains("Gif"));

    // IHDR (bytes 8..33) declaring 60000 × 60000, with its CRC recomputed so only the size is wrong.
    let mut huge = png.clone();
    huge[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let crc = crc32(&huge[12..29]);
    huge[29..33].copy_from_slice(&crc.to_be_bytes());
    let error = raster_error(&written(dir, "huge.png", &huge));
    assert!(error.contains("declares 3600000000 bytes") && error.contains("corrupt"), "{error}");
}

/// Writes an `.npz` with the given arrays, each (name, shape, values as u8 or f32).
enum Values {
    U8(Vec<u8>),
    F32(Vec<f32>),
    I64(Vec<i64>),
}

fn write_npz(path: &Path, arrays: &[(&str, &[u64], Values)]) {
    let mut npz = npyz::npz::NpzWriter::create(path).unwrap();
    for (name, shape, values) in arrays {
        let options = npyz::zip::write::FileOptions::default();
        match values {
            Values::U8(v) => {
                let mut w =
                    npz.array::<u8>(name, options).unwrap().default_dtype().shape(shape).begin_nd().unwrap();
                w.extend(v.iter().copied()).unwrap();
                w.finish().unwrap();
            }
            Values::F32(v) => {
                let mut w =
                    npz.array::<f32>(name, options).unwrap().default_dtype().shape(shape).begin_nd().unwrap();
                w.extend(v.iter().copied()).unwrap();
                w.finish().unwrap();
            }
            Values::I64(v) => {
                let mut w =
                    npz.array::<i64>(name, options).unwrap().default_dtype().shape(shape).begin_nd().unwrap();
                w.extend(v.iter().copied()).unwrap();
                w.finish().unwrap();
            }
        }
    }
}

/// A raw `.npy` member, header written by hand, for the cases npyz's writer will not produce.
fn raw_npy_npz(path: &Path, name: &str, descr: &str, fortran: bool, shape: &str, data: &[u8]) {
    let mut dict = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    );
    while (10 + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut npy = b"\x93NUMPY\x01\x00".to_vec();
    npy.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    npy.extend_from_slice(dict.as_bytes());
    npy.extend_from_slice(data);
    let mut npz = npyz::npz::NpzWriter::create(path).unwrap();
    let zip = npz.zip_writer();
    zip.start_file(format!("{name}.npy"), npyz::zip::write::FileOptions::default()).unwrap();
    zip.write_all(&npy).unwrap();
    zip.finish().unwrap();
}

#[test]
fn grey_2d_splits_list_and_load_single_images_in_c_order() {
    let dir = tempdir();
    let path = dir.path().join("pneumonia.npz");
    // 5 train images of 3 rows × 4 columns: value = 40 n + 10 y + x; 2 test images.
    let train: Vec<u8> =
        (0..5).flat_map(|n| (0..3).flat_map(move |y| (0..4).map(move |x| 40 * n + 10 * y + x))).collect();
    write_npz(
        &path,
        &[
            ("train_images", &[5, 3, 4], Values::U8(train)),
            ("train_labels", &[5, 1], Values::U8(vec![0, 1, 1, 0, 1])),
            ("test_images", &[2, 3, 4], Values::U8(vec![0; 24])),
            ("test_labels", &[2, 1], Values::U8(vec![1, 0])),
        ],
    );
    let splits = npz::splits(&path).unwrap();
    let names: Vec<(&str, usize)> = splits.iter().map(|(s, n, _)| (s.as_str(), *n)).collect();
    assert_eq!(names, [("train", 5), ("test", 2)]);
    assert!(splits[0].2.contains("5 images 4×3 grey"), "{}", splits[0].2);

    let image = npz::load_image(&path, "train", 2).unwrap();
    assert_eq!((image.dims, image.channels), ([4, 3, 1], 1));
    assert_eq!(image.value(3, 1, 0), 93.0);
    assert_eq!(image.value(0, 2, 0), 100.0);
    assert_eq!(image.metadata.get("label"), Some("1"));
    assert_eq!(image.provenance.format, "NPZ");
    assert_eq!(image.provenance.encoding, "uint8");
    let error = format!("{:#}", npz::load_image(&path, "train", 5).unwrap_err());
    assert!(error.contains("image 5 is out of range"), "{error}");
    assert!(format!("{:#}", npz::load_image(&path, "val", 0).unwrap_err()).contains("has no val_images"));

    let split = npz::load_split(&path, "train").unwrap();
    assert_eq!((split.count, split.dims, split.channels, split.label_columns), (5, [4, 3, 1], 1, 1));
    assert_eq!(split.labels, [0, 1, 1, 0, 1]);
    assert_eq!(split.images[4 * split.image_len() + 11], 183.0);
}

#[test]
fn rgb_2d_and_grey_3d_arrays_map_to_volume_layout() {
    let dir = tempdir();
    let path = dir.path().join("mixed.npz");
    // RGB: [N=2, H=2, W=3, 3], value = 50 n + 10 y + 3 x + c.
    let rgb: Vec<u8> = (0..2)
        .flat_map(|n| {
            (0..2)
                .flat_map(move |y| (0..3).flat_map(move |x| (0..3).map(move |c| 50 * n + 10 * y + 3 * x + c)))
        })
        .collect();
    // 3D: [N=2, D=4, H=3, W=2] float, value = 1000 n + 100 z + 10 y + x + 0.5.
    let volumes: Vec<f32> = (0..2)
        .flat_map(|n| {
            (0..4).flat_map(move |z| {
                (0..3).flat_map(move |y| (0..2).map(move |x| (1000 * n + 100 * z + 10 * y + x) as f32 + 0.5))
            })
        })
        .collect();
    write_npz(
        &path,
        &[
            ("train_images", &[2, 2, 3, 3], Values::U8(rgb)),
            // Multi-label: 3 columns, the first is what load_split returns.
            ("train_labels", &[2, 3], Values::I64(vec![4, 0, 1, 7, 1, 1])),
            ("val_images", &[2, 4, 3, 2], Values::F32(volumes)),
            ("val_labels", &[2], Values::I64(vec![2, 3])),
        ],
    );
    let rgb_image = npz::load_image(&path, "train", 1).unwrap();
    assert_eq!((rgb_image.dims, rgb_image.channels), ([3, 2, 1], 3));
    let at = rgb_image.index(2, 1, 0);
    assert_eq!(&rgb_image.voxels[at..at + 3], &[66.0, 67.0, 68.0]);
    assert_eq!(rgb_image.metadata.get("label"), Some("7, 1, 1"));
    let train = npz::load_split(&path, "train").unwrap();
    assert_eq!((train.labels.clone(), train.label_columns), (vec![4, 7], 3));

    let volume = npz::load_image(&path, "val", 1).unwrap();
    assert_eq!((volume.dims, volume.channels), ([2, 3, 4], 1));
    assert_eq!(volume.value(1, 2, 3), 1321.5);
    assert_eq!(volume.provenance.encoding, "float32");
    let splits = npz::splits(&path).unwrap();
    assert!(splits[1].2.contains("2 images 2×3×4 grey"), "{}", splits[1].2);
}

#[test]
fn bad_archives_give_specific_errors_without_panicking() {
    let dir = tempdir();
    let dir = dir.path();
    let error = |path: &Path| {
        format!("{:#}", npz::splits(path).and_then(|_| npz::load_split(path, "train")).unwrap_err())
    };

    let empty = written(dir, "empty.npz", &[]);
    assert!(error(&empty).contains("is empty"));
    let not_zip = written(dir, "text.npz", b"this is not a zip archive at all");
    assert!(error(&not_zip).contains("not a readable .npz"));

    let labels_only = dir.join("labels_only.npz");
    write_npz(&labels_only, &[("train_labels", &[2], Values::U8(vec![0, 1]))]);
    assert!(error(&labels_only).contains("has no train_images, val_images or test_images"));

    let mismatch = dir.join("mismatch.npz");
    write_npz(
        &mismatch,
        &[
            ("train_images", &[3, 2, 2], Values::U8(vec![0; 12])),
            ("train_labels", &[4, 1], Values::U8(vec![0; 4])),
        ],
    );
    assert!(error(&mismatch).contains("train_labels has 4 rows but train_images has 3 images"));

    let huge = dir.join("huge.npz");
    raw_npy_npz(&huge, "train_images", "|u1", false, "(60000, 60000, 60000)", &[0; 16]);
    let message = error(&huge);
    assert!(message.contains("declares 216000000000000 bytes") && message.contains("corrupt"), "{message}");

    let fortran = dir.join("fortran.npz");
    raw_npy_npz(&fortran, "train_images", "|u1", true, "(2, 2, 2)", &[0; 8]);
    assert!(error(&fortran).contains("Fortran order"));

    let odd_shape = dir.join("odd.npz");
    raw_npy_npz(&odd_shape, "train_images", "|u1", false, "(8,)", &[0; 8]);
    assert!(error(&odd_shape).contains("expected [N, H, W]"));

    let short = dir.join("short.npz");
    raw_npy_npz(&short, "train_images", "|u1", false, "(2, 2, 2)", &[1, 2, 3, 4]);
    let message = format!("{:#}", npz::load_image(&short, "train", 1).unwrap_err());
    assert!(message.contains("ends after 0 of 4 values") && message.contains("truncated"), "{message}");
    assert_eq!(npz::load_image(&short, "train", 0).unwrap().voxels, [1.0, 2.0, 3.0, 4.0]);
}
