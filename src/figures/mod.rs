//! Figures and tables exported for reports: line charts (`curves`), images with a colour bar
//! and markers (`map`) and tables (`table`), as PNG or SVG drawn with plotters, tables also as
//! CSV. Every text passes a [`PhiGuard`] before anything is written, and files are written
//! atomically, so a failed export leaves no partial file where the figure should be.
pub mod curves;
mod export;
mod font;
pub mod map;
pub mod privacy;
pub mod table;

pub use curves::{series_colour, CurveFigure, Series};
pub use export::Format;
pub use map::{ColourBar, MapFigure, Marker, MarkerShape};
pub use privacy::PhiGuard;
pub use table::Table;
