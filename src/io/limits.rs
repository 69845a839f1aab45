//! What a loader may allocate, checked before it allocates: no more than the file can hold, and
//! no more than the memory ceiling for one decoded image. And what a decoder's panic becomes:
//! an error naming the file, never a crash or a worker that silently disappears.
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};

/// The default memory ceiling for one decoded image: 4 GiB of f32 values, a 512×512×4000 CT.
pub const DEFAULT_MEMORY_CEILING: u64 = 4 << 30;

static MEMORY_CEILING: AtomicU64 = AtomicU64::new(DEFAULT_MEMORY_CEILING);

/// The most bytes one loaded image may take once decoded (its f32 values).
pub fn memory_ceiling() -> u64 {
    MEMORY_CEILING.load(Ordering::Relaxed)
}

/// Sets the ceiling for every later load in this process (`medssl --max-memory`).
pub fn set_memory_ceiling(bytes: u64) {
    MEMORY_CEILING.store(bytes, Ordering::Relaxed);
}

/// Deflate's best case: how many bytes one compressed byte may expand to (zlib, gzip, zip, PNG,
/// deflated DICOM all share it).
pub const DEFLATE_RATIO: u64 = 1032;

/// Refuses a declared size that the file could not hold, before anything is allocated: a
/// header claiming 60000³ voxels in a 1 kB file is malformed, not a request for 800 TB.
/// `max_ratio` is how many bytes of data one byte of file may expand to (1 for raw data,
/// `DEFLATE_RATIO` for deflate).
pub fn check_declared_size(
    what: &str,
    declared_bytes: u128,
    file_bytes: u64,
    max_ratio: u64,
) -> anyhow::Result<()> {
    let limit = file_bytes as u128 * max_ratio as u128;
    anyhow::ensure!(
        declared_bytes <= limit,
        "{what} declares {declared_bytes} bytes of image data, more than a {file_bytes}-byte file can hold: the header is corrupt"
    );
    Ok(())
}

/// Refuses an image whose `values` f32 values would pass the memory ceiling. A compressed file
/// may honestly hold that much (a 40,000² PNG of one colour is a few megabytes), so this is
/// the ceiling's word, not the file's: the message says how to raise it.
pub fn check_decoded_size(what: &str, values: u128) -> anyhow::Result<()> {
    let bytes = values.saturating_mul(4);
    let ceiling = memory_ceiling();
    anyhow::ensure!(
        bytes <= ceiling as u128,
        "{what} would take {} decoded, above the memory ceiling of {}: raise it with `medssl \
         --max-memory GB` if the machine has the memory",
        gigabytes(bytes),
        gigabytes(ceiling as u128)
    );
    Ok(())
}

fn gigabytes(bytes: u128) -> String {
    format!("{:.2} GB", bytes as f64 / 1e9)
}

/// Runs a decoder on `what` (a file's name), turning a panic inside it into an error that names
/// the file: third-party decoders assert on malformed input, and one bad file must not take a
/// worker, a load or the app down with it.
pub fn without_panic<T>(what: &str, decode: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    catch_unwind(AssertUnwindSafe(decode)).unwrap_or_else(|panic| {
        Err(anyhow::anyhow!(
            "{what}: the decoder crashed on this file ({}): it is malformed",
            panic_text(&panic)
        ))
    })
}

/// A panic's message, when it has one.
pub fn panic_text(panic: &Box<dyn Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}
