//! Hostile files for every loader, as a broken PACS export or a malicious upload brings them:
//! seeded mutants of the real test files (truncations, bit flips, huge length words, a wrong
//! transfer syntax), decompression bombs, and a folder that mixes series with junk. Each must
//! load or fail with an error, within a time limit, without a panic and without allocating
//! past the memory ceiling. Its own binary: the allocator counts every byte of the process.
use medssl::io::{self, no_progress};
use npyz::WriterBuilder;
use rand::{Rng, SeedableRng};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Counts live bytes and their peak over the whole process.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Adds `size` live bytes and raises the peak to match.
fn grown(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grown(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grown(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grown(new_size);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The ceiling the loaders are held to here, and what one case may add to the process's memory
/// at its peak: the decoded image at the ceiling, its raw samples, and the decoder's own.
const CEILING: u64 = 64 << 20;
const PEAK_ALLOWED: usize = 4 * CEILING as usize;
const TIME_LIMIT: Duration = Duration::from_secs(30);

/// Loads `path` (a file, or a folder and everything found in it) on a worker thread, and
/// returns what became of it, or why the case failed: a panic, a hang, or too much memory.
fn load_within_limits(path: &Path) -> Result<Result<(), String>, String> {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = path.to_owned();
    let worker = std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| load_everything(&owned));
        let _ = tx.send(outcome);
    });
    let outcome = match rx.recv_timeout(TIME_LIMIT) {
        Ok(outcome) => outcome,
        Err(_) => return Err(format!("no answer within {TIME_LIMIT:?}")),
    };
    worker.join().ok();
    let grew = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    if grew > PEAK_ALLOWED {
        return Err(format!("the load took {} MB at its peak, over {} MB", grew >> 20, PEAK_ALLOWED >> 20));
    }
    outcome.map_err(|panic| format!("panicked: {}", io::panic_text(&panic)))
}

fn load_everything(path: &Path) -> Result<(), String> {
    let shown = |e: anyhow::Error| format!("{e:#}");
    if path.is_dir() {
        let found = io::discover(path, &no_progress).map_err(shown)?;
        for f in found.found {
            io::load(&f.source, &no_progress).map_err(shown)?;
        }
        Ok(())
    } else {
        io::open(path, &no_progress).map(|_| ()).map_err(shown)
    }
}

/// The real test files of `make test`'s cache that load, small enough to mutate many times.
fn seed_files() -> Vec<PathBuf> {
    let cache = std::env::var_os("MEDSSL_CACHE").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("XDG_CACHE_HOME").map_or_else(
            || format!("{}/.cache", std::env::var("HOME").unwrap()),
            |x| x.to_string_lossy().into_owned(),
        ))
        .join("medssl")
    });
    let root = cache.join("testdata-v1/files");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("no test data at {}: {e}; run scripts/testdata.sh", root.display()));
        for entry in entries.map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if entry.metadata().unwrap().len() <= 160_000 && load_everything(&path).is_ok() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A mutant of `bytes`, the kind chosen by `rng`: what a broken export or a hand-edited file
/// does to a real one.
fn mutate(bytes: &[u8], rng: &mut impl Rng) -> (String, Vec<u8>) {
    let mut out = bytes.to_vec();
    let head = out.len().clamp(1, 2048);
    match rng.random_range(0..5) {
        0 => {
            let at = rng.random_range(0..out.len().max(1));
            out.truncate(at);
            (format!("truncated at {at}"), out)
        }
        1 => {
            let flips = rng.random_range(1..=8);
            for _ in 0..flips {
                let at = rng.random_range(0..out.len().max(1));
                if let Some(b) = out.get_mut(at) {
                    *b ^= 1 << rng.random_range(0..8);
                }
            }
            (format!("{flips} bits flipped"), out)
        }
        2 => {
            // A length word (or a dimension, a count) made huge, in the header region.
            let at = rng.random_range(0..head);
            let word: u32 = [0xFFFF_FFF0, 0x7FFF_FFFF, 0x4000_0000, 0x00FF_FFFF][rng.random_range(0..4)];
            for (i, b) in word.to_le_bytes().iter().enumerate() {
                if let Some(slot) = out.get_mut(at + i) {
                    *slot = *b;
                }
            }
            (format!("{word:#x} written at {at}"), out)
        }
        3 => {
            let at = rng.random_range(0..head);
            let half = u16::MAX - rng.random_range(0..16);
            for (i, b) in half.to_le_bytes().iter().enumerate() {
                if let Some(slot) = out.get_mut(at + i) {
                    *slot = *b;
                }
            }
            (format!("{half:#x} written at {at}"), out)
        }
        _ => {
            // Another transfer syntax named in the same number of bytes.
            let syntaxes: [&[u8]; 4] = [
                b"1.2.840.10008.1.2.1\0",
                b"1.2.840.10008.1.2.2\0",
                b"1.2.840.10008.1.2\0\0\0",
                b"1.2.840.10008.1.2.5\0",
            ];
            let to = syntaxes[rng.random_range(0..syntaxes.len())];
            let found = out.windows(17).position(|w| w == b"1.2.840.10008.1.2");
            match found {
                Some(at) if at + to.len() <= out.len() => {
                    out[at..at + to.len()].copy_from_slice(to);
                    (format!("transfer syntax {}", String::from_utf8_lossy(to).trim_end_matches('\0')), out)
                }
                _ => ("unchanged".into(), out),
            }
        }
    }
}

/// A NIfTI-1 header declaring a `dims` f32 volume, with `data` after it, gzipped.
fn nifti_gz(dims: [i16; 3], data: &[u8]) -> Vec<u8> {
    let mut header = vec![0u8; 352];
    header[0..4].copy_from_slice(&348i32.to_le_bytes());
    for (i, d) in [3i16, dims[0], dims[1], dims[2], 1, 1, 1, 1].iter().enumerate() {
        header[40 + 2 * i..42 + 2 * i].copy_from_slice(&d.to_le_bytes());
    }
    header[70..72].copy_from_slice(&16i16.to_le_bytes());
    header[72..74].copy_from_slice(&32i16.to_le_bytes());
    for i in 0..4 {
        header[76 + 4 * i..80 + 4 * i].copy_from_slice(&1f32.to_le_bytes());
    }
    header[108..112].copy_from_slice(&352f32.to_le_bytes());
    header[344..348].copy_from_slice(b"n+1\0");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&header).unwrap();
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

/// Hand-made hostile files: bombs that are small on disk and huge decoded, and headers that
/// promise what the file does not hold.
fn hand_made(dir: &Path) -> Vec<PathBuf> {
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let mut files = Vec::new();
    // 30,000³ f32 declared, and as many zero bytes as deflate makes of a few megabytes.
    files.push(write("bomb.nii.gz", &nifti_gz([30_000, 30_000, 30_000], &vec![0u8; 4 << 20])));
    // 8,000 × 8,000 × 4 f32 declared with 1 kB of data behind it.
    files.push(write("short.nii.gz", &nifti_gz([8_000, 8_000, 4], &[0u8; 1024])));
    // 40,000² grey PNG of one colour: a few megabytes, 6.4 GB as f32.
    let png_path = dir.join("bomb.png");
    let file = std::io::BufWriter::new(std::fs::File::create(&png_path).unwrap());
    let mut encoder = png::Encoder::new(file, 40_000, 40_000);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap().into_stream_writer().unwrap();
    let row = vec![0u8; 40_000];
    for _ in 0..40_000 {
        writer.write_all(&row).unwrap();
    }
    writer.finish().unwrap();
    files.push(png_path);
    // A part-10 file whose pixel data claims 3 GB.
    let mut dicom = vec![0u8; 128];
    dicom.extend_from_slice(b"DICM");
    let uid = b"1.2.840.10008.1.2.1\0";
    dicom.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I']);
    dicom.extend_from_slice(&(uid.len() as u16).to_le_bytes());
    dicom.extend_from_slice(uid);
    for (element, value) in [(0x0002u16, 1u16), (0x0010, 512), (0x0011, 512), (0x0100, 16), (0x0101, 16)] {
        dicom.extend_from_slice(&0x0028u16.to_le_bytes());
        dicom.extend_from_slice(&element.to_le_bytes());
        dicom.extend_from_slice(b"US");
        dicom.extend_from_slice(&2u16.to_le_bytes());
        dicom.extend_from_slice(&value.to_le_bytes());
    }
    dicom.extend_from_slice(&[0xE0, 0x7F, 0x10, 0x00, b'O', b'W', 0, 0]);
    dicom.extend_from_slice(&0xC000_0000u32.to_le_bytes());
    dicom.extend_from_slice(&[0u8; 64]);
    files.push(write("huge_pixels.dcm", &dicom));
    files
}

/// A MedMNIST-style archive (stored and deflated members), as `np.savez_compressed` writes.
fn medmnist_npz(path: &Path) -> PathBuf {
    let mut npz = npyz::npz::NpzWriter::create(path).unwrap();
    let deflated = npyz::zip::write::FileOptions::default();
    let stored = deflated.compression_method(npyz::zip::CompressionMethod::Stored);
    let mut images = npz
        .array::<u8>("train_images", deflated)
        .unwrap()
        .default_dtype()
        .shape(&[4, 28, 28])
        .begin_nd()
        .unwrap();
    images.extend((0..4 * 28 * 28).map(|i| (i % 251) as u8)).unwrap();
    images.finish().unwrap();
    let mut labels =
        npz.array::<i64>("train_labels", stored).unwrap().default_dtype().shape(&[4, 1]).begin_nd().unwrap();
    labels.extend([0, 1, 0, 1]).unwrap();
    labels.finish().unwrap();
    path.to_owned()
}

#[test]
fn no_hostile_file_hangs_panics_or_passes_the_memory_ceiling() {
    io::set_memory_ceiling(CEILING);
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261208);
    let mut seeds = seed_files();
    seeds.push(medmnist_npz(&dir.path().join("medmnist.npz")));
    assert!(
        seeds.len() > 100,
        "expected the cached DICOM, NIfTI and image test files, found {}",
        seeds.len()
    );
    let kinds = |ext: &str| seeds.iter().filter(|p| p.to_string_lossy().ends_with(ext)).count();
    println!(
        "{} seed files: {} .dcm, {} .nii(.gz), {} .png",
        seeds.len(),
        kinds(".dcm"),
        kinds(".nii") + kinds(".nii.gz"),
        kinds(".png")
    );
    assert!(load_everything(seeds.last().unwrap()).is_ok(), "the .npz seed loads");
    let mut cases: Vec<(PathBuf, String)> =
        hand_made(dir.path()).into_iter().map(|p| (p, "hand-made".into())).collect();
    for n in 0..400 {
        let seed = &seeds[rng.random_range(0..seeds.len())];
        let (what, bytes) = mutate(&std::fs::read(seed).unwrap(), &mut rng);
        // The extension (and a .gz) tells the loader what the file is meant to be.
        let name = seed.file_name().unwrap().to_string_lossy();
        let path = dir.path().join(format!("m{n:03}-{name}"));
        std::fs::write(&path, bytes).unwrap();
        cases.push((path, format!("{what}, from {}", seed.display())));
    }
    // A folder mixing two series, a mutant of each, and files that are not images at all.
    let mixed = dir.path().join("mixed");
    std::fs::create_dir(&mixed).unwrap();
    for (i, seed) in seeds.iter().filter(|p| p.extension().is_some_and(|e| e == "dcm")).take(6).enumerate() {
        let bytes = std::fs::read(seed).unwrap();
        std::fs::write(mixed.join(format!("{i}.dcm")), &bytes).unwrap();
        std::fs::write(mixed.join(format!("{i}-mutant.dcm")), mutate(&bytes, &mut rng).1).unwrap();
    }
    std::fs::write(mixed.join("notes.txt"), "not an image").unwrap();
    std::fs::write(mixed.join("empty.dcm"), b"").unwrap();
    cases.push((mixed, "mixed folder".into()));
    // Inputs that once broke a loader (fuzzing's crashes among them), kept as they were found.
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile");
    for entry in std::fs::read_dir(&kept).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            cases.push((path, "kept regression input".into()));
        }
    }

    let mut failures = Vec::new();
    let (mut loaded, mut refused) = (0, 0);
    for (path, what) in &cases {
        match load_within_limits(path) {
            Ok(Ok(())) => loaded += 1,
            Ok(Err(error)) => {
                refused += 1;
                assert!(!error.trim().is_empty(), "{}: an empty error", path.display());
            }
            Err(fault) => failures.push(format!("{} ({what}): {fault}", path.display())),
        }
    }
    println!("{} cases: {loaded} loaded, {refused} refused with an error", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // The mutants are hostile enough to matter, and not so hostile that nothing loads.
    assert!(refused > 50 && loaded > 50, "{loaded} loaded, {refused} refused");
}
