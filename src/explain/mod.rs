//! What a trained encoder looks at and how it arranges images: GradCAM and GradCAM++ maps for a
//! chosen target, point-similarity maps (PRICon digest §6.1), 2D projections of embeddings (PCA,
//! t-SNE), and the colormaps that turn maps into pictures for the UI and for export.
//!
//! Maps are computed on the encoder's device and returned as tensors; colouring and overlay work
//! on plain bytes.
pub mod colormap;
mod colormap_tables;
pub mod gradcam;
pub mod of_run;
pub mod projection;
pub mod similarity;

pub use colormap::{overlay, Colormap};
pub use gradcam::{grad_cam, CamConfig, CamMethod, CamTarget, Cams, ClassLogit, ReferenceSimilarity};
pub use projection::{pca_2d, tsne_2d, Pca2d, TsneConfig};
pub use similarity::{Cell, DenseFeatures, SimilarityConfig, SimilarityMaps};

use tch::{Kind, Tensor};

/// Images as the encoder takes them, `[B, 3, H, W]` floats in [0, 1] (stored bytes are
/// converted), with their height and width; a clear error for anything else.
fn encoder_input(images: &Tensor) -> anyhow::Result<(Tensor, i64, i64)> {
    let size = images.size();
    anyhow::ensure!(
        size.len() == 4 && size[1] == 3 && size[0] > 0,
        "expected a batch of RGB images [B, 3, H, W] with B > 0, got shape {size:?}"
    );
    Ok((crate::data::to_float(images).to_kind(Kind::Float), size[2], size[3]))
}
