//! Explanations of a run on disk, as the GUI's Explain tab asks for them: its encoder reloaded
//! from the last checkpoint, images from its data (or given), and the maps and projections of
//! the other modules computed on them. Each call reloads the run, so that the work can go to
//! any thread and the checkpoint on disk is never changed.
use super::gradcam::{grad_cam, CamConfig, CamTarget, ClassLogit, ReferenceSimilarity};
use super::projection::{pca_2d, tsne_2d, TsneConfig};
use super::similarity::{DenseFeatures, SimilarityConfig};
use crate::augment::AugRng;
use crate::data::{to_float, Dataset};
use crate::eval::{fit_linear_probe, LinearProbeConfig, StandaloneEncoder};
use crate::train::{load_run, RunConfig};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tch::{Device, Kind, Tensor};

/// Images to explain: `[N, 3, H, W]` floats in [0, 1] on the CPU, with their labels where known.
pub struct ExplainedImages {
    pub images: Tensor,
    pub labels: Vec<Option<i64>>,
    pub classes: Vec<String>,
}

impl ExplainedImages {
    /// The first `count` held-out images of the run's data: never trained on.
    pub fn heldout(run_dir: &Path, count: usize) -> anyhow::Result<Self> {
        let config = RunConfig::read(run_dir)?;
        let data = config.data.load(Device::Cpu)?;
        let count = (count as i64).min(data.heldout.len());
        anyhow::ensure!(count > 0, "the run's data has no held-out images");
        let labels = Vec::<i64>::try_from(data.heldout.labels.narrow(0, 0, count))?;
        Ok(Self {
            images: to_float(&data.heldout.images.narrow(0, 0, count)),
            labels: labels.into_iter().map(Some).collect(),
            classes: data.classes,
        })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// What a GradCAM map explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CamGoal {
    /// The embedding's similarity to another augmented view of the same image (the run's own
    /// view pipeline): what the encoder relies on to match views, for an SSL encoder.
    OtherView,
    /// The embedding's similarity to the embedding of image `k` of the set.
    Image(usize),
    /// A class's logit under a linear probe fitted on the run's labelled training images.
    Class(i64),
}

/// Per image a map in [0, 1] (`[N, H, W]`, CPU) and the target's score.
pub struct CamResult {
    pub maps: Tensor,
    pub scores: Vec<f64>,
}

/// GradCAM or GradCAM++ of `images` under the run's encoder for `goal`.
pub fn cams(
    run_dir: &Path,
    images: &Tensor,
    cfg: &CamConfig,
    goal: CamGoal,
    device: Device,
) -> anyhow::Result<CamResult> {
    let run = load_run(run_dir, device)?;
    let encoder = run.method.encoder();
    let images = images.to_device(device);
    let target: Box<dyn CamTarget> = match goal {
        CamGoal::OtherView => {
            let mut method = run.config.method.clone();
            let name = method.info().name;
            let views = method
                .views_mut()
                .ok_or_else(|| anyhow::anyhow!("{name} has no view pipeline to draw another view with"))?;
            let (_, second) = views.apply(&images, &mut AugRng::new(run.config.seed));
            Box::new(ReferenceSimilarity::of_images(encoder, &second)?)
        }
        CamGoal::Image(k) => {
            anyhow::ensure!(
                (k as i64) < images.size()[0],
                "image {k} is not among the {} shown",
                images.size()[0]
            );
            Box::new(ReferenceSimilarity::of_images(encoder, &images.narrow(0, k as i64, 1))?)
        }
        CamGoal::Class(class) => {
            let data = run.config.data.load(device)?;
            let head = probe_head(encoder, &data)?;
            Box::new(ClassLogit::new(&head.weight, Some(&head.bias), class)?)
        }
    };
    let cams = grad_cam(encoder, &images, target.as_ref(), cfg)?;
    Ok(CamResult {
        maps: cams.maps.to_device(Device::Cpu),
        scores: Vec::<f64>::try_from(cams.scores.to_kind(Kind::Double).to_device(Device::Cpu))?,
    })
}

/// The linear probe the class targets read: fitted on the run's labelled training images.
fn probe_head(encoder: &crate::nn::Encoder, data: &Dataset) -> anyhow::Result<crate::eval::LinearHead> {
    anyhow::ensure!(data.classes.len() >= 2, "the run's data has one class: there is nothing to classify");
    let features = encoder.embed(&data.train.images, 256);
    fit_linear_probe(&features, &data.train.labels, data.classes.len() as i64, &LinearProbeConfig::default())
}

/// Dense features of `images` at the chosen level, for point-similarity maps.
pub fn dense_features(
    run_dir: &Path,
    images: &Tensor,
    cfg: &SimilarityConfig,
    device: Device,
) -> anyhow::Result<DenseFeatures> {
    let run = load_run(run_dir, device)?;
    DenseFeatures::encode(run.method.encoder(), &images.to_device(device), cfg)
}

/// How the embedding view lays points out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Projection {
    Pca,
    Tsne,
}

/// 2D layouts of held-out images' pooled features, before training (the same architecture at
/// its initial weights) and after, with the images' labels.
pub struct Embeddings {
    pub before: Vec<[f32; 2]>,
    pub after: Vec<[f32; 2]>,
    pub labels: Vec<i64>,
    pub classes: Vec<String>,
}

pub fn embeddings(
    run_dir: &Path,
    count: usize,
    projection: Projection,
    device: Device,
) -> anyhow::Result<Embeddings> {
    let run = load_run(run_dir, device)?;
    let data = run.config.data.load(device)?;
    let count = (count as i64).min(data.heldout.len());
    anyhow::ensure!(count >= 2, "the embedding view needs at least two held-out images");
    let images = data.heldout.images.narrow(0, 0, count);
    let random = StandaloneEncoder::random(&run.config.encoder, run.config.seed, device);
    let layout = |features: Tensor| -> anyhow::Result<Vec<[f32; 2]>> {
        match projection {
            Projection::Pca => Ok(pca_2d(&features)?.points),
            Projection::Tsne => tsne_2d(&features, &TsneConfig::default()),
        }
    };
    Ok(Embeddings {
        before: layout(random.encoder.embed(&images, 256))?,
        after: layout(run.method.encoder().embed(&images, 256))?,
        labels: Vec::<i64>::try_from(data.heldout.labels.narrow(0, 0, count).to_device(Device::Cpu))?,
        classes: data.classes,
    })
}
