//! Messages between the engine and whoever watches it (the GUI, the CLI, tests).
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Pause,
    Resume,
    Stop,
}

#[derive(Debug, Clone)]
pub struct StepRecord {
    pub epoch: usize,
    /// 0-based over the whole run.
    pub step: usize,
    pub total_steps: usize,
    pub loss: f64,
    pub lr: f64,
    pub metrics: Vec<(String, f64)>,
    pub images_per_s: f64,
    pub eta_s: f64,
}

#[derive(Debug, Clone)]
pub struct EpochRecord {
    /// 0 is the untrained encoder; epoch e is after e passes over the data.
    pub epoch: usize,
    /// None when the held-out set has fewer than two classes (volumes, unlabelled images):
    /// every neighbour would vote for the one class, so the figure would say nothing.
    pub knn_accuracy: Option<f64>,
    pub metrics: Vec<(String, f64)>,
}

/// An 8-bit RGB thumbnail.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewImage {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

#[derive(Debug, Clone)]
pub enum Event {
    /// Data being loaded or generated before the first step: `done` of `total` images.
    Loading {
        what: String,
        done: usize,
        total: usize,
    },
    Started {
        run_dir: PathBuf,
        device: String,
        total_steps: usize,
        /// Steps already in the weights: 0, or where a resumed run continues.
        first_step: usize,
        parameters: i64,
        /// What the user should know as the run starts, each led by its subject: what loading
        /// the data noticed ("data: …": skipped files, uneven slice spacing), a damaged
        /// checkpoint passed over on resume ("checkpoint: …").
        notes: Vec<String>,
    },
    Step(StepRecord),
    Epoch(EpochRecord),
    /// Rows of labelled images: what the model receives at `step`, and what it makes of them.
    Preview {
        step: usize,
        rows: Vec<(String, Vec<PreviewImage>)>,
    },
    /// How the embeddings of a two-view method's batch look at `step`.
    Diagnostics {
        step: usize,
        diagnostics: super::diagnostics::Diagnostics,
    },
    Checkpoint {
        path: PathBuf,
        epoch: usize,
    },
    Paused,
    Resumed,
    Finished {
        stopped_early: bool,
        knn_accuracy: Option<f64>,
    },
    Failed {
        message: String,
    },
}
