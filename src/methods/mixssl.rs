//! MixSSL (Zhang, Yin et al.; digest specs/000_mixup_ssl.md): blend each target image with an
//! auxiliary natural image, x_mix = (1 − λ)·x_t + λ·x_a, then from the shared encoder
//! reconstruct x_t (MSE) and regress λ (L1): L = w_rec·L_rec + γ·L_trans.
use super::{BuildContext, Method, MethodInfo, PreviewRow, StepOutput, LAYER_WIDTH};
use crate::augment::mixup::{self, Mixup};
use crate::augment::{
    AugRng, Augment, AugmentOp, ColorJitter, Ctx, HorizontalFlip, Param, Pipeline, RandomResizedCrop,
};
use crate::data::{load_builtin, to_float, DataSource};
use crate::nn::{Decoder, DecoderConfig, Encoder, Mlp};
use crate::range::Range;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use tch::nn::{self, Module, ModuleT};
use tch::{Kind, Reduction, Tensor};

pub static INFO: MethodInfo = MethodInfo {
    id: "mixssl",
    name: "MixSSL",
    family: "generative (mix-up reconstruction)",
    source: "000_8315676c9989accb.txt, digest specs/000_mixup_ssl.md",
    summary: "Mix each scan with a natural image; reconstruct the scan and predict the mixing ratio.",
    needs_labels: false,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MixsslConfig {
    /// γ, the weight of the transparency loss (1 in the paper).
    pub gamma: f64,
    /// Weight of the reconstruction loss (1 in the paper).
    pub rec_weight: f64,
    pub mixup: Mixup,
    pub decoder: DecoderConfig,
    /// Hidden width of the λ regressor (C → 128 → 1 in the paper).
    pub head_hidden: i64,
    /// Augmentations of target and auxiliary images, drawn independently before mixing.
    pub augment: Pipeline,
    /// The auxiliary domain (ImageNette in the paper; the built-in natural-image generator here).
    pub auxiliary: String,
    pub auxiliary_count: usize,
}

impl MixsslConfig {
    /// The settings the method picker shows as controls.
    pub fn params(&mut self) -> Vec<Param<'_>> {
        vec![
            Param::Number {
                name: "transparency weight γ",
                value: &mut self.gamma,
                range: Self::LOSS_WEIGHT.control_pair(),
            },
            Param::Number {
                name: "reconstruction weight",
                value: &mut self.rec_weight,
                range: Self::LOSS_WEIGHT.control_pair(),
            },
            Param::Integer {
                name: "λ head width",
                value: &mut self.head_hidden,
                range: Self::HEAD_HIDDEN.control_pair(),
            },
        ]
    }

    /// γ and the reconstruction weight; 0 switches a loss off.
    pub const LOSS_WEIGHT: Range<f64> = Range::at_least(0.0).control(0.0, 10.0);
    pub const HEAD_HIDDEN: Range<i64> = Range::at_least(1).control(1, 4096);
    pub const AUXILIARY_COUNT: Range<usize> = Range::at_least(1);

    /// Every setting against its declared range; `path` is the config's place ("method.mixssl").
    pub fn validate(&self, path: &str) -> anyhow::Result<()> {
        Self::LOSS_WEIGHT.check(&format!("{path}.gamma"), self.gamma)?;
        Self::LOSS_WEIGHT.check(&format!("{path}.rec_weight"), self.rec_weight)?;
        Self::HEAD_HIDDEN.check(&format!("{path}.head_hidden"), self.head_hidden)?;
        LAYER_WIDTH.check(&format!("{path}.decoder.channels"), self.decoder.channels)?;
        Self::AUXILIARY_COUNT.check(&format!("{path}.auxiliary_count"), self.auxiliary_count)?;
        if let Some(problem) = self.mixup.clone().params().iter().find_map(Param::problem) {
            anyhow::bail!("{path}.mixup: {problem}");
        }
        DataSource::parse(&self.auxiliary).map(drop).with_context(|| format!("in {path}.auxiliary"))
    }
}

impl Default for MixsslConfig {
    fn default() -> Self {
        Self {
            gamma: 1.0,
            rec_weight: 1.0,
            mixup: Mixup::default(),
            decoder: DecoderConfig::default(),
            head_hidden: 128,
            augment: Pipeline::new([
                AugmentOp::RandomResizedCrop(RandomResizedCrop { scale: (0.2, 1.0), ..Default::default() }),
                AugmentOp::HorizontalFlip(HorizontalFlip::default()),
                AugmentOp::ColorJitter(ColorJitter::with_strength(0.5)),
            ]),
            auxiliary: "builtin:natural".into(),
            auxiliary_count: 2000,
        }
    }
}

pub struct MixSsl {
    cfg: MixsslConfig,
    rng: AugRng,
    encoder: Encoder,
    decoder: Decoder,
    head: Mlp,
    auxiliary: Tensor,
}

/// One mixed batch and what the model made of it.
struct Forward {
    target: Tensor,
    auxiliary: Tensor,
    mixed: Tensor,
    lambda: Tensor,
    reconstruction: Tensor,
    lambda_pred: Tensor,
}

/// The two pretext losses, mean-reduced: MSE against the target scaled to the Tanh's [-1, 1],
/// and the L1 error of the predicted λ.
pub fn losses(
    reconstruction: &Tensor,
    target: &Tensor,
    lambda_pred: &Tensor,
    lambda: &Tensor,
) -> (Tensor, Tensor) {
    let rec = reconstruction.mse_loss(&(target * 2.0 - 1.0), Reduction::Mean);
    let trans = lambda_pred.l1_loss(lambda, Reduction::Mean);
    (rec, trans)
}

impl MixSsl {
    pub fn new(p: &nn::Path, ctx: &BuildContext, cfg: MixsslConfig) -> anyhow::Result<Self> {
        let DataSource::Builtin(kind) = DataSource::parse(&cfg.auxiliary)? else {
            anyhow::bail!("MixSSL's auxiliary domain must be a built-in set (builtin:natural), not files");
        };
        let count = cfg.auxiliary_count.max(1);
        // Its own seed stream, so the auxiliary images never repeat the target's draws.
        let seed = ctx.seed ^ 0xA0C5;
        let auxiliary = load_builtin(kind, count, ctx.image_size, seed, p.device(), ctx.progress)?.images;
        let encoder = Encoder::new(&(p / "encoder"), ctx.encoder);
        let c = encoder.out_channels();
        let decoder = Decoder::new(&(p / "decoder"), c, encoder.backbone.stride(), &cfg.decoder);
        let head = Mlp::new(&(p / "lambda_head"), &[c, cfg.head_hidden, 1]);
        Ok(Self { cfg, rng: AugRng::new(ctx.seed), encoder, decoder, head, auxiliary })
    }

    /// Auxiliary images drawn uniformly with replacement, independently of the targets, and
    /// augmented by the same pipeline.
    fn draw_auxiliary(&self, like: &Tensor, rng: &mut AugRng) -> Tensor {
        let drawn = mixup::draw_auxiliary(&self.auxiliary, like, rng);
        self.cfg.augment.apply(&drawn, &mut Ctx::new(rng))
    }

    fn forward(&self, target: Tensor, lambda: Tensor, rng: &mut AugRng, train: bool) -> Forward {
        let auxiliary = self.draw_auxiliary(&target, rng);
        let mixed = mixup::mix(&target, &auxiliary, &lambda);
        let f = self.encoder.features(&mixed, train);
        let reconstruction = self.decoder.forward(&f.map);
        let lambda_pred = self.head.forward_t(&f.pooled, train).squeeze_dim(1);
        Forward { target, auxiliary, mixed, lambda, reconstruction, lambda_pred }
    }
}

/// Held-out images per forward pass in `evaluate`.
const EVAL_CHUNK: i64 = 128;
/// Seeds the held-out evaluation's λ and auxiliary draws.
const EVAL_SEED: u64 = 0xE7A1;

fn scalar(t: &Tensor) -> f64 {
    t.double_value(&[])
}

/// "0.12 0.55 0.87": one value per previewed image, in order.
fn listed(values: &Tensor) -> String {
    let v: Vec<f64> =
        Vec::try_from(values.to_kind(Kind::Double).to_device(tch::Device::Cpu)).unwrap_or_default();
    v.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(" ")
}

/// Rows of thumbnails: how many images each shows.
const SHOWN: i64 = 6;

impl Method for MixSsl {
    fn step(&mut self, images: &Tensor) -> anyhow::Result<StepOutput> {
        let mut rng = self.rng.fork();
        let lambda = self.cfg.mixup.sample_lambda(images.size()[0], &mut rng, images.device());
        let target = self.cfg.augment.apply(images, &mut Ctx::new(&mut rng));
        let f = self.forward(target, lambda, &mut rng, true);
        let (rec, trans) = losses(&f.reconstruction, &f.target, &f.lambda_pred, &f.lambda);
        let loss = &rec * self.cfg.rec_weight + &trans * self.cfg.gamma;
        let metrics = vec![
            ("L_rec".into(), scalar(&rec)),
            ("L_trans".into(), scalar(&trans)),
            ("lambda".into(), scalar(&f.lambda.mean(Kind::Float))),
            ("lambda_pred".into(), scalar(&f.lambda_pred.mean(Kind::Float))),
        ];
        let shown = |t: &Tensor| t.narrow(0, 0, t.size()[0].min(SHOWN));
        let fed = vec![
            PreviewRow::new("target x_t", &f.target),
            PreviewRow::new("auxiliary x_a", &f.auxiliary),
            PreviewRow::new(format!("mixed, λ: {}", listed(&shown(&f.lambda))), &f.mixed),
            PreviewRow::new(
                format!("reconstruction, λ': {}", listed(&shown(&f.lambda_pred.detach()))),
                &((&f.reconstruction + 1.0) / 2.0),
            ),
        ];
        Ok(StepOutput { loss, metrics, fed, embeddings: None })
    }

    /// On held-out images, un-augmented, with λ drawn per sample so one pass covers its range:
    /// the pretext errors beside the two reference baselines the digest asks for (copying the
    /// mixed input; guessing λ = 0.5, whose L1 error is 0.25 under U(0, 1)).
    fn evaluate(&self, heldout: &Tensor) -> Vec<(String, f64)> {
        // The same draws every epoch, so the figures compare across epochs.
        let mut rng = AugRng::new(EVAL_SEED);
        tch::no_grad(|| {
            // In chunks, so 224 px sets fit; the sums give exact means over the whole set.
            let (mut rec, mut copy, mut pixels) = (0.0, 0.0, 0.0);
            let (mut lambdas, mut preds) = (Vec::new(), Vec::new());
            for chunk in heldout.split(EVAL_CHUNK, 0) {
                let n = chunk.size()[0];
                let lambda = mixup::beta(self.cfg.mixup.alpha, n, &mut rng, chunk.device());
                let f = self.forward(to_float(&chunk), lambda, &mut rng, false);
                let target = &f.target * 2.0 - 1.0;
                rec += scalar(&(&f.reconstruction - &target).square().sum(Kind::Float));
                copy += scalar(&(&f.mixed * 2.0 - 1.0 - &target).square().sum(Kind::Float));
                pixels += target.numel() as f64;
                lambdas.push(f.lambda);
                preds.push(f.lambda_pred);
            }
            let (lambda, pred) = (Tensor::cat(&lambdas, 0), Tensor::cat(&preds, 0));
            vec![
                ("val_rec_mse".into(), rec / pixels),
                ("val_copy_mse".into(), copy / pixels),
                ("val_lambda_mae".into(), scalar(&(&pred - &lambda).abs().mean(Kind::Float))),
                ("val_guess_mae".into(), scalar(&(&lambda - 0.5).abs().mean(Kind::Float))),
                ("val_lambda_r".into(), pearson(&pred, &lambda)),
            ]
        })
    }

    fn encoder(&self) -> &Encoder {
        &self.encoder
    }
}

fn pearson(a: &Tensor, b: &Tensor) -> f64 {
    let a = a - a.mean(Kind::Float);
    let b = b - b.mean(Kind::Float);
    let den = (a.square().sum(Kind::Float) * b.square().sum(Kind::Float)).sqrt().clamp_min(1e-12);
    scalar(&((a * b).sum(Kind::Float) / den))
}
