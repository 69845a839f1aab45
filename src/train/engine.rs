//! The background training thread.
use super::checkpoint::{self, Checkpoint, Progress};
use super::config::{OptimizerKind, RunConfig};
use super::diagnostics;
use super::events::{Command, EpochRecord, Event, PreviewImage, StepRecord};
use super::lars::Lars;
use super::run_dir::RunDir;
use super::schedule::learning_rate;
use crate::augment::AugRng;
use crate::data::{no_progress, Dataset};
use crate::device::{describe, threads_for, use_threads};
use crate::eval::knn_accuracy;
use crate::methods::{BuildContext, Method, PreviewRow};
use anyhow::Context;
use serde_json::json;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tch::nn::{self, OptimizerConfig, VarStore};
use tch::{Device, Kind, Tensor};

/// Builds the method on the run's parameter store. The default builds `config.method`; a
/// custom factory plugs in a method the registry does not know (experiments, tests).
pub type MethodFactory = Box<dyn FnOnce(&nn::Path, &BuildContext) -> anyhow::Result<Box<dyn Method>> + Send>;

#[derive(Default)]
pub struct RunOptions {
    /// Keep a core free for a window (only when `threads` is unset in the config).
    pub keep_one_core_free: bool,
    /// Called after every event, e.g. to wake the GUI.
    pub waker: Option<Arc<dyn Fn() + Send + Sync>>,
    pub method_factory: Option<MethodFactory>,
}

/// A run in progress: commands in, events out.
pub struct Run {
    commands: Sender<Command>,
    events: Receiver<Event>,
    thread: Option<JoinHandle<()>>,
}

impl Run {
    /// Validates the configuration, creates the run directory and starts the thread.
    pub fn start(config: RunConfig, run_dir: &Path, options: RunOptions) -> anyhow::Result<Run> {
        config.validate()?;
        let dir = RunDir::create(run_dir, &config)?;
        Self::spawn(config, dir, options, None)
    }

    /// Continues a stopped run from its last checkpoint up to its configured epochs, in the
    /// same directory. The batches are the ones the uninterrupted run would have taken; the
    /// optimiser's moments and the augmentations' random stream start afresh, so the result is
    /// close to, not bit-identical with, a run that never stopped.
    pub fn resume(run_dir: &Path, options: RunOptions) -> anyhow::Result<Run> {
        let config = RunConfig::read(run_dir)?;
        let from = checkpoint::latest_good(&run_dir.join("checkpoints"))?;
        anyhow::ensure!(
            from.progress.epochs_done < config.train.epochs,
            "{} finished all {} epochs: there is nothing to resume",
            run_dir.display(),
            config.train.epochs
        );
        let dir = RunDir::open(run_dir, from.progress)?;
        Self::spawn(config, dir, options, Some(from))
    }

    fn spawn(
        config: RunConfig,
        dir: RunDir,
        options: RunOptions,
        resume: Option<Checkpoint>,
    ) -> anyhow::Result<Run> {
        let device = config.device.resolve()?;
        let (cmd_tx, cmd_rx) = channel();
        let (ev_tx, ev_rx) = channel();
        let outbox = Outbox { tx: ev_tx, waker: options.waker };
        let threads = threads_for(config.threads, options.keep_one_core_free);
        let factory = options.method_factory;
        let thread = std::thread::Builder::new().name("medssl-train".into()).spawn(move || {
            use_threads(threads);
            let mut dir = dir;
            let result = catch_unwind(AssertUnwindSafe(|| {
                Trainer::new(config, device, &mut dir, &outbox, &cmd_rx, factory, resume)?.run()
            }));
            let failure = match result {
                Ok(Ok(())) => None,
                Ok(Err(e)) if e.downcast_ref::<Cancelled>().is_some() => {
                    dir.log("stopped by the user while loading");
                    outbox.send(Event::Finished { stopped_early: true, knn_accuracy: None });
                    None
                }
                Ok(Err(e)) => Some(format!("{e:#}")),
                Err(panic) => Some(format!("training thread panicked: {}", crate::io::panic_text(&panic))),
            };
            if let Some(message) = failure {
                dir.log(&format!("failed: {message}"));
                outbox.send(Event::Failed { message });
            }
        })?;
        Ok(Run { commands: cmd_tx, events: ev_rx, thread: Some(thread) })
    }

    pub fn send(&self, command: Command) {
        // The thread may have finished already; a command to a finished run means nothing.
        let _ = self.commands.send(command);
    }

    /// Events that arrived since the last call, without waiting.
    pub fn poll(&self) -> Vec<Event> {
        self.events.try_iter().collect()
    }

    /// The next event, waiting up to `timeout`.
    pub fn next_event(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Waits for the thread to end.
    pub fn join(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Run {
    /// A dropped run stops at its next step; nobody would see its events.
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
    }
}

/// Stop arrived before training began.
#[derive(Debug, thiserror::Error)]
#[error("stopped while loading")]
struct Cancelled;

struct Outbox {
    tx: Sender<Event>,
    waker: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl Outbox {
    fn send(&self, event: Event) {
        let _ = self.tx.send(event);
        if let Some(w) = &self.waker {
            w();
        }
    }
}

/// What the command channel says the loop should do next.
enum Control {
    Continue,
    Stop,
}

/// torch's own optimisers, or LARS, which rewrites the gradients between backward and step.
enum Optimizer {
    Torch(nn::Optimizer),
    Lars(Lars),
}

impl Optimizer {
    fn set_lr(&mut self, lr: f64) {
        match self {
            Optimizer::Torch(o) => o.set_lr(lr),
            Optimizer::Lars(o) => o.set_lr(lr),
        }
    }

    fn backward_step(&mut self, loss: &Tensor) {
        match self {
            Optimizer::Torch(o) => o.backward_step(loss),
            Optimizer::Lars(o) => o.backward_step(loss),
        }
    }
}

struct Trainer<'a> {
    config: RunConfig,
    device: Device,
    dir: &'a mut RunDir,
    out: &'a Outbox,
    commands: &'a Receiver<Command>,
    vs: VarStore,
    method: Box<dyn Method>,
    data: Dataset,
    /// Draws each epoch's order of the training images, apart from libtorch's generator.
    batch_order: AugRng,
    /// Where a resumed run's checkpoint stood; `None` for a new run.
    resume: Option<Progress>,
    /// What the user should know as the run starts (`Event::Started`).
    notes: Vec<String>,
}

/// Full batches in an epoch over `images` training images.
fn steps_per_epoch(images: i64, batch_size: usize) -> usize {
    images.max(0) as usize / batch_size.max(1)
}

/// libtorch draws initial weights from one generator for the whole process: runs starting at
/// the same time on other threads take turns, so that a seed always gives the same network.
static INITIALISING: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl<'a> Trainer<'a> {
    fn new(
        config: RunConfig,
        device: Device,
        dir: &'a mut RunDir,
        out: &'a Outbox,
        commands: &'a Receiver<Command>,
        factory: Option<MethodFactory>,
        resume: Option<Checkpoint>,
    ) -> anyhow::Result<Self> {
        // Loading can take a while at large sizes: report it, and let Stop cut it short.
        // Pause and Resume only make sense once steps run, so they are let pass here.
        let progress = |what: &str, done: usize, total: usize| -> anyhow::Result<()> {
            out.send(Event::Loading { what: what.to_string(), done, total });
            match commands.try_recv() {
                Ok(Command::Stop) | Err(TryRecvError::Disconnected) => Err(Cancelled.into()),
                _ => Ok(()),
            }
        };
        let data = config.data.load_with_progress(device, &progress).context("cannot load the dataset")?;
        let mut vs = VarStore::new(device);
        let ctx = BuildContext {
            encoder: &config.encoder,
            image_size: config.data.image_size,
            seed: config.seed,
            total_steps: config.train.epochs * steps_per_epoch(data.train.len(), config.train.batch_size),
            first_step: resume.as_ref().map_or(0, |c| c.progress.steps_done),
            progress: &progress,
        };
        let method = {
            let _turn = INITIALISING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            tch::manual_seed(config.seed as i64);
            match factory {
                Some(f) => f(&vs.root(), &ctx)?,
                None => config.method.build(&vs.root(), &ctx)?,
            }
        };
        let mut notes: Vec<String> = data.notes.iter().map(|n| format!("data: {n}")).collect();
        if let Some(from) = &resume {
            checkpoint::load(&mut vs, &from.path)?;
            notes.extend(from.note.iter().map(|n| format!("checkpoint: {n}")));
        }
        let batch_order = AugRng::new(config.seed);
        let resume = resume.map(|c| c.progress);
        Ok(Self { config, device, dir, out, commands, vs, method, data, batch_order, resume, notes })
    }

    fn run(mut self) -> anyhow::Result<()> {
        let batch = self.config.train.batch_size as i64;
        let steps_per_epoch = steps_per_epoch(self.data.train.len(), self.config.train.batch_size);
        anyhow::ensure!(
            steps_per_epoch > 0,
            "the training set has {} images, fewer than one batch of {batch}: lower the batch size",
            self.data.train.len()
        );
        let total = steps_per_epoch * self.config.train.epochs;
        let parameters: i64 = self.vs.trainable_variables().iter().map(|t| t.numel() as i64).sum();
        let done = self.resume.unwrap_or(Progress { epochs_done: 0, steps_done: 0 });
        self.dir.log(&match self.resume {
            None => format!("started on {}, {parameters} parameters", describe(self.device)),
            Some(p) => format!(
                "resumed at step {} on {}; the optimiser starts afresh",
                p.steps_done,
                describe(self.device)
            ),
        });
        for note in &self.notes {
            self.dir.log(note);
        }
        self.out.send(Event::Started {
            run_dir: self.dir.path.clone(),
            device: describe(self.device),
            total_steps: total,
            first_step: done.steps_done,
            parameters,
            notes: self.notes.clone(),
        });
        let mut opt = self.optimizer()?;
        let mut knn = match self.resume {
            None => self.end_of_epoch(0)?,
            Some(_) => None,
        };
        let mut sec_per_step = None::<f64>;
        for epoch in 1..=self.config.train.epochs {
            // Drawn for skipped epochs too, so a resumed run takes the batches the uninterrupted
            // one would have.
            let order = self.batch_order.permutation(self.data.train.len(), self.device);
            if epoch <= done.epochs_done {
                continue;
            }
            let epoch_start = (epoch - 1) * steps_per_epoch;
            for b in done.steps_done.saturating_sub(epoch_start)..steps_per_epoch {
                let step = epoch_start + b;
                let stopped_here = Progress { epochs_done: epoch - 1, steps_done: step };
                if let Control::Stop = self.obey_commands()? {
                    return self.finish(Some(stopped_here), None);
                }
                let started = Instant::now();
                let idx = order.narrow(0, b as i64 * batch, batch);
                let images = self.data.train.batch(&idx);
                let lr = learning_rate(&self.config.optim, step, steps_per_epoch, total);
                opt.set_lr(lr);
                let mut output = self.method.step(&images)?;
                if let Some(embeddings) = &output.embeddings {
                    output.metrics.extend(diagnostics::scalars(embeddings));
                }
                if step.is_multiple_of(self.config.train.preview_every.max(1)) {
                    self.preview(step, &output.fed);
                    if let Some(embeddings) = &output.embeddings {
                        self.out.send(Event::Diagnostics {
                            step,
                            diagnostics: diagnostics::diagnose(embeddings)?,
                        });
                    }
                }
                // A large step can take seconds on a CPU: look at the commands between forward
                // and backward too. Stop here drops the step before its update is applied.
                let waited = Instant::now();
                if let Control::Stop = self.obey_commands()? {
                    return self.finish(Some(stopped_here), None);
                }
                let waited = waited.elapsed();
                let loss = output.loss.double_value(&[]);
                if !loss.is_finite() {
                    anyhow::bail!(
                        "the loss became {loss} at epoch {epoch}, step {step}; training stopped. \
                         The last good checkpoint is kept in {}. Try a lower learning rate.",
                        self.dir.checkpoints().display()
                    );
                }
                opt.backward_step(&output.loss);
                let dt = (started.elapsed() - waited).as_secs_f64();
                let s = *sec_per_step.insert(sec_per_step.map_or(dt, |s| 0.9 * s + 0.1 * dt));
                let record = StepRecord {
                    epoch,
                    step,
                    total_steps: total,
                    loss,
                    lr,
                    metrics: output.metrics,
                    images_per_s: batch as f64 / s,
                    eta_s: s * (total - step - 1) as f64,
                };
                self.dir.record(
                    "step",
                    json!({"epoch": epoch, "step": step, "loss": loss, "lr": lr}),
                    &record.metrics,
                )?;
                self.out.send(Event::Step(record));
            }
            knn = self.end_of_epoch(epoch)?;
        }
        self.finish(None, knn)
    }

    fn optimizer(&self) -> anyhow::Result<Optimizer> {
        let o = &self.config.optim;
        Ok(match o.optimizer {
            OptimizerKind::Adam => {
                Optimizer::Torch(nn::Adam { wd: o.weight_decay, ..Default::default() }.build(&self.vs, o.lr)?)
            }
            OptimizerKind::Sgd => Optimizer::Torch(
                nn::Sgd { momentum: o.momentum, wd: o.weight_decay, ..Default::default() }
                    .build(&self.vs, o.lr)?,
            ),
            OptimizerKind::Lars => Optimizer::Lars(Lars::new(&self.vs, o)?),
        })
    }

    /// Drains pending commands; while paused, waits for Resume or Stop.
    fn obey_commands(&mut self) -> anyhow::Result<Control> {
        let mut paused = false;
        loop {
            let command = if paused {
                match self.commands.recv_timeout(Duration::from_millis(100)) {
                    Ok(c) => c,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return Ok(Control::Stop),
                }
            } else {
                match self.commands.try_recv() {
                    Ok(c) => c,
                    Err(TryRecvError::Empty) => return Ok(Control::Continue),
                    Err(TryRecvError::Disconnected) => return Ok(Control::Stop),
                }
            };
            match command {
                Command::Stop => return Ok(Control::Stop),
                Command::Pause if !paused => {
                    paused = true;
                    self.out.send(Event::Paused);
                }
                Command::Resume if paused => {
                    paused = false;
                    self.out.send(Event::Resumed);
                }
                Command::Pause | Command::Resume => {}
            }
        }
    }

    /// kNN and pretext evaluation, then a checkpoint (none for the untrained epoch 0).
    fn end_of_epoch(&mut self, epoch: usize) -> anyhow::Result<Option<f64>> {
        let knn = (self.data.classes.len() >= 2).then(|| {
            let encoder = self.method.encoder();
            let bank = encoder.embed(&self.data.train.images, 256);
            let query = encoder.embed(&self.data.heldout.images, 256);
            knn_accuracy(&bank, &self.data.train.labels, &query, &self.data.heldout.labels, &self.config.knn)
        });
        let metrics = self.method.evaluate(&self.data.heldout.images);
        self.dir.record("epoch", json!({"epoch": epoch, "knn_accuracy": knn}), &metrics)?;
        let shown = knn.map_or("n/a (one class)".into(), |k| format!("{:.2} %", k * 100.0));
        self.dir.log(&format!("epoch {epoch}: kNN accuracy {shown}"));
        self.out.send(Event::Epoch(EpochRecord { epoch, knn_accuracy: knn, metrics }));
        if epoch > 0 {
            let steps_done = epoch * steps_per_epoch(self.data.train.len(), self.config.train.batch_size);
            let path = checkpoint::save(
                &self.vs,
                &self.dir.checkpoints(),
                Progress { epochs_done: epoch, steps_done },
            )?;
            self.out.send(Event::Checkpoint { path, epoch });
        }
        Ok(knn)
    }

    /// Thumbnails of the first images of the batch the model was just fed.
    fn preview(&self, step: usize, fed: &[PreviewRow]) {
        let rows = fed
            .iter()
            .map(|row| {
                let shown = row.images.narrow(0, 0, row.images.size()[0].min(PREVIEW_IMAGES));
                (row.label.clone(), thumbnails(&shown))
            })
            .collect();
        self.out.send(Event::Preview { step, rows });
    }

    /// Ends the run; `stopped` is where a run stopped early stood, saved so it can resume.
    fn finish(self, stopped: Option<Progress>, knn_accuracy: Option<f64>) -> anyhow::Result<()> {
        let stopped_early = stopped.is_some();
        if let Some(progress) = stopped {
            checkpoint::save(&self.vs, &self.dir.checkpoints(), progress)?;
        }
        self.dir.log(if stopped_early { "stopped by the user" } else { "finished" });
        self.out.send(Event::Finished { stopped_early, knn_accuracy });
        Ok(())
    }
}

/// Images per preview row.
const PREVIEW_IMAGES: i64 = 6;

/// `[k, C, H, W]` (C = 1 or 3) in [0, 1] to 8-bit RGB images.
pub fn thumbnails(images: &Tensor) -> Vec<PreviewImage> {
    let images =
        (images.detach().clamp(0.0, 1.0) * 255.0).round().to_kind(Kind::Uint8).to_device(Device::Cpu);
    let images = if images.size()[1] == 1 { images.expand([-1, 3, -1, -1], false) } else { images };
    let (k, _, h, w) = images.size4().expect("preview images are [k, C, H, W]");
    (0..k)
        .map(|i| {
            let hwc = images.get(i).permute([1, 2, 0]).contiguous();
            let len = (h * w * 3) as usize;
            let mut rgb = vec![0u8; len];
            hwc.copy_data(&mut rgb, len);
            PreviewImage { width: w as usize, height: h as usize, rgb }
        })
        .collect()
}

/// A finished or stopped run, reopened: its configuration and its method with the last good
/// checkpoint loaded.
pub struct LoadedRun {
    pub config: RunConfig,
    pub vs: VarStore,
    pub method: Box<dyn Method>,
    /// The checkpoint loaded: the latest, or the previous one when the latest is damaged.
    pub checkpoint: Checkpoint,
}

pub fn load_run(run_dir: &Path, device: Device) -> anyhow::Result<LoadedRun> {
    let config = RunConfig::read(run_dir)?;
    let mut vs = VarStore::new(device);
    let ctx = BuildContext {
        encoder: &config.encoder,
        image_size: config.data.image_size,
        seed: config.seed,
        total_steps: 1,
        first_step: 0,
        progress: &no_progress,
    };
    let method = config.method.build(&vs.root(), &ctx)?;
    let checkpoint = checkpoint::latest_good(&run_dir.join("checkpoints"))?;
    checkpoint::load(&mut vs, &checkpoint.path)?;
    Ok(LoadedRun { config, vs, method, checkpoint })
}
