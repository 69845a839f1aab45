//! 12-bit JPEG Extended (process 4) frames. jpeg-decoder, dicom-rs's JPEG adapter, stops at
//! "unsupported JPEG feature: SamplePrecision(12)", so these frames go through libjpeg-turbo's
//! 12-bit API (TurboJPEG 3, `tj3Decompress12`), then through the Modality LUT.
use super::header::SliceHeader;
use dicom::dictionary_std::tags;
use dicom::encoding::adapters::PixelDataObject;
use dicom::object::DefaultDicomObject;
use std::ffi::CStr;
use turbojpeg_sys as tj;

const JPEG_EXTENDED: &str = "1.2.840.10008.1.2.4.51";

/// Whether this object holds JPEG Extended frames of more than 8 bits per sample.
pub fn applies(obj: &DefaultDicomObject, header: &SliceHeader) -> bool {
    header.transfer_syntax_uid == JPEG_EXTENDED && obj.bits_stored().is_some_and(|bits| bits > 8)
}

/// Decodes every frame into `out` (frames × rows × columns) as values after the Modality LUT.
pub fn decode_into(obj: &DefaultDicomObject, header: &SliceHeader, out: &mut [f32]) -> anyhow::Result<()> {
    anyhow::ensure!(
        header.samples_per_pixel == 1,
        "12-bit JPEG with {} samples per pixel is not supported (only monochrome)",
        header.samples_per_pixel
    );
    let frame_len = header.rows * header.columns;
    anyhow::ensure!(
        out.len() == frame_len * header.frames,
        "{} values expected where {} frames of {}×{} were declared",
        out.len(),
        header.frames,
        header.columns,
        header.rows
    );
    let bits_stored = obj.bits_stored().unwrap_or(12).clamp(1, 16) as u32;
    let signed = obj.get(tags::PIXEL_REPRESENTATION).and_then(|e| e.to_int::<u16>().ok()) == Some(1);
    let number = |tag| obj.get(tag).and_then(|e| e.to_float64().ok());
    let slope = number(tags::RESCALE_SLOPE).unwrap_or(1.0);
    let intercept = number(tags::RESCALE_INTERCEPT).unwrap_or(0.0);
    let decoder = Decompressor::new()?;
    for (frame, dst) in out.chunks_exact_mut(frame_len).enumerate() {
        let stream = obj
            .frame_pixel_data(frame as u32)
            .ok_or_else(|| anyhow::anyhow!("the pixel data holds no JPEG stream for frame {frame}"))?;
        let samples = decoder
            .decode_grey(&stream, header.columns, header.rows)
            .map_err(|e| anyhow::anyhow!("12-bit JPEG frame {frame}: {e}"))?;
        for (value, sample) in dst.iter_mut().zip(samples) {
            let stored = stored_value(sample as u16, bits_stored, signed);
            *value = (stored as f64 * slope + intercept) as f32;
        }
    }
    Ok(())
}

/// The JPEG samples are the stored bit patterns; a signed value (PixelRepresentation 1) is
/// their two's complement over BitsStored bits, as pydicom reads it.
fn stored_value(sample: u16, bits_stored: u32, signed: bool) -> i32 {
    let shift = 32 - bits_stored;
    if signed {
        ((sample as i32) << shift) >> shift
    } else {
        sample as i32
    }
}

/// A TurboJPEG decompression instance, destroyed on drop.
struct Decompressor(tj::tjhandle);

impl Decompressor {
    fn new() -> anyhow::Result<Self> {
        // SAFETY: tj3Init has no preconditions; a null handle is checked below.
        let handle = unsafe { tj::tj3Init(tj::TJINIT_TJINIT_DECOMPRESS as i32) };
        anyhow::ensure!(!handle.is_null(), "libjpeg-turbo could not create a decompressor");
        Ok(Self(handle))
    }

    /// One greyscale frame of `columns` × `rows` 12-bit samples. The stream's own dimensions
    /// must match the header's: they decide the allocation, and the header's were checked
    /// against the file size.
    fn decode_grey(&self, stream: &[u8], columns: usize, rows: usize) -> anyhow::Result<Vec<i16>> {
        let size = stream.len() as tj::size_t;
        // SAFETY: the handle is live and `stream` is a valid slice of `size` bytes.
        if unsafe { tj::tj3DecompressHeader(self.0, stream.as_ptr(), size) } != 0 {
            anyhow::bail!("{}", self.error());
        }
        // SAFETY: the handle is live.
        let get = |param: tj::TJPARAM| unsafe { tj::tj3Get(self.0, param as i32) };
        let (width, height) = (get(tj::TJPARAM_TJPARAM_JPEGWIDTH), get(tj::TJPARAM_TJPARAM_JPEGHEIGHT));
        let precision = get(tj::TJPARAM_TJPARAM_PRECISION);
        anyhow::ensure!(
            precision > 8 && precision <= 12,
            "the stream has {precision}-bit samples, 12 expected for JPEG Extended"
        );
        anyhow::ensure!(
            usize::try_from(width).ok() == Some(columns) && usize::try_from(height).ok() == Some(rows),
            "the stream is {width}×{height}, the header declares {columns}×{rows}"
        );
        let mut samples = vec![0i16; columns * rows];
        // SAFETY: `samples` holds width × height greyscale samples, which is what a pitch of 0
        // (tightly packed rows) and TJPF_GRAY write.
        let status = unsafe {
            tj::tj3Decompress12(self.0, stream.as_ptr(), size, samples.as_mut_ptr(), 0, tj::TJPF_TJPF_GRAY)
        };
        // A warning (corrupt or truncated data that libjpeg-turbo patched over) fails too: a
        // viewer must not show made-up pixels as the patient's.
        anyhow::ensure!(status == 0, "{}", self.error());
        Ok(samples)
    }

    fn error(&self) -> String {
        // SAFETY: the handle is live; TurboJPEG returns a NUL-terminated string it owns.
        let message = unsafe { CStr::from_ptr(tj::tj3GetErrorStr(self.0)) };
        format!("libjpeg-turbo: {}", message.to_string_lossy())
    }
}

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: the handle came from tj3Init and is destroyed once.
        unsafe { tj::tj3Destroy(self.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_samples_are_twos_complement_over_bits_stored() {
        assert_eq!(stored_value(0x0FFF, 12, true), -1);
        assert_eq!(stored_value(0x0800, 12, true), -2048);
        assert_eq!(stored_value(0x07FF, 12, true), 2047);
        assert_eq!(stored_value(0x0FFF, 12, false), 4095);
    }

    #[test]
    fn a_stream_that_is_not_jpeg_is_an_error_not_a_panic() {
        let decoder = Decompressor::new().unwrap();
        let error = decoder.decode_grey(&[0xFF, 0xD8, 0xFF, 0xC1, 0x00], 4, 4).unwrap_err();
        assert!(error.to_string().starts_with("libjpeg-turbo: "), "{error}");
        assert!(decoder.decode_grey(&[], 4, 4).is_err());
    }
}
