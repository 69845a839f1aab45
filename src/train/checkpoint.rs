//! Checkpoints as safetensors, written under a temporary name and renamed, so a crash or a
//! NaN never leaves a half-written or poisoned file where the last good one was.
use anyhow::Context;
use std::path::{Path, PathBuf};
use tch::nn::VarStore;

pub const LATEST: &str = "latest.safetensors";

pub fn save(vs: &VarStore, dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(LATEST);
    // The extension must stay `.safetensors`: tch picks the format from it.
    let tmp = dir.join("latest.partial.safetensors");
    vs.save(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

pub fn load(vs: &mut VarStore, path: &Path) -> anyhow::Result<()> {
    vs.load(path).with_context(|| format!("cannot load checkpoint {}", path.display()))
}
