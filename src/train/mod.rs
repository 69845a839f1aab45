//! The training engine: runs a method on a background thread that owns the device, the
//! optimiser, the schedule and the run directory, and talks only through messages.
pub mod checkpoint;
pub mod config;
pub mod diagnostics;
mod engine;
pub mod events;
pub mod history;
pub mod lars;
pub mod run_dir;
pub mod schedule;

pub use config::{builtin_presets, OptimConfig, OptimizerKind, Preset, RunConfig, Schedule, TrainConfig};
pub use engine::{load_run, thumbnails, LoadedRun, MethodFactory, Run, RunOptions};
pub use events::{Command, EpochRecord, Event, PreviewImage, StepRecord};
pub use history::{list_runs, RunHistory, RunSummary};
pub use run_dir::RunDir;
