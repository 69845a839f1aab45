//! Datasets from files: class folders, tiles over tissue with their masks, slices of volumes,
//! 3D crops and MedMNIST archives, written into a temporary folder, and a run that trains on
//! one of them.
mod common;

use common::{run_to_the_end, tiny_config};
use image::{GrayImage, Luma, Rgb, RgbImage};
use medssl::data::files::{crops3d, slice_images, Axis, FileOptions, Layout, Normalize, NpzHeldout};
use medssl::data::{DataConfig, Dataset, LabelledImages};
use medssl::io::{Volume, Window};
use medssl::train::Event;
use npyz::WriterBuilder;
use std::cell::Cell;
use std::path::Path;
use std::time::Duration;
use tch::{Device, Kind, Tensor};

fn config(path: &Path, image_size: i64, train_count: usize, heldout_count: usize) -> DataConfig {
    DataConfig {
        source: format!("files:{}", path.display()),
        image_size,
        train_count,
        heldout_count,
        seed: 0,
        files: FileOptions::default(),
    }
}

fn load(config: &DataConfig) -> anyhow::Result<Dataset> {
    config.load(Device::Cpu)
}

fn error(config: &DataConfig) -> String {
    format!("{:#}", load(config).err().expect("must refuse"))
}

fn labels(set: &LabelledImages) -> Vec<i64> {
    Vec::<i64>::try_from(&set.labels).unwrap()
}

/// Mean of each image's channels, in stored units: `[N][C]`.
fn mean_colours(images: &Tensor) -> Vec<Vec<f64>> {
    let means = images.to_kind(Kind::Double).mean_dim([2i64, 3].as_slice(), false, Kind::Double);
    (0..means.size()[0]).map(|i| Vec::<f64>::try_from(means.get(i)).unwrap()).collect()
}

const CLASS_COLOURS: [(&str, [u8; 3]); 3] =
    [("a_red", [200, 30, 30]), ("b_green", [30, 200, 30]), ("c_blue", [30, 30, 200])];

/// `per_class` PNGs of 20×24 px in one folder per class, each a flat colour of its class.
fn write_class_folders(root: &Path, per_class: usize) {
    for (name, colour) in CLASS_COLOURS {
        std::fs::create_dir_all(root.join(name)).unwrap();
        for i in 0..per_class {
            RgbImage::from_pixel(20, 24, Rgb(colour))
                .save(root.join(name).join(format!("{i:03}.png")))
                .unwrap();
        }
    }
}

#[test]
fn class_folders_label_each_image_by_its_folder_and_keep_classes_balanced() {
    let dir = tempfile::tempdir().unwrap();
    write_class_folders(dir.path(), 10);
    let data = load(&config(dir.path(), 16, 24, 6)).unwrap();
    assert_eq!(data.classes, ["a_red", "b_green", "c_blue"]);
    assert_eq!((data.train.len(), data.heldout.len()), (24, 6));
    assert_eq!(data.train.images.size(), [24, 3, 16, 16]);
    assert_eq!(data.train.images.kind(), Kind::Uint8, "windowed images are stored as bytes");
    for split in [&data.train, &data.heldout] {
        for (label, colour) in labels(split).iter().zip(mean_colours(&split.images)) {
            let want = CLASS_COLOURS[*label as usize].1;
            assert_eq!(colour, want.map(f64::from), "an image of class {label} has another class's colour");
        }
    }
    for class in 0..3 {
        assert_eq!(
            labels(&data.heldout).iter().filter(|&&l| l == class).count(),
            2,
            "class {class} held out"
        );
        assert_eq!(labels(&data.train).iter().filter(|&&l| l == class).count(), 8, "class {class} trained");
    }
    // Counts are maxima: fewer files than asked for are used whole, the held-out share kept.
    let all = load(&config(dir.path(), 16, 2000, 500)).unwrap();
    assert_eq!((all.train.len(), all.heldout.len()), (24, 6));
}

#[test]
fn class_folder_mistakes_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert!(error(&config(&dir.path().join("nowhere"), 16, 8, 2)).contains("does not exist"));
    let mut c = config(dir.path(), 16, 8, 2);
    c.files.layout = Layout::ClassFolders;
    assert!(error(&c).contains("no class subfolders"), "{}", error(&c));
    write_class_folders(dir.path(), 3);
    std::fs::create_dir(dir.path().join("d_empty")).unwrap();
    std::fs::write(dir.path().join("d_empty/notes.txt"), "no images here").unwrap();
    assert!(error(&c).contains("class folder 'd_empty' holds no PNG"), "{}", error(&c));
    let empty = tempfile::tempdir().unwrap();
    let mut c = config(empty.path(), 16, 8, 2);
    c.files.layout = Layout::Images;
    assert!(error(&c).contains("holds no PNG, JPEG or TIFF"), "{}", error(&c));
}

const WHITE: [u8; 3] = [245, 245, 244];
const PINK: [u8; 3] = [230, 150, 200];
const PURPLE: [u8; 3] = [120, 60, 160];
const BROWN: [u8; 3] = [150, 100, 60];

/// Two 256×128 "slides", glass on the left half and tissue on the right; slide 1 pink above
/// purple with a label mask (1 pink, 2 purple) beside it, slide 2 brown with a 0/255 mask in
/// `masks/`.
fn write_slides(root: &Path) {
    let tissue = |x: u32| x >= 128;
    RgbImage::from_fn(256, 128, |x, y| {
        Rgb(if !tissue(x) {
            WHITE
        } else if y < 64 {
            PINK
        } else {
            PURPLE
        })
    })
    .save(root.join("slide1.png"))
    .unwrap();
    GrayImage::from_fn(256, 128, |x, y| {
        Luma([if !tissue(x) {
            0
        } else if y < 64 {
            1
        } else {
            2
        }])
    })
    .save(root.join("slide1_mask.png"))
    .unwrap();
    RgbImage::from_fn(256, 128, |x, _| Rgb(if tissue(x) { BROWN } else { WHITE }))
        .save(root.join("slide2.png"))
        .unwrap();
    std::fs::create_dir(root.join("masks")).unwrap();
    GrayImage::from_fn(256, 128, |x, _| Luma([if tissue(x) { 255 } else { 0 }]))
        .save(root.join("masks/slide2.png"))
        .unwrap();
}

#[test]
fn tiles_over_glass_are_dropped_and_tiles_over_tissue_keep_their_masks() {
    let dir = tempfile::tempdir().unwrap();
    write_slides(dir.path());
    let mut c = config(dir.path(), 16, 100, 100);
    c.files.tile_size = 32;
    let data = load(&c).unwrap();
    // 4 × 8 tiles per slide, the 16 on the right over tissue; one slide per split.
    assert_eq!((data.train.len(), data.heldout.len()), (16, 16));
    for split in [&data.train, &data.heldout] {
        let masks = split.masks.as_ref().expect("masks paired by file name");
        assert_eq!(masks.size(), [16, 1, 16, 16]);
        let colours = mean_colours(&split.images);
        let slide2 = colours[0] == BROWN.map(f64::from);
        for (i, colour) in colours.iter().enumerate() {
            let want_mask = match [colour[0], colour[1], colour[2]].map(|c| c as u8) {
                PINK => 1,
                PURPLE => 2,
                BROWN => 1,
                other => panic!("tile {i} is {other:?}: not tissue"),
            };
            assert_eq!(colour == &BROWN.map(f64::from), slide2, "a slide lent tiles to both splits");
            let mask = masks.get(i as i64);
            assert_eq!(mask.min().int64_value(&[]), want_mask, "tile {i} ({colour:?})");
            assert_eq!(mask.max().int64_value(&[]), want_mask, "tile {i} ({colour:?})");
        }
    }
    // Without the filter every tile is kept.
    c.files.min_tissue = 0.0;
    let all = load(&c).unwrap();
    assert_eq!(all.train.len() + all.heldout.len(), 64);
    c.files.tile_size = 512;
    assert!(error(&c).contains("tile size 512 px is larger than the 256×128 px image"), "{}", error(&c));
}

#[test]
fn one_slide_is_split_by_bands_of_tile_rows_with_no_neighbour_across() {
    let dir = tempfile::tempdir().unwrap();
    // 16 rows of two 32 px tiles; row r is coloured (100 + 8r, 50, 150), saturated tissue.
    RgbImage::from_fn(64, 512, |_, y| Rgb([100 + 8 * (y / 32) as u8, 50, 150]))
        .save(dir.path().join("one.png"))
        .unwrap();
    let mut c = config(dir.path(), 16, 24, 8);
    c.files.tile_size = 32;
    let data = load(&c).unwrap();
    let rows = |set: &LabelledImages| -> Vec<i64> {
        mean_colours(&set.images).iter().map(|c| ((c[0] - 100.0) / 8.0).round() as i64).collect()
    };
    let (train, heldout) = (rows(&data.train), rows(&data.heldout));
    assert_eq!(heldout.len(), 8, "one band of four rows, two tiles each");
    assert!(!train.is_empty());
    for t in &train {
        assert!(
            heldout.iter().all(|h| (h - t).abs() > 1),
            "training row {t} borders held-out rows {heldout:?}"
        );
    }
}

/// A volume of 5 columns, 4 rows and 3 slices whose voxel (x, y, z) holds x + 10 y + 100 z.
fn coded_volume(dims: [usize; 3]) -> Volume {
    let [nx, ny, nz] = dims;
    let mut voxels = Vec::new();
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                voxels.push((x + 10 * y + 100 * z) as f32);
            }
        }
    }
    Volume::new(voxels, dims, 1, [1.0; 3])
}

fn pixel(images: &Tensor, n: usize, row: usize, column: usize) -> f64 {
    images.double_value(&[n as i64, 0, row as i64, column as i64])
}

#[test]
fn slices_put_each_voxel_at_its_documented_pixel() {
    let mut options = FileOptions::default();
    let volume = coded_volume([5, 4, 3]);
    for (axis, count) in [(Axis::X, 5), (Axis::Y, 4), (Axis::Z, 3)] {
        options.axis = axis;
        assert_eq!(slice_images(&volume, &options, 16).unwrap().size(), [count, 1, 16, 16], "{axis:?}");
    }
    // A cube whose slices are already 4 × 4 px: nothing is resampled, values are exact.
    let mut volume = coded_volume([4, 4, 4]);
    volume.windows = vec![Window::new("file's", 166.5, 333.0)];
    let unit = |v: usize| v as f64 / 333.0;
    let (x, y, z) = (3, 1, 2);
    let v = x + 10 * y + 100 * z;
    options.slices = Some([1, 3]);
    for (axis, at, row, column) in [(Axis::Z, z, y, x), (Axis::Y, y, z, x), (Axis::X, x, z, y)] {
        options.axis = axis;
        let images = slice_images(&volume, &options, 4).unwrap();
        assert_eq!(images.size()[0], 3, "slices 1 to 3");
        let got = pixel(&images, at - 1, row, column);
        assert!((got - unit(v)).abs() < 1e-6, "{axis:?}: voxel {v} became {got}, want {}", unit(v));
    }
    // Every other slice, a chosen window, and a MONOCHROME1 volume.
    options =
        FileOptions { axis: Axis::Z, slice_step: 2, window: Some([100.0, 200.0]), ..Default::default() };
    volume.inverted = true;
    let images = slice_images(&volume, &options, 4).unwrap();
    assert_eq!(images.size()[0], 2, "slices 0 and 2");
    let want = 1.0 - ((v as f64 - 100.0) / 200.0 + 0.5).clamp(0.0, 1.0);
    assert!((pixel(&images, 1, y, x) - want).abs() < 1e-6);
}

#[test]
fn zscore_uses_the_whole_volume() {
    let volume = coded_volume([4, 4, 4]);
    let n = volume.voxels.len() as f64;
    let mean = volume.voxels.iter().map(|&v| v as f64).sum::<f64>() / n;
    let std = (volume.voxels.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n).sqrt();
    let options = FileOptions { normalize: Normalize::ZScore, slices: Some([3, 3]), ..Default::default() };
    let images = slice_images(&volume, &options, 4).unwrap();
    let want = (volume.value(2, 1, 3) as f64 - mean) / std;
    assert!((pixel(&images, 0, 1, 2) - want).abs() < 1e-5, "{} vs {want}", pixel(&images, 0, 1, 2));
    let err =
        slice_images(&volume, &FileOptions { slices: Some([2, 4]), ..Default::default() }, 4).unwrap_err();
    assert!(format!("{err:#}").contains("does not fit the 4 slices along z"));
}

#[test]
fn crops_have_their_size_and_lie_inside_the_volume() {
    let volume = coded_volume([10, 8, 6]);
    let crops = crops3d::random_crops(&volume, [3, 4, 5], 20, 7).unwrap();
    assert_eq!(crops.voxels.size(), [20, 1, 3, 4, 5]);
    let distinct: std::collections::HashSet<_> = crops.origins.iter().collect();
    assert!(distinct.len() > 5, "crops are drawn at different places");
    for (i, &[x0, y0, z0]) in crops.origins.iter().enumerate() {
        assert!(
            x0 + 5 <= 10 && y0 + 4 <= 8 && z0 + 3 <= 6,
            "crop {i} at {:?} leaves the volume",
            [x0, y0, z0]
        );
        for (z, y, x) in [(0, 0, 0), (2, 3, 4), (1, 2, 3)] {
            let got = crops.voxels.double_value(&[i as i64, 0, z, y, x]);
            assert_eq!(got, volume.value(x0 + x as usize, y0 + y as usize, z0 + z as usize) as f64);
        }
    }
    let again = crops3d::random_crops(&volume, [3, 4, 5], 20, 7).unwrap();
    assert_eq!(again.origins, crops.origins, "seeded");
    assert!(crops3d::random_crops(&volume, [7, 4, 5], 1, 0).is_err(), "deeper than the volume");
}

/// A 16×16×40 NIfTI volume whose slice z holds the value z everywhere.
fn write_numbered_slices(path: &Path) {
    let volume = ndarray::Array3::from_shape_fn((16, 16, 40), |(_, _, z)| z as f32);
    nifti::writer::WriterOptions::new(path).write_nifti(&volume).unwrap();
}

#[test]
fn volume_slices_split_in_blocks_with_no_neighbour_across() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("numbered.nii");
    write_numbered_slices(&path);
    let mut c = config(&path, 16, 30, 10);
    c.files.window = Some([20.0, 40.0]);
    let data = load(&c).unwrap();
    assert_eq!(data.heldout.len(), 10);
    // Two blocks of 8 held out (10 of them kept), up to 4 neighbours dropped from training.
    assert!((20..=24).contains(&data.train.len()), "{}", data.train.len());
    // Each image is one flat slice: its byte value tells which.
    let slice_of = |set: &LabelledImages| -> Vec<i64> {
        mean_colours(&set.images).iter().map(|c| (c[0] / 255.0 * 40.0).round() as i64).collect()
    };
    let (train, heldout) = (slice_of(&data.train), slice_of(&data.heldout));
    for t in &train {
        assert!(
            heldout.iter().all(|h| (h - t).abs() > 1),
            "training slice {t} neighbours held-out {heldout:?}"
        );
    }
    assert_eq!(labels(&data.train), vec![0; train.len()], "volumes have a single class");
    // The slice range is honoured.
    c.files.slices = Some([10, 29]);
    let ranged = load(&c).unwrap();
    let all: Vec<i64> = [slice_of(&ranged.train), slice_of(&ranged.heldout)].concat();
    assert!(all.iter().all(|z| (10..=29).contains(z)), "{all:?}");
}

#[test]
fn loading_reports_progress_and_stops_when_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    write_class_folders(dir.path(), 10);
    let c = config(dir.path(), 16, 24, 6);
    let calls = Cell::new(0);
    let progress = |_: &str, done: usize, total: usize| -> anyhow::Result<()> {
        assert!(done <= total);
        calls.set(calls.get() + 1);
        anyhow::ensure!(calls.get() < 5, "cancelled");
        Ok(())
    };
    let err = c.load_with_progress(Device::Cpu, &progress).err().expect("cancel stops loading");
    assert!(format!("{err:#}").contains("cancelled"));
    assert_eq!(calls.get(), 5, "loading stopped at the first refusal");
}

/// A MedMNIST-like archive: 28×28 grey images whose every pixel is 10 × their label.
fn write_medmnist(path: &Path, counts: [(&str, usize); 3]) {
    let mut npz = npyz::npz::NpzWriter::create(path).unwrap();
    for (split, n) in counts {
        let labels: Vec<u8> = (0..n).map(|i| (i % 4) as u8).collect();
        let images: Vec<u8> = labels.iter().flat_map(|&l| vec![l * 10; 28 * 28]).collect();
        npz.array(&format!("{split}_images"), Default::default())
            .unwrap()
            .default_dtype()
            .shape(&[n as u64, 28, 28])
            .begin_nd()
            .unwrap()
            .extend(images)
            .unwrap();
        npz.array(&format!("{split}_labels"), Default::default())
            .unwrap()
            .default_dtype()
            .shape(&[n as u64, 1])
            .begin_nd()
            .unwrap()
            .extend(labels)
            .unwrap();
    }
}

#[test]
fn medmnist_splits_become_train_and_held_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("organmnist.npz");
    write_medmnist(&path, [("train", 40), ("val", 12), ("test", 20)]);
    let mut c = config(&path, 28, 1000, 1000);
    let data = load(&c).unwrap();
    assert_eq!((data.train.len(), data.heldout.len()), (40, 12), "all of train, val held out");
    for split in [&data.train, &data.heldout] {
        let colours = mean_colours(&split.images);
        for (label, colour) in labels(split).iter().zip(colours) {
            assert_eq!(colour[0], (label * 10) as f64, "image and label of the same index stay paired");
        }
    }
    c.files.heldout_split = NpzHeldout::Test;
    c.train_count = 25;
    let data = load(&c).unwrap();
    assert_eq!((data.train.len(), data.heldout.len()), (25, 20));
}

/// The events of a tiny one-epoch SimCLR run on `files:PATH`, which must finish.
fn train_one_epoch_on(path: &Path, train: usize, heldout: usize, work: &Path) -> Vec<Event> {
    let mut c = tiny_config(1);
    c.data.source = format!("files:{}", path.display());
    c.data.train_count = train;
    c.data.heldout_count = heldout;
    run_to_the_end(c, &work.join("run"), Duration::from_secs(120))
}

#[test]
fn simclr_trains_on_class_folders_and_reports_knn_accuracy() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_class_folders(&data, 32);
    let events = train_one_epoch_on(&data, 64, 32, dir.path());
    let knn = events.iter().rev().find_map(|e| match e {
        Event::Epoch(r) if r.epoch == 1 => Some(r.knn_accuracy),
        _ => None,
    });
    let knn = knn.expect("an epoch event after training").expect("class folders give kNN accuracy");
    assert!((0.0..=1.0).contains(&knn), "{knn}");
    assert!(events.iter().any(|e| matches!(e, Event::Step(_))), "training steps ran");
}

#[test]
fn file_options_round_trip_through_run_configs_and_stay_out_of_built_in_ones() {
    let builtin = tiny_config(1);
    assert!(!builtin.to_toml().contains("files"), "built-in configs serialise as before");
    let mut c = tiny_config(1);
    c.data.source = "files:/data/ct".into();
    c.data.files = FileOptions {
        axis: Axis::Y,
        slices: Some([10, 90]),
        slice_step: 2,
        normalize: Normalize::ZScore,
        window: Some([40.0, 400.0]),
        ..Default::default()
    };
    let text = c.to_toml();
    assert!(text.contains("[data.files]") && text.contains("axis = \"y\""), "{text}");
    assert_eq!(medssl::train::RunConfig::from_toml(&text).unwrap(), c);
    let typo = text.replace("slice_step", "slice_stride");
    assert!(medssl::train::RunConfig::from_toml(&typo).is_err(), "unknown fields are refused");
}

#[test]
fn a_single_class_volume_trains_without_a_meaningless_knn_figure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("numbered.nii");
    write_numbered_slices(&path);
    let events = train_one_epoch_on(&path, 30, 10, dir.path());
    // One class: every neighbour would vote for it, so kNN is not reported rather than a
    // meaningless 100 %.
    let knn: Vec<Option<f64>> = events
        .iter()
        .filter_map(|e| if let Event::Epoch(r) = e { Some(r.knn_accuracy) } else { None })
        .collect();
    assert_eq!(knn, [None, None]);
}
