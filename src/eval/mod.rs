//! Evaluation of learned representations.
pub mod knn;

pub use knn::{knn_accuracy, KnnConfig};
