//! Checkpoints as safetensors whose metadata says how far training had gone and carries a
//! SHA-256 of everything loaded from the file (names, dtypes, shapes, bytes, progress). A file
//! is written under a temporary name, synced and renamed; the good one it replaces becomes
//! `previous.safetensors`. So a crash, a full disk or a flipped byte never leaves a run without
//! a good checkpoint, and a damaged one is named when it is read instead of training on garbage.
use anyhow::Context;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use tch::nn::VarStore;
use tch::{Kind, Tensor};

pub const LATEST: &str = "latest.safetensors";
pub const PREVIOUS: &str = "previous.safetensors";
/// The extension stays `.safetensors`, so a file left by a crash still opens elsewhere.
const PARTIAL: &str = "latest.partial.safetensors";

const EPOCHS_DONE: &str = "medssl.epochs_done";
const STEPS_DONE: &str = "medssl.steps_done";
const SHA256: &str = "medssl.sha256";

/// How far training had gone when the checkpoint was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Epochs whose every step is in the weights.
    pub epochs_done: usize,
    /// Optimiser steps in the weights, over the whole run.
    pub steps_done: usize,
}

/// A checkpoint that passed its checksum.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub path: PathBuf,
    pub progress: Progress,
    /// Set when the latest checkpoint was damaged and this is the previous one: says so.
    pub note: Option<String>,
}

/// Writes the variables of `vs` as the run's latest checkpoint, keeping the one it replaces as
/// the previous. On failure (a full disk) nothing is left half-written and the latest good
/// checkpoint is where it was.
pub fn save(vs: &VarStore, dir: &Path, progress: Progress) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let bytes = serialize(vs, progress)?;
    let tmp = dir.join(PARTIAL);
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&bytes).and_then(|()| f.sync_all()))
        .with_context(|| format!("cannot write checkpoint {}", tmp.display()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let latest = dir.join(LATEST);
    // A damaged latest is not kept over a good previous.
    if verify(&latest).is_ok() {
        std::fs::rename(&latest, dir.join(PREVIOUS))?;
    }
    std::fs::rename(&tmp, &latest)?;
    Ok(latest)
}

/// The checkpoint a run resumes from: the latest if it is sound, else the previous one, with
/// a note naming the damaged file. An error names both files when neither can be used.
pub fn latest_good(dir: &Path) -> anyhow::Result<Checkpoint> {
    let latest = dir.join(LATEST);
    let damaged = match verify(&latest) {
        Ok(progress) => return Ok(Checkpoint { path: latest, progress, note: None }),
        Err(e) => e,
    };
    let previous = dir.join(PREVIOUS);
    match verify(&previous) {
        Ok(progress) => Ok(Checkpoint {
            note: Some(format!(
                "{:#}; using {} instead, after {} steps",
                damaged,
                previous.display(),
                progress.steps_done
            )),
            path: previous,
            progress,
        }),
        Err(_) if !latest.exists() && !previous.exists() => {
            Err(anyhow::anyhow!("{} holds no checkpoint", dir.display()))
        }
        Err(_) if !previous.exists() => {
            Err(damaged.context("and there is no previous checkpoint to fall back on"))
        }
        Err(e) => Err(damaged.context(format!("and the previous checkpoint cannot be used either: {e:#}"))),
    }
}

/// Loads a checkpoint into `vs` after checking it: every variable, with its shape, and nothing
/// else. Returns its progress.
pub fn load(vs: &mut VarStore, path: &Path) -> anyhow::Result<Progress> {
    let bytes = read(path)?;
    let (file, progress) = parse(path, &bytes)?;
    let tensors = file.tensors();
    let mut variables = vs.variables();
    anyhow::ensure!(
        tensors.len() == variables.len(),
        "{} holds {} tensors where the model has {}: it belongs to another model",
        path.display(),
        tensors.len(),
        variables.len()
    );
    tch::no_grad(|| {
        for (name, view) in &tensors {
            let var = variables
                .get_mut(name)
                .with_context(|| format!("{} holds {name}, which the model lacks", path.display()))?;
            let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
            anyhow::ensure!(
                var.size() == shape,
                "{}: {name} is {shape:?} where the model's is {:?}",
                path.display(),
                var.size()
            );
            let kind = Kind::try_from(view.dtype())?;
            var.f_copy_(&Tensor::f_from_data_size(view.data(), &shape, kind)?)?;
        }
        Ok(progress)
    })
}

/// The checkpoint's progress if its checksum matches its contents.
pub fn verify(path: &Path) -> anyhow::Result<Progress> {
    let bytes = read(path)?;
    Ok(parse(path, &bytes)?.1)
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read checkpoint {}", path.display()))
}

fn serialize(vs: &VarStore, progress: Progress) -> anyhow::Result<Vec<u8>> {
    let mut named: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let mut bytes = Vec::with_capacity(named.len());
    for (name, tensor) in &named {
        let tensor = tensor.to_device(tch::Device::Cpu).contiguous();
        let mut data = vec![0u8; tensor.numel() * tensor.kind().elt_size_in_bytes()];
        tensor.f_copy_data_u8(&mut data, tensor.numel())?;
        let dtype = Dtype::try_from(tensor.kind())?;
        let shape: Vec<usize> = tensor.size().iter().map(|&d| d as usize).collect();
        bytes.push((name.clone(), dtype, shape, data));
    }
    let views: Vec<(String, TensorView)> = bytes
        .iter()
        .map(|(name, dtype, shape, data)| Ok((name.clone(), TensorView::new(*dtype, shape.clone(), data)?)))
        .collect::<anyhow::Result<_>>()?;
    let digest = checksum(views.iter().map(|(n, v)| (n.as_str(), v)), progress);
    let metadata = HashMap::from([
        (EPOCHS_DONE.to_string(), progress.epochs_done.to_string()),
        (STEPS_DONE.to_string(), progress.steps_done.to_string()),
        (SHA256.to_string(), digest),
    ]);
    Ok(safetensors::tensor::serialize(views, &Some(metadata))?)
}

/// A checkpoint file's tensors, once its checksum matched, and its progress.
fn parse<'a>(path: &Path, bytes: &'a [u8]) -> anyhow::Result<(SafeTensors<'a>, Progress)> {
    let damaged = |why: String| anyhow::anyhow!("checkpoint {} is damaged: {why}", path.display());
    let tensors = SafeTensors::deserialize(bytes).map_err(|e| damaged(format!("{e:?}")))?;
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| damaged(format!("{e:?}")))?;
    let metadata = header.metadata().clone().unwrap_or_default();
    let field = |key: &str| {
        metadata.get(key).cloned().ok_or_else(|| damaged(format!("it has no {key} (not written by MedSSL)")))
    };
    let number = |key: &str| field(key)?.parse::<usize>().map_err(|e| damaged(format!("{key}: {e}")));
    let progress = Progress { epochs_done: number(EPOCHS_DONE)?, steps_done: number(STEPS_DONE)? };
    let mut views = tensors.tensors();
    views.sort_by(|a, b| a.0.cmp(&b.0));
    let found = checksum(views.iter().map(|(n, v)| (n.as_str(), v)), progress);
    let expected = field(SHA256)?;
    if found != expected {
        return Err(damaged(format!("its SHA-256 is {found}, its metadata says {expected}")));
    }
    Ok((tensors, progress))
}

/// SHA-256 over the tensors in name order (name, dtype, shape, bytes) and the progress.
fn checksum<'a>(tensors: impl Iterator<Item = (&'a str, &'a TensorView<'a>)>, progress: Progress) -> String {
    let mut hash = Sha256::new();
    for (name, view) in tensors {
        hash.update((name.len() as u64).to_le_bytes());
        hash.update(name.as_bytes());
        hash.update(format!("{:?}", view.dtype()).as_bytes());
        for d in view.shape() {
            hash.update((*d as u64).to_le_bytes());
        }
        hash.update(view.data());
    }
    hash.update((progress.epochs_done as u64).to_le_bytes());
    hash.update((progress.steps_done as u64).to_le_bytes());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
