//! One DICOM file, as `medssl inspect file.dcm` opens it (part 10, mislabelled, bare).
#![no_main]
#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let scratch = common::Scratch::new();
    let path = scratch.file("input.dcm", data);
    let _ = medssl::io::open(&path, &medssl::io::no_progress);
});
