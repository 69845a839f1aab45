//! `medssl`: the GUI by default, and the same work headless.
mod bench;
mod bench_augment;
mod bench_io;
mod eval;
mod inspect;
mod train;

use crate::train::Preset;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "medssl", version, about = "MedSSL Workbench: self-supervised learning on medical images")]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// The most memory, in GB, one loaded scan or image may take decoded (f32 values); larger
    /// ones are refused before anything is allocated.
    #[arg(long, global = true, value_name = "GB", default_value_t = crate::io::limits::DEFAULT_MEMORY_CEILING as f64 / 1e9)]
    max_memory: f64,
}

#[derive(Subcommand)]
enum Cmd {
    /// Open the workbench window (the default).
    Gui(GuiArgs),
    /// Train headless from a preset, printing progress and the final kNN accuracy.
    Train(train::TrainArgs),
    /// Continue a stopped run from its last checkpoint, in its own directory.
    Resume(train::ResumeArgs),
    /// Evaluate a run's encoder against the same network untrained (kNN, linear probe,
    /// fine-tuning, segmentation probe), on a budget of labels, over seeds; saves the report
    /// in the run's evals/ folder.
    Eval(eval::EvalArgs),
    /// Measure throughput on a fixed workload.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
    /// List the SSL methods and the device libtorch sees.
    Methods,
    /// Print the series, shape, spacing, orientation, modality, encoding and value range of a
    /// scan, image or folder; never patient-identifying data.
    Inspect(inspect::InspectArgs),
}

#[derive(Args, Default)]
struct GuiArgs {
    /// Open this scan, image or folder in the viewer.
    path: Option<PathBuf>,
    /// Open with this preset file selected (e.g. presets/mixssl.toml).
    #[arg(long)]
    preset: Option<PathBuf>,
    /// The preset's variant; its default when omitted.
    #[arg(long, requires = "preset")]
    variant: Option<String>,
    /// Start training at once, as if Start were pressed (demos, teaching, smoke tests).
    #[arg(long)]
    start: bool,
}

fn gui(a: GuiArgs) -> anyhow::Result<()> {
    use crate::ui::{default_runs_root, run_native, Settings, Tab, WorkbenchApp};
    let settings = match &a.preset {
        Some(path) => Settings::with_preset(Preset::load(path)?, a.variant.as_deref())?,
        None => Settings::default(),
    };
    let mut app = WorkbenchApp::with_settings(settings, default_runs_root(), a.start);
    if let Some(path) = a.path {
        app.viewer.open_path(path);
        app.tab = Tab::Viewer;
    }
    run_native(app)
}

pub fn main() -> ExitCode {
    run(std::env::args_os())
}

/// Runs `medssl` with these arguments (the first one being the program name).
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if !(cli.max_memory.is_finite() && cli.max_memory > 0.0) {
        eprintln!("error: --max-memory = {} is out of range: must be > 0 (GB)", cli.max_memory);
        return ExitCode::FAILURE;
    }
    crate::io::set_memory_ceiling((cli.max_memory * 1e9) as u64);
    let result = match cli.command.unwrap_or(Cmd::Gui(GuiArgs::default())) {
        Cmd::Gui(args) => gui(args),
        Cmd::Train(args) => train::run(args),
        Cmd::Resume(args) => train::resume(args),
        Cmd::Eval(args) => eval::run(args),
        Cmd::Bench(cmd) => bench::run(cmd),
        Cmd::Inspect(args) => inspect::run(args),
        Cmd::Methods => {
            list_methods();
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn list_methods() {
    for m in crate::methods::registry() {
        let i = m.info();
        println!("{:<8} {:<8} {:<36} {}", i.id, i.name, i.family, i.summary);
    }
    println!("device (auto): {}", crate::device::describe(tch::Device::cuda_if_available()));
}
