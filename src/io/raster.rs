//! PNG, JPEG and TIFF images (8 and 16 bit, grey and RGB) through the `image` crate.
use super::{check_declared_size, check_decoded_size, Provenance, Volume, DEFLATE_RATIO};
use anyhow::Context;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::path::Path;

/// How many bytes of pixels one byte of file may hold at most. Deflate (PNG, TIFF) expands at
/// most `DEFLATE_RATIO` times, and JPEG's smallest 8×8 block (two Huffman bits) less than that;
/// TIFF's LZW reaches about 2730 (a 4094-byte run in one 12-bit code).
const LZW_RATIO: u64 = 2730;

/// Loads a 2D image as a one-slice volume, dims [width, height, 1], with one channel (grey,
/// alpha dropped) or three (RGB, alpha dropped), in the file's own range (0-255 or 0-65535).
/// JPEG and TIFF orientation tags are applied, as photo viewers do.
pub fn load(path: &Path) -> anyhow::Result<Volume> {
    let shown = path.display();
    let file_bytes = std::fs::metadata(path).with_context(|| format!("cannot open {shown}"))?.len();
    anyhow::ensure!(file_bytes > 0, "{shown} is empty");
    let mut reader = ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .with_context(|| format!("cannot open {shown}"))?;
    let (format, ratio) = match reader.format() {
        Some(ImageFormat::Png) => ("PNG", DEFLATE_RATIO),
        Some(ImageFormat::Jpeg) => ("JPEG", DEFLATE_RATIO),
        Some(ImageFormat::Tiff) => ("TIFF", LZW_RATIO),
        Some(other) => anyhow::bail!("{shown} is a {other:?} image: PNG, JPEG and TIFF are supported"),
        None => anyhow::bail!("{shown} is not a PNG, JPEG or TIFF image"),
    };
    // The decoders' own allocations (row buffers, TIFF tag arrays) stay within what the file
    // could justify too.
    let mut limits = Limits::default();
    limits.max_alloc = Some(file_bytes.saturating_mul(ratio));
    reader.limits(limits);
    let mut decoder =
        reader.into_decoder().with_context(|| format!("{shown} is not a readable {format} image"))?;
    check_declared_size(&shown.to_string(), decoder.total_bytes() as u128, file_bytes, ratio)?;
    // Decoded to f32, up to three channels: a 40,000² PNG of one colour is a small file.
    let (width, height) = decoder.dimensions();
    check_decoded_size(&shown.to_string(), width as u128 * height as u128 * 3)?;
    let encoding = format!("{:?}", decoder.original_color_type());
    let orientation = decoder.orientation().with_context(|| format!("cannot read {shown}'s orientation"))?;
    let mut image = DynamicImage::from_decoder(decoder).with_context(|| format!("cannot decode {shown}"))?;
    image.apply_orientation(orientation);
    let dims = [image.width() as usize, image.height() as usize, 1];
    let (voxels, channels) = values(image);
    let mut volume = Volume::new(voxels, dims, channels, [1.0; 3]);
    volume.provenance = Provenance { format: format.into(), encoding, files: 1 };
    Ok(volume)
}

/// Pixel values as f32, row by row, in the image's native range.
fn values(image: DynamicImage) -> (Vec<f32>, usize) {
    let as_f32 = |raw: &[u8]| raw.iter().map(|&v| v as f32).collect::<Vec<_>>();
    let as_f32_16 = |raw: &[u16]| raw.iter().map(|&v| v as f32).collect::<Vec<_>>();
    match image {
        DynamicImage::ImageLuma8(i) => (as_f32(&i), 1),
        DynamicImage::ImageLumaA8(_) => (as_f32(&image.to_luma8()), 1),
        DynamicImage::ImageRgb8(i) => (as_f32(&i), 3),
        DynamicImage::ImageRgba8(_) => (as_f32(&image.to_rgb8()), 3),
        DynamicImage::ImageLuma16(i) => (as_f32_16(&i), 1),
        DynamicImage::ImageLumaA16(_) => (as_f32_16(&image.to_luma16()), 1),
        DynamicImage::ImageRgb16(i) => (as_f32_16(&i), 3),
        DynamicImage::ImageRgba16(_) => (as_f32_16(&image.to_rgb16()), 3),
        // Float TIFFs, and any colour type the crate adds later.
        other => (other.to_rgb32f().into_raw(), 3),
    }
}
