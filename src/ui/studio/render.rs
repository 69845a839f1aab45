//! Renders previews on a worker thread, so the window never waits on torch; when the user
//! changes things faster than it renders, only the latest request is drawn.
use crate::augment::preview::PreviewRequest;
use crate::train::{thumbnails, PreviewImage};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

/// A finished render as 8-bit images: per view, its name and samples; then the strip.
#[derive(Clone, PartialEq)]
pub struct Rendered {
    pub id: u64,
    pub views: Vec<(String, Vec<PreviewImage>)>,
    pub strip: Vec<(String, PreviewImage)>,
}

pub struct Job {
    pub id: u64,
    pub request: PreviewRequest,
    pub view_names: Vec<String>,
    /// Labels of the first view's steps, by step index.
    pub step_names: Vec<String>,
}

pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// A render, or why it failed.
type Outcome = Result<Rendered, String>;

#[derive(Default)]
pub struct Renderer {
    channels: Option<(Sender<Job>, Receiver<Outcome>)>,
}

impl Renderer {
    pub fn submit(&mut self, job: Job, waker: Waker) {
        let (jobs, _) = self.channels.get_or_insert_with(|| spawn(waker));
        // A send fails only if the worker died; the next submit starts another.
        if jobs.send(job).is_err() {
            self.channels = None;
        }
    }

    /// The newest finished render, if one arrived since the last call.
    pub fn poll(&mut self) -> Option<Outcome> {
        let (_, done) = self.channels.as_ref()?;
        done.try_iter().last()
    }
}

fn spawn(waker: Waker) -> (Sender<Job>, Receiver<Outcome>) {
    let (job_tx, job_rx) = channel::<Job>();
    let (done_tx, done_rx) = channel();
    std::thread::Builder::new()
        .name("studio-preview".into())
        .spawn(move || {
            while let Ok(mut job) = job_rx.recv() {
                while let Ok(newer) = job_rx.try_recv() {
                    job = newer;
                }
                let result = catch_unwind(AssertUnwindSafe(|| render(&job))).map_err(|e| {
                    e.downcast_ref::<String>().cloned().unwrap_or_else(|| "the preview failed".into())
                });
                if done_tx.send(result).is_err() {
                    return;
                }
                waker();
            }
        })
        .expect("a thread can be started");
    (job_tx, done_rx)
}

fn render(job: &Job) -> Rendered {
    let preview = job.request.render();
    let views = job.view_names.iter().cloned().zip(preview.views.iter().map(thumbnails)).collect();
    let strip = preview
        .strip
        .iter()
        .map(|(step, image)| {
            let name =
                step.map_or("input".to_string(), |i| job.step_names.get(i).cloned().unwrap_or_default());
            (name, thumbnails(&image.unsqueeze(0)).remove(0))
        })
        .collect();
    Rendered { id: job.id, views, strip }
}
