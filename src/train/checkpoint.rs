//! Checkpoints as safetensors, written under a temporary name and renamed, so a crash or a
//! NaN never leaves a half-written or poisoned file where the last good one was. Beside each,
//! `latest.json` says how far training had gone, which is what resuming needs.
use super::run_dir::write_atomic;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tch::nn::VarStore;

pub const LATEST: &str = "latest.safetensors";
const PROGRESS: &str = "latest.json";

/// How far training had gone when the checkpoint was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Epochs whose every step is in the weights.
    pub epochs_done: usize,
    /// Optimiser steps in the weights, over the whole run.
    pub steps_done: usize,
}

pub fn save(vs: &VarStore, dir: &Path, progress: Progress) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(LATEST);
    // The extension must stay `.safetensors`: tch picks the format from it.
    let tmp = dir.join("latest.partial.safetensors");
    vs.save(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    // Written after the weights: a crash in between makes a resumed run repeat steps, never
    // skip them.
    write_atomic(&dir.join(PROGRESS), &serde_json::to_vec(&progress)?)?;
    Ok(path)
}

pub fn load(vs: &mut VarStore, path: &Path) -> anyhow::Result<()> {
    vs.load(path).with_context(|| format!("cannot load checkpoint {}", path.display()))
}

/// How far the checkpoint in `dir` had gone.
pub fn progress(dir: &Path) -> anyhow::Result<Progress> {
    let path = dir.join(PROGRESS);
    let text = std::fs::read(&path).with_context(|| {
        format!("{} is missing: the run has no checkpoint to resume from", path.display())
    })?;
    serde_json::from_slice(&text).with_context(|| format!("{} is damaged", path.display()))
}
