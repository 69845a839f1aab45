//! One control per `Param`: what the augmentation studio shows for an op's parameters and
//! the settings form for a method's.
use crate::augment::Param;
use eframe::egui::{self, DragValue, Slider};

/// One widget for one parameter, labelled by its name.
pub(crate) fn param_ui(ui: &mut egui::Ui, param: Param) {
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
