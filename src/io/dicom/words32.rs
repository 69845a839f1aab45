//! 32-bit pixel data (RT dose grids, some parametric maps), which dicom-rs's converters and
//! RLE decoder do not take: stored words to values through the rescale, as pydicom's
//! modality LUT does.
use super::header::SliceHeader;
use dicom::core::value::{PrimitiveValue, Value};
use dicom::dictionary_std::tags;
use dicom::object::DefaultDicomObject;

const RLE_LOSSLESS: &str = "1.2.840.10008.1.2.5";

pub fn applies(header: &SliceHeader) -> bool {
    header.bits_allocated == 32
        && (super::header::is_native(&header.transfer_syntax_uid)
            || header.transfer_syntax_uid == RLE_LOSSLESS)
}

pub fn decode_into(obj: &DefaultDicomObject, header: &SliceHeader, out: &mut [f32]) -> anyhow::Result<()> {
    let words = if header.transfer_syntax_uid == RLE_LOSSLESS {
        rle_words(obj, header)?
    } else {
        native_words(obj, header)?
    };
    anyhow::ensure!(
        words.len() >= out.len(),
        "the pixel data holds {} 32-bit values, the header declares {}",
        words.len(),
        out.len()
    );
    let signed = obj.get(tags::PIXEL_REPRESENTATION).and_then(|e| e.to_int::<u16>().ok()) == Some(1);
    let number = |tag| obj.get(tag).and_then(|e| e.to_float64().ok());
    let slope = number(tags::RESCALE_SLOPE).unwrap_or(1.0);
    let intercept = number(tags::RESCALE_INTERCEPT).unwrap_or(0.0);
    for (dst, word) in out.iter_mut().zip(words) {
        let stored = if signed { word as i32 as f64 } else { word as f64 };
        *dst = (stored * slope + intercept) as f32;
    }
    Ok(())
}

fn native_words(obj: &DefaultDicomObject, header: &SliceHeader) -> anyhow::Result<Vec<u32>> {
    let element = obj.get(tags::PIXEL_DATA).ok_or_else(|| anyhow::anyhow!("the file holds no pixel data"))?;
    let big_endian = header.transfer_syntax_uid == "1.2.840.10008.1.2.2";
    // dicom-rs keeps OB as the file's bytes but reads OW into native 16-bit words, so a 32-bit
    // word is two such words, high first in a big-endian file.
    Ok(match element.value() {
        Value::Primitive(PrimitiveValue::U16(w)) => w
            .chunks_exact(2)
            .map(|p| {
                if big_endian {
                    (p[0] as u32) << 16 | p[1] as u32
                } else {
                    (p[1] as u32) << 16 | p[0] as u32
                }
            })
            .collect(),
        Value::Primitive(PrimitiveValue::U8(b)) => b
            .chunks_exact(4)
            .map(|q| {
                let q = [q[0], q[1], q[2], q[3]];
                if big_endian {
                    u32::from_be_bytes(q)
                } else {
                    u32::from_le_bytes(q)
                }
            })
            .collect(),
        _ => anyhow::bail!("32-bit pixel data is not a plain OB or OW value"),
    })
}

/// RLE Lossless (PS3.5 Annex G): per frame, one PackBits segment per byte of each sample,
/// most significant byte first; samples are interleaved on output.
fn rle_words(obj: &DefaultDicomObject, header: &SliceHeader) -> anyhow::Result<Vec<u32>> {
    let Some(Value::PixelSequence(seq)) = obj.get(tags::PIXEL_DATA).map(|e| e.value()) else {
        anyhow::bail!("RLE pixel data is not encapsulated");
    };
    let fragments = seq.fragments();
    anyhow::ensure!(
        fragments.len() == header.frames,
        "{} RLE fragments for {} frames (one fragment per frame expected)",
        fragments.len(),
        header.frames
    );
    let (pixels, spp) = (header.rows * header.columns, header.samples_per_pixel);
    let mut words = vec![0u32; pixels * spp * header.frames];
    for (frame, data) in fragments.iter().enumerate() {
        anyhow::ensure!(data.len() >= 64, "RLE frame {frame} has no segment table");
        let field = |i: usize| {
            u32::from_le_bytes([data[4 * i], data[4 * i + 1], data[4 * i + 2], data[4 * i + 3]]) as usize
        };
        let count = field(0);
        anyhow::ensure!(count == spp * 4, "RLE frame {frame} has {count} segments, {} expected", spp * 4);
        let frame_words = &mut words[frame * pixels * spp..(frame + 1) * pixels * spp];
        for segment in 0..count {
            let start = field(segment + 1);
            let end = if segment + 1 < count { field(segment + 2) } else { data.len() };
            anyhow::ensure!(
                start <= end && end <= data.len(),
                "RLE frame {frame}: segment {segment} out of range"
            );
            let bytes = unpack_bits(&data[start..end], pixels);
            anyhow::ensure!(bytes.len() == pixels, "RLE frame {frame}: segment {segment} decodes short");
            let (sample, shift) = (segment / 4, 8 * (3 - segment % 4));
            for (p, b) in bytes.iter().enumerate() {
                frame_words[p * spp + sample] |= (*b as u32) << shift;
            }
        }
    }
    Ok(words)
}

/// PackBits: n ≥ 0 copies the next n+1 bytes, -127 ≤ n ≤ -1 repeats the next byte 1-n times.
fn unpack_bits(src: &[u8], limit: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(limit);
    let mut i = 0;
    while i < src.len() && out.len() < limit {
        let n = src[i] as i8;
        i += 1;
        if n >= 0 {
            let end = (i + n as usize + 1).min(src.len());
            out.extend_from_slice(&src[i..end]);
            i = end;
        } else if n != -128 && i < src.len() {
            out.extend(std::iter::repeat_n(src[i], 1 + (-(n as i32)) as usize));
            i += 1;
        }
    }
    out.truncate(limit);
    out
}
