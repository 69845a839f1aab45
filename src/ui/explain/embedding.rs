//! The embedding view: held-out images' features laid out in 2D, coloured by label, before
//! training and after, side by side.
use crate::explain::of_run::Embeddings;
use crate::figures::series_colour;
use eframe::egui::{self, Color32};
use egui_plot::{Legend, Plot, Points};

pub fn show(ui: &mut egui::Ui, e: &Embeddings) {
    ui.columns(2, |cols| {
        for (col, (title, points)) in
            cols.iter_mut().zip([("before training", &e.before), ("after training", &e.after)])
        {
            col.label(title);
            Plot::new(format!("embedding {title}"))
                .height(360.0)
                .data_aspect(1.0)
                .legend(Legend::default())
                .show(col, |plot| {
                    for (class, name) in e.classes.iter().enumerate() {
                        let members: Vec<[f64; 2]> = points
                            .iter()
                            .zip(&e.labels)
                            .filter(|(_, label)| **label == class as i64)
                            .map(|(p, _)| [f64::from(p[0]), f64::from(p[1])])
                            .collect();
                        let [r, g, b] = series_colour(class);
                        plot.points(
                            Points::new(name.clone(), members).radius(2.0).color(Color32::from_rgb(r, g, b)),
                        );
                    }
                });
        }
    });
}
