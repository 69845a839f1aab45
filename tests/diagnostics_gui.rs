//! The dashboard's embedding diagnostics and the settings form's method parameters, driven
//! headless with egui_kittest.
use eframe::egui::accesskit::Role;
use eframe::egui::Vec2;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use medssl::methods::losses::dystress::TemperatureProfile;
use medssl::methods::MethodConfig;
use medssl::train::diagnostics::{Diagnostics, TemperatureDiagnostics};
use medssl::ui::{diagnostics, Settings, WorkbenchApp};

/// Two images, four views (1a, 2a, 1b, 2b). Every cell differs, and the matrix is not
/// symmetric, so a transposed or shifted lookup shows a different number.
fn two_images(temperature: Option<TemperatureDiagnostics>) -> Diagnostics {
    #[rustfmt::skip]
    let similarity = vec![
        1.00, -0.30, 0.90, 0.10,
        -0.35, 1.00, 0.20, 0.80,
        0.91, 0.15, 1.00, -0.20,
        0.05, 0.81, -0.25, 1.00,
    ];
    Diagnostics {
        similarity,
        images: 2,
        positive_cosines: vec![0.90, 0.80],
        negative_cosines: vec![-0.30, 0.10, -0.35, 0.20, 0.15, -0.20, 0.05, -0.25],
        temperature,
    }
}

fn cosine_profile() -> TemperatureDiagnostics {
    TemperatureDiagnostics {
        curve: vec![[-1.0, 0.2], [0.0, 0.07], [1.0, 0.2]],
        positive: vec![0.19, 0.18],
        negative: vec![0.09, 0.08, 0.1, 0.07],
    }
}

fn section(step: usize, d: Diagnostics) -> Harness<'static, Diagnostics> {
    let mut harness = Harness::builder()
        .with_size(Vec2::new(900.0, 1000.0))
        .build_ui_state(move |ui, d: &mut Diagnostics| diagnostics::show(ui, step, d), d);
    harness.run();
    harness
}

fn count(harness: &Harness<'_, impl Sized>, text: &str) -> usize {
    harness.query_all_by_label_contains(text).count()
}

#[test]
fn a_two_view_method_gets_the_heatmap_and_cosine_histograms_but_no_temperatures() {
    let harness = section(7, two_images(None));
    assert!(harness.query_by_label("Embedding diagnostics (step 7)").is_some(), "titled with its step");
    harness.get_by_role_and_label(Role::Image, "similarity heatmap");
    assert_eq!(count(&harness, "views 1..2 (first view of each image), then their second views"), 1);
    assert_eq!(count(&harness, "from −1 (blue) through 0 (white) to 1 (red)"), 1, "a colour legend");
    assert_eq!(count(&harness, "Cosines of positive and negative pairs"), 1);
    assert_eq!(count(&harness, "2 positive and 8 negative pairs"), 1, "counts from the data");
    assert_eq!(count(&harness, "τ(c)"), 0, "no temperature curve without DySTreSS");
    assert_eq!(count(&harness, "Temperatures the batch's pairs got"), 0);
}

#[test]
fn dystress_adds_the_tau_curve_and_the_pairs_temperatures() {
    let harness = section(3, two_images(Some(cosine_profile())));
    assert_eq!(count(&harness, "DySTreSS temperature τ(c)"), 1);
    assert_eq!(count(&harness, "Temperatures the batch's pairs got"), 1);
    assert_eq!(count(&harness, "2 positive and 4 negative pairs"), 1, "the temperatures' own counts");
    harness.get_by_role_and_label(Role::Image, "similarity heatmap");
}

#[test]
fn hovering_a_cell_names_its_two_views_and_their_cosine() {
    let mut harness = section(1, two_images(None));
    // Tooltips wait half a second of stillness; the harness's clock would not get there.
    harness.ctx.all_styles_mut(|style| style.interaction.tooltip_delay = 0.0);
    let heatmap = harness.get_by_role_and_label(Role::Image, "similarity heatmap").rect();
    assert_eq!(heatmap.width(), heatmap.height(), "a square of 4 × 4 cells");
    let cell = heatmap.width() / 4.0;
    let centre = |row: f32, col: f32| heatmap.min + Vec2::new((col + 0.5) * cell, (row + 0.5) * cell);

    harness.hover_at(centre(0.0, 2.0));
    harness.run();
    assert_eq!(count(&harness, "image 1, view 1 × image 1, view 2: cos +0.90 (positive pair)"), 1);

    harness.hover_at(centre(2.0, 0.0));
    harness.run();
    assert_eq!(count(&harness, "image 1, view 2 × image 1, view 1: cos +0.91 (positive pair)"), 1);

    harness.hover_at(centre(1.0, 0.0));
    harness.run();
    assert_eq!(count(&harness, "image 2, view 1 × image 1, view 1: cos -0.35"), 1);
    assert_eq!(count(&harness, "(positive pair)"), 0, "a negative pair is not marked positive");
}

#[test]
fn a_malformed_matrix_is_reported_instead_of_drawn() {
    let mut d = two_images(None);
    d.similarity.truncate(10);
    let harness = section(2, d);
    assert_eq!(count(&harness, "no similarity matrix to show: 10 values for 2 images"), 1);
    assert!(harness.query_by_role_and_label(Role::Image, "similarity heatmap").is_none());
    assert_eq!(count(&harness, "Cosines of positive and negative pairs"), 1, "the histograms still show");
}

#[test]
fn the_dashboard_shows_the_section_only_once_diagnostics_arrived() {
    let app = WorkbenchApp::with_runs_root(std::env::temp_dir());
    let mut harness = Harness::builder()
        .with_size(Vec2::new(1280.0, 820.0))
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app);
    harness.run();
    assert_eq!(count(&harness, "Embedding diagnostics"), 0);
    harness.state_mut().session.diagnostics = Some((42, two_images(Some(cosine_profile()))));
    harness.run();
    assert!(harness.query_by_label("Embedding diagnostics (step 42)").is_some());
    harness.get_by_role_and_label(Role::Image, "similarity heatmap");
}

fn settings() -> Harness<'static, Settings> {
    let mut harness = Harness::builder()
        .with_size(Vec2::new(420.0, 1400.0))
        .build_ui_state(|ui, s: &mut Settings| s.show(ui, true), Settings::default());
    harness.run();
    harness
}

fn pick_method(harness: &mut Harness<'_, Settings>, name: &str) {
    harness.get_by_label("Method").click();
    harness.run();
    harness.get_by_label(name).click();
    harness.run();
}

#[test]
fn picking_dystress_shows_its_temperatures_and_a_control_edits_the_config() {
    let mut harness = settings();
    pick_method(&mut harness, "DySTreSS (thesis ch. 6)");
    let MethodConfig::Dystress(c) = &harness.state().config.method else { panic!("DySTreSS picked") };
    let TemperatureProfile::Cosine { tau_max, .. } = c.profile else { panic!("the preset's cosine profile") };
    assert_eq!(count(&harness, "queue (keys)"), 0, "no other method's controls");
    let summary = harness.state().config.method.info().summary;
    assert!(harness.query_by_label(summary).is_some(), "the summary is shown whole");

    harness.get_by_role_and_label(Role::Slider, "τ_min").set_value_accesskit(0.11);
    harness.run();
    let MethodConfig::Dystress(c) = &harness.state().config.method else { panic!("still DySTreSS") };
    assert_eq!(c.profile, TemperatureProfile::Cosine { tau_min: 0.11, tau_max }, "only τ_min changed");
}

#[test]
fn picking_moco_shows_its_queue_and_setting_it_changes_the_config() {
    let mut harness = settings();
    pick_method(&mut harness, "MoCo v2");
    let MethodConfig::MocoV2(before) = harness.state().config.method.clone() else { panic!("MoCo picked") };
    assert_ne!(before.queue, 4096);
    assert_eq!(count(&harness, "τ_min"), 0, "no other method's controls");

    harness.get_by_role_and_label(Role::Slider, "queue (keys)").set_value_accesskit(4096.0);
    harness.run();
    let MethodConfig::MocoV2(after) = &harness.state().config.method else { panic!("still MoCo") };
    assert_eq!(after.queue, 4096);
    assert_eq!(after.temperature, before.temperature, "the other parameters are untouched");
    assert_eq!(after.momentum, before.momentum);

    // Picking again starts from the preset, as the Preset box promises.
    pick_method(&mut harness, "SimCLR");
    pick_method(&mut harness, "MoCo v2");
    let MethodConfig::MocoV2(again) = &harness.state().config.method else { panic!("MoCo again") };
    assert_eq!(again.queue, before.queue);
}
