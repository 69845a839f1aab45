//! Work the UI asks for that takes longer than a frame (loading a model, an evaluation, a
//! GradCAM), run on its own thread so the window never waits on torch.
use crate::io::panic_text;
use eframe::egui;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};

pub struct Job<T> {
    /// What is being done, for the progress line; the work may update it.
    status: Reporter,
    result: Receiver<anyhow::Result<T>>,
}

/// Where the work says how far it has got.
#[derive(Clone)]
pub struct Reporter(Arc<Mutex<String>>);

impl Reporter {
    pub fn say(&self, text: impl Into<String>) {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = text.into();
    }

    fn text(&self) -> String {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on a new thread; the window repaints when it ends. A panic in `work`
    /// becomes an error, so the app stays up.
    pub fn spawn(
        what: impl Into<String>,
        ctx: &egui::Context,
        work: impl FnOnce(&Reporter) -> anyhow::Result<T> + Send + 'static,
    ) -> Self {
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        let status = Reporter(Arc::new(Mutex::new(what.into())));
        let reporter = status.clone();
        std::thread::spawn(move || {
            // The window keeps a core; libtorch would otherwise take all of them.
            crate::device::use_threads(crate::device::threads_for(None, true));
            let result = catch_unwind(AssertUnwindSafe(|| work(&reporter))).unwrap_or_else(|panic| {
                Err(anyhow::anyhow!("the work failed unexpectedly: {}", panic_text(&panic)))
            });
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        Self { status, result: rx }
    }

    /// The result once the work has ended.
    pub fn poll(&mut self) -> Option<anyhow::Result<T>> {
        match self.result.try_recv() {
            Ok(result) => Some(result),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some(Err(anyhow::anyhow!("the worker thread ended without a result")))
            }
        }
    }
}

/// Polls `job`, leaving it in place while it runs; on its end, empties the slot.
pub fn finished<T: Send + 'static>(job: &mut Option<Job<T>>) -> Option<anyhow::Result<T>> {
    let result = job.as_mut()?.poll();
    if result.is_some() {
        *job = None;
    }
    result
}

/// A spinner and the job's description while it runs.
pub fn show_running<T>(ui: &mut egui::Ui, job: &Option<Job<T>>) {
    if let Some(job) = job {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(job.status.text());
        });
    }
}
