//! MedSSL Workbench: self-supervised learning on medical images.
//!
//! The library holds all the work; the GUI (`ui`) and the headless CLI (`cli`) are two faces of it.
//! Data flows `data -> augment -> methods (nn) -> train`, and `eval` reads what training made.

pub mod augment;
pub mod cli;
pub mod data;
pub mod device;
pub mod eval;
pub mod explain;
pub mod figures;
pub mod io;
pub mod methods;
pub mod nn;
pub mod range;
pub mod train;
pub mod ui;
