//! SimCLR learns on built-in CT slices: the held-out kNN accuracy of its encoder rises well
//! above the same encoder at initialisation, and a broken variant (positives shuffled across
//! images) does not clear the same bar.
mod common;

use common::{preset, run_to_the_end};
use medssl::train::Event;
use std::time::Duration;

/// Points of held-out kNN accuracy the trained encoder must gain over its own initialisation.
/// Calibrated on the shipped CPU preset (4 epochs, 128 steps, 2 threads): SimCLR went from 27.25 %
/// to 39.25 % (+12.0 points), the shuffled-positives variant from 27.25 % to 27.5 % (+0.25).
const MARGIN: f64 = 0.06;

/// (kNN accuracy at initialisation, after training).
fn knn_before_and_after(shuffle_positives: bool) -> (f64, f64) {
    let mut config = preset("simclr.toml", "cpu");
    config.device = medssl::device::DeviceChoice::Cpu;
    let medssl::methods::MethodConfig::Simclr(m) = &mut config.method else { unreachable!() };
    m.shuffle_positives = shuffle_positives;
    let dir = tempfile::tempdir().unwrap();
    let events = run_to_the_end(config, dir.path(), Duration::from_secs(300));
    let knn: Vec<f64> =
        events.iter().filter_map(|e| if let Event::Epoch(r) = e { r.knn_accuracy } else { None }).collect();
    println!("shuffle_positives={shuffle_positives}: kNN per epoch {knn:?}");
    (knn[0], *knn.last().unwrap())
}

#[test]
fn simclr_beats_its_initialisation_and_shuffled_positives_do_not() {
    let (init, trained) = knn_before_and_after(false);
    assert!(trained - init >= MARGIN, "SimCLR gained {:.3} (from {init:.3} to {trained:.3})", trained - init);
    let (b_init, b_trained) = knn_before_and_after(true);
    assert!(b_trained - b_init < MARGIN, "the broken variant gained {:.3}", b_trained - b_init);
}
