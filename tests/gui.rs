//! The real panels driven headless with egui_kittest: pick a method, start, watch the curve
//! grow, stop.
mod common;

use common::step_until;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use medssl::nn::{Depth, EncoderConfig, Stem};
use medssl::ui::{Status, WorkbenchApp};
use std::time::Duration;

#[test]
fn pick_simclr_start_watch_the_curve_grow_and_stop() {
    let runs = tempfile::tempdir().unwrap();
    let app = WorkbenchApp::with_runs_root(runs.path().to_owned());
    let mut harness = Harness::builder()
        .with_size(eframe::egui::vec2(1280.0, 820.0))
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app);
    harness.run();

    // The method picker is built from the registry: switch to MixSSL and back to SimCLR.
    harness.get_by_label("Method").click();
    harness.run();
    harness.get_by_label("MixSSL").click();
    harness.run();
    assert_eq!(harness.state().settings.config.method.info().id, "mixssl");
    harness.get_by_label("Method").click();
    harness.run();
    harness.get_by_label("SimCLR").click();
    harness.run();
    assert_eq!(harness.state().settings.config.method.info().id, "simclr");

    // Shrink the run so the test is quick on two cores; the controls stay the real ones.
    {
        let c = &mut harness.state_mut().settings.config;
        c.device = medssl::device::DeviceChoice::Cpu;
        c.data.image_size = 16;
        c.data.train_count = 256;
        c.data.heldout_count = 32;
        c.train.batch_size = 16;
        c.train.epochs = 50;
        c.encoder = EncoderConfig { arch: Depth::ResNet10, width: 0.125, stem: Stem::Small };
    }
    harness.get_by_label("Start").click();
    harness.step();
    assert_eq!(harness.state().session.status, Status::Running);
    step_until(&mut harness, Duration::from_secs(60), |a| a.session.loss.len() >= 3);
    let early = harness.state().session.loss.len();
    step_until(&mut harness, Duration::from_secs(60), |a| a.session.loss.len() >= early + 5);
    assert!(!harness.state().session.preview.is_empty(), "the input thumbnails arrived");
    assert!(!harness.state().session.knn.is_empty(), "the untrained encoder's kNN point arrived");
    assert!(harness.query_by_label_contains("images/s").is_some(), "progress shows throughput");

    harness.get_by_label("Pause").click();
    step_until(&mut harness, Duration::from_secs(60), |a| a.session.status == Status::Paused);
    harness.get_by_label("Resume").click();
    step_until(&mut harness, Duration::from_secs(60), |a| a.session.status == Status::Running);

    harness.get_by_label("Stop").click();
    step_until(&mut harness, Duration::from_secs(60), |a| {
        a.session.status == Status::Finished { stopped_early: true }
    });
    let run_dir = harness.state().session.run_dir.clone().unwrap();
    assert!(run_dir.join("checkpoints/latest.safetensors").exists());
}
