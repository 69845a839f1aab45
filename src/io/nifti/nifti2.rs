//! The NIfTI-2 header (540 bytes), which the `nifti` crate does not read: the NIfTI-1 fields
//! with 64-bit dimensions, offsets and reals, in another order (nifti2.h).
use nifti::{Endianness, NiftiHeader};

pub struct Parsed {
    pub fields: NiftiHeader,
    /// `n+2`: the voxels follow in the same file; `ni2`: they are in a `.img`.
    pub single_file: bool,
    pub vox_offset: u64,
}

struct Bytes<'a> {
    bytes: &'a [u8; 540],
    little: bool,
}

impl Bytes<'_> {
    fn array<const N: usize>(&self, at: usize) -> [u8; N] {
        std::array::from_fn(|i| self.bytes[at + i])
    }
    fn i16(&self, at: usize) -> i16 {
        if self.little {
            i16::from_le_bytes(self.array(at))
        } else {
            i16::from_be_bytes(self.array(at))
        }
    }
    fn i32(&self, at: usize) -> i32 {
        if self.little {
            i32::from_le_bytes(self.array(at))
        } else {
            i32::from_be_bytes(self.array(at))
        }
    }
    fn i64(&self, at: usize) -> i64 {
        if self.little {
            i64::from_le_bytes(self.array(at))
        } else {
            i64::from_be_bytes(self.array(at))
        }
    }
    fn f64(&self, at: usize) -> f64 {
        if self.little {
            f64::from_le_bytes(self.array(at))
        } else {
            f64::from_be_bytes(self.array(at))
        }
    }
    /// `N` consecutive 8-byte reals, narrowed to the crate's f32.
    fn reals<const N: usize>(&self, at: usize) -> [f32; N] {
        std::array::from_fn(|i| self.f64(at + 8 * i) as f32)
    }
}

pub fn parse(bytes: &[u8; 540], little: bool) -> anyhow::Result<Parsed> {
    let b = Bytes { bytes, little };
    let magic = &bytes[4..8];
    anyhow::ensure!(
        magic == b"n+2\0" || magic == b"ni2\0",
        "a 540-byte header whose magic is {:?}, not NIfTI-2's \"n+2\"",
        String::from_utf8_lossy(magic)
    );
    let rank = b.i64(16);
    anyhow::ensure!((1..=7).contains(&rank), "dim[0] is {rank}: a NIfTI image has 1 to 7 dimensions");
    let mut dim = [1u16; 8];
    dim[0] = rank as u16;
    for (axis, d) in dim.iter_mut().enumerate().take(rank as usize + 1).skip(1) {
        let declared = b.i64(16 + 8 * axis);
        *d = u16::try_from(declared)
            .ok()
            .filter(|d| *d > 0)
            .ok_or_else(|| anyhow::anyhow!("dim[{axis}] is {declared}: not a size from 1 to 65535"))?;
    }
    let vox_offset = u64::try_from(b.i64(168)).map_err(|_| anyhow::anyhow!("vox_offset is negative"))?;
    let text = |at: usize, len: usize| bytes[at..at + len].to_vec();
    let fields = NiftiHeader {
        sizeof_hdr: 540,
        datatype: b.i16(12),
        bitpix: b.i16(14),
        dim,
        intent_p1: b.f64(80) as f32,
        intent_p2: b.f64(88) as f32,
        intent_p3: b.f64(96) as f32,
        pixdim: b.reals(104),
        vox_offset: vox_offset as f32,
        scl_slope: b.f64(176) as f32,
        scl_inter: b.f64(184) as f32,
        cal_max: b.f64(192) as f32,
        cal_min: b.f64(200) as f32,
        slice_duration: b.f64(208) as f32,
        toffset: b.f64(216) as f32,
        slice_start: b.i64(224).clamp(i16::MIN as i64, i16::MAX as i64) as i16,
        slice_end: b.i64(232).clamp(i16::MIN as i64, i16::MAX as i64) as i16,
        descrip: text(240, 80),
        aux_file: b.array(320),
        qform_code: b.i32(344).clamp(i16::MIN as i32, i16::MAX as i32) as i16,
        sform_code: b.i32(348).clamp(i16::MIN as i32, i16::MAX as i32) as i16,
        quatern_b: b.f64(352) as f32,
        quatern_c: b.f64(360) as f32,
        quatern_d: b.f64(368) as f32,
        quatern_x: b.f64(376) as f32,
        quatern_y: b.f64(384) as f32,
        quatern_z: b.f64(392) as f32,
        srow_x: b.reals(400),
        srow_y: b.reals(432),
        srow_z: b.reals(464),
        slice_code: b.i32(496) as u8,
        xyzt_units: b.i32(500) as u8,
        intent_code: b.i32(504).clamp(i16::MIN as i32, i16::MAX as i32) as i16,
        intent_name: b.array(508),
        dim_info: bytes[524],
        endianness: if little { Endianness::Little } else { Endianness::Big },
        ..NiftiHeader::default()
    };
    Ok(Parsed { fields, single_file: magic == b"n+2\0", vox_offset })
}
