//! The augmentation studio driven headless with egui_kittest: its grid shows the views of the
//! Train tab's method; toggling an op or moving a slider re-renders; the same seed gives the
//! same grid; a pipeline saved into a preset loads back.
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use medssl::augment::{recipes, AugmentOp, Pipeline};
use medssl::methods::MethodConfig;
use medssl::ui::studio::Rendered;
use medssl::ui::{Tab, WorkbenchApp};
use std::time::{Duration, Instant};

fn studio() -> Harness<'static, WorkbenchApp> {
    let mut app = WorkbenchApp::with_runs_root(std::env::temp_dir());
    app.tab = Tab::Studio;
    app.settings.config.data.image_size = 48;
    // The paper's pipeline: five steps, one of each kind of control.
    *simclr_pipeline(&mut app) = recipes::simclr(1.0);
    let mut harness = Harness::builder()
        .with_size(eframe::egui::vec2(1400.0, 2000.0))
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app);
    settle(&mut harness);
    harness
}

/// Steps frames until the newest preview request has been drawn.
fn settle(harness: &mut Harness<'_, WorkbenchApp>) -> Rendered {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        harness.step();
        if harness.state().studio.is_settled() {
            harness.run();
            return harness.state().studio.shown.clone().expect("a render");
        }
        assert!(Instant::now() < deadline, "no preview; message {:?}", harness.state().studio.message);
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn simclr_pipeline(app: &mut WorkbenchApp) -> &mut Pipeline {
    match &mut app.settings.config.method {
        MethodConfig::Simclr(c) => &mut c.views.first,
        _ => panic!("the default method is SimCLR"),
    }
}

#[test]
fn the_grid_shows_both_views_and_one_sample_after_each_step() {
    let mut harness = studio();
    let shown = settle(&mut harness);
    let names: Vec<&str> = shown.views.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["view 1", "view 2"], "pairs side by side");
    let samples = harness.state().studio.samples as usize;
    assert!(shown.views.iter().all(|(_, images)| images.len() == samples));
    let steps = simclr_pipeline(harness.state_mut()).ops.len();
    assert_eq!(shown.strip.len(), steps + 1, "the input, then one image per step");
    assert_eq!(shown.strip[0].0, "input");
    assert_eq!(shown.views[0].1[0].width, 48, "rendered at the training size");
}

#[test]
fn toggling_an_op_changes_the_preview_and_the_same_seed_gives_the_same_grid() {
    let mut harness = studio();
    let first = settle(&mut harness);
    // The CT default warns on the horizontal flip (laterality).
    assert!(harness.query_by_label_contains("situs inversus").is_some(), "the flip carries a caution");

    harness.get_by_role_and_label(Role::CheckBox, "Random resized crop").click();
    let without_crop = settle(&mut harness);
    assert!(!simclr_pipeline(harness.state_mut()).ops[0].enabled);
    assert_ne!(without_crop.views, first.views, "switching the crop off changes the views");

    harness.get_by_role_and_label(Role::CheckBox, "Random resized crop").click();
    let again = settle(&mut harness);
    assert_eq!(again.views, first.views, "the same settings and seed give the same grid");
    assert_eq!(again.strip, first.strip);

    harness.get_by_label("Re-roll").click();
    let rerolled = settle(&mut harness);
    assert_ne!(rerolled.views, first.views, "a new seed draws new views");
}

#[test]
fn changing_a_parameter_re_renders() {
    let mut harness = studio();
    let first = settle(&mut harness);
    // The blur on every sample, strongly: the views change.
    let blur = 4;
    assert!(matches!(simclr_pipeline(harness.state_mut()).ops[blur].op, AugmentOp::GaussianBlur(_)));
    if let AugmentOp::GaussianBlur(b) = &mut simclr_pipeline(harness.state_mut()).ops[blur].op {
        b.p = 1.0;
        b.sigma = (3.0, 3.0);
    }
    let blurred = settle(&mut harness);
    assert_ne!(blurred.views, first.views);
}

#[test]
fn a_pipeline_saved_into_a_preset_loads_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    let mut harness = studio();
    harness.state_mut().studio.preset_path = path.display().to_string();
    simclr_pipeline(harness.state_mut()).ops[1].enabled = false;
    let saved = simclr_pipeline(harness.state_mut()).clone();
    // Let the layout catch up with the change (its caution is gone) before clicking.
    settle(&mut harness);
    harness.get_by_label("Save to preset").click();
    harness.run();
    assert!(path.exists(), "{:?}", harness.state().studio.message);

    *simclr_pipeline(harness.state_mut()) = Pipeline::default();
    settle(&mut harness);
    harness.get_by_label("Load from preset").click();
    // The loaded pipeline asks for a new preview, drawn on the renderer's thread.
    settle(&mut harness);
    assert_eq!(*simclr_pipeline(harness.state_mut()), saved);

    std::fs::write(&path, "not a preset").unwrap();
    harness.get_by_label("Load from preset").click();
    harness.run();
    let message = harness.state().studio.message.clone().unwrap_or_default();
    assert!(message.contains("invalid preset"), "a clear error: {message}");
    assert_eq!(*simclr_pipeline(harness.state_mut()), saved, "nothing lost on a bad file");
}

#[test]
fn a_recipe_with_two_different_views_shows_both_pipelines() {
    let mut harness = studio();
    harness.get_by_label("Start from a recipe").click();
    harness.run();
    harness.get_by_label("BYOL (asymmetric)").click();
    let shown = settle(&mut harness);
    let MethodConfig::Simclr(c) = &harness.state().settings.config.method else { panic!("SimCLR") };
    assert_eq!(c.views, recipes::byol(), "the recipe's two pipelines");
    assert_eq!(shown.views.len(), 2);
    // One tab to edit each pipeline, and the grid's column heading.
    assert_eq!(harness.query_all_by_label("view 2").count(), 2);
    harness.get_by_label("View 2 has its own pipeline").click();
    settle(&mut harness);
    let MethodConfig::Simclr(c) = &harness.state().settings.config.method else { panic!("SimCLR") };
    assert_eq!(c.views.second, None, "back to one pipeline for both views");
}
