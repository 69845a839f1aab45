//! The run browser and the Explain tab driven headless with egui_kittest: open a finished run,
//! evaluate it, export its curve, compute a Grad-CAM, click for a similarity map, embed.
mod common;

use common::{events_until, is_terminal, step_until, tiny_config};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use medssl::io::Volume;
use medssl::train::{Run, RunDir, RunOptions};
use medssl::ui::{Tab, WorkbenchApp};
use std::time::Duration;

/// A tiny run of `epochs` trained under a fresh runs folder, and the workbench opened on it in
/// the Runs tab; `before_opening` may change the run directory first.
fn browser_on_a_tiny_run(
    epochs: usize,
    before_opening: impl FnOnce(&std::path::Path),
) -> (tempfile::TempDir, std::path::PathBuf, Harness<'static, WorkbenchApp>) {
    let root = tempfile::tempdir().unwrap();
    let dir = RunDir::unique_path(root.path(), "simclr");
    let run = Run::start(tiny_config(epochs), &dir, RunOptions::default()).unwrap();
    events_until(&run, Duration::from_secs(120), is_terminal);
    drop(run);
    before_opening(&dir);
    let app = WorkbenchApp::with_runs_root(root.path().to_owned());
    let mut harness = Harness::builder()
        .with_size(eframe::egui::vec2(1400.0, 1000.0))
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app);
    harness.run();
    harness.get_by_label("Runs").click();
    harness.run();
    harness.get_by_label_contains(&dir.file_name().unwrap().to_string_lossy()).click();
    harness.run();
    assert_eq!(harness.state().runs.selected.as_deref(), Some(dir.as_path()));
    (root, dir, harness)
}

#[test]
fn open_a_run_evaluate_export_gradcam_and_click_for_a_similarity_map() {
    let (_root, dir, mut harness) = browser_on_a_tiny_run(2, |_| {});

    // Evaluate on the real button: kNN, linear probe and segmentation, three seeds.
    harness.get_by_label("Evaluate").click();
    harness.step();
    step_until(&mut harness, Duration::from_secs(120), |a| a.runs.message.is_some());
    let message = harness.state().runs.message.clone().unwrap();
    assert!(message.starts_with("evaluation saved"), "{message}");
    harness.run();
    assert!(harness.query_all_by_label("random init").count() > 0, "the random baseline is in the table");
    assert!(harness.query_by_label("Confusion matrices (latest evaluation, first seed)").is_some());

    harness.get_by_label("Export PNG").click();
    harness.run();
    let png = image::open(dir.join("figures/loss.png")).expect("the exported curve decodes");
    assert!(png.width() >= 200 && png.height() >= 200);
    harness.get_by_label("Export table CSV").click();
    harness.run();
    let mut csv = csv::Reader::from_path(dir.join("figures/evaluations.csv")).unwrap();
    assert!(csv.records().count() >= 6, "trained and random rows for each protocol");

    harness.get_by_label("Explain this run").click();
    harness.step();
    assert_eq!(harness.state().tab, Tab::Explain);
    step_until(&mut harness, Duration::from_secs(60), |a| !a.explain.is_busy());
    harness.get_by_label("Compute Grad-CAM").click();
    harness.step();
    step_until(&mut harness, Duration::from_secs(60), |a| a.explain.cams.is_some());
    let cams = harness.state().explain.cams.as_ref().unwrap();
    assert_eq!(cams.maps.size(), [6, 16, 16], "one map per image at image size");
    harness.run();
    assert_eq!(harness.query_all_by_role(Role::Image).count(), 6, "the Grad-CAM overlays are drawn");

    // A scan open in the viewer joins the images, resized to the run's 16 px.
    let voxels: Vec<f32> = (0..32 * 32 * 4).map(|i| (i % 97) as f32).collect();
    harness.state_mut().viewer.set_volume(Volume::new(voxels, [32, 32, 4], 1, [1.0, 1.0, 1.0]));
    harness.get_by_label("Add the viewer's slice").click();
    harness.run();
    harness.get_by_label("Compute Grad-CAM").click();
    harness.step();
    step_until(&mut harness, Duration::from_secs(60), |a| a.explain.cams.is_some());
    assert_eq!(harness.state().explain.cams.as_ref().unwrap().maps.size(), [7, 16, 16]);
    harness.run();
    harness.get_by_label("Export SVG").click();
    harness.run();
    let svg = std::fs::read_to_string(dir.join("figures/gradcam-6.svg")).expect("the maps were exported");
    assert!(svg.contains("<svg") && svg.contains("gradcam"), "an SVG figure with its title");

    harness.get_by_label("Point similarity").click();
    harness.step();
    step_until(&mut harness, Duration::from_secs(60), |a| !a.explain.is_busy());
    harness.run();
    harness.query_all_by_role(Role::Image).nth(2).expect("the third image is shown").click();
    harness.run();
    let explain = &harness.state().explain;
    let (image, _) = explain.anchor.expect("the click placed the anchor");
    assert_eq!(image, 2);
    let maps = explain.similarity.as_ref().expect("the click made a similarity map");
    let at_anchor = maps.grid.get(2).get(maps.anchor.row).get(maps.anchor.col).double_value(&[]);
    assert!((at_anchor - 1.0).abs() < 1e-5, "the anchor's own similarity is {at_anchor}");
    assert_eq!(maps.maps.size(), [7, 16, 16]);

    harness.get_by_label("Embedding").click();
    harness.run();
    harness.get_by_label("Compute").click();
    harness.step();
    step_until(&mut harness, Duration::from_secs(60), |a| a.explain.embeddings.is_some());
    let e = harness.state().explain.embeddings.as_ref().unwrap();
    assert_eq!(e.before.len(), e.after.len());
    assert_eq!(e.after.len(), e.labels.len());
}

#[test]
fn an_evaluation_the_run_cannot_store_stays_in_the_table_and_can_be_saved_elsewhere() {
    // A file where the evals folder goes: the report's write fails as on a full disk.
    let (root, _dir, mut harness) =
        browser_on_a_tiny_run(1, |dir| std::fs::write(dir.join("evals"), b"").unwrap());
    harness.get_by_label("Evaluate").click();
    harness.step();
    step_until(&mut harness, Duration::from_secs(120), |a| a.runs.message.is_some());
    let message = harness.state().runs.message.clone().unwrap();
    assert!(message.contains("could not be saved") && message.contains("Save as"), "{message}");
    harness.run();
    assert!(harness.query_all_by_label("random init").count() > 0, "the kept report is in the table");
    assert!(harness.query_by_label("Save as…").is_some(), "the panel offers to save it elsewhere");

    // What the Save as dialog returns, handed to the panel as the button does.
    let elsewhere = root.path().join("kept.json");
    harness.state_mut().runs.save_unsaved(&elsewhere);
    harness.run();
    assert!(harness.state().runs.unsaved.is_none());
    let report = medssl::eval::EvalReport::load(&elsewhere).unwrap();
    assert!(!report.entries.is_empty());
    assert!(harness.query_by_label("Save as…").is_none());
}
