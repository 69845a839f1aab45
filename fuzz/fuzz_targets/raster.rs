//! A PNG, JPEG or TIFF image; the first byte picks the extension the loader is told.
#![no_main]
#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, image)) = data.split_first() else { return };
    let scratch = common::Scratch::new();
    let name = ["input.png", "input.jpg", "input.tif"][pick as usize % 3];
    let _ = medssl::io::open(&scratch.file(name, image), &medssl::io::no_progress);
});
