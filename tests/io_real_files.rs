//! Every real file the test setup fetched (scripts/testdata.sh: the DICOM, NIfTI and image test
//! data that pinned pydicom, nibabel and scikit-image wheels ship) goes through the viewer's own
//! entry points, `io::discover` then `io::load`, and must match what pydicom, nibabel and Pillow
//! decoded independently (scripts/reference_values.py): shape, channels and every value, exactly
//! for lossless data and within the stated tolerance for lossy data; orientation letters, spacing
//! and affine for NIfTI. Files that hold no image or are broken on purpose must fail with a
//! message that says why. Prints a table of every file and what happened, for the closing note.
use anyhow::Context;
use medssl::io::{self, Volume};
use serde::Deserialize;
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Manifest {
    entries: Vec<Entry>,
    skipped: Vec<Skipped>,
}

#[derive(Deserialize)]
struct Skipped {
    path: String,
    why: String,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Image,
    Lossy,
    NoImage,
    Malformed,
    NotAVolume,
    ReferenceUnavailable,
}

#[derive(Deserialize)]
struct Entry {
    path: String,
    kind: String,
    outcome: Outcome,
    /// The 3D volume of a 4D NIfTI file this entry is about.
    volume: Option<usize>,
    shape: Option<[usize; 3]>,
    channels: Option<usize>,
    reference: Option<String>,
    tolerance: Option<Tolerance>,
    transfer_syntax: Option<TransferSyntax>,
    inverted: Option<bool>,
    /// The shape a DICOM or TIFF header declares, for pixels no reference decoder reads.
    declared: Option<Declared>,
    volumes: Option<usize>,
    axis_codes: Option<String>,
    zooms: Option<[f64; 3]>,
    affine: Option<[[f64; 4]; 4]>,
    pixel_spacing_xy: Option<[f64; 2]>,
    axis_codes_xy: Option<String>,
    /// Why the reference library refused the file.
    error: Option<String>,
    /// A clear message names at least one of these.
    #[serde(default)]
    error_mentions: Vec<String>,
}

#[derive(Deserialize)]
struct Tolerance {
    abs: f64,
    rel: f64,
    mean_abs: Option<f64>,
    why: String,
}

#[derive(Deserialize)]
struct TransferSyntax {
    name: String,
}

#[derive(Deserialize)]
struct Declared {
    columns: Option<usize>,
    rows: Option<usize>,
    frames: Option<usize>,
    samples: Option<usize>,
}

/// What happened to one entry: a row of the printed table.
struct Checked {
    file: String,
    /// "dicom (JPEG Baseline (Process 1))", "nifti", "raster".
    kind: String,
    outcome: Outcome,
    result: String,
    problems: Vec<String>,
}

#[test]
fn real_files_match_independent_references() {
    let cache = testdata_dir();
    let manifest_path = cache.join("reference/manifest.json");
    let text = std::fs::read_to_string(&manifest_path).unwrap_or_else(|e| {
        panic!("no test data at {}: {e}; run scripts/testdata.sh (make test does)", manifest_path.display())
    });
    let manifest: Manifest = serde_json::from_str(&text).expect("reference/manifest.json does not parse");
    assert!(manifest.entries.len() > 200, "the manifest lists only {} files", manifest.entries.len());

    let checked: Vec<Checked> = quiet_panics(|| manifest.entries.iter().map(|e| check(&cache, e)).collect());
    print_table(&checked, &manifest.skipped);

    let failures: Vec<String> = checked
        .iter()
        .flat_map(|c| c.problems.iter().map(move |p| format!("{} [{:?}]: {p}", c.file, c.outcome)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} files do not behave as the references say:\n{}",
        checked.iter().filter(|c| !c.problems.is_empty()).count(),
        checked.len(),
        failures.join("\n")
    );
}

/// The same cache scripts/testdata.sh provisions.
fn testdata_dir() -> PathBuf {
    let cache = std::env::var_os("MEDSSL_CACHE").map(PathBuf::from).unwrap_or_else(|| {
        let base = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is not set")).join(".cache")
        });
        base.join("medssl")
    });
    cache.join("testdata-v1")
}

struct Loaded {
    volume: Volume,
    /// How many things discover listed in the one file.
    found: usize,
    /// How many volumes discover said the file holds.
    volumes: usize,
}

fn open(path: &Path, volume: Option<usize>) -> anyhow::Result<Loaded> {
    let found = io::discover(path, &io::no_progress)?.found;
    let first = found.first().context("discover listed nothing")?;
    let source = match volume {
        Some(index) => first.with_volume(index),
        None => first.source.clone(),
    };
    let loaded = io::load(&source, &io::no_progress)?;
    Ok(Loaded { volume: loaded, found: found.len(), volumes: first.volumes })
}

fn check(cache: &Path, entry: &Entry) -> Checked {
    let mut file = file_path(entry).to_string();
    if let Some(index) = entry.volume {
        file = format!("{file} (volume {index})");
    }
    let attempt = panic::catch_unwind(AssertUnwindSafe(|| open(&cache.join(&entry.path), entry.volume)));
    let (result, problems) = match attempt {
        Err(_) => {
            let panic = LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_default();
            let panic = one_line(&panic);
            (format!("PANIC: {panic}"), vec![format!("panicked: {panic}")])
        }
        Ok(Err(error)) => {
            // The table is for the closing note: paths relative to the test data, not this machine's.
            let message = format!("{error:#}").replace(&format!("{}/files/", cache.display()), "");
            (format!("error: {}", one_line(&message)), expect_failure(entry, &message))
        }
        Ok(Ok(loaded)) => expect_volume(cache, entry, &loaded),
    };
    let kind = match &entry.transfer_syntax {
        Some(syntax) => format!("{} ({})", entry.kind, syntax.name),
        None => entry.kind.clone(),
    };
    Checked { file, kind, outcome: entry.outcome, result, problems }
}

/// The loader refused the file: right for files without a usable image, if it says why.
fn expect_failure(entry: &Entry, message: &str) -> Vec<String> {
    match entry.outcome {
        Outcome::Image | Outcome::Lossy => vec![format!("should load, but: {}", one_line(message))],
        _ if message.trim().is_empty() => vec!["fails with an empty message".into()],
        // The file's own path does not count: "skimage/..." must not pass for naming "image".
        _ if !mentions_any(&message.replace(file_path(entry), ""), &entry.error_mentions) => vec![format!(
            "the error does not say why (it should name one of {:?}; the reference says {:?}): {}",
            entry.error_mentions,
            entry.error.as_deref().unwrap_or(""),
            one_line(message)
        )],
        _ => Vec::new(),
    }
}

/// The entry's path as error messages show it, relative to the test data.
fn file_path(entry: &Entry) -> &str {
    entry.path.strip_prefix("files/").unwrap_or(&entry.path)
}

/// Case-insensitive, on letters and digits only: "Transfer Syntax" matches "TransferSyntax".
fn mentions_any(message: &str, mentions: &[String]) -> bool {
    let squash =
        |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let message = squash(message);
    mentions.iter().any(|m| message.contains(&squash(m)))
}

fn expect_volume(cache: &Path, entry: &Entry, loaded: &Loaded) -> (String, Vec<String>) {
    let volume = &loaded.volume;
    let [nx, ny, nz] = volume.dims;
    let mut summary = format!("loaded {nx}×{ny}×{nz}, {} channel(s)", volume.channels);
    let mut problems = Vec::new();
    match entry.outcome {
        Outcome::NoImage | Outcome::Malformed | Outcome::NotAVolume => {
            problems.push(format!(
                "should fail ({}), but {summary}",
                entry.error.as_deref().unwrap_or("the reference refuses it")
            ));
        }
        Outcome::ReferenceUnavailable => problems.extend(check_declared_shape(entry, volume)),
        Outcome::Image | Outcome::Lossy => {
            if loaded.found != 1 {
                problems.push(format!("discover listed {} things in one file", loaded.found));
            }
            let shape_ok = entry.shape == Some(volume.dims) && entry.channels == Some(volume.channels);
            if !shape_ok {
                problems.push(format!(
                    "shape {:?} × {} channel(s), the reference has {:?} × {:?}",
                    volume.dims, volume.channels, entry.shape, entry.channels
                ));
            } else {
                match compare_values(cache, entry, volume) {
                    Ok(line) => summary = format!("{summary}, {line}"),
                    Err(problem) => problems.push(problem),
                }
            }
            problems.extend(check_geometry(entry, loaded));
        }
    }
    (summary, problems)
}

/// Files no reference decoder reads may still load, if the shape is the header's.
fn check_declared_shape(entry: &Entry, volume: &Volume) -> Vec<String> {
    let Some(declared) = &entry.declared else {
        return vec!["loaded, but the reference knows no shape to check it against".into()];
    };
    let expected = [declared.columns, declared.rows, declared.frames];
    let mut problems = Vec::new();
    if expected != volume.dims.map(Some) {
        problems.push(format!("shape {:?}, the header declares {expected:?}", volume.dims));
    }
    if declared.samples.is_some_and(|s| s != volume.channels) {
        problems.push(format!("{} channel(s), the header declares {:?}", volume.channels, declared.samples));
    }
    problems
}

fn compare_values(cache: &Path, entry: &Entry, volume: &Volume) -> Result<String, String> {
    let (Some(reference), Some(tolerance)) = (&entry.reference, &entry.tolerance) else {
        return Err("the manifest has no reference values for a file that loads".into());
    };
    let bytes = std::fs::read(cache.join(reference)).map_err(|e| format!("cannot read {reference}: {e}"))?;
    let expected: Vec<f32> =
        bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    if expected.len() != volume.voxels.len() {
        return Err(format!("{} values, the reference has {}", volume.voxels.len(), expected.len()));
    }
    let mut worst = (0.0f64, 0usize);
    let mut total = 0.0f64;
    let mut outside = 0usize;
    for (i, (&ours, &theirs)) in volume.voxels.iter().zip(&expected).enumerate() {
        // NaN must load as NaN: against a number it compares as infinitely far.
        let difference = match (ours as f64 - theirs as f64).abs() {
            _ if ours == theirs || (ours.is_nan() && theirs.is_nan()) => 0.0,
            d if d.is_nan() => f64::INFINITY,
            d => d,
        };
        if difference > tolerance.abs + tolerance.rel * (theirs as f64).abs() {
            outside += 1;
        }
        if difference > worst.0 {
            worst = (difference, i);
        }
        total += difference;
    }
    let mean = total / expected.len().max(1) as f64;
    let line = format!("largest difference {}, mean {mean:.3}", worst.0);
    let at = |i: usize| {
        let c = i % volume.channels;
        let v = i / volume.channels;
        let [nx, ny, _] = volume.dims;
        format!("(x {}, y {}, z {}, channel {c})", v % nx, (v / nx) % ny, v / (nx * ny))
    };
    if outside > 0 {
        return Err(format!(
            "{outside} of {} values outside the tolerance (abs {}, rel {}: {}); worst at {}: ours {}, reference {}; {line}",
            expected.len(),
            tolerance.abs,
            tolerance.rel,
            tolerance.why,
            at(worst.1),
            volume.voxels[worst.1],
            expected[worst.1]
        ));
    }
    if let Some(limit) = tolerance.mean_abs.filter(|limit| mean > *limit) {
        return Err(format!(
            "mean difference {mean:.3} above {limit} ({}): a bias, not rounding; {line}",
            tolerance.why
        ));
    }
    Ok(line)
}

/// What the file says about where the voxels are: DICOM's MONOCHROME1, in-plane spacing and
/// orientation; NIfTI's volume count, affine, spacing and orientation letters.
fn check_geometry(entry: &Entry, loaded: &Loaded) -> Vec<String> {
    let volume = &loaded.volume;
    let codes: String = volume.axis_codes().iter().collect();
    let spacing = volume.spacing();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-4 * b.abs().max(1.0);
    let mut problems = Vec::new();
    if let Some(inverted) = entry.inverted.filter(|i| *i != volume.inverted) {
        problems.push(format!("inverted is {}, the file says {inverted} (MONOCHROME1)", volume.inverted));
    }
    if let Some(xy) =
        entry.pixel_spacing_xy.filter(|xy| !(close(spacing[0], xy[0]) && close(spacing[1], xy[1])))
    {
        problems.push(format!("spacing {spacing:?}, PixelSpacing gives x {} and y {}", xy[0], xy[1]));
    }
    if let Some(xy) = entry.axis_codes_xy.as_ref().filter(|xy| !codes.starts_with(xy.as_str())) {
        problems.push(format!("orientation {codes}, ImageOrientationPatient gives {xy} for x and y"));
    }
    if let Some(volumes) = entry.volumes.filter(|v| *v != loaded.volumes) {
        problems.push(format!("discover says {} volume(s), nibabel {volumes}", loaded.volumes));
    }
    if let Some(expected) = entry.axis_codes.as_ref().filter(|c| **c != codes) {
        problems.push(format!("orientation {codes}, nibabel's aff2axcodes gives {expected}"));
    }
    if let Some(zooms) = entry.zooms.filter(|z| (0..3).any(|a| !close(spacing[a], z[a]))) {
        problems.push(format!("spacing {spacing:?}, nibabel's zooms are {zooms:?}"));
    }
    if let Some(affine) = entry.affine {
        let off = (0..4)
            .flat_map(|r| (0..4).map(move |c| (r, c)))
            .find(|&(r, c)| !close(volume.affine[r][c], affine[r][c]));
        if off.is_some() {
            problems.push(format!("affine {:?}, nibabel's is {affine:?}", volume.affine));
        }
    }
    problems
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `work` with panics recorded (message and location) instead of printed, so a panicking
/// loader shows up as one line naming its file.
fn quiet_panics<T>(work: impl FnOnce() -> T) -> T {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|info| LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()))));
    let result = work();
    panic::set_hook(previous);
    result
}

fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 220 {
        format!("{}…", line.chars().take(220).collect::<String>())
    } else {
        line
    }
}

fn print_table(checked: &[Checked], skipped: &[Skipped]) {
    println!("\n| file | kind | expected | verdict | what happened |\n| --- | --- | --- | --- | --- |");
    for c in checked {
        let verdict = if c.problems.is_empty() { "ok" } else { "FAIL" };
        println!(
            "| {} | {} | {:?} | {verdict} | {} |",
            c.file,
            c.kind,
            c.outcome,
            c.result.replace('|', "/")
        );
    }
    println!("\n| expected outcome | files | ok | failing |\n| --- | --- | --- | --- |");
    let mut outcomes: Vec<Outcome> = checked.iter().map(|c| c.outcome).collect();
    outcomes.sort();
    outcomes.dedup();
    for outcome in outcomes {
        let of: Vec<&Checked> = checked.iter().filter(|c| c.outcome == outcome).collect();
        let ok = of.iter().filter(|c| c.problems.is_empty()).count();
        println!("| {outcome:?} | {} | {ok} | {} |", of.len(), of.len() - ok);
    }
    let ok = checked.iter().filter(|c| c.problems.is_empty()).count();
    println!("| all | {} | {ok} | {} |", checked.len(), checked.len() - ok);
    println!("\n{} files in the wheels' test data are not under test:", skipped.len());
    let mut reasons: Vec<&str> = skipped.iter().map(|s| s.why.as_str()).collect();
    reasons.sort();
    reasons.dedup();
    for why in reasons {
        let files: Vec<&str> = skipped.iter().filter(|s| s.why == why).map(|s| s.path.as_str()).collect();
        println!("  {why} ({}): {}", files.len(), files.join(", "));
    }
}
