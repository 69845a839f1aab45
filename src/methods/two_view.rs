//! What every two-view method shares: two augmented views of each image, an encoder and a
//! projector, and the rows the dashboard shows. The methods differ in their loss and in the
//! networks they add (a predictor, a momentum copy).
use super::{Embeddings, PreviewRow, StepOutput, LAYER_WIDTH};
use crate::augment::{AugRng, ViewPair};
use crate::nn::{Encoder, EncoderConfig, Mlp, Norm};
use crate::range::Range;
use serde::{Deserialize, Serialize};
use tch::nn::{self, ModuleT};
use tch::Tensor;

/// The projector's shape: `depth` linear layers, `hidden` wide (the encoder's width when
/// unset), ending in `out`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProjectorConfig {
    pub hidden: Option<i64>,
    pub out: i64,
    pub depth: usize,
}

impl Default for ProjectorConfig {
    fn default() -> Self {
        Self { hidden: None, out: 128, depth: 2 }
    }
}

impl ProjectorConfig {
    pub const DEPTH: Range<usize> = Range::at_least(1);

    /// `path` names the projector in errors ("method.byol.projector").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        if let Some(hidden) = self.hidden {
            LAYER_WIDTH.check(&format!("{path}.hidden"), hidden)?;
        }
        LAYER_WIDTH.check(&format!("{path}.out"), self.out)?;
        Self::DEPTH.check(&format!("{path}.depth"), self.depth)
    }

    /// The widths from the encoder's output `input` to `out`.
    pub fn dims(&self, input: i64) -> Vec<i64> {
        let hidden = self.hidden.unwrap_or(input);
        let mut dims = vec![input];
        dims.extend(std::iter::repeat_n(hidden, self.depth.max(1) - 1));
        dims.push(self.out);
        dims
    }
}

/// An encoder and a projector under one path, as two-view methods build them (and their
/// momentum copies, which must have the same names).
pub struct Backbone {
    pub encoder: Encoder,
    pub projector: Mlp,
}

impl Backbone {
    pub fn new(p: &nn::Path, encoder: &EncoderConfig, projector: &ProjectorConfig, norm: Norm) -> Self {
        let encoder = Encoder::new(&(p / "encoder"), encoder);
        let projector = Mlp::normalised(&(p / "projector"), &projector.dims(encoder.out_channels()), norm);
        Self { encoder, projector }
    }

    /// Projections of `images` (training mode: batch statistics).
    pub fn project(&self, images: &Tensor) -> Tensor {
        self.projector.forward_t(&self.encoder.features(images, true).pooled, true)
    }
}

/// The views of a batch.
pub struct Views {
    pub first: Tensor,
    pub second: Tensor,
}

impl Views {
    /// Draws both views of `images`. `shuffle_positives` is a negative control for teaching
    /// and tests: each first view is paired with a second view of another image, so the
    /// "positives" share no content and nothing useful can be learned.
    pub fn draw(views: &ViewPair, images: &Tensor, rng: &mut AugRng, shuffle_positives: bool) -> Self {
        let (first, mut second) = views.apply(images, rng);
        if shuffle_positives {
            second = second.index_select(0, &rng.permutation(images.size()[0], images.device()));
        }
        Self { first, second }
    }

    /// Both views in one batch, first views first, for one pass through the networks.
    pub fn both(&self) -> Tensor {
        Tensor::cat(&[&self.first, &self.second], 0)
    }

    /// A step's output: `loss` with its named parts, what the model was fed, and the views'
    /// embeddings `[N, D]` for the dashboard's diagnostics.
    pub fn output(
        &self,
        images: &Tensor,
        (loss, metrics): (Tensor, Vec<(String, f64)>),
        first: &Tensor,
        second: &Tensor,
    ) -> StepOutput {
        let fed = vec![
            PreviewRow::new("input", images),
            PreviewRow::new("view 1", &self.first),
            PreviewRow::new("view 2", &self.second),
        ];
        StepOutput { loss, metrics, fed, embeddings: Some(Embeddings::new(first, second)) }
    }
}

/// Splits `[2N, D]` rows (first views first) into the two views' `[N, D]` halves.
pub fn halves(z: &Tensor) -> (Tensor, Tensor) {
    let n = z.size()[0] / 2;
    (z.narrow(0, 0, n), z.narrow(0, n, n))
}

/// How the two views go through the networks: together, so batch norm sees both (SimCLR),
/// or one view at a time, as Barlow Twins and VICReg do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Joint,
    PerView,
}

/// A two-view method with one network for both views and a loss on their projections:
/// SimCLR, DCL, the thesis's losses, Barlow Twins, VICReg.
pub struct Siamese {
    rng: AugRng,
    pub net: Backbone,
    pass: Pass,
}

impl Siamese {
    pub fn new(
        p: &nn::Path,
        ctx: &super::BuildContext,
        projector: &ProjectorConfig,
        norm: Norm,
        pass: Pass,
    ) -> Self {
        Self { rng: AugRng::new(ctx.seed), net: Backbone::new(p, ctx.encoder, projector, norm), pass }
    }

    /// One step: the views of `images`, their projections `[2N, D]` (first views first) and
    /// `loss` of them, which returns the loss and any named parts of it to plot.
    pub fn step(
        &mut self,
        images: &Tensor,
        views: &ViewPair,
        shuffle_positives: bool,
        loss: impl FnOnce(&Tensor) -> anyhow::Result<(Tensor, Vec<(String, f64)>)>,
    ) -> anyhow::Result<StepOutput> {
        let drawn = Views::draw(views, images, &mut self.rng, shuffle_positives);
        let z = match self.pass {
            Pass::Joint => self.net.project(&drawn.both()),
            Pass::PerView => {
                Tensor::cat(&[self.net.project(&drawn.first), self.net.project(&drawn.second)], 0)
            }
        };
        let (first, second) = halves(&z);
        Ok(drawn.output(images, loss(&z)?, &first, &second))
    }
}
