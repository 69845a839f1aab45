//! `cargo bench`: the standard workloads of `medssl bench`, the figures to set beside
//! `shared/bench/ref_simclr_step.py`, `ref_augment.py` and `ref_io.py` run on the same machine.
use std::process::ExitCode;

const WORKLOADS: [&[&str]; 3] = [
    &["bench", "train-step", "--method", "simclr", "--arch", "resnet18", "--size", "64", "--batch", "64"],
    &["bench", "augment", "--size", "64"],
    &["bench", "io", "--slices", "300"],
];

fn main() -> ExitCode {
    for args in WORKLOADS {
        let code = medssl::cli::run(std::iter::once("medssl").chain(args.iter().copied()));
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    ExitCode::SUCCESS
}
