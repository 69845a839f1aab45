//! Which files hold the header and the voxels, and reading bytes from them whether they are
//! gzip-compressed or not.
use anyhow::Context;
use nifti::object::GzDecodedFile;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The header file for `path`, and the stem its image file is named after (`brain` for
/// `brain.hdr`, `brain.img.gz` and `brain.nii`).
pub fn header_path(path: &Path) -> anyhow::Result<(PathBuf, String)> {
    let name = path.to_string_lossy().into_owned();
    let lower = name.to_ascii_lowercase();
    let strip = |suffix: &str| lower.ends_with(suffix).then(|| name[..name.len() - suffix.len()].to_string());
    if let Some(stem) = strip(".img").or_else(|| strip(".img.gz")) {
        let header = existing(&stem, &[".hdr", ".hdr.gz", ".HDR"]).with_context(|| {
            format!(
                "{} is an Analyze/NIfTI image file without its header ({stem}.hdr not found)",
                path.display()
            )
        })?;
        return Ok((header, stem));
    }
    let stem = [".nii", ".nii.gz", ".hdr", ".hdr.gz"].iter().find_map(|s| strip(s)).unwrap_or(name);
    Ok((path.to_path_buf(), stem))
}

/// The image file of a header/image pair, `.img` or `.img.gz`.
pub fn image_path(header: &Path, stem: &str) -> anyhow::Result<PathBuf> {
    existing(stem, &[".img", ".img.gz", ".IMG"]).with_context(|| {
        format!("{} holds a header only: no image data ({stem}.img not found)", header.display())
    })
}

fn existing(stem: &str, suffixes: &[&str]) -> Option<PathBuf> {
    suffixes.iter().map(|s| PathBuf::from(format!("{stem}{s}"))).find(|p| p.is_file())
}

/// A file's bytes, decompressed when the file is gzip (recognised by its magic number, not
/// its name: `.nii` files that are really gzip exist, and so do the reverse).
pub enum Stream {
    Raw(File),
    /// The current gzip member's decoder, in an `Option` so that it can be moved out to start
    /// the next member.
    Gzip(Option<Box<GzDecodedFile>>),
}

/// An opened file: its decoded stream, size on disk and how far its contents may expand.
pub struct Opened {
    pub stream: Stream,
    pub file_bytes: u64,
    pub max_ratio: u64,
}

pub fn open(path: &Path) -> anyhow::Result<Opened> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let file_bytes = file.metadata()?.len();
    anyhow::ensure!(file_bytes > 0, "{} is empty", path.display());
    let mut magic = [0u8; 2];
    let is_gzip = read_up_to(&mut file, &mut magic)? == 2 && magic == [0x1f, 0x8b];
    file.seek(SeekFrom::Start(0))?;
    Ok(if is_gzip {
        // A large buffer: flate2 refills it once per call, and 8 KiB calls cost 5% on a 60 MB file.
        let stream =
            Stream::Gzip(Some(Box::new(GzDecodedFile::new(BufReader::with_capacity(1 << 20, file)))));
        Opened { stream, file_bytes, max_ratio: crate::io::DEFLATE_RATIO }
    } else {
        Opened { stream: Stream::Raw(file), file_bytes, max_ratio: 1 }
    })
}

impl Stream {
    /// Moves `bytes` forward; false when the data ends first.
    pub fn skip(&mut self, bytes: u64) -> io::Result<bool> {
        if let Stream::Raw(file) = self {
            let end = file.metadata()?.len();
            let target = file.stream_position()?.saturating_add(bytes);
            file.seek(SeekFrom::Start(target))?;
            return Ok(target <= end);
        }
        Ok(io::copy(&mut self.take(bytes), &mut io::sink())? == bytes)
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let slot = match self {
            Stream::Raw(file) => return file.read(buf),
            Stream::Gzip(slot) => slot,
        };
        loop {
            let Some(gz) = slot else { return Ok(0) };
            let read = gz.read(buf)?;
            if read > 0 || buf.is_empty() || gz.get_mut().fill_buf()?.is_empty() {
                return Ok(read);
            }
            // Another member follows. gzip and nibabel read concatenated members (bgzip,
            // `cat a.gz b.gz`) as one stream; flate2's decoder stops after the first.
            let rest = slot.take().map(|gz| gz.into_inner());
            *slot = rest.map(|input| Box::new(GzDecodedFile::new(input)));
        }
    }
}

/// Fills `buf` as far as the data goes and says how far that was: unlike `read_exact`, a
/// short file is reported with the number of bytes it did hold.
pub fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
