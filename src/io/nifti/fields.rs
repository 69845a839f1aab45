//! The header's non-voxel fields for the metadata panel, under NIfTI's field names. The free
//! text fields (descrip, aux_file, db_name) are marked identifying by `Metadata::push`.
use super::header::{Format, Header};
use super::voxels::datatype_name;
use crate::io::Metadata;
use nifti::NiftiHeader;

pub fn metadata(header: &Header) -> Metadata {
    let h = &header.fields;
    let mut meta = Metadata::default();
    let mut push = |name: &str, value: String| {
        if !value.is_empty() {
            meta.push(name, name, value);
        }
    };
    push("format", header.format.name().into());
    push("datatype", h.data_type().map(datatype_name).map(str::to_string).unwrap_or(h.datatype.to_string()));
    push("bitpix", h.bitpix.to_string());
    push("dim", format!("{:?}", h.dim));
    push("pixdim", format!("{:?}", h.pixdim));
    push("xyzt_units", units(h.xyzt_units));
    push("vox_offset", header.data_offset.to_string());
    push("scl_slope", h.scl_slope.to_string());
    push("scl_inter", h.scl_inter.to_string());
    push("cal_min", h.cal_min.to_string());
    push("cal_max", h.cal_max.to_string());
    if header.format == Format::Analyze {
        push("origin", format!("{:?}", header.spm_origin));
        push("glmin", h.glmin.to_string());
        push("glmax", h.glmax.to_string());
    } else {
        nifti_only(h, &mut push);
    }
    push("descrip", text(&h.descrip));
    push("aux_file", text(&h.aux_file));
    push("db_name", text(&h.db_name));
    meta
}

fn nifti_only(h: &NiftiHeader, push: &mut impl FnMut(&str, String)) {
    if h.intent_code != 0 {
        let intent =
            h.intent().map(|i| format!("{} ({i:?})", h.intent_code)).unwrap_or(h.intent_code.to_string());
        push("intent_code", intent);
        push("intent_p1", h.intent_p1.to_string());
        push("intent_p2", h.intent_p2.to_string());
        push("intent_p3", h.intent_p3.to_string());
    }
    push("intent_name", text(&h.intent_name));
    push("qform_code", xform(h.qform_code, h.qform()));
    push("sform_code", xform(h.sform_code, h.sform()));
    push("quatern_bcd", format!("[{}, {}, {}]", h.quatern_b, h.quatern_c, h.quatern_d));
    push("qoffset_xyz", format!("[{}, {}, {}]", h.quatern_x, h.quatern_y, h.quatern_z));
    push("srow_x", format!("{:?}", h.srow_x));
    push("srow_y", format!("{:?}", h.srow_y));
    push("srow_z", format!("{:?}", h.srow_z));
    if h.dim_info != 0 {
        let axis = |bits: u8| ["none", "x", "y", "z"][bits as usize & 3];
        let dims = format!(
            "freq {}, phase {}, slice {}",
            axis(h.dim_info),
            axis(h.dim_info >> 2),
            axis(h.dim_info >> 4)
        );
        push("dim_info", dims);
    }
    if h.slice_code != 0 || h.slice_duration != 0.0 {
        push("slice_code", h.slice_order().map(|o| format!("{o:?}")).unwrap_or(h.slice_code.to_string()));
        push("slice_start", h.slice_start.to_string());
        push("slice_end", h.slice_end.to_string());
        push("slice_duration", h.slice_duration.to_string());
    }
    if h.toffset != 0.0 {
        push("toffset", h.toffset.to_string());
    }
}

fn xform(code: i16, parsed: nifti::Result<nifti::XForm>) -> String {
    parsed.map(|x| format!("{code} ({x:?})")).unwrap_or(code.to_string())
}

/// pixdim's units: bits 0-2 space, bits 3-5 time (NIFTI_UNITS_*).
fn units(xyzt: u8) -> String {
    let space = match xyzt & 0o07 {
        1 => "m",
        2 => "mm",
        3 => "µm",
        _ => "unknown",
    };
    let time = match xyzt & 0o70 {
        0o10 => "s",
        0o20 => "ms",
        0o30 => "µs",
        0o40 => "Hz",
        0o50 => "ppm",
        0o60 => "rad/s",
        _ => "unknown",
    };
    format!("space {space}, time {time}")
}

/// A fixed-size text field up to its first NUL.
fn text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).trim().to_string()
}
