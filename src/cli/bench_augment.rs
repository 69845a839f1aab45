//! `medssl bench augment`: the SimCLR two-view pipeline in views/s (compare with
//! `shared/bench/ref_augment.py`), the time each of its steps takes, and the studio's grid.
use super::bench::{setup, Common};
use crate::augment::preview::PreviewRequest;
use crate::augment::{recipes, AugRng, Ctx, Pipeline, ViewPair};
use crate::device::describe;
use clap::Args;
use std::time::Instant;
use tch::{Kind, Tensor};

#[derive(Args)]
pub struct AugmentArgs {
    #[command(flatten)]
    common: Common,
    /// Images per batch (each gives two views).
    #[arg(long, default_value = "256")]
    batch: i64,
    #[arg(long, default_value = "20")]
    batches: usize,
    /// Side of the studio's preview grid images.
    #[arg(long, default_value = "128")]
    preview_size: i64,
    /// Images in the studio's preview grid.
    #[arg(long, default_value = "16")]
    preview_samples: i64,
}

pub fn run(a: AugmentArgs) -> anyhow::Result<()> {
    let device = setup(&a.common)?;
    let views = ViewPair::symmetric(recipes::simclr(1.0));
    let mut rng = AugRng::new(0);
    let x = rng.uniform_tensor(&[a.batch, 3, a.common.size, a.common.size], device);
    // Reading one value waits for the device, so GPU timings are complete; CPU ops are done
    // when they return, and a reduction there would only add a pass the reference lacks.
    let wait = |t: &Tensor| {
        if device.is_cuda() {
            t.sum(Kind::Float).double_value(&[]);
        }
    };
    let mut step_seconds = vec![0.0; views.first.ops.len()];
    let mut run = |timed: bool| {
        let (a, b) = views.apply(&x, &mut rng);
        wait(&a);
        wait(&b);
        if timed {
            for chunk in Pipeline::chunks(&x) {
                let mut last = Instant::now();
                let _ = views.first.apply_each(&chunk, &mut Ctx::new(&mut rng), |i, y| {
                    wait(y);
                    step_seconds[i] += last.elapsed().as_secs_f64();
                    last = Instant::now();
                });
            }
        }
    };
    run(false);
    let t = Instant::now();
    for _ in 0..a.batches {
        run(false);
    }
    let dt = t.elapsed().as_secs_f64();
    for _ in 0..a.batches {
        run(true);
    }
    let views_per_s = (2 * a.batch * a.batches as i64) as f64 / dt;
    println!(
        "bench augment pipeline=simclr size={} batch={} device={} views_per_s={views_per_s:.0}",
        a.common.size,
        a.batch,
        describe(device)
    );
    let total: f64 = step_seconds.iter().sum();
    for (step, s) in views.first.ops.iter().zip(&step_seconds) {
        println!("  step {:<22} share={:>5.1}%", step.op.label(), 100.0 * s / total);
    }
    preview(&a, device);
    Ok(())
}

/// The studio's re-render: the grid of one image, two views, at the preview size.
fn preview(a: &AugmentArgs, device: tch::Device) {
    let pipeline = recipes::simclr(1.0);
    let image = AugRng::new(1).uniform_tensor(&[3, a.preview_size, a.preview_size], device);
    let request = PreviewRequest {
        image,
        views: vec![pipeline.clone(), pipeline],
        samples: a.preview_samples / 2,
        seed: 0,
        auxiliary: None,
    };
    request.render();
    let repeats = 10;
    let t = Instant::now();
    for _ in 0..repeats {
        let p = request.render();
        p.views.iter().for_each(|v| {
            v.sum(Kind::Float).double_value(&[]);
        });
    }
    let ms = t.elapsed().as_secs_f64() * 1000.0 / repeats as f64;
    println!(
        "bench augment preview images={} size={} device={} ms_per_render={ms:.1}",
        a.preview_samples,
        a.preview_size,
        describe(device)
    );
}
