//! A folder of DICOM files, as a series is opened: the input is cut into up to eight files at
//! each "\n--\n", so one input can mix series, duplicates and junk.
#![no_main]
#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let scratch = common::Scratch::new();
    let mut rest = data;
    for i in 0..8 {
        let cut = rest.windows(4).position(|w| w == b"\n--\n");
        let (file, next) = match cut {
            Some(at) => (&rest[..at], &rest[at + 4..]),
            None => (rest, &[][..]),
        };
        scratch.file(&format!("IM{i:04}"), file);
        if cut.is_none() {
            break;
        }
        rest = next;
    }
    common::load_all(scratch.path());
});
