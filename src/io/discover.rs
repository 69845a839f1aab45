//! What a file or folder holds, and loading one of those things: the single entry point the
//! viewer, `medssl inspect` and datasets share.
use super::{dicom, nifti, npz, raster, without_panic, Progress, Volume};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// One thing that loads as one volume.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A DICOM series: its files, in any order (loading sorts them).
    Dicom(dicom::Series),
    /// One 3D volume of a NIfTI file (`volume` indexes the 4th dimension).
    Nifti { path: PathBuf, volume: usize },
    /// A PNG, JPEG or TIFF image.
    Raster(PathBuf),
    /// One image of a split of a MedMNIST-style archive.
    Npz { path: PathBuf, split: String, index: usize },
}

impl Source {
    /// The file or folder a dataset would read this from: a series' folder, else the file.
    pub fn path(&self) -> PathBuf {
        match self {
            Source::Dicom(series) => {
                let first = series.files.first().cloned().unwrap_or_default();
                first.parent().map(Path::to_path_buf).unwrap_or(first)
            }
            Source::Nifti { path, .. } | Source::Raster(path) | Source::Npz { path, .. } => path.clone(),
        }
    }
}

/// A loadable thing found on disk, with what the user needs to pick it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub source: Source,
    /// A one-line, non-identifying description ("CT series, 300 files", "NIfTI-1 256×256×128").
    pub label: String,
    /// How many volumes the source holds (4D NIfTI, NPZ splits): `source` names the first.
    pub volumes: usize,
}

impl Found {
    /// The same source, pointing at volume `index` (0-based).
    pub fn with_volume(&self, index: usize) -> Source {
        match &self.source {
            Source::Nifti { path, .. } => Source::Nifti { path: path.clone(), volume: index },
            Source::Npz { path, split, .. } => {
                Source::Npz { path: path.clone(), split: split.clone(), index }
            }
            other => other.clone(),
        }
    }
}

/// A file of a folder that holds nothing loadable, and why: shown, never silently dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// What a file or folder holds: what loads, and the files left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Discovery {
    pub found: Vec<Found>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Nifti,
    Npz,
    Raster,
    /// Anything else is tried as DICOM (many DICOM files have no extension).
    Dicom,
}

fn file_kind(path: &Path) -> FileKind {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    let ext = |e: &str| name.ends_with(e);
    if ext(".nii") || ext(".nii.gz") || ext(".hdr") || ext(".img") || ext(".hdr.gz") || ext(".img.gz") {
        FileKind::Nifti
    } else if ext(".npz") {
        FileKind::Npz
    } else if ext(".png") || ext(".jpg") || ext(".jpeg") || ext(".tif") || ext(".tiff") {
        FileKind::Raster
    } else {
        FileKind::Dicom
    }
}

/// Lists what `path` holds. A folder is searched recursively: its DICOM files are grouped into
/// series, every other file found is listed on its own. Files that are not images are skipped
/// in a folder, with the reason, but are an error when named directly.
pub fn discover(path: &Path, progress: Progress) -> anyhow::Result<Discovery> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot open {}", path.display()))?;
    let files = if meta.is_dir() { list_files(path, true)? } else { vec![path.to_path_buf()] };
    let named_directly = !meta.is_dir();
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    let mut dicom_files = Vec::new();
    for file in files {
        let shown = file.display().to_string();
        let listed = match file_kind(&file) {
            FileKind::Dicom => {
                dicom_files.push(file);
                continue;
            }
            // In a folder, `.img` pairs with its `.hdr`: list the pair once.
            FileKind::Nifti if !named_directly && is_analyze_image_with_header(&file) => continue,
            FileKind::Nifti => {
                without_panic(&shown, || nifti::volume_count(&file)).map(|(volumes, label)| {
                    vec![Found { source: Source::Nifti { path: file.clone(), volume: 0 }, label, volumes }]
                })
            }
            FileKind::Npz => without_panic(&shown, || npz::splits(&file)).map(|splits| {
                splits
                    .into_iter()
                    .map(|(split, count, label)| Found {
                        source: Source::Npz { path: file.clone(), split, index: 0 },
                        label,
                        volumes: count,
                    })
                    .collect()
            }),
            FileKind::Raster => {
                let label = format!("image {}", file.file_name().unwrap_or_default().to_string_lossy());
                Ok(vec![Found { source: Source::Raster(file.clone()), label, volumes: 1 }])
            }
        };
        match listed {
            Ok(items) => found.extend(items),
            Err(e) if named_directly => return Err(e),
            Err(e) => skipped.push(Skipped { path: file, reason: format!("{e:#}") }),
        }
    }
    if !dicom_files.is_empty() {
        let (series, dicom_skipped) = dicom::scan(&dicom_files, named_directly, progress)?;
        found.extend(series.into_iter().map(|s| {
            let label = s.label();
            Found { source: Source::Dicom(s), label, volumes: 1 }
        }));
        skipped.extend(dicom_skipped);
    }
    anyhow::ensure!(!found.is_empty(), "{} holds no DICOM, NIfTI, image or .npz file", path.display());
    Ok(Discovery { found, skipped })
}

fn is_analyze_image_with_header(file: &Path) -> bool {
    let name = file.to_string_lossy();
    let Some(stem) = name.strip_suffix(".img").or_else(|| name.strip_suffix(".img.gz")) else {
        return false;
    };
    Path::new(&format!("{stem}.hdr")).exists() || Path::new(&format!("{stem}.hdr.gz")).exists()
}

/// The files in `dir` (and in its subfolders when `recursive`), sorted, hidden ones left out.
pub fn list_files(dir: &Path, recursive: bool) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if entry.file_type()?.is_dir() {
                if recursive {
                    pending.push(entry.path());
                }
            } else {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Loads one source into a volume. A decoder's panic comes back as an error naming the file.
pub fn load(source: &Source, progress: Progress) -> anyhow::Result<Volume> {
    without_panic(&source.path().display().to_string(), || match source {
        Source::Dicom(series) => dicom::load(series, progress),
        Source::Nifti { path, volume } => nifti::load(path, *volume),
        Source::Raster(path) => raster::load(path),
        Source::Npz { path, split, index } => npz::load_image(path, split, *index),
    })
}

/// Loads what `path` holds when it holds one thing; otherwise says what the choices are.
pub fn open(path: &Path, progress: Progress) -> anyhow::Result<Volume> {
    let found = discover(path, progress)?.found;
    match found.as_slice() {
        [one] => load(&one.source, progress),
        many => {
            let list: Vec<String> = many.iter().map(|f| format!("  {}", f.label)).collect();
            anyhow::bail!(
                "{} holds {} series or images; pick one:\n{}",
                path.display(),
                many.len(),
                list.join("\n")
            )
        }
    }
}
