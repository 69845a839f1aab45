//! GradCAM (Selvaraju et al. 2017) and GradCAM++ (Chattopadhay et al. 2018) at any level of an
//! encoder, for a scalar target per image that the caller chooses: a class logit when there is a
//! head, or the similarity to a reference embedding for an encoder trained without labels.
use super::encoder_input;
use crate::nn::resnet::FeatureLevel;
use crate::nn::{Encoder, Features};
use serde::{Deserialize, Serialize};
use tch::{nn, Kind, Tensor};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CamMethod {
    /// Channel weights are the spatial mean of the target's gradient.
    #[default]
    GradCam,
    /// Channel weights sum the positive gradients, each weighted by the closed-form second- and
    /// third-order terms of exp(score); better when several objects carry the evidence.
    GradCamPlusPlus,
}

impl CamMethod {
    pub const ALL: [CamMethod; 2] = [CamMethod::GradCam, CamMethod::GradCamPlusPlus];

    pub fn display_name(self) -> &'static str {
        match self {
            CamMethod::GradCam => "Grad-CAM",
            CamMethod::GradCamPlusPlus => "Grad-CAM++",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CamConfig {
    pub method: CamMethod,
    /// `layer4` gives the coarsest, most semantic map; `layer3` doubles its resolution.
    pub level: FeatureLevel,
}

/// The scalar whose evidence GradCAM locates: one differentiable value per image, `[B]`,
/// computed from the encoder's final features.
pub trait CamTarget {
    fn score(&self, features: &Features) -> anyhow::Result<Tensor>;
}

impl<F: Fn(&Features) -> anyhow::Result<Tensor>> CamTarget for F {
    fn score(&self, features: &Features) -> anyhow::Result<Tensor> {
        self(features)
    }
}

/// The logit of one class of a linear head on the pooled features.
pub struct ClassLogit {
    weight: Tensor,
    bias: Tensor,
}

impl ClassLogit {
    /// `weight` is `[classes, channels]` and `bias` `[classes]`, as in `nn::Linear`.
    pub fn new(weight: &Tensor, bias: Option<&Tensor>, class: i64) -> anyhow::Result<Self> {
        let size = weight.size();
        anyhow::ensure!(size.len() == 2, "a linear head's weight is [classes, channels], got {size:?}");
        anyhow::ensure!(
            (0..size[0]).contains(&class),
            "class {class} is out of range: the head has {} classes",
            size[0]
        );
        let bias = match bias {
            Some(b) => {
                anyhow::ensure!(
                    b.size() == [size[0]],
                    "the head's bias is {:?}, expected [{}]",
                    b.size(),
                    size[0]
                );
                b.get(class).detach()
            }
            None => Tensor::zeros([], (Kind::Float, weight.device())),
        };
        Ok(Self { weight: weight.get(class).detach().to_kind(Kind::Float), bias: bias.to_kind(Kind::Float) })
    }

    pub fn of_linear(head: &nn::Linear, class: i64) -> anyhow::Result<Self> {
        Self::new(&head.ws, head.bs.as_ref(), class)
    }
}

impl CamTarget for ClassLogit {
    fn score(&self, features: &Features) -> anyhow::Result<Tensor> {
        let channels = features.pooled.size()[1];
        anyhow::ensure!(
            channels == self.weight.size()[0],
            "the head takes {} channels but the encoder gives {channels}",
            self.weight.size()[0]
        );
        Ok(features.pooled.matmul(&self.weight) + &self.bias)
    }
}

/// Cosine similarity of each image's pooled embedding to a reference embedding (another view
/// of the image, or another image): the target for an encoder trained without labels.
pub struct ReferenceSimilarity {
    /// `[channels]` for one reference shared by every image, or `[B, channels]`, one each.
    reference: Tensor,
}

impl ReferenceSimilarity {
    pub fn new(reference: &Tensor) -> anyhow::Result<Self> {
        let dims = reference.dim();
        anyhow::ensure!(
            dims == 1 || dims == 2,
            "a reference embedding is [channels] or [B, channels], got {:?}",
            reference.size()
        );
        Ok(Self { reference: reference.detach().to_kind(Kind::Float) })
    }

    /// The references are the pooled embeddings of `images` (one each, or one for all).
    pub fn of_images(encoder: &Encoder, images: &Tensor) -> anyhow::Result<Self> {
        let (images, _, _) = encoder_input(images)?;
        Self::new(&tch::no_grad(|| encoder.features(&images, false).pooled))
    }
}

impl CamTarget for ReferenceSimilarity {
    fn score(&self, features: &Features) -> anyhow::Result<Tensor> {
        let reference = if self.reference.dim() == 1 {
            self.reference.unsqueeze(0)
        } else {
            self.reference.shallow_clone()
        };
        let (batch, channels) = features.pooled.size2()?;
        let (rows, ref_channels) = reference.size2()?;
        anyhow::ensure!(
            ref_channels == channels && (rows == 1 || rows == batch),
            "the reference embeddings are {:?} but the images give {batch} embeddings of {channels}",
            self.reference.size()
        );
        Ok(Tensor::cosine_similarity(&features.pooled, &reference, 1, 1e-8))
    }
}

/// Per image, a map in [0, 1] at input size, `[B, H, W]`, and the target's score, `[B]`.
pub struct Cams {
    pub maps: Tensor,
    pub scores: Tensor,
}

/// Class-activation maps of `images` (`[B, 3, H, W]` in [0, 1]) for `target`, with batch norm
/// frozen (eval mode). Gradients are taken with respect to the chosen level's activation only,
/// so the weights' gradients are left as they were.
pub fn grad_cam(
    encoder: &Encoder,
    images: &Tensor,
    target: &dyn CamTarget,
    cfg: &CamConfig,
) -> anyhow::Result<Cams> {
    let (images, height, width) = encoder_input(images)?;
    // With the input as a leaf that needs a gradient, the graph reaches the activation even
    // when the encoder's weights are frozen; the caller may also be inside `no_grad`.
    let images = images.detach().set_requires_grad(true);
    let (scores, cam) = tch::with_grad(|| -> anyhow::Result<_> {
        let (activation, features) = encoder.features_with_level(&images, cfg.level, false);
        let scores = target.score(&features)?;
        anyhow::ensure!(
            scores.size() == [images.size()[0]],
            "a GradCAM target gives one score per image, got shape {:?} for {} images",
            scores.size(),
            images.size()[0]
        );
        let grads = Tensor::f_run_backward(&[scores.sum(Kind::Float)], &[&activation], false, false)?;
        let activation = activation.detach();
        let weights = match cfg.method {
            CamMethod::GradCam => grads[0].mean_dim([2i64, 3].as_slice(), true, Kind::Float),
            CamMethod::GradCamPlusPlus => plus_plus_weights(&grads[0], &activation),
        };
        let cam = (weights * &activation).sum_dim_intlist(1, true, Kind::Float).relu();
        Ok((scores.detach(), cam))
    })?;
    let upsampled = cam.upsample_bilinear2d([height, width], false, None, None);
    Ok(Cams { maps: min_max_per_image(&upsampled).squeeze_dim(1), scores })
}

/// GradCAM++'s channel weights in the closed form for exp(score) that pytorch-grad-cam uses:
/// the exponential's factors cancel, leaving powers of the raw score's gradient.
fn plus_plus_weights(grads: &Tensor, activation: &Tensor) -> Tensor {
    let g2 = grads.square();
    let g3 = &g2 * grads;
    let activation_sums = activation.sum_dim_intlist([2i64, 3].as_slice(), true, Kind::Float);
    // Where the gradient is zero the numerator is too, so no mask is needed.
    let alpha = &g2 / (&g2 * 2.0 + activation_sums * g3 + 1e-6);
    (grads.relu() * alpha).sum_dim_intlist([2i64, 3].as_slice(), true, Kind::Float)
}

/// Stretches each `[1, H, W]` map to [0, 1]. A flat map (all zero after ReLU, or constant up to
/// rounding in the upsampling) has no peak to show and becomes all zero, not NaN.
fn min_max_per_image(maps: &Tensor) -> Tensor {
    let dims = [1i64, 2, 3];
    let low = maps.amin(dims.as_slice(), true);
    let high = maps.amax(dims.as_slice(), true);
    let spread = &high - &low;
    let flat = spread.le_tensor(&(high.abs() * 1e-5)).logical_or(&spread.le(f64::from(f32::MIN_POSITIVE)));
    ((maps - low) / spread.clamp_min(f64::from(f32::MIN_POSITIVE))).masked_fill(&flat, 0.0)
}
