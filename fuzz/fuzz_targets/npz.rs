//! A MedMNIST-style .npz archive: its splits listed, each image of each split loaded.
#![no_main]
#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let scratch = common::Scratch::new();
    let path = scratch.file("input.npz", data);
    if let Ok(splits) = medssl::io::npz::splits(&path) {
        for (split, count, _) in splits {
            for index in 0..count.min(4) {
                let _ = medssl::io::npz::load_image(&path, &split, index);
            }
            let _ = medssl::io::npz::load_split(&path, &split);
        }
    }
});
