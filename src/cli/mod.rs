//! `medssl`: the GUI by default, and the same work headless.
mod bench;
mod train;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "medssl",
    version,
    about = "MedSSL Workbench: self-supervised learning on medical images"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Open the workbench window (the default).
    Gui,
    /// Train headless from a preset, printing progress and the final kNN accuracy.
    Train(train::TrainArgs),
    /// Measure throughput on a fixed workload.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
    /// List the SSL methods and the device libtorch sees.
    Methods,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Cmd::Gui) {
        Cmd::Gui => crate::ui::run_native(),
        Cmd::Train(args) => train::run(args),
        Cmd::Bench(cmd) => bench::run(cmd),
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
    println!(
        "device (auto): {}",
        crate::device::describe(tch::Device::cuda_if_available())
    );
}
