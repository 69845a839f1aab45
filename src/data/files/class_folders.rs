//! A folder with one subfolder per class, the layout of ImageFolder datasets and of most
//! histopathology patch collections (NCT-CRC-HE, PCam exported to PNG, ...).
use super::images::{list_images, ImageFile, ImageSet};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// The classes under `root`, named after their folders in sorted order, each with its images
/// (searched recursively; masks excluded).
pub fn scan(root: &Path) -> anyhow::Result<ImageSet> {
    let folders = class_dirs(root)?;
    anyhow::ensure!(!folders.is_empty(), "{} has no class subfolders", root.display());
    let loose = list_images(root, false)?;
    anyhow::ensure!(
        loose.is_empty(),
        "{} holds images outside the class folders ({}, ...): move them into a class folder",
        root.display(),
        loose[0].display()
    );
    let mut set = ImageSet::default();
    for (label, folder) in folders.iter().enumerate() {
        let name = folder.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let images = list_images(folder, true)?;
        anyhow::ensure!(!images.is_empty(), "class folder '{name}' holds no PNG, JPEG or TIFF image");
        set.files.extend(images.into_iter().map(|path| ImageFile { path, label: label as i64 }));
        set.classes.push(name);
    }
    Ok(set)
}

/// Whether `root` looks like class folders: no images of its own, and a subfolder with images.
pub fn looks_like_class_folders(root: &Path) -> anyhow::Result<bool> {
    if !list_images(root, false)?.is_empty() {
        return Ok(false);
    }
    for folder in class_dirs(root)? {
        if !list_images(&folder, false)?.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Subfolders of `root`, sorted, leaving out hidden ones and `masks`.
fn class_dirs(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(root).with_context(|| format!("cannot list {}", root.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !name.starts_with('.') && !name.eq_ignore_ascii_case("masks") {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    Ok(dirs)
}
