//! A preset file, as the Studio and `medssl train --preset` read it: parsed, then every
//! variant checked against the typed ranges.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(preset) = medssl::train::Preset::from_toml(text) {
        for config in preset.variants.values() {
            let _ = config.validate();
        }
    }
});
