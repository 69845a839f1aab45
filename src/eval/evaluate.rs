//! Evaluating a run: its trained encoder and the same architecture untrained, by every chosen
//! protocol, for every seed, saved beside the run.
use super::config::{EvalConfig, Protocol};
use super::finetune::finetune;
use super::knn::knn_scores;
use super::metrics::ClassificationMetrics;
use super::probe::linear_probe;
use super::report::{EncoderInit, EvalEntry, EvalReport, Outcome};
use super::segmentation::segmentation_probe;
use super::standalone::StandaloneEncoder;
use crate::data::{Dataset, Progress};
use crate::train::load_run;
use anyhow::Context;
use std::path::Path;
use std::time::Instant;
use tch::{Device, Tensor};

/// Images per forward pass when embedding.
const CHUNK: i64 = 256;

/// Evaluates the run in `run_dir` on `device`; the caller saves the report
/// (`EvalReport::save`), and keeps it when the disk refuses. `progress` hears of the data
/// loading, then of each (encoder, seed, protocol) as it starts; an error from it cancels the
/// evaluation.
pub fn evaluate(
    run_dir: &Path,
    cfg: &EvalConfig,
    device: Device,
    progress: Progress,
) -> anyhow::Result<EvalReport> {
    cfg.validate()?;
    let (run_config, trained, checkpoint_note) = {
        let run = load_run(run_dir, device)?;
        let trained = StandaloneEncoder::copy_of(&run.vs, &run.config.encoder)?;
        (run.config, trained, run.checkpoint.note)
    };
    let random = StandaloneEncoder::random(&run_config.encoder, run_config.seed, device);
    let data = run_config.data.load_with_progress(device, progress).context("cannot load the run's data")?;
    let (protocols, mut notes) = runnable(&cfg.protocols, &data);
    anyhow::ensure!(!protocols.is_empty(), "nothing to evaluate: {}", notes.join("; "));
    notes.extend(checkpoint_note.map(|n| format!("checkpoint: {n}")));
    let train_labels = Vec::<i64>::try_from(data.train.labels.to_device(Device::Cpu))?;
    let budgets = cfg
        .seeds
        .iter()
        .map(|&seed| {
            Ok((seed, Tensor::from_slice(&cfg.budget.select(&train_labels, seed)?).to_device(device)))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let total = 2 * budgets.len() * protocols.len();
    let mut entries = Vec::new();
    for (init, source) in [(EncoderInit::Trained, &trained), (EncoderInit::Random, &random)] {
        let heldout = source.encoder.embed(&data.heldout.images, CHUNK);
        for (seed, picked) in &budgets {
            let images = data.train.images.index_select(0, picked);
            let subject = Subject {
                source,
                data: &data,
                picked,
                bank: source.encoder.embed(&images, CHUNK),
                images,
                labels: data.train.labels.index_select(0, picked),
                heldout: &heldout,
                seed: *seed,
            };
            for &protocol in &protocols {
                progress(
                    &format!("{} · {} · seed {seed}", init.label(), protocol.id()),
                    entries.len(),
                    total,
                )?;
                let started = Instant::now();
                let outcome = subject.evaluate(protocol, cfg)?;
                entries.push(EvalEntry {
                    protocol,
                    encoder: init,
                    seed: *seed,
                    budget: cfg.budget,
                    labelled_images: picked.size()[0] as usize,
                    seconds: started.elapsed().as_secs_f64(),
                    outcome,
                });
            }
        }
    }
    progress("evaluation", total, total)?;
    let method = run_config.method.info().id.to_string();
    Ok(EvalReport::new(method, run_config.data.source, data.classes, cfg.clone(), entries, notes))
}

/// What the protocols of one encoder and one seed work from: the budget's training images
/// and their frozen features, and the held-out set's.
struct Subject<'a> {
    source: &'a StandaloneEncoder,
    data: &'a Dataset,
    /// Indices of the budget's training images.
    picked: &'a Tensor,
    images: Tensor,
    labels: Tensor,
    bank: Tensor,
    heldout: &'a Tensor,
    seed: u64,
}

impl Subject<'_> {
    fn evaluate(&self, protocol: Protocol, cfg: &EvalConfig) -> anyhow::Result<Outcome> {
        let classes = self.data.classes.len() as i64;
        let heldout = &self.data.heldout;
        let scores = match protocol {
            Protocol::Knn => knn_scores(&self.bank, &self.labels, self.heldout, classes, &cfg.knn),
            Protocol::Linear => linear_probe(&self.bank, &self.labels, self.heldout, classes, &cfg.linear)?,
            Protocol::FineTune => finetune(
                self.source,
                &self.images,
                &self.labels,
                &heldout.images,
                classes,
                &cfg.finetune,
                self.seed,
            )?,
            Protocol::Segmentation => {
                let (Some(train_masks), Some(heldout_masks)) = (&self.data.train.masks, &heldout.masks)
                else {
                    anyhow::bail!("segmentation needs masks in both splits");
                };
                return Ok(Outcome::Segmentation(segmentation_probe(
                    &self.source.encoder,
                    &self.images,
                    &train_masks.index_select(0, self.picked),
                    &heldout.images,
                    heldout_masks,
                    &cfg.segmentation,
                    self.seed,
                )?));
            }
        };
        Ok(Outcome::Classification(ClassificationMetrics::from_tensors(&scores, &heldout.labels)?))
    }
}

/// The protocols the data allows, in the order asked, and a note for each left out.
fn runnable(asked: &[Protocol], data: &Dataset) -> (Vec<Protocol>, Vec<String>) {
    let has_masks = data.train.masks.is_some() && data.heldout.masks.is_some();
    let mut notes = Vec::new();
    let kept = asked
        .iter()
        .copied()
        .filter(|&p| {
            let why = if p.is_classification() && data.classes.len() < 2 {
                Some(format!("{} skipped: the data has a single class, nothing to classify", p.id()))
            } else if p == Protocol::Segmentation && !has_masks {
                Some("segmentation skipped: the data has no masks".to_string())
            } else {
                None
            };
            notes.extend(why.clone());
            why.is_none()
        })
        .collect();
    (kept, notes)
}
