//! Point-similarity maps (PRICon digest §6.1, after Bai et al. 2022): the cosine similarity of
//! one cell's feature vector, the anchor, to every cell of the same image and of other images,
//! upsampled to the image size.
//!
//! Work is split so that the UI can follow the mouse: [`DenseFeatures::encode`] runs the
//! encoder once; [`DenseFeatures::similarity`] is one matrix-vector product and an upsampling.
use super::encoder_input;
use crate::nn::resnet::FeatureLevel;
use crate::nn::Encoder;
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimilarityConfig {
    pub level: FeatureLevel,
    /// Factor by which images are enlarged (bilinear) before encoding, for a finer map. The
    /// thesis feeds 256 px PanNuke patches at 896 px (3.5) to get 28×28 cells instead of 8×8.
    pub upscale: f64,
}

impl Default for SimilarityConfig {
    fn default() -> Self {
        Self { level: FeatureLevel::Layer4, upscale: 1.0 }
    }
}

/// A cell of the feature grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub row: i64,
    pub col: i64,
}

/// Unit-length feature vectors of every cell of a set of images.
pub struct DenseFeatures {
    /// `[N, h, w, C]`, channels last so that one anchor against all cells is a single matmul.
    unit: Tensor,
    /// Height and width of the original images, in pixels.
    image_size: (i64, i64),
    range: (f64, f64),
}

/// Similarity of every cell of every image to the anchor.
pub struct SimilarityMaps {
    /// At feature resolution, `[N, h, w]`; the anchor's own cell is 1 unless its feature is zero.
    pub grid: Tensor,
    /// Upsampled (bilinear) to the image size, `[N, H, W]`.
    pub maps: Tensor,
    pub anchor: Cell,
    /// The anchor cell's centre in image pixels (x, y): where the star is drawn.
    pub anchor_centre: (f64, f64),
    /// The fixed colour range, so that maps of different encoders compare.
    pub range: (f64, f64),
}

impl DenseFeatures {
    /// Encodes `images` (`[N, 3, H, W]` in [0, 1]) at `cfg.level` in eval mode.
    pub fn encode(encoder: &Encoder, images: &Tensor, cfg: &SimilarityConfig) -> anyhow::Result<Self> {
        anyhow::ensure!(
            cfg.upscale.is_finite() && cfg.upscale > 0.0,
            "the upscale factor must be positive, got {}",
            cfg.upscale
        );
        let (images, height, width) = encoder_input(images)?;
        let scaled = |n: i64| ((n as f64 * cfg.upscale).round() as i64).max(1);
        let maps = tch::no_grad(|| {
            let input = if cfg.upscale == 1.0 {
                images
            } else {
                images.upsample_bilinear2d([scaled(height), scaled(width)], false, None, None)
            };
            encoder.level_map(&input, cfg.level, false)
        });
        Self::from_maps(&maps, (height, width))
    }

    /// From dense features computed elsewhere (e.g. a projector applied per cell), `[N, C, h, w]`,
    /// of images of `image_size` (height, width). The range is [0, 1] when every feature is
    /// non-negative, as after the ReLU that ends each ResNet level, and [-1, 1] otherwise.
    pub fn from_maps(maps: &Tensor, image_size: (i64, i64)) -> anyhow::Result<Self> {
        let size = maps.size();
        anyhow::ensure!(
            size.len() == 4 && size.iter().all(|&s| s > 0),
            "dense features are [N, C, h, w] with no empty dimension, got {size:?}"
        );
        anyhow::ensure!(image_size.0 > 0 && image_size.1 > 0, "images must have pixels, got {image_size:?}");
        let maps = maps.detach().to_kind(Kind::Float);
        let nonnegative = maps.min().double_value(&[]) >= 0.0;
        let channels_last = maps.permute([0, 2, 3, 1]);
        let norms = channels_last.norm_scalaropt_dim(2.0, [-1i64].as_slice(), true).clamp_min(1e-12);
        Ok(Self {
            unit: (channels_last / norms).contiguous(),
            image_size,
            range: if nonnegative { (0.0, 1.0) } else { (-1.0, 1.0) },
        })
    }

    pub fn image_count(&self) -> usize {
        self.unit.size()[0] as usize
    }

    /// Cells per column and per row, (h, w).
    pub fn grid_size(&self) -> (i64, i64) {
        let size = self.unit.size();
        (size[1], size[2])
    }

    pub fn range(&self) -> (f64, f64) {
        self.range
    }

    /// The cell under pixel (x, y) of an original image: `floor(x·w/W)`, as the digest maps a
    /// click on the display to a cell.
    pub fn cell_at(&self, (x, y): (f64, f64)) -> anyhow::Result<Cell> {
        let (height, width) = self.image_size;
        anyhow::ensure!(
            (0.0..width as f64).contains(&x) && (0.0..height as f64).contains(&y),
            "the anchor ({x}, {y}) lies outside the {width}x{height} image"
        );
        let (rows, cols) = self.grid_size();
        let cell =
            |p: f64, cells: i64, pixels: i64| ((p * cells as f64 / pixels as f64) as i64).min(cells - 1);
        Ok(Cell { row: cell(y, rows, height), col: cell(x, cols, width) })
    }

    /// Similarity maps of every image to the anchor at pixel (x, y) of image `image`.
    pub fn similarity(&self, image: usize, point: (f64, f64)) -> anyhow::Result<SimilarityMaps> {
        let count = self.image_count();
        anyhow::ensure!(image < count, "image {image} is out of range: there are {count}");
        let anchor = self.cell_at(point)?;
        let anchor_vector = self.unit.get(image as i64).get(anchor.row).get(anchor.col);
        let grid = tch::no_grad(|| self.unit.matmul(&anchor_vector).clamp(self.range.0, self.range.1));
        let (height, width) = self.image_size;
        let maps = grid.unsqueeze(1).upsample_bilinear2d([height, width], false, None, None).squeeze_dim(1);
        let (rows, cols) = self.grid_size();
        let anchor_centre = (
            (anchor.col as f64 + 0.5) * width as f64 / cols as f64,
            (anchor.row as f64 + 0.5) * height as f64 / rows as f64,
        );
        Ok(SimilarityMaps { grid, maps, anchor, anchor_centre, range: self.range })
    }
}
