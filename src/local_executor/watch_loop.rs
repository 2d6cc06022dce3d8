//! The watch loop: a reflector over the selected Jobs dispatches each change to at most one
//! worker per Job, schedules TTL deletions, cleans up after deleted Jobs, resyncs
//! periodically (workers that stopped on API errors are restarted) and shuts everything
//! down on request.

use super::error::ExecutorError;
use super::job_status::{JobState, classify};
use super::job_worker::{JobKey, run_job};
use super::ttl::{delete_after_ttl, delete_pods_of_job};
use super::{ExecutorConfig, StopReason};
use futures::StreamExt;
use k8s_openapi::api::batch::v1::Job;
use kube::api::ListParams;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client, ResourceExt};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};

/// Finalizer the API server adds for `propagationPolicy: Orphan`.
const ORPHAN_FINALIZER: &str = "orphan";

/// Runs the executor until `shutdown` resolves; then kills all container processes and
/// returns, leaving Jobs and Pods as they are (a later instance picks them up).
pub async fn run(
    client: Client,
    config: ExecutorConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ExecutorError> {
    std::fs::create_dir_all(&config.work_dir).map_err(|source| ExecutorError::WorkDir {
        path: config.work_dir.clone(),
        source,
    })?;
    let jobs: Api<Job> = match &config.namespace {
        Some(namespace) => Api::namespaced(client.clone(), namespace),
        None => Api::all(client.clone()),
    };
    // Fail fast on a wrong kubeconfig, missing permissions or a malformed selector.
    jobs.list(&ListParams::default().labels(&config.selector).limit(1))
        .await
        .map_err(|source| ExecutorError::ListJobs {
            namespace: config.namespace.clone().unwrap_or_else(|| "all".to_owned()),
            selector: config.selector.clone(),
            source,
        })?;
    tracing::info!(
        instance = %config.instance_id,
        namespace = config.namespace.as_deref().unwrap_or("<all>"),
        selector = %config.selector,
        work_dir = %config.work_dir.display(),
        "local executor started"
    );

    let (store, writer) = reflector::store();
    let watch_config = watcher::Config::default().labels(&config.selector);
    let events = reflector::reflector(writer, watcher(jobs, watch_config).default_backoff());
    let mut dispatcher = Dispatcher::new(client, config);
    let mut resync = tokio::time::interval(dispatcher.config.resync_interval);
    resync.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(events);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            event = events.next() => match event {
                Some(Ok(watcher::Event::Apply(job) | watcher::Event::InitApply(job))) => {
                    dispatcher.on_job(&job);
                }
                Some(Ok(watcher::Event::Delete(job))) => dispatcher.on_deleted(&job),
                Some(Ok(watcher::Event::InitDone)) => dispatcher.resync(&store),
                Some(Ok(watcher::Event::Init)) => {}
                Some(Err(err)) => tracing::warn!(%err, "watching jobs failed; retrying"),
                None => break,
            },
            _ = resync.tick() => dispatcher.resync(&store),
        }
    }
    dispatcher.shutdown().await;
    tracing::info!("local executor stopped");
    Ok(())
}

/// A running Job worker.
struct Worker {
    key: JobKey,
    stop: watch::Sender<Option<StopReason>>,
    handle: JoinHandle<()>,
}

/// Bookkeeping of workers and TTL timers.
struct Dispatcher {
    client: Client,
    config: Arc<ExecutorConfig>,
    permits: Arc<Semaphore>,
    /// Workers by Job uid.
    workers: HashMap<String, Worker>,
    /// TTL timers by Job uid.
    ttl_timers: HashMap<String, tokio::task::AbortHandle>,
    background: JoinSet<()>,
}

impl Dispatcher {
    fn new(client: Client, config: ExecutorConfig) -> Self {
        let permits = Arc::new(Semaphore::new(config.max_parallel.max(1)));
        Self {
            client,
            config: Arc::new(config),
            permits,
            workers: HashMap::new(),
            ttl_timers: HashMap::new(),
            background: JoinSet::new(),
        }
    }

    /// Reacts to the current state of one Job.
    fn on_job(&mut self, job: &Job) {
        let Some(key) = key_of(job) else {
            return;
        };
        self.workers.retain(|_, w| !w.handle.is_finished());
        self.ttl_timers.retain(|_, t| !t.is_finished());
        match classify(job) {
            JobState::Runnable => {
                if !self.workers.contains_key(&key.uid) {
                    self.start_worker(key);
                }
            }
            JobState::Deleting => {
                let orphan_pods = job.finalizers().iter().any(|f| f == ORPHAN_FINALIZER);
                self.stop_worker(&key.uid, StopReason::JobDeleted { orphan_pods });
            }
            JobState::Finished { .. } => {
                let has_ttl = job
                    .spec
                    .as_ref()
                    .and_then(|s| s.ttl_seconds_after_finished)
                    .is_some();
                if has_ttl && !self.ttl_timers.contains_key(&key.uid) {
                    let uid = key.uid.clone();
                    let abort = self
                        .background
                        .spawn(delete_after_ttl(self.client.clone(), key));
                    self.ttl_timers.insert(uid, abort);
                }
            }
            JobState::Suspended => {
                tracing::debug!(job = %key, "suspended; not starting pods");
            }
            JobState::ManagedElsewhere(manager) => {
                tracing::debug!(job = %key, %manager, "managed by another controller");
            }
        }
    }

    /// A Job is gone: stop its worker and delete its Pods (no garbage collector).
    fn on_deleted(&mut self, job: &Job) {
        let Some(key) = key_of(job) else {
            return;
        };
        tracing::info!(job = %key, "job deleted");
        self.stop_worker(&key.uid, StopReason::JobDeleted { orphan_pods: false });
        if let Some(timer) = self.ttl_timers.remove(&key.uid) {
            timer.abort();
        }
        let client = self.client.clone();
        let worker = self.workers.remove(&key.uid);
        self.background.spawn(async move {
            // Let the worker kill its processes and delete its own Pod first.
            if let Some(worker) = worker {
                let _ = worker.handle.await;
            }
            delete_pods_of_job(&client, &key).await;
        });
    }

    /// Looks at every known Job again; workers of Jobs that vanished are stopped.
    fn resync(&mut self, store: &Store<Job>) {
        let jobs = store.state();
        let known: std::collections::HashSet<String> =
            jobs.iter().filter_map(|j| j.uid()).collect();
        let vanished: Vec<String> = self
            .workers
            .keys()
            .filter(|uid| !known.contains(*uid))
            .cloned()
            .collect();
        for uid in vanished {
            self.stop_worker(&uid, StopReason::JobDeleted { orphan_pods: false });
        }
        for job in jobs {
            self.on_job(&job);
        }
        // Reap finished background tasks.
        while self.background.try_join_next().is_some() {}
    }

    fn start_worker(&mut self, key: JobKey) {
        let (stop, stop_rx) = watch::channel(None);
        let client = self.client.clone();
        let config = self.config.clone();
        let permits = self.permits.clone();
        let task_key = key.clone();
        let handle = tokio::spawn(async move {
            if let Err(err) = run_job(client, config, permits, task_key.clone(), stop_rx).await {
                tracing::warn!(
                    job = %task_key, %err,
                    "job worker stopped; the job is picked up again at the next resync"
                );
            }
        });
        tracing::debug!(job = %key, "worker started");
        self.workers
            .insert(key.uid.clone(), Worker { key, stop, handle });
    }

    fn stop_worker(&mut self, uid: &str, reason: StopReason) {
        if let Some(worker) = self.workers.get(uid) {
            tracing::info!(job = %worker.key, ?reason, "stopping job worker");
            worker.stop.send_replace(Some(reason));
        }
    }

    /// Stops every worker (their processes are killed) and waits for them.
    async fn shutdown(mut self) {
        self.permits.close();
        for worker in self.workers.values() {
            worker.stop.send_replace(Some(StopReason::Shutdown));
        }
        for (_, worker) in self.workers.drain() {
            let _ = worker.handle.await;
        }
        self.background.abort_all();
        while self.background.join_next().await.is_some() {}
    }
}

fn key_of(job: &Job) -> Option<JobKey> {
    Some(JobKey {
        namespace: job.namespace()?,
        name: job.metadata.name.clone()?,
        uid: job.uid()?,
    })
}
