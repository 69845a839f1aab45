//! DICOM files and series through dicom-rs: grouping files into series, ordering slices in
//! space, decoding pixels of every common transfer syntax into one volume.
mod geometry;
mod header;
mod jpeg12;
mod jpeg_rgb;
mod lengths;
mod palette;
mod pixels;
mod raw;
mod words32;
mod write;

use super::{
    check_declared_size, check_decoded_size, standard_ct_windows, without_panic, Progress, Provenance,
    Skipped, Volume, DEFLATE_RATIO,
};
use anyhow::Context;
use dicom::dictionary_std::tags;
use dicom::object::{DefaultDicomObject, OpenFileOptions};
use header::SliceHeader;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

pub use header::transfer_syntax_name;
pub use write::{write_ct_series, SeriesLayout};

/// The files of one series (same SeriesInstanceUID, frame size and orientation), with the
/// headers `load` orders them by.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub files: Vec<PathBuf>,
    headers: Vec<SliceHeader>,
    /// What the user should know about how the files were grouped (no identifying values).
    pub notes: Vec<String>,
}

impl Series {
    pub fn modality(&self) -> &str {
        &self.headers[0].modality
    }

    pub fn frames(&self) -> usize {
        self.headers.iter().map(|h| h.frames).sum()
    }

    pub fn transfer_syntax(&self) -> String {
        transfer_syntax_name(&self.headers[0].transfer_syntax_uid)
    }

    /// "CT series, 300 files, 300 frames, 512×512, Explicit VR Little Endian (…)": nothing
    /// identifying.
    pub fn label(&self) -> String {
        let h = &self.headers[0];
        let (files, frames) = (self.files.len(), self.frames());
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        format!(
            "{} series, {files} file{}, {frames} frame{}, {}×{}, {}",
            h.modality,
            plural(files),
            plural(frames),
            h.columns,
            h.rows,
            self.transfer_syntax()
        )
    }
}

/// Opens a DICOM file: a part-10 file (with or without its preamble), else a bare data set.
/// `header_only` stops the part-10 read before the pixel data; the two fallbacks read the whole
/// data set. Each attempt first has the element lengths it will read checked against the file
/// (`lengths`), since dicom-rs allocates what a length declares.
fn open(path: &Path, header_only: bool) -> anyhow::Result<DefaultDicomObject> {
    let options = OpenFileOptions::new();
    let options = if header_only { options.read_until(tags::PIXEL_DATA) } else { options };
    let declared = || -> anyhow::Result<DefaultDicomObject> {
        lengths::check(path, lengths::Syntax::Declared, header_only)?;
        options.open_file(path).map_err(|e| anyhow::anyhow!("{}", chain(&e)))
    };
    declared().or_else(|part10| {
        if raw::has_part10_marker(path) {
            return lengths::check(path, lengths::Syntax::Implicit, false)
                .and_then(|()| raw::open_mislabelled(path))
                .map_err(|_| {
                    anyhow::anyhow!("{} is a DICOM file that cannot be read: {part10}", path.display())
                });
        }
        lengths::check(path, lengths::Syntax::Guessed, false)
            .and_then(|()| raw::open_bare(path))
            .with_context(|| format!("{} is not a readable DICOM file", path.display()))
    })
}

/// dicom-rs errors print only their outermost message; the cause is further down.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// Reads the headers of `files` and groups them into series. With `strict` (a file named
/// directly), a file that is not DICOM or holds no image is an error; in a folder it is
/// skipped, and the skipped files come back with the reason.
pub fn scan(
    files: &[PathBuf],
    strict: bool,
    progress: Progress,
) -> anyhow::Result<(Vec<Series>, Vec<Skipped>)> {
    let mut groups: BTreeMap<_, Series> = BTreeMap::new();
    let mut skipped = Vec::new();
    for (i, path) in files.iter().enumerate() {
        progress("reading DICOM headers", i, files.len())?;
        let shown = path.display().to_string();
        let header = without_panic(&shown, || {
            let header = SliceHeader::read(&open(path, true)?).with_context(|| shown.clone())?;
            // The pixel data itself is not read here (it is most of the file): a file with
            // image dimensions but no pixels fails when loaded, naming itself.
            anyhow::ensure!(
                header.rows > 0 && header.columns > 0,
                "{shown} holds no image (no Rows and Columns: a {} object)",
                header.modality
            );
            Ok(header)
        });
        match header {
            Ok(header) => {
                let key =
                    (header.stack_key(), if header.series_uid.is_none() { Some(path.clone()) } else { None });
                let series = groups.entry(key).or_insert_with(|| Series {
                    files: Vec::new(),
                    headers: Vec::new(),
                    notes: Vec::new(),
                });
                series.files.push(path.clone());
                series.headers.push(header);
            }
            Err(e) if strict => return Err(e),
            Err(e) => skipped.push(Skipped { path: path.clone(), reason: format!("{e:#}") }),
        }
    }
    progress("reading DICOM headers", files.len(), files.len())?;
    anyhow::ensure!(!groups.is_empty(), "none of the {} files holds a DICOM image", files.len());
    let mut series: Vec<Series> = groups.into_values().collect();
    note_split_series(&mut series);
    Ok((series, skipped))
}

/// One SeriesInstanceUID whose files differ in orientation or frame size is several stacks,
/// listed apart; each says so, since a user expects one series there.
fn note_split_series(series: &mut [Series]) {
    let uid = |s: &Series| s.headers[0].series_uid.clone();
    let counts: Vec<usize> = series
        .iter()
        .map(|s| series.iter().filter(|o| uid(o).is_some() && uid(o) == uid(s)).count())
        .collect();
    for (s, n) in series.iter_mut().zip(counts) {
        if n > 1 {
            s.notes.push(format!(
                "one of {n} stacks of the same series whose files differ in orientation or frame size: \
                 each is listed on its own"
            ));
        }
    }
}

/// Loads a series into one volume: slices in spatial order, values after the Modality LUT.
/// Files are decoded on all cores; `progress` is called from this thread only.
pub fn load(series: &Series, progress: Progress) -> anyhow::Result<Volume> {
    let order = geometry::order(&series.headers)?;
    let ordered: Vec<&SliceHeader> = order.iter().map(|i| &series.headers[*i]).collect();
    let first_path = &series.files[order[0]];
    let first = open(first_path, false)?;
    let channels = pixels::channels(ordered[0]);
    let (rows, columns) = (ordered[0].rows, ordered[0].columns);
    let frame_len = rows * columns * channels;
    let total_frames: usize = ordered.iter().map(|h| h.frames).sum();
    let file_bytes: u64 = series.files.iter().map(|f| std::fs::metadata(f).map_or(0, |m| m.len())).sum();
    let declared: u128 = ordered.iter().map(|h| h.declared_bytes()).sum();
    let ratio =
        if ordered.iter().all(|h| header::is_native(&h.transfer_syntax_uid)) { 1 } else { DEFLATE_RATIO };
    check_declared_size("the DICOM series", declared, file_bytes, ratio)?;
    check_decoded_size("the DICOM series", total_frames as u128 * frame_len as u128)?;

    let mut voxels = vec![0f32; total_frames * frame_len];
    let mut chunks: Vec<(usize, &mut [f32])> = Vec::with_capacity(order.len());
    let mut rest = voxels.as_mut_slice();
    for (slot, header) in ordered.iter().enumerate() {
        let (chunk, tail) = rest.split_at_mut(header.frames * frame_len);
        chunks.push((slot, chunk));
        rest = tail;
    }
    let queue = Mutex::new(chunks);
    let done = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let fail = |e: anyhow::Error| {
        stop.store(true, Ordering::Relaxed);
        if let Ok(mut f) = failure.lock() {
            f.get_or_insert(e);
        }
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(order.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        let Some((slot, chunk)) = queue.lock().map(|mut q| q.pop()).ok().flatten() else {
                            break;
                        };
                        let path = &series.files[order[slot]];
                        let shown = path.display().to_string();
                        // Every error names the file once: `open`'s and a caught panic's do already.
                        let result = without_panic(&shown, || {
                            let obj = if slot == 0 { None } else { Some(open(path, false)?) };
                            let obj = obj.as_ref().unwrap_or(&first);
                            pixels::decode_into(obj, ordered[slot], chunk).with_context(|| shown.clone())
                        });
                        if let Err(e) = result {
                            fail(e);
                        }
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        // Report from the calling thread, which owns `progress`; an error from it cancels. The
        // wait ends when every worker has, whatever became of them.
        loop {
            let n = done.load(Ordering::Relaxed);
            if let Err(e) = progress("decoding DICOM files", n, order.len()) {
                fail(e);
                break;
            }
            if n == order.len() || stop.load(Ordering::Relaxed) || handles.iter().all(|h| h.is_finished()) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(15));
        }
    });
    anyhow::ensure!(
        failure.lock().is_ok_and(|f| f.is_some()) || done.load(Ordering::Relaxed) == order.len(),
        "decoding stopped after {} of {} DICOM files",
        done.load(Ordering::Relaxed),
        order.len()
    );
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }

    let mut volume = Volume::new(voxels, [columns, rows, total_frames], channels, [1.0; 3]);
    volume.affine = geometry::affine(&ordered);
    volume.notes = series.notes.iter().cloned().chain(geometry::spacing_notes(&ordered)).collect();
    volume.in_patient_space = ordered[0].orientation.is_some();
    volume.modality = ordered[0].modality.clone();
    volume.inverted = ordered[0].photometric == "MONOCHROME1";
    volume.windows = header::windows(&first);
    if volume.modality == "CT" && channels == 1 {
        volume.windows.extend(standard_ct_windows());
    }
    volume.metadata = header::metadata(&first);
    volume.provenance =
        Provenance { format: "DICOM".into(), encoding: series.transfer_syntax(), files: series.files.len() };
    Ok(volume)
}
