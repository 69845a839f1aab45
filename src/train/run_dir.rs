//! A run on disk: `config.toml`, `metrics.jsonl`, `log.txt`, `checkpoints/`.
use super::checkpoint::Progress;
use super::config::RunConfig;
use anyhow::Context;
use serde_json::{json, Map, Value};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct RunDir {
    pub path: PathBuf,
    metrics: File,
    log: File,
}

impl RunDir {
    /// A new directory `<root>/<timestamp>-<method>`.
    pub fn unique_path(root: &Path, method: &str) -> PathBuf {
        unique_stamped(root, &format!("-{method}"), "")
    }

    /// Creates the run directory; refuses one that already holds a run, so nothing the user
    /// made is overwritten.
    pub fn create(path: &Path, config: &RunConfig) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !path.join("config.toml").exists(),
            "{} already holds a run; choose another output directory",
            path.display()
        );
        std::fs::create_dir_all(path.join("checkpoints"))
            .with_context(|| format!("cannot create run directory {}", path.display()))?;
        write_atomic(&path.join("config.toml"), config.to_toml().as_bytes())?;
        let open = |name: &str| OpenOptions::new().create(true).append(true).open(path.join(name));
        Ok(Self { path: path.to_owned(), metrics: open("metrics.jsonl")?, log: open("log.txt")? })
    }

    /// An existing run, to append to when it resumes from a checkpoint at `from`. The metrics
    /// log is cut back to what that checkpoint covers first, so every step appears once.
    pub fn open(path: &Path, from: Progress) -> anyhow::Result<Self> {
        anyhow::ensure!(path.join("config.toml").is_file(), "{} is not a run directory", path.display());
        let metrics = path.join("metrics.jsonl");
        if metrics.exists() {
            trim_metrics(&metrics, from)?;
        }
        let open = |name: &str| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path.join(name))
                .with_context(|| format!("cannot open {} for writing", path.join(name).display()))
        };
        Ok(Self { path: path.to_owned(), metrics: open("metrics.jsonl")?, log: open("log.txt")? })
    }

    pub fn checkpoints(&self) -> PathBuf {
        self.path.join("checkpoints")
    }

    /// Appends one JSON object: `kind` ("step" or "epoch"), the given fields and metrics.
    pub fn record(&mut self, kind: &str, fields: Value, metrics: &[(String, f64)]) -> anyhow::Result<()> {
        let mut obj = Map::new();
        obj.insert("kind".into(), json!(kind));
        if let Value::Object(f) = fields {
            obj.extend(f);
        }
        for (k, v) in metrics {
            obj.insert(k.clone(), json!(v));
        }
        // One write per line, unbuffered: whoever tails the file sees each step as it ends.
        let mut line = serde_json::to_vec(&Value::Object(obj))?;
        line.push(b'\n');
        self.metrics.write_all(&line)?;
        Ok(())
    }

    pub fn log(&mut self, line: &str) {
        let stamp = chrono::Local::now().format("%H:%M:%S");
        // The log is a courtesy; a full disk shows up in the metrics and checkpoint writes.
        let _ = writeln!(self.log, "{stamp} {line}");
    }
}

/// Keeps the records of the metrics log that a checkpoint at `from` covers. A run killed
/// mid-write leaves a torn last line, and the steps (and epoch) after its last checkpoint run
/// again when it resumes: without this, both would be read as data.
fn trim_metrics(path: &Path, from: Progress) -> anyhow::Result<()> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut kept = Vec::with_capacity(text.len());
    for line in text.split_inclusive(|&b| b == b'\n').filter(|l| l.ends_with(b"\n")) {
        let Ok(record) = serde_json::from_slice::<Value>(line) else { continue };
        let number = |key: &str| record.get(key).and_then(Value::as_u64).map(|n| n as usize);
        let covered = match record.get("kind").and_then(Value::as_str) {
            Some("step") => number("step").is_some_and(|s| s < from.steps_done),
            Some("epoch") => number("epoch").is_some_and(|e| e <= from.epochs_done),
            _ => false,
        };
        if covered {
            kept.extend_from_slice(line);
        }
    }
    if kept.len() != text.len() {
        write_atomic(path, &kept)?;
    }
    Ok(())
}

/// `<dir>/<local time><name><extension>` for a name not taken yet, counting `-2`, `-3`, … after
/// `name` when two are made within a second.
pub fn unique_stamped(dir: &Path, name: &str, extension: &str) -> PathBuf {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let mut path = dir.join(format!("{stamp}{name}{extension}"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = dir.join(format!("{stamp}{name}-{n}{extension}"));
    }
    path
}

/// Writes `bytes` to `<path>.partial`, syncs it and renames it to `path`: `path` holds the old
/// contents or the new, never a part. A failed write (a full disk) leaves no `.partial` behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut name = path.file_name().context("a file path has a name")?.to_owned();
    name.push(".partial");
    let tmp = path.with_file_name(name);
    let written = File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow::Error::new(e).context(format!("cannot write {}", path.display())));
    }
    Ok(())
}
