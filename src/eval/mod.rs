//! Evaluation of learned representations: the kNN monitor, and the protocols that compare a
//! run's encoder with its untrained self on a budget of labels (`evaluate`).
pub mod budget;
pub mod config;
pub mod evaluate;
pub mod finetune;
pub mod knn;
pub mod metrics;
pub mod probe;
pub mod report;
pub mod segmentation;
pub mod standalone;
mod standardize;

pub use budget::LabelBudget;
pub use config::{EvalConfig, Protocol};
pub use evaluate::evaluate;
pub use finetune::{finetune, FinetuneConfig};
pub use knn::{knn_accuracy, knn_scores, KnnConfig};
pub use metrics::{roc_auc, ClassificationMetrics, Overlap, SegmentationMetrics};
pub use probe::{fit_linear_probe, linear_probe, LinearHead, LinearProbeConfig};
pub use report::{EncoderInit, EvalEntry, EvalReport, Outcome, SummaryRow};
pub use segmentation::{segmentation_probe, SegmentationProbeConfig};
pub use standalone::StandaloneEncoder;
