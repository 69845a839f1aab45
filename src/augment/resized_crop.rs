use super::{uniform, Augment};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// A crop of random area fraction and aspect ratio, resized back to the input size with
/// bilinear sampling (torchvision's RandomResizedCrop). All crops of a batch are taken by one
/// `grid_sample` call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandomResizedCrop {
    /// Range of the crop's area as a fraction of the image.
    pub scale: (f64, f64),
    /// Range of the crop's width / height.
    pub ratio: (f64, f64),
}

impl Default for RandomResizedCrop {
    fn default() -> Self {
        Self { scale: (0.08, 1.0), ratio: (3.0 / 4.0, 4.0 / 3.0) }
    }
}

impl Augment for RandomResizedCrop {
    fn apply(&self, images: &Tensor) -> Tensor {
        let b = images.size()[0];
        let area = uniform(b, self.scale.0, self.scale.1, images);
        // Log-uniform aspect ratio, as torchvision. Where torchvision re-draws a crop that does
        // not fit, we clamp its sides to the image instead, keeping one draw per sample.
        let log_ratio = uniform(b, self.ratio.0.ln(), self.ratio.1.ln(), images).exp();
        let w = (&area * &log_ratio).sqrt().clamp_max(1.0);
        let h = (&area / &log_ratio).sqrt().clamp_max(1.0);
        // Centres in normalised coordinates [-1, 1], keeping the crop inside the image.
        let cx = (Tensor::rand([b], (Kind::Float, images.device())) * 2.0 - 1.0) * (1.0 - &w);
        let cy = (Tensor::rand([b], (Kind::Float, images.device())) * 2.0 - 1.0) * (1.0 - &h);
        let zeros = Tensor::zeros([b], (Kind::Float, images.device()));
        let theta = Tensor::stack(&[&w, &zeros, &cx, &zeros, &h, &cy], 1).view([b, 2, 3]);
        let grid = Tensor::affine_grid_generator(&theta, images.size(), false);
        // Modes: 0 = bilinear interpolation, 1 = border padding (never reached: crops lie inside).
        images.grid_sampler(&grid, 0, 1, false)
    }
}
