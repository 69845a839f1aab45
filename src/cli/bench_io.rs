//! `medssl bench io`: opening a 512×512×N 16-bit CT series and a 256³ float32 `.nii.gz`, the
//! workloads of `shared/bench/ref_io.py` (pydicom + numpy stacking, nibabel `get_fdata`).
use crate::io::dicom::{write_ct_series, SeriesLayout};
use crate::io::{self, no_progress, Volume};
use clap::Args;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args)]
pub struct IoArgs {
    /// Where the data is written once and then read.
    #[arg(long, default_value = "target/bench-io")]
    dir: PathBuf,
    #[arg(long, default_value = "300")]
    slices: usize,
    /// Timed repetitions after one warm-up (the median is reported).
    #[arg(long, default_value = "3")]
    repeats: usize,
}

pub fn run(a: IoArgs) -> anyhow::Result<()> {
    let series = a.dir.join(format!("ct_{}", a.slices));
    if std::fs::read_dir(&series).map_or(0, |d| d.count()) != a.slices {
        write_series(&series, a.slices)?;
    }
    let nii = a.dir.join("vol256.nii.gz");
    if !nii.exists() {
        write_nifti(&nii)?;
    }
    time("dicom_series", a.repeats, || io::open(&series, &no_progress))?;
    time("nifti_nii_gz", a.repeats, || io::open(&nii, &no_progress))?;
    Ok(())
}

fn time(name: &str, repeats: usize, load: impl Fn() -> anyhow::Result<Volume>) -> anyhow::Result<()> {
    let warm = load()?;
    let mut seconds: Vec<f64> = (0..repeats.max(1))
        .map(|_| {
            let t = Instant::now();
            load().map(|_| t.elapsed().as_secs_f64())
        })
        .collect::<anyhow::Result<_>>()?;
    seconds.sort_by(f64::total_cmp);
    let [nx, ny, nz] = warm.dims;
    println!("bench_io {name} shape={nx}x{ny}x{nz} median_s={:.3}", seconds[seconds.len() / 2]);
    Ok(())
}

/// The reference's series: random HU in [-1000, 2000), 0.7 mm pixels, 1.25 mm slices.
fn write_series(dir: &Path, slices: usize) -> anyhow::Result<()> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    let voxels = (0..512 * 512 * slices).map(|_| rng.random_range(-1000..2000) as f32).collect();
    let volume = Volume::new(voxels, [512, 512, slices], 1, [1.0; 3]);
    let layout = SeriesLayout {
        series_uid: "1.2.826.0.1.3680043.10.1".into(),
        positions: (0..slices).map(|k| 1.25 * k as f64).collect(),
        file_names: (0..slices).map(|k| format!("{k:04}.dcm")).collect(),
        pixel_spacing: [0.7, 0.7],
    };
    write_ct_series(&volume, dir, &layout)?;
    Ok(())
}

/// The reference's volume: 256³ standard normal float32, identity affine, gzip.
fn write_nifti(path: &Path) -> anyhow::Result<()> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    let normal = rand_distr::StandardNormal;
    let data = ndarray::Array3::<f32>::from_shape_simple_fn((256, 256, 256), || rng.sample(normal));
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    nifti::writer::WriterOptions::new(path).write_nifti(&data)?;
    Ok(())
}
