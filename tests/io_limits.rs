//! The memory ceiling for one decoded image, checked before anything is allocated. Its own test
//! binary: the ceiling is a process-wide setting, and one test here changes it.
use medssl::io::dicom::{write_ct_series, SeriesLayout};
use medssl::io::{self, no_progress, Volume};

#[test]
fn images_above_the_memory_ceiling_are_refused_before_decoding_and_load_below_it() {
    let dir = tempfile::tempdir().unwrap();
    // 2,000² of one grey: a few kilobytes of PNG, 48 MB as three f32 channels.
    let png = dir.path().join("flat.png");
    image::GrayImage::from_pixel(2000, 2000, image::Luma([7])).save(&png).unwrap();
    let series = dir.path().join("ct");
    let nz = 40;
    let layout = SeriesLayout {
        series_uid: "1.2.826.0.1.3680043.99.9".into(),
        positions: (0..nz).map(|k| k as f64).collect(),
        file_names: (0..nz).map(|k| format!("IM{k:04}")).collect(),
        pixel_spacing: [1.0, 1.0],
    };
    write_ct_series(&Volume::new(vec![0.0; 64 * 64 * nz], [64, 64, nz], 1, [1.0; 3]), &series, &layout)
        .unwrap();

    io::set_memory_ceiling(400_000);
    for path in [&png, &series] {
        let error = format!("{:#}", io::open(path, &no_progress).unwrap_err());
        assert!(error.contains("memory ceiling") && error.contains("--max-memory"), "{error}");
    }
    io::set_memory_ceiling(io::limits::DEFAULT_MEMORY_CEILING);
    assert_eq!(io::open(&png, &no_progress).unwrap().dims, [2000, 2000, 1]);
    assert_eq!(io::open(&series, &no_progress).unwrap().dims, [64, 64, nz]);
}
