//! The header panel: the volume's geometry, then its header fields. Patient-identifying fields
//! show as "hidden" until the user reveals them; their values go to no other widget.
use crate::io::Volume;
use eframe::egui::{self, RichText};

pub const REVEAL_LABEL: &str = "Reveal identifying fields";

/// `reveal` is the panel's toggle; the caller resets it whenever another volume is shown.
pub fn show(ui: &mut egui::Ui, volume: &Volume, value_range: (f32, f32), reveal: &mut bool) {
    egui::Grid::new("viewer-geometry").num_columns(2).striped(true).show(ui, |ui| {
        for (name, value) in geometry_rows(volume, value_range) {
            ui.label(name);
            ui.label(value);
            ui.end_row();
        }
    });
    for note in &volume.notes {
        ui.label(RichText::new(format!("Note: {note}")).color(egui::Color32::YELLOW));
    }
    ui.separator();
    let fields = &volume.metadata.fields;
    if fields.is_empty() {
        ui.label(RichText::new("The file has no header fields to show.").weak());
        return;
    }
    if fields.iter().any(|f| f.identifying) {
        ui.checkbox(reveal, REVEAL_LABEL)
            .on_hover_text("Names, IDs, dates, addresses, institutions. They are never saved or exported.");
    }
    egui::Grid::new("viewer-metadata").num_columns(3).striped(true).show(ui, |ui| {
        for field in fields {
            // NIfTI fields are their own tags; DICOM's (gggg,eeee) is worth showing.
            let tag = if field.tag == field.name { "" } else { field.tag.as_str() };
            ui.label(RichText::new(tag).monospace().weak());
            ui.label(&field.name);
            if field.identifying && !*reveal {
                ui.label(RichText::new("hidden").italics().weak());
            } else {
                ui.label(&field.value);
            }
            ui.end_row();
        }
    });
}

fn geometry_rows(volume: &Volume, (low, high): (f32, f32)) -> Vec<(&'static str, String)> {
    let [nx, ny, nz] = volume.dims;
    let [sx, sy, sz] = volume.spacing();
    let codes: String = volume.axis_codes().iter().collect();
    let colour = if volume.channels >= 3 { "RGB" } else { "grey" };
    let p = &volume.provenance;
    let mut rows = vec![
        ("Modality", volume.modality.clone()),
        ("Size", format!("{nx} × {ny} × {nz} voxels, {colour}")),
        ("Spacing", format!("{sx:.3} × {sy:.3} × {sz:.3} mm")),
        ("Orientation", codes),
        ("Values", format!("{low} to {high}")),
    ];
    if !p.format.is_empty() {
        rows.push(("Format", format!("{} ({})", p.format, p.encoding)));
        rows.push(("Files", p.files.to_string()));
    }
    rows
}
