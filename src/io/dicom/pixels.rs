//! One file's frames decoded to f32 in the volume's layout: monochrome values through the
//! Modality LUT (Hounsfield units for CT), colour as RGB samples.
use super::header::{is_native, transfer_syntax_name, SliceHeader};
use anyhow::Context;
use dicom::dictionary_std::tags;
use dicom::object::DefaultDicomObject;
use dicom::pixeldata::{PixelDecoder, PlanarConfiguration};

/// Values per voxel of a decoded file: palette colour expands to RGB.
pub fn channels(header: &SliceHeader) -> usize {
    if header.photometric == "PALETTE COLOR" {
        3
    } else {
        header.samples_per_pixel
    }
}

/// Decodes every frame of `obj` into `out` (frames × rows × columns × channels).
pub fn decode_into(obj: &DefaultDicomObject, header: &SliceHeader, out: &mut [f32]) -> anyhow::Result<()> {
    let syntax = transfer_syntax_name(&header.transfer_syntax_uid);
    decode(obj, header, out).with_context(|| format!("cannot decode the pixels ({syntax})"))
}

fn decode(obj: &DefaultDicomObject, header: &SliceHeader, out: &mut [f32]) -> anyhow::Result<()> {
    anyhow::ensure!(obj.get(tags::PIXEL_DATA).is_some(), "the file holds no pixel data");
    let photometric = header.photometric.as_str();
    if super::words32::applies(header) {
        return super::words32::decode_into(obj, header, out);
    }
    if super::jpeg12::applies(obj, header) {
        return super::jpeg12::decode_into(obj, header, out);
    }
    if super::jpeg_rgb::applies(obj, photometric, &header.transfer_syntax_uid) {
        return copy_exact(&super::jpeg_rgb::decode(obj, header.frames)?, out);
    }
    let data = obj.decode_pixel_data()?;
    let pixels = header.rows * header.columns * header.frames;
    let values: Vec<f32> = if data.bits_allocated() == 1 {
        // dicom-rs expands single bits to 0/255 bytes; the stored values are 0 and 1.
        data.data().iter().take(pixels).map(|b| (*b / 255) as f32).collect()
    } else if photometric == "YBR_FULL_422"
        && is_native(&header.transfer_syntax_uid)
        && header.bits_allocated == 8
    {
        // Subsampled frames are two thirds of what dicom-rs's frame slicing expects.
        data.data().iter().map(|b| *b as f32).collect()
    } else if header.samples_per_pixel > 1 && data.planar_configuration() == PlanarConfiguration::PixelFirst {
        interleave_planes(data.data(), data.bits_allocated(), header)?
    } else {
        data.to_vec::<f32>()?
    };
    let mut values = expand_subsampled(values, photometric, header)?;
    let stored_per_frame = header.rows * header.columns * header.samples_per_pixel;
    anyhow::ensure!(
        values.len() >= stored_per_frame * header.frames,
        "the pixel data holds {} values, the header declares {} ({} frames of {}×{}×{})",
        values.len(),
        stored_per_frame * header.frames,
        header.frames,
        header.columns,
        header.rows,
        header.samples_per_pixel
    );
    values.truncate(stored_per_frame * header.frames);
    // Native, deflated and RLE data keep their YCbCr samples; the JPEG-family decoders already
    // return RGB.
    let ycbcr = photometric.starts_with("YBR_FULL");
    let undecoded_colour = is_native(&header.transfer_syntax_uid)
        || header.transfer_syntax_uid == "1.2.840.10008.1.2.1.99"
        || header.transfer_syntax_uid == "1.2.840.10008.1.2.5";
    if ycbcr && undecoded_colour && header.samples_per_pixel == 3 {
        ybr_full_to_rgb(&mut values, data.bits_allocated());
    }
    if photometric == "PALETTE COLOR" {
        return super::palette::apply(obj, &values, out);
    }
    copy_exact(&values, out)
}

fn copy_exact(values: &[f32], out: &mut [f32]) -> anyhow::Result<()> {
    anyhow::ensure!(
        out.len() == values.len(),
        "decoded {} values where {} were expected",
        values.len(),
        out.len()
    );
    out.copy_from_slice(values);
    Ok(())
}

/// Planar configuration 1 (RRR…GGG…BBB per frame) to interleaved RGB; dicom-rs leaves it as
/// stored.
fn interleave_planes(bytes: &[u8], bits: u16, header: &SliceHeader) -> anyhow::Result<Vec<f32>> {
    let samples: Vec<f32> = match bits {
        8 => bytes.iter().map(|b| *b as f32).collect(),
        16 => bytes.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]]) as f32).collect(),
        other => anyhow::bail!("planar colour data with {other} bits allocated is not supported"),
    };
    let plane = header.rows * header.columns;
    let spp = header.samples_per_pixel;
    anyhow::ensure!(samples.len() >= plane * spp * header.frames, "the colour pixel data is truncated");
    let mut out = vec![0.0; plane * spp * header.frames];
    for frame in 0..header.frames {
        let (src, dst) = (&samples[frame * plane * spp..], &mut out[frame * plane * spp..]);
        for p in 0..plane {
            for c in 0..spp {
                dst[p * spp + c] = src[c * plane + p];
            }
        }
    }
    Ok(out)
}

/// Native YBR_FULL_422 stores two luma samples per chroma pair (Y Y Cb Cr): repeat the chroma.
fn expand_subsampled(values: Vec<f32>, photometric: &str, header: &SliceHeader) -> anyhow::Result<Vec<f32>> {
    let pixels = header.rows * header.columns * header.frames;
    if photometric != "YBR_FULL_422" || values.len() != pixels * 2 {
        return Ok(values);
    }
    let mut out = Vec::with_capacity(pixels * 3);
    for quad in values.chunks_exact(4) {
        out.extend_from_slice(&[quad[0], quad[2], quad[3], quad[1], quad[2], quad[3]]);
    }
    Ok(out)
}

/// YCbCr (full range) to RGB as PS3.3 C.7.6.3.1.2 defines it, rounded and clipped as pydicom
/// does, so values match the reference decoder exactly.
fn ybr_full_to_rgb(values: &mut [f32], bits: u16) {
    let max = ((1u32 << bits.min(16)) - 1) as f32;
    let mid = ((1u32 << (bits.min(16) - 1)) as f32).round();
    for px in values.chunks_exact_mut(3) {
        let (y, cb, cr) = (px[0], px[1] - mid, px[2] - mid);
        let rgb =
            [y + 1.402 * cr, y - (0.114 * 1.772 / 0.587) * cb - (0.299 * 1.402 / 0.587) * cr, y + 1.772 * cb];
        for (dst, v) in px.iter_mut().zip(rgb) {
            *dst = (v + 0.5).floor().clamp(0.0, max);
        }
    }
}
