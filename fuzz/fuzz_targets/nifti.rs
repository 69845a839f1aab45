//! A NIfTI-1/2 file, gzipped when the input starts with gzip's magic.
#![no_main]
#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let scratch = common::Scratch::new();
    let name = if data.starts_with(&[0x1f, 0x8b]) { "input.nii.gz" } else { "input.nii" };
    common::load_all(&scratch.file(name, data));
});
