//! Fixed workloads for speed figures, comparable with `shared/bench/*.py`.
use crate::augment::ViewPair;
use crate::data::no_progress;
use crate::device::{describe, DeviceChoice};
use crate::methods::BuildContext;
use crate::nn::{Depth, EncoderConfig, Stem};
use clap::{Args, Subcommand};
use std::time::Instant;
use tch::nn::{OptimizerConfig, VarStore};
use tch::{Kind, Tensor};

#[derive(Subcommand)]
pub enum BenchCmd {
    /// One training step (forward, backward, Adam) on random images, like ref_simclr_step.py.
    TrainStep(TrainStepArgs),
    /// The SimCLR two-view augmentation pipeline, like ref_augment.py, and the studio's grid.
    Augment(super::bench_augment::AugmentArgs),
    /// Opening a CT series and a .nii.gz, like ref_io.py.
    Io(super::bench_io::IoArgs),
}

#[derive(Args)]
pub struct Common {
    /// Image side in pixels.
    #[arg(long, default_value = "64")]
    pub size: i64,
    #[arg(long, default_value = "auto")]
    pub device: String,
    /// Threads for libtorch and the augmentation kernels; all cores by default.
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Args)]
pub struct TrainStepArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, default_value = "simclr")]
    method: String,
    #[arg(long, default_value = "resnet18")]
    arch: String,
    #[arg(long, default_value = "1.0")]
    width: f64,
    /// Images per batch (each gives two views for SimCLR).
    #[arg(long, default_value = "64")]
    batch: i64,
    /// imagenet (torchvision's stem, as the reference) or small.
    #[arg(long, default_value = "imagenet")]
    stem: String,
    #[arg(long, default_value = "10")]
    steps: usize,
    /// Include the method's augmentations in the step (the reference has none).
    #[arg(long)]
    with_augment: bool,
}

pub fn run(cmd: BenchCmd) -> anyhow::Result<()> {
    match cmd {
        BenchCmd::TrainStep(a) => train_step(a),
        BenchCmd::Augment(a) => super::bench_augment::run(a),
        BenchCmd::Io(a) => super::bench_io::run(a),
    }
}

pub fn setup(c: &Common) -> anyhow::Result<tch::Device> {
    crate::device::use_threads(crate::device::threads_for(c.threads, false));
    tch::manual_seed(0);
    DeviceChoice::parse(&c.device)?.resolve()
}

fn train_step(a: TrainStepArgs) -> anyhow::Result<()> {
    let device = setup(&a.common)?;
    let mut method = crate::methods::registry()
        .into_iter()
        .find(|m| m.info().id == a.method)
        .ok_or_else(|| anyhow::anyhow!("unknown method '{}'", a.method))?;
    if !a.with_augment {
        method.set_views(ViewPair::default());
    }
    let stem = match a.stem.as_str() {
        "imagenet" => Stem::Imagenet,
        "small" => Stem::Small,
        s => anyhow::bail!("unknown stem '{s}': use imagenet or small"),
    };
    let encoder = EncoderConfig { arch: Depth::parse(&a.arch)?, width: a.width, stem };
    let vs = VarStore::new(device);
    let ctx = BuildContext {
        encoder: &encoder,
        image_size: a.common.size,
        seed: 0,
        total_steps: a.steps,
        first_step: 0,
        progress: &no_progress,
    };
    let mut m = method.build(&vs.root(), &ctx)?;
    let mut opt = tch::nn::Adam::default().build(&vs, 1e-3)?;
    let x = Tensor::rand([a.batch, 3, a.common.size, a.common.size], (Kind::Float, device));
    let mut step = || -> anyhow::Result<f64> {
        let out = m.step(&x)?;
        opt.backward_step(&out.loss);
        Ok(out.loss.double_value(&[]))
    };
    // Warm-up steps, as the reference script, so allocator and kernel caches are settled.
    step()?;
    step()?;
    let t = Instant::now();
    for _ in 0..a.steps {
        step()?;
    }
    let dt = t.elapsed().as_secs_f64() / a.steps as f64;
    let views = if method.views_mut().is_some() { 2 * a.batch } else { a.batch };
    println!(
        "bench train-step method={} arch={} width={} size={} batch={} device={} ms_per_step={:.1} views_per_s={:.1}",
        a.method,
        a.arch,
        a.width,
        a.common.size,
        a.batch,
        describe(device),
        dt * 1000.0,
        views as f64 / dt
    );
    Ok(())
}
