use crate::data::DataSource;
use crate::device::DeviceChoice;
use crate::nn::Depth;
use crate::train::{Event, Preset, Run, RunDir, RunOptions};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

// Numbers are range-checked by `RunConfig::validate`, not here, so that a bad value gets the
// same error as in a preset; `allow_negative_numbers` lets clap hand on "-0.1" as a value
// instead of taking it for a flag.
#[derive(Args)]
pub struct TrainArgs {
    /// A preset file, e.g. presets/simclr.toml.
    #[arg(long)]
    preset: PathBuf,
    /// The preset's variant (e.g. cpu, paper); its default when omitted.
    #[arg(long)]
    variant: Option<String>,
    /// builtin:ct, builtin:histo or builtin:natural.
    #[arg(long)]
    data: Option<String>,
    #[arg(long, allow_negative_numbers = true)]
    epochs: Option<usize>,
    #[arg(long, allow_negative_numbers = true)]
    batch_size: Option<usize>,
    #[arg(long, allow_negative_numbers = true)]
    lr: Option<f64>,
    /// Image side in pixels.
    #[arg(long, allow_negative_numbers = true)]
    size: Option<i64>,
    #[arg(long)]
    arch: Option<String>,
    /// Encoder width multiplier.
    #[arg(long, allow_negative_numbers = true)]
    width: Option<f64>,
    /// auto, cpu or cuda.
    #[arg(long)]
    device: Option<String>,
    #[arg(long, allow_negative_numbers = true)]
    seed: Option<u64>,
    #[arg(long, allow_negative_numbers = true)]
    threads: Option<usize>,
    /// The run directory; default runs/<timestamp>-<method>.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(a: TrainArgs) -> anyhow::Result<()> {
    let mut c = Preset::load(&a.preset)?.variant(a.variant.as_deref())?;
    if let Some(d) = a.data {
        DataSource::parse(&d)?;
        c.data.source = d;
    }
    c.train.epochs = a.epochs.unwrap_or(c.train.epochs);
    c.train.batch_size = a.batch_size.unwrap_or(c.train.batch_size);
    c.optim.lr = a.lr.unwrap_or(c.optim.lr);
    c.data.image_size = a.size.unwrap_or(c.data.image_size);
    c.encoder.width = a.width.unwrap_or(c.encoder.width);
    if let Some(arch) = a.arch {
        c.encoder.arch = Depth::parse(&arch)?;
    }
    if let Some(d) = a.device {
        c.device = DeviceChoice::parse(&d)?;
    }
    c.seed = a.seed.unwrap_or(c.seed);
    c.threads = a.threads.or(c.threads);
    let out = a.out.unwrap_or_else(|| RunDir::unique_path("runs".as_ref(), c.method.info().id));
    follow(Run::start(c, &out, RunOptions::default())?)
}

#[derive(Args)]
pub struct ResumeArgs {
    /// The stopped run's directory, e.g. runs/20260101-120000-simclr.
    run_dir: PathBuf,
}

/// Continues a stopped run from its last checkpoint up to its configured epochs.
pub fn resume(a: ResumeArgs) -> anyhow::Result<()> {
    follow(Run::resume(&a.run_dir, RunOptions::default())?)
}

/// Prints the run's progress until it ends.
fn follow(run: Run) -> anyhow::Result<()> {
    let mut last_print = std::time::Instant::now();
    loop {
        let Some(event) = run.next_event(Duration::from_millis(200)) else {
            if run.is_finished() {
                anyhow::bail!("the training thread ended without a final event");
            }
            continue;
        };
        match event {
            Event::Started { run_dir, device, total_steps, first_step, parameters, notes } => {
                println!(
                    "run {} on {device}: {total_steps} steps{}, {parameters} parameters",
                    run_dir.display(),
                    if first_step > 0 { format!(" (resuming at {first_step})") } else { String::new() }
                );
                for note in notes {
                    println!("  {note}");
                }
            }
            Event::Step(r)
                if last_print.elapsed() >= Duration::from_secs(2) || r.step + 1 == r.total_steps =>
            {
                last_print = std::time::Instant::now();
                let extra: String = r.metrics.iter().map(|(k, v)| format!(" {k} {v:.4}")).collect();
                println!(
                    "epoch {} step {}/{} loss {:.4}{extra} lr {:.2e} {:.0} img/s ETA {:.0}s",
                    r.epoch,
                    r.step + 1,
                    r.total_steps,
                    r.loss,
                    r.lr,
                    r.images_per_s,
                    r.eta_s
                );
            }
            Event::Epoch(r) => {
                let extra: String = r.metrics.iter().map(|(k, v)| format!(" {k} {v:.4}")).collect();
                let knn = r.knn_accuracy.map_or("n/a (one class)".into(), |k| format!("{:.2} %", k * 100.0));
                println!("epoch {} kNN accuracy {knn}{extra}", r.epoch);
            }
            Event::Checkpoint { path, .. } => println!("checkpoint {}", path.display()),
            Event::Loading { what, done, total } if done == total => println!("loaded {total} {what}"),
            Event::Finished { stopped_early, knn_accuracy } => {
                let knn = knn_accuracy.map_or("n/a".into(), |k| format!("{:.2} %", k * 100.0));
                println!("{} final kNN accuracy {knn}", if stopped_early { "stopped;" } else { "finished;" });
                run.join();
                return Ok(());
            }
            Event::Failed { message } => anyhow::bail!("{message}"),
            _ => {}
        }
    }
}
