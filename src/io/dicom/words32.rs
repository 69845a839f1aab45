//! Native 32-bit pixel data (RT dose grids, some parametric maps), which dicom-rs's converters
//! do not take: stored words to values through the rescale, as pydicom's modality LUT does.
use super::header::SliceHeader;
use dicom::core::value::{PrimitiveValue, Value};
use dicom::dictionary_std::tags;
use dicom::object::DefaultDicomObject;

pub fn decode_into(obj: &DefaultDicomObject, header: &SliceHeader, out: &mut [f32]) -> anyhow::Result<()> {
    let element = obj.get(tags::PIXEL_DATA).ok_or_else(|| anyhow::anyhow!("the file holds no pixel data"))?;
    let big_endian = header.transfer_syntax_uid == "1.2.840.10008.1.2.2";
    // dicom-rs keeps OB as the file's bytes but reads OW into native 16-bit words, so a 32-bit
    // word is two such words, high first in a big-endian file.
    let words: Vec<u32> = match element.value() {
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
        Value::Primitive(other) => {
            other.to_bytes().chunks_exact(4).map(|q| u32::from_le_bytes([q[0], q[1], q[2], q[3]])).collect()
        }
        _ => anyhow::bail!("32-bit pixel data is not a plain value"),
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
