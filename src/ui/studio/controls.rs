//! The controls of one pipeline: a row per step (on/off, order, remove) with one widget per
//! parameter, generated from the op's `params()`; and the "Add operation" menu.
use crate::augment::{AugmentOp, Family, Pipeline};
use crate::ui::params::param_ui;
use eframe::egui;

/// Draws `pipeline`'s steps with `cautions` (step index, warning); returns whether it changed.
pub fn pipeline_ui(
    ui: &mut egui::Ui,
    id: &str,
    pipeline: &mut Pipeline,
    cautions: &[(usize, String)],
) -> bool {
    let before = pipeline.clone();
    let mut moved: Option<(usize, Move)> = None;
    for (i, step) in pipeline.ops.iter_mut().enumerate() {
        ui.push_id((id, i), |ui| {
            ui.horizontal(|ui| {
                ui.checkbox(&mut step.enabled, step.op.label());
                if ui.small_button("Up").clicked() {
                    moved = Some((i, Move::Up));
                }
                if ui.small_button("Down").clicked() {
                    moved = Some((i, Move::Down));
                }
                if ui.small_button("Remove").clicked() {
                    moved = Some((i, Move::Remove));
                }
            });
            for (_, warning) in cautions.iter().filter(|(c, _)| *c == i) {
                ui.colored_label(egui::Color32::from_rgb(230, 170, 60), format!("Caution: {warning}"));
            }
            ui.add_enabled_ui(step.enabled, |ui| {
                ui.indent("params", |ui| {
                    for param in step.op.as_augment_mut().params() {
                        param_ui(ui, param);
                    }
                });
            });
        });
    }
    match moved {
        Some((i, Move::Up)) if i > 0 => pipeline.ops.swap(i, i - 1),
        Some((i, Move::Down)) if i + 1 < pipeline.ops.len() => pipeline.ops.swap(i, i + 1),
        Some((i, Move::Remove)) => {
            pipeline.ops.remove(i);
        }
        _ => {}
    }
    add_menu(ui, pipeline);
    *pipeline != before
}

enum Move {
    Up,
    Down,
    Remove,
}

fn add_menu(ui: &mut egui::Ui, pipeline: &mut Pipeline) {
    ui.menu_button("+ Add operation", |ui| {
        for family in Family::ALL {
            ui.menu_button(family.label(), |ui| {
                for op in AugmentOp::catalog().into_iter().filter(|op| op.family() == family) {
                    if ui.button(op.label()).clicked() {
                        pipeline.ops.push(op.into());
                        ui.close();
                    }
                }
            });
        }
    });
}
