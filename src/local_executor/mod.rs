//! A local Job executor for a control plane without kubelet and job controller (tests and
//! the local demo): runs the operator's Jobs as local processes and writes Job status the
//! way the real job controller would.
//!
//! The parts, one idea per file:
//! - [`watch_loop`]: watches Jobs, starts one worker per runnable Job, TTL and shutdown;
//! - [`job_worker`]: one Job's life: attempts, backoff, deadline, final status;
//! - [`orphans`]: Pods left behind by an earlier executor instance (restart safety);
//! - [`attempt`]: one Pod: status, init and main containers, deadlines, stop requests;
//! - [`prepare`] + [`volumes`] + [`env`] + [`sources`]: materialising a Pod locally;
//! - [`paths`]: container path -> local path mapping (image roots, mounts);
//! - [`process`]: process groups, logs, signals;
//! - [`job_status`], [`failure_policy`] and [`pod_status`]: pure status rules;
//! - [`pod_object`]: the Pod object built from the Job template.
//!
//! Documented for users in `docs/local-executor.md`.

pub mod attempt;
pub mod env;
pub mod error;
pub mod failure_policy;
pub mod job_status;
pub mod job_worker;
pub mod orphans;
pub mod paths;
pub mod pod_object;
pub mod pod_status;
pub mod prepare;
pub mod process;
pub mod sources;
pub mod ttl;
pub mod volumes;
pub mod watch_loop;

pub use error::ExecutorError;
pub use watch_loop::run;

use jiff::Timestamp;
use job_status::BackoffPolicy;
use prepare::MaterialiseSettings;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Default label selector: the operator's Jobs.
pub const DEFAULT_SELECTOR: &str = "app.kubernetes.io/managed-by=scs-cert-operator";
/// Default number of Jobs run at once.
pub const DEFAULT_MAX_PARALLEL: usize = 4;

/// Everything the executor needs besides a client.
#[derive(Debug, Clone)]
pub struct ExecutorConfig {
    /// Only Jobs of this namespace; `None` watches all namespaces.
    pub namespace: Option<String>,
    /// Label selector of the Jobs to run.
    pub selector: String,
    /// Image name -> local directory that plays its root filesystem.
    pub image_roots: BTreeMap<String, PathBuf>,
    /// Root of the per-pod directories (volumes, logs, termination messages).
    pub work_dir: PathBuf,
    /// Jobs run at once.
    pub max_parallel: usize,
    /// Echo container output to stderr, prefixed with `[namespace/pod/container]`.
    pub echo_logs: bool,
    /// Delay between failed pods.
    pub backoff: BackoffPolicy,
    /// How often all known Jobs are looked at again (retries after API errors).
    pub resync_interval: Duration,
    /// Id of this executor process, written on every Pod it runs.
    pub instance_id: String,
}

impl ExecutorConfig {
    /// Defaults like Kubernetes (backoff 10 s doubling to 6 min), the operator's selector,
    /// all namespaces, a fresh instance id.
    pub fn new(work_dir: PathBuf) -> Self {
        Self {
            namespace: None,
            selector: DEFAULT_SELECTOR.to_owned(),
            image_roots: BTreeMap::new(),
            work_dir,
            max_parallel: DEFAULT_MAX_PARALLEL,
            echo_logs: false,
            backoff: BackoffPolicy::default(),
            resync_interval: Duration::from_secs(30),
            instance_id: new_instance_id(),
        }
    }

    /// The settings container materialisation needs.
    pub fn materialise_settings(&self) -> MaterialiseSettings {
        MaterialiseSettings {
            image_roots: self.image_roots.clone(),
            work_dir: self.work_dir.clone(),
            echo_logs: self.echo_logs,
        }
    }
}

/// A fresh, unique-enough instance id: host process id plus random bits.
pub fn new_instance_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded randomly per process and per instance: no extra dependency.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    format!(
        "{}-{:012x}",
        std::process::id(),
        hasher.finish() & 0xffff_ffff_ffff
    )
}

/// Why a running Job's worker is asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The executor shuts down: kill processes, leave Jobs and Pods as they are.
    Shutdown,
    /// The Job was deleted or is being deleted: kill processes, clean up its Pod.
    JobDeleted {
        /// The deletion orphans dependents (`propagationPolicy: Orphan`): keep the Pod.
        orphan_pods: bool,
    },
}

/// A Kubernetes `metav1.Time` string: RFC 3339, UTC, whole seconds.
pub fn k8s_time(timestamp: Timestamp) -> String {
    timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Sleeps until `deadline`; never returns when there is none.
pub async fn sleep_until(deadline: Option<Timestamp>) {
    match deadline {
        None => std::future::pending().await,
        Some(deadline) => {
            let left = deadline.duration_since(Timestamp::now());
            tokio::time::sleep(Duration::try_from(left).unwrap_or(Duration::ZERO)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_whole_seconds_utc() {
        let cases = [
            ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
            ("2026-01-01T00:00:00.999Z", "2026-01-01T00:00:00Z"),
            ("2026-06-30T23:59:59+02:00", "2026-06-30T21:59:59Z"),
        ];
        for (input, expected) in cases {
            let ts: Timestamp = input.parse().expect("timestamp");
            assert_eq!(k8s_time(ts), expected);
        }
    }

    #[test]
    fn instance_ids_differ() {
        assert_ne!(new_instance_id(), new_instance_id());
    }
}
