//! The controls of one pipeline: a row per step (on/off, order, remove) with one widget per
//! parameter, generated from the op's `params()`; and the "Add operation" menu.
use crate::augment::{AugmentOp, Family, Param, Pipeline};
use eframe::egui::{self, DragValue, Slider};

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

/// One widget for one parameter, labelled by its name.
fn param_ui(ui: &mut egui::Ui, param: Param) {
    match param {
        Param::Probability(p) => {
            ui.add(Slider::new(p, 0.0..=1.0).text("p"));
        }
        Param::Number { name, value, range } => {
            ui.add(Slider::new(value, range.0..=range.1).text(name));
        }
        Param::Integer { name, value, range } => {
            ui.add(Slider::new(value, range.0..=range.1).text(name));
        }
        Param::Interval { name, value, range } => {
            let speed = (range.1 - range.0) / 200.0;
            interval_row(ui, name, |ui| {
                let low = ui.add(DragValue::new(&mut value.0).range(range.0..=value.1).speed(speed));
                let high = ui.add(DragValue::new(&mut value.1).range(value.0..=range.1).speed(speed));
                (low, high)
            });
        }
        Param::IntInterval { name, value, range } => {
            interval_row(ui, name, |ui| {
                let low = ui.add(DragValue::new(&mut value.0).range(range.0..=value.1));
                let high = ui.add(DragValue::new(&mut value.1).range(value.0..=range.1));
                (low, high)
            });
        }
        Param::Toggle { name, value } => {
            ui.checkbox(value, name);
        }
        Param::Choice { name, value } => {
            let options = value.options();
            let mut selected = value.selected();
            let label = ui.label(name);
            egui::ComboBox::from_id_salt(label.id)
                .selected_text(options[selected.min(options.len() - 1)])
                .show_ui(ui, |ui| {
                    for (i, option) in options.iter().enumerate() {
                        ui.selectable_value(&mut selected, i, *option);
                    }
                })
                .response
                .labelled_by(label.id);
            value.select(selected);
        }
    }
}

/// "name [low] [high]", each field known to screen readers by the name.
fn interval_row(
    ui: &mut egui::Ui,
    name: &str,
    fields: impl FnOnce(&mut egui::Ui) -> (egui::Response, egui::Response),
) {
    ui.horizontal(|ui| {
        let label = ui.label(name);
        let (low, high) = fields(ui);
        low.labelled_by(label.id);
        high.labelled_by(label.id);
    });
}
