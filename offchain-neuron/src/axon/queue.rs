//! Stake-priority scheduling of accepted requests onto a bounded pool of workers.
//!
//! Jobs wait in a priority queue ordered by the caller's stake (highest first, FIFO among equal
//! stakes). `workers` tasks take jobs one at a time and run them on the blocking thread pool.
//! A job whose deadline passes while queued is dropped without running; a running job is told
//! to stop through its [`CancelToken`] at the deadline, and the worker waits for it to wind down
//! before taking the next job, so abandoned work never piles up. The queue holds at most
//! `capacity` jobs: when full, a new job evicts the lowest-stake queued job if it outranks it,
//! otherwise it is refused.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;

/// Cooperative cancellation flag handed to handlers.
#[derive(Clone, Default, Debug)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Work of one job: runs on a blocking thread, should poll the token between chunks.
pub type Work<T> = Box<dyn FnOnce(CancelToken) -> T + Send + 'static>;

/// How a job ended.
#[derive(Debug)]
pub enum Outcome<T> {
    Done(T),
    /// Deadline passed while waiting in the queue: never started.
    Expired,
    /// Deadline passed while running: the handler was cancelled.
    Cancelled,
    /// Pushed out of a full queue by a higher-stake job.
    Evicted,
    /// The handler panicked.
    Panicked,
}

/// Identifies a queued job (to withdraw it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct JobKey(Reverse<u64>, u64);

struct Job<T> {
    deadline: Instant,
    work: Work<T>,
    reply: oneshot::Sender<Outcome<T>>,
}

struct Inner<T> {
    queue: Mutex<(BTreeMap<JobKey, Job<T>>, u64)>,
    notify: Notify,
    capacity: usize,
    stats: Stats,
}

/// Counters exposed on the axon's /health.
#[derive(Default, Debug)]
pub struct Stats {
    pub completed: AtomicU64,
    pub expired_in_queue: AtomicU64,
    pub cancelled_running: AtomicU64,
    pub evicted: AtomicU64,
}

/// The queue is full of jobs with at least this stake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overloaded;

pub struct Scheduler<T: Send + 'static> {
    inner: Arc<Inner<T>>,
    workers: Vec<tokio::task::AbortHandle>,
}

impl<T: Send + 'static> Drop for Scheduler<T> {
    fn drop(&mut self) {
        for w in &self.workers {
            w.abort();
        }
    }
}

impl<T: Send + 'static> Scheduler<T> {
    /// Starts `workers` worker tasks on the current tokio runtime.
    pub fn start(workers: usize, capacity: usize) -> Self {
        let inner = Arc::new(Inner {
            queue: Mutex::new((BTreeMap::new(), 0)),
            notify: Notify::new(),
            capacity: capacity.max(1),
            stats: Stats::default(),
        });
        let workers = (0..workers.max(1))
            .map(|_| tokio::spawn(worker(inner.clone())).abort_handle())
            .collect();
        Self { inner, workers }
    }

    pub fn stats(&self) -> &Stats {
        &self.inner.stats
    }

    pub fn queued(&self) -> usize {
        self.inner.queue.lock().expect("queue lock").0.len()
    }

    /// Enqueues a job with priority `stake`.
    pub fn submit(
        &self,
        stake: u64,
        deadline: Instant,
        work: Work<T>,
    ) -> Result<(JobKey, oneshot::Receiver<Outcome<T>>), Overloaded> {
        let (tx, rx) = oneshot::channel();
        let mut guard = self.inner.queue.lock().expect("queue lock");
        let (queue, seq) = &mut *guard;
        if queue.len() >= self.inner.capacity {
            let lowest = *queue.keys().next_back().expect("full queue is non-empty");
            if lowest.0.0 >= stake {
                return Err(Overloaded);
            }
            let evicted = queue.remove(&lowest).expect("present");
            let _ = evicted.reply.send(Outcome::Evicted);
            self.inner.stats.evicted.fetch_add(1, Ordering::Relaxed);
        }
        *seq += 1;
        let key = JobKey(Reverse(stake), *seq);
        queue.insert(
            key,
            Job {
                deadline,
                work,
                reply: tx,
            },
        );
        drop(guard);
        self.inner.notify.notify_one();
        Ok((key, rx))
    }

    /// Withdraws a job that has not started (the caller gave up). No-op if already taken.
    pub fn withdraw(&self, key: JobKey) -> bool {
        self.inner
            .queue
            .lock()
            .expect("queue lock")
            .0
            .remove(&key)
            .is_some()
    }
}

async fn worker<T: Send + 'static>(inner: Arc<Inner<T>>) {
    loop {
        let job = loop {
            let notified = inner.notify.notified();
            let next = inner.queue.lock().expect("queue lock").0.pop_first();
            match next {
                Some((_, job)) => break job,
                None => notified.await,
            }
        };
        // Wake another worker if more jobs are waiting (notify_one may have coalesced).
        if !inner.queue.lock().expect("queue lock").0.is_empty() {
            inner.notify.notify_one();
        }
        if Instant::now() >= job.deadline || job.reply.is_closed() {
            inner.stats.expired_in_queue.fetch_add(1, Ordering::Relaxed);
            let _ = job.reply.send(Outcome::Expired);
            continue;
        }
        let token = CancelToken::new();
        let handler_token = token.clone();
        let work = job.work;
        let mut handle = tokio::task::spawn_blocking(move || work(handler_token));
        match tokio::time::timeout_at(job.deadline, &mut handle).await {
            Ok(Ok(value)) => {
                inner.stats.completed.fetch_add(1, Ordering::Relaxed);
                let _ = job.reply.send(Outcome::Done(value));
            }
            Ok(Err(_)) => {
                let _ = job.reply.send(Outcome::Panicked);
            }
            Err(_) => {
                token.cancel();
                inner
                    .stats
                    .cancelled_running
                    .fetch_add(1, Ordering::Relaxed);
                let _ = job.reply.send(Outcome::Cancelled);
                // Keep the pool bounded: wait for the handler to notice and return.
                let _ = handle.await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn higher_stake_runs_first_and_deadlines_cancel() {
        let sched: Scheduler<u64> = Scheduler::start(1, 16);
        let far = Instant::now() + Duration::from_secs(10);
        // Occupy the single worker until released.
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let (started_tx, started_rx) = mpsc::channel::<()>();
        let (_, blocker) = sched
            .submit(
                0,
                far,
                Box::new(move |_| {
                    started_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                    0
                }),
            )
            .unwrap();
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut rxs = Vec::new();
        for stake in [5u64, 100, 1, 100, 50] {
            let o = order.clone();
            let (_, rx) = sched
                .submit(
                    stake,
                    far,
                    Box::new(move |_| {
                        o.lock().unwrap().push(stake);
                        stake
                    }),
                )
                .unwrap();
            rxs.push(rx);
        }
        release_tx.send(()).unwrap();
        assert!(matches!(blocker.await.unwrap(), Outcome::Done(0)));
        for rx in rxs {
            assert!(matches!(rx.await.unwrap(), Outcome::Done(_)));
        }
        assert_eq!(*order.lock().unwrap(), vec![100, 100, 50, 5, 1]);

        // A running job is cancelled at its deadline and observes the token.
        let (seen_tx, seen_rx) = mpsc::channel::<bool>();
        let (_, rx) = sched
            .submit(
                1,
                Instant::now() + Duration::from_millis(100),
                Box::new(move |tok| {
                    while !tok.is_cancelled() {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    seen_tx.send(true).unwrap();
                    7
                }),
            )
            .unwrap();
        assert!(matches!(rx.await.unwrap(), Outcome::Cancelled));
        let seen =
            tokio::task::spawn_blocking(move || seen_rx.recv_timeout(Duration::from_secs(5)))
                .await
                .unwrap();
        assert_eq!(seen, Ok(true));
        assert_eq!(sched.stats().cancelled_running.load(Ordering::Relaxed), 1);

        // A job whose deadline passed while queued never runs.
        let (_, rx) = sched.submit(1, Instant::now(), Box::new(|_| 9)).unwrap();
        assert!(matches!(rx.await.unwrap(), Outcome::Expired));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn full_queue_evicts_lowest_stake_or_refuses() {
        let sched: Scheduler<u64> = Scheduler::start(1, 2);
        let far = Instant::now() + Duration::from_secs(10);
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let (started_tx, started_rx) = mpsc::channel::<()>();
        let (_, _blocker) = sched
            .submit(
                0,
                far,
                Box::new(move |_| {
                    started_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                    0
                }),
            )
            .unwrap();
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        let (_, low) = sched.submit(10, far, Box::new(|_| 10)).unwrap();
        let (_, _mid) = sched.submit(20, far, Box::new(|_| 20)).unwrap();
        assert!(
            sched.submit(5, far, Box::new(|_| 5)).is_err(),
            "lower stake is refused"
        );
        let (_, _high) = sched.submit(30, far, Box::new(|_| 30)).unwrap();
        assert!(matches!(low.await.unwrap(), Outcome::Evicted));
        assert_eq!(sched.queued(), 2);
        release_tx.send(()).unwrap();
    }
}
