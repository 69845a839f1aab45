//! Work that takes longer than a frame (finding series, loading a volume) on its own thread,
//! with progress the UI can draw and a cancel it can press.
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// (what, done, total) as last reported by the job.
pub type ProgressReport = (String, usize, usize);

struct Shared<T> {
    progress: Option<ProgressReport>,
    result: Option<anyhow::Result<T>>,
}

/// A job running on a background thread. Dropping the task abandons the job: its result is
/// discarded when it ends.
pub struct Task<T> {
    shared: Arc<Mutex<Shared<T>>>,
    cancelled: Arc<AtomicBool>,
}

impl<T: Send + 'static> Task<T> {
    /// Runs `job` on a new thread; `waker` is called whenever there is something new to draw.
    /// The job's progress callback returns an error once the task is cancelled, which stops
    /// loaders that report progress at their next report.
    pub fn spawn(
        waker: Waker,
        job: impl FnOnce(crate::io::Progress) -> anyhow::Result<T> + Send + 'static,
    ) -> Self {
        let shared = Arc::new(Mutex::new(Shared { progress: None, result: None }));
        let cancelled = Arc::new(AtomicBool::new(false));
        let (thread_shared, thread_cancelled) = (shared.clone(), cancelled.clone());
        std::thread::spawn(move || {
            let progress = |what: &str, done: usize, total: usize| {
                anyhow::ensure!(!thread_cancelled.load(Ordering::Relaxed), "cancelled");
                lock(&thread_shared).progress = Some((what.to_string(), done, total));
                waker();
                Ok(())
            };
            // A panic in a decoder must become a message, not a task that never ends.
            let result =
                std::panic::catch_unwind(AssertUnwindSafe(|| job(&progress))).unwrap_or_else(|panic| {
                    Err(anyhow::anyhow!("the loader crashed: {}", crate::io::panic_text(&panic)))
                });
            lock(&thread_shared).result = Some(result);
            waker();
        });
        Self { shared, cancelled }
    }

    pub fn progress(&self) -> Option<ProgressReport> {
        lock(&self.shared).progress.clone()
    }

    /// The job's result, once, when it has ended.
    pub fn take_result(&self) -> Option<anyhow::Result<T>> {
        lock(&self.shared).result.take()
    }

    /// Asks the job to stop at its next progress report.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
}

/// The data stays usable after a panic elsewhere: it only holds plain values.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait_for<T: Send + 'static>(task: &Task<T>) -> anyhow::Result<T> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(result) = task.take_result() {
                return result;
            }
            assert!(Instant::now() < deadline, "the task never ended");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn progress_is_reported_and_the_result_arrives_once() {
        let wakes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = wakes.clone();
        let task = Task::spawn(
            Arc::new(move || {
                counter.fetch_add(1, Ordering::Relaxed);
            }),
            |progress| {
                progress("slices", 3, 4)?;
                Ok(42)
            },
        );
        assert_eq!(wait_for(&task).unwrap(), 42);
        assert_eq!(task.progress(), Some(("slices".to_string(), 3, 4)));
        assert!(task.take_result().is_none());
        assert!(wakes.load(Ordering::Relaxed) >= 2, "woken for the progress and the result");
    }

    #[test]
    fn cancel_stops_a_job_at_its_next_progress_report() {
        let task = Task::spawn(Arc::new(|| {}), |progress| {
            for i in 0.. {
                progress("slices", i, usize::MAX)?;
                std::thread::sleep(Duration::from_millis(1));
            }
            Ok(())
        });
        while task.progress().is_none() {
            std::thread::sleep(Duration::from_millis(1));
        }
        task.cancel();
        let error = wait_for(&task).unwrap_err();
        assert_eq!(error.to_string(), "cancelled");
    }

    #[test]
    fn a_panicking_job_becomes_an_error() {
        let task: Task<()> = Task::spawn(Arc::new(|| {}), |_| panic!("bad pixel data"));
        let error = wait_for(&task).unwrap_err();
        assert!(error.to_string().contains("bad pixel data"), "{error}");
    }
}
