//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use medssl::nn::{Depth, EncoderConfig, Stem};
use medssl::train::{Event, Preset, Run, RunConfig};
use std::path::Path;
use std::time::{Duration, Instant};

/// A shipped preset's variant, read from `presets/` as a user would.
pub fn preset(file: &str, variant: &str) -> RunConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("presets").join(file);
    Preset::load(&path).unwrap().variant(Some(variant)).unwrap()
}

/// A run small enough for engine tests: a narrow ResNet-10 on 16 px CT slices, CPU.
pub fn tiny_config(epochs: usize) -> RunConfig {
    let mut c = preset("simclr.toml", "cpu");
    c.device = medssl::device::DeviceChoice::Cpu;
    c.threads = Some(1);
    c.train.epochs = epochs;
    c.train.batch_size = 16;
    c.data.image_size = 16;
    c.data.train_count = 64;
    c.data.heldout_count = 32;
    c.encoder = EncoderConfig { arch: Depth::ResNet10, width: 0.125, stem: Stem::Small };
    c
}

/// Events until one satisfies `stop` (returned last), failing after `limit`.
pub fn events_until(run: &Run, limit: Duration, stop: impl Fn(&Event) -> bool) -> Vec<Event> {
    let deadline = Instant::now() + limit;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Some(e) = run.next_event(Duration::from_millis(50)) {
            let done = stop(&e);
            seen.push(e);
            if done {
                return seen;
            }
        }
    }
    panic!("no expected event within {limit:?}; saw {} events, last {:?}", seen.len(), seen.last());
}

/// Steps the window's frames until `done` holds of the app, failing after `limit`.
pub fn step_until(
    harness: &mut egui_kittest::Harness<'_, medssl::ui::WorkbenchApp>,
    limit: Duration,
    done: impl Fn(&medssl::ui::WorkbenchApp) -> bool,
) {
    let deadline = Instant::now() + limit;
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "timed out; training status {:?}", harness.state().session.status);
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Trains `config` into `dir` and returns its events, failing unless it finishes within `limit`.
pub fn run_to_the_end(config: RunConfig, dir: &Path, limit: Duration) -> Vec<Event> {
    let run = Run::start(config, dir, medssl::train::RunOptions::default()).unwrap();
    let events = events_until(&run, limit, is_terminal);
    assert!(
        matches!(events.last(), Some(Event::Finished { stopped_early: false, .. })),
        "{:?}",
        events.last()
    );
    events
}

pub fn is_terminal(e: &Event) -> bool {
    matches!(e, Event::Finished { .. } | Event::Failed { .. })
}
pub mod augment;
