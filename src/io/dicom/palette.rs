//! PALETTE COLOR: stored indices through the red, green and blue lookup tables
//! (PS3.3 C.7.6.3.1.5), giving the tables' own values as pydicom's `apply_color_lut` does.
use anyhow::Context;
use dicom::core::Tag;
use dicom::dictionary_std::tags;
use dicom::object::DefaultDicomObject;

struct Lut {
    first_mapped: f32,
    entries: Vec<f32>,
}

impl Lut {
    fn read(obj: &DefaultDicomObject, descriptor: Tag, data: Tag, colour: &str) -> anyhow::Result<Self> {
        let desc: Vec<i64> = obj
            .get(descriptor)
            .with_context(|| {
                format!("the {colour} palette descriptor is missing (segmented palettes are not supported)")
            })?
            .to_multi_int()
            .with_context(|| format!("the {colour} palette descriptor is unreadable"))?;
        anyhow::ensure!(desc.len() == 3, "the {colour} palette descriptor has {} values, not 3", desc.len());
        // 0 entries means 2^16 (the count does not fit in 16 bits).
        let count = if desc[0] == 0 { 65536 } else { desc[0] as usize };
        let bytes = obj
            .get(data)
            .with_context(|| {
                format!("the {colour} palette data is missing (segmented palettes are not supported)")
            })?
            .to_bytes()
            .with_context(|| format!("the {colour} palette data is unreadable"))?;
        // Entries are 16-bit words; an 8-bit table (descriptor bits = 8) may also be packed
        // one byte per entry.
        let entries: Vec<f32> = if desc[2] == 8 && bytes.len() == count {
            bytes.iter().map(|b| *b as f32).collect()
        } else {
            bytes.chunks_exact(2).take(count).map(|b| u16::from_le_bytes([b[0], b[1]]) as f32).collect()
        };
        anyhow::ensure!(
            entries.len() == count,
            "the {colour} palette has {} entries, its descriptor {count}",
            entries.len()
        );
        Ok(Self { first_mapped: desc[1] as f32, entries })
    }

    fn map(&self, index: f32) -> f32 {
        let i = (index - self.first_mapped).clamp(0.0, (self.entries.len() - 1) as f32) as usize;
        self.entries[i]
    }
}

pub fn apply(obj: &DefaultDicomObject, indices: &[f32], out: &mut [f32]) -> anyhow::Result<()> {
    let luts = [
        Lut::read(
            obj,
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            "red",
        )?,
        Lut::read(
            obj,
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            "green",
        )?,
        Lut::read(
            obj,
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            "blue",
        )?,
    ];
    anyhow::ensure!(out.len() == indices.len() * 3, "palette output size mismatch");
    for (px, index) in out.chunks_exact_mut(3).zip(indices) {
        for (dst, lut) in px.iter_mut().zip(&luts) {
            *dst = lut.map(*index);
        }
    }
    Ok(())
}
