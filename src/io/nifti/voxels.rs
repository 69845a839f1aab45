//! Raw voxel bytes to f32, in bulk: one pass per volume, with the byte order and the datatype
//! chosen once rather than per voxel (the `nifti` crate's ndarray route converts per element
//! and would apply a NaN scl_slope, which files written by SPM carry, as a factor).
use super::header::{Format, Header};
use nifti::{Endianness, NiftiType};

/// The datatype's name, as NIfTI's headers and nibabel spell it.
pub fn datatype_name(datatype: NiftiType) -> &'static str {
    use NiftiType::*;
    match datatype {
        Uint8 => "uint8",
        Int8 => "int8",
        Int16 => "int16",
        Uint16 => "uint16",
        Int32 => "int32",
        Uint32 => "uint32",
        Int64 => "int64",
        Uint64 => "uint64",
        Float32 => "float32",
        Float64 => "float64",
        Float128 => "float128",
        Complex64 => "complex64",
        Complex128 => "complex128",
        Complex256 => "complex256",
        Rgb24 => "RGB24",
        Rgba32 => "RGBA32",
    }
}

/// Values per voxel once loaded: colour types load as RGB, the rest as one channel.
pub fn channels(datatype: NiftiType) -> anyhow::Result<usize> {
    use NiftiType::*;
    match datatype {
        Rgb24 | Rgba32 => Ok(3),
        Float128 | Complex64 | Complex128 | Complex256 => Err(unsupported(datatype)),
        _ => Ok(1),
    }
}

fn unsupported(datatype: NiftiType) -> anyhow::Error {
    anyhow::anyhow!(
        "datatype {} is not supported: a viewer shows real values, and 128-bit floats have no Rust type",
        datatype_name(datatype)
    )
}

/// The (slope, intercept) to apply, if any. NIfTI: a slope of 0 means none, and so does a
/// non-finite one (nibabel's reading). Analyze: SPM2's rule, which falls back on the
/// calibrated and stored ranges when the slope is unset.
pub fn scaling(header: &Header) -> anyhow::Result<Option<(f64, f64)>> {
    let h = &header.fields;
    let (slope, inter) = (h.scl_slope as f64, h.scl_inter as f64);
    let usable = slope.is_finite() && slope != 0.0;
    let scale = match header.format {
        Format::Nifti1 | Format::Nifti2 if usable => {
            anyhow::ensure!(
                inter.is_finite(),
                "scl_slope is {slope} but scl_inter is {inter}: not a scaling"
            );
            Some((slope, inter))
        }
        Format::Nifti1 | Format::Nifti2 => None,
        Format::Analyze if usable => Some((slope, if inter.is_finite() { inter } else { 0.0 })),
        Format::Analyze => {
            let stored = h.glmax as f64 - h.glmin as f64;
            let calibrated = h.cal_max as f64 - h.cal_min as f64;
            (stored != 0.0 && calibrated != 0.0).then(|| {
                let slope = calibrated / stored;
                (slope, h.cal_min as f64 - slope * h.glmin as f64)
            })
        }
    };
    Ok(scale.filter(|&s| s != (1.0, 0.0)))
}

/// Decodes `raw`, `datatype` values in `endianness`, onto the end of `out`, with `scaling`
/// applied (colour excepted, which no reader scales).
pub fn decode_into(
    raw: &[u8],
    datatype: NiftiType,
    endianness: Endianness,
    scaling: Option<(f64, f64)>,
    out: &mut Vec<f32>,
) -> anyhow::Result<()> {
    let little = endianness == Endianness::Little;
    macro_rules! numbers {
        ($t:ty) => {
            if little {
                convert(raw, |b| <$t>::from_le_bytes(b) as f64, scaling, out)
            } else {
                convert(raw, |b| <$t>::from_be_bytes(b) as f64, scaling, out)
            }
        };
    }
    use NiftiType::*;
    match datatype {
        Uint8 => numbers!(u8),
        Int8 => numbers!(i8),
        Int16 => numbers!(i16),
        Uint16 => numbers!(u16),
        Int32 => numbers!(i32),
        Uint32 => numbers!(u32),
        Int64 => numbers!(i64),
        Uint64 => numbers!(u64),
        Float32 if scaling.is_none() => {
            // The common case, kept in f32 all the way.
            let values = raw.as_chunks::<4>().0.iter();
            if little {
                out.extend(values.map(|b| f32::from_le_bytes(*b)));
            } else {
                out.extend(values.map(|b| f32::from_be_bytes(*b)));
            }
        }
        Float32 => numbers!(f32),
        Float64 => numbers!(f64),
        Rgb24 => out.extend(raw.iter().map(|&v| v as f32)),
        Rgba32 => {
            out.extend(raw.as_chunks::<4>().0.iter().flat_map(|p| [p[0], p[1], p[2]]).map(|v| v as f32))
        }
        Float128 | Complex64 | Complex128 | Complex256 => return Err(unsupported(datatype)),
    }
    Ok(())
}

/// Scaling is done in f64, as nibabel does, so integers scaled by a fractional slope round once.
fn convert<const N: usize>(
    raw: &[u8],
    decode: impl Fn([u8; N]) -> f64,
    scaling: Option<(f64, f64)>,
    out: &mut Vec<f32>,
) {
    let values = raw.as_chunks::<N>().0.iter().map(|b| decode(*b));
    match scaling {
        Some((slope, inter)) => out.extend(values.map(|v| (v * slope + inter) as f32)),
        None => out.extend(values.map(|v| v as f32)),
    }
}
