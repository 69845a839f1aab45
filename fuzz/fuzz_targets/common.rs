#![allow(dead_code)] // each target uses a part of it
//! What every loader target shares: inputs become files (the loaders read paths, as users
//! give them), and the memory ceiling is low, so an allocation past it is a finding.
use std::path::PathBuf;
use std::sync::Once;

/// Well under libFuzzer's default 2 GB RSS limit: a load that honours the ceiling stays far
/// below it, one that trusts a length field does not.
const CEILING: u64 = 256 << 20;

pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        static CEILING_SET: Once = Once::new();
        CEILING_SET.call_once(|| {
            medssl::io::set_memory_ceiling(CEILING);
            // libfuzzer-sys aborts on every panic, even one the loaders catch and turn into an
            // error naming the file (`io::without_panic`): the default hook lets those be, and
            // a panic that escapes still aborts at the fuzzer's boundary.
            let _ = std::panic::take_hook();
        });
        Self { dir: tempfile::tempdir().expect("a temporary directory") }
    }

    /// Writes `bytes` as `name` in the scratch folder.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("the scratch folder takes files");
        path
    }

    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }
}

/// Loads everything in `path` (a file or a folder); errors are the expected outcome of most
/// inputs, a panic or an abort is the finding.
pub fn load_all(path: &std::path::Path) {
    let progress = medssl::io::no_progress;
    if let Ok(found) = medssl::io::discover(path, &progress) {
        for f in found.found {
            let _ = medssl::io::load(&f.source, &progress);
        }
    }
}
