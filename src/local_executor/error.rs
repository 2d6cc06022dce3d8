//! Typed errors of the local executor.

use std::path::PathBuf;

/// Errors that stop the executor itself (startup problems); everything that concerns one
/// Job is handled inside that Job's worker.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    /// The work directory cannot be created.
    #[error("cannot create the work directory {path}: {source}")]
    WorkDir {
        /// The directory.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The first list of Jobs failed: wrong kubeconfig, no permission or a bad selector.
    #[error(
        "cannot list Jobs (namespace {namespace}, selector {selector:?}): {}",
        api_message(source)
    )]
    ListJobs {
        /// Namespace, or `all`.
        namespace: String,
        /// The label selector.
        selector: String,
        /// The API error.
        source: kube::Error,
    },
}

/// The short form of an API error: the server's message and code, not the whole Status.
pub fn api_message(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => format!("{} (HTTP {})", status.message, status.code),
        other => other.to_string(),
    }
}

/// Pod failure reason when the spec refers to missing data (kubelet's wording).
pub const REASON_CONFIG_ERROR: &str = "CreateContainerConfigError";
/// Pod failure reason when the spec uses something this executor cannot do.
pub const REASON_UNSUPPORTED: &str = "Unsupported";
/// Pod failure reason when the executor's own work directory misbehaves.
pub const REASON_EXECUTOR_ERROR: &str = "LocalExecutorError";

/// Why one attempt (one Pod) could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum AttemptError {
    /// Something about this pod prevents running it (missing Secret key, unsupported
    /// volume type, unwritable file...): the Pod fails with this reason and message and
    /// the attempt counts as failed.
    #[error("{reason}: {message}")]
    Pod {
        /// Machine-readable reason, written to the Pod status.
        reason: &'static str,
        /// Human-readable message, written to the Pod status.
        message: String,
    },
    /// An API call failed; the worker gives up this round and the Job is picked up again
    /// at the next resync.
    #[error("{action}: {source}")]
    Api {
        /// What the executor was doing.
        action: String,
        /// The API error.
        source: kube::Error,
    },
}

impl AttemptError {
    /// The pod refers to missing data or has an invalid value.
    pub fn config(message: impl Into<String>) -> Self {
        Self::Pod {
            reason: REASON_CONFIG_ERROR,
            message: message.into(),
        }
    }

    /// The pod uses a feature the local executor does not implement.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::Pod {
            reason: REASON_UNSUPPORTED,
            message: message.into(),
        }
    }

    /// A local file operation failed while preparing the pod.
    pub fn local_io(action: impl std::fmt::Display, source: std::io::Error) -> Self {
        Self::Pod {
            reason: REASON_EXECUTOR_ERROR,
            message: format!("{action}: {source}"),
        }
    }

    /// An API call failed.
    pub fn api(action: impl Into<String>, source: kube::Error) -> Self {
        Self::Api {
            action: action.into(),
            source,
        }
    }
}

/// Why a Job's worker stopped before the Job finished; it is retried at the next resync.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// An API call failed.
    #[error("{action}: {source}")]
    Api {
        /// What the worker was doing.
        action: String,
        /// The API error.
        source: kube::Error,
    },
    /// An attempt failed in a way that is not the Pod's fault.
    #[error(transparent)]
    Attempt(#[from] AttemptError),
    /// The Job object cannot have a Pod (not read from the API).
    #[error(transparent)]
    PodBuild(#[from] super::pod_object::PodBuildError),
}

impl WorkerError {
    /// An API call failed.
    pub fn api(action: impl Into<String>, source: kube::Error) -> Self {
        Self::Api {
            action: action.into(),
            source,
        }
    }
}
