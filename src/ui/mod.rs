//! The desktop app. It holds no training logic: it edits a `RunConfig`, sends commands to a
//! `train::Run` and draws the events that come back; its viewer shows loaded images.
mod app;
mod dashboard;
pub mod diagnostics;
pub mod explain;
mod job;
mod params;
pub mod runs;
mod runs_figures;
mod session;
mod settings;
pub mod studio;
pub mod viewer;

pub use app::{default_runs_root, Tab, WorkbenchApp};
pub use explain::ExplainPanel;
pub use runs::RunsPanel;
pub use session::{Session, Status};
pub use settings::Settings;
pub use studio::StudioPanel;
pub use viewer::ViewerPanel;

/// Opens the main window on `app` and blocks until it is closed.
pub fn run_native(app: WorkbenchApp) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("MedSSL Workbench")
            .with_inner_size([1280.0, 820.0])
            .with_icon(
                eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png"))
                    .expect("the shipped icon is a valid PNG"),
            ),
        ..Default::default()
    };
    eframe::run_native("MedSSL Workbench", options, Box::new(|_| Ok(Box::new(app))))
        .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
