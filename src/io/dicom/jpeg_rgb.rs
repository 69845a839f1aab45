//! JPEG frames whose components are already R, G and B (PhotometricInterpretation RGB) but
//! carry no marker saying so. The JPEG standard leaves the colour space to the application;
//! DICOM says it: RGB means no YCbCr transform. dicom-rs's adapter lets jpeg-decoder guess
//! (YCbCr for three components), so these frames are decoded here with the transform off.
use dicom::core::value::Value;
use dicom::dictionary_std::tags;
use dicom::object::DefaultDicomObject;
use jpeg_decoder::{ColorTransform, Decoder};
use std::io::Cursor;

const JPEG_BASELINE: &str = "1.2.840.10008.1.2.4.50";
const JPEG_EXTENDED: &str = "1.2.840.10008.1.2.4.51";

/// Whether this object needs the DICOM colour rule rather than jpeg-decoder's guess: RGB in a
/// JPEG stream whose Adobe APP14 segment, which would state the transform itself, is absent
/// or cut off before its transform byte (libjpeg then keeps RGB too).
pub fn applies(obj: &DefaultDicomObject, photometric: &str, transfer_syntax: &str) -> bool {
    photometric == "RGB"
        && (transfer_syntax == JPEG_BASELINE || transfer_syntax == JPEG_EXTENDED)
        && fragments(obj).is_some_and(|bytes| adobe_transform(&bytes).is_none())
}

fn fragments(obj: &DefaultDicomObject) -> Option<Vec<u8>> {
    match obj.get(tags::PIXEL_DATA)?.value() {
        Value::PixelSequence(seq) => Some(seq.fragments().iter().flatten().copied().collect()),
        _ => None,
    }
}

/// The transform byte of an "Adobe" APP14 segment (FF EE) before the first scan (FF DA): the
/// segment is length (2), "Adobe" (5), version (2), flags (2 + 2), then the transform.
fn adobe_transform(stream: &[u8]) -> Option<u8> {
    let scan = stream.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap_or(stream.len());
    let at = stream[..scan].windows(2).position(|w| w == [0xFF, 0xEE])?;
    let segment = &stream[at + 2..scan];
    let length = u16::from_be_bytes([*segment.first()?, *segment.get(1)?]) as usize;
    (length >= 14 && segment.get(2..7) == Some(b"Adobe".as_slice()))
        .then(|| segment.get(13).copied())
        .flatten()
}

/// Decodes `frames` consecutive JPEG streams into interleaved RGB samples.
pub fn decode(obj: &DefaultDicomObject, frames: usize) -> anyhow::Result<Vec<f32>> {
    let bytes = fragments(obj).ok_or_else(|| anyhow::anyhow!("JPEG pixel data is not encapsulated"))?;
    let mut cursor = Cursor::new(bytes.as_slice());
    let mut out = Vec::new();
    for frame in 0..frames {
        let mut decoder = Decoder::new(&mut cursor);
        decoder.set_color_transform(ColorTransform::RGB);
        let pixels = decoder.decode().map_err(|e| anyhow::anyhow!("JPEG frame {frame}: {e}"))?;
        out.extend(pixels.iter().map(|b| *b as f32));
        // Frames are padded to even lengths: skip to the next start-of-image marker.
        let rest = &bytes[cursor.position() as usize..];
        match rest.windows(2).position(|w| w == [0xFF, 0xD8]) {
            Some(skip) => cursor.set_position(cursor.position() + skip as u64),
            None if frame + 1 < frames => {
                anyhow::bail!("the pixel data holds {} of {frames} JPEG frames", frame + 1)
            }
            None => {}
        }
    }
    Ok(out)
}
