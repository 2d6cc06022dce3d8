//! Restart safety: before a Job gets a new Pod, its existing Pods are counted, and every
//! Pod that is not finished belongs to no live attempt (a worker owns at most one Pod at a
//! time, and it is gone). Such a Pod is marked Failed, so it counts as a failed attempt and
//! the normal backoff continues: `ExecutorRestarted` when another executor instance ran
//! it, `AttemptAbandoned` when this one did (a worker that stopped on an API error).

use super::error::WorkerError;
use super::failure_policy::{FailureVerdict, judge_failed_pod};
use super::job_status::{JobFailure, PodCounts};
use super::pod_object::{INSTANCE_ANNOTATION, pods_of_job_selector};
use super::pod_status::{
    ContainerState, ContainerView, PodPhase, PodView, REASON_EXECUTOR_RESTARTED, pod_status_patch,
};
use jiff::Timestamp;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod};
use kube::api::{ListParams, Patch, PatchParams};
use kube::{Api, ResourceExt};

/// Pod reason when this executor instance lost track of a pod it started.
pub const REASON_ATTEMPT_ABANDONED: &str = "AttemptAbandoned";
/// Exit code reported for processes that were killed (128 + SIGKILL).
const KILLED_EXIT_CODE: i32 = 137;

/// A Job's Pods after settling.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SettledPods {
    /// Succeeded and (counted) failed Pods; none is active any more.
    pub counts: PodCounts,
    /// A failed Pod matched a `FailJob` rule of the pod failure policy.
    pub policy_failure: Option<JobFailure>,
}

/// Counts the Pods of `job`, failing unfinished ones first. Failed Pods are judged by the
/// Job's pod failure policy: ignored ones are not counted.
pub async fn settle_pods(
    pods: &Api<Pod>,
    job: &Job,
    instance_id: &str,
) -> Result<SettledPods, WorkerError> {
    let job_uid = job.metadata.uid.as_deref().unwrap_or_default();
    let list = pods
        .list(&ListParams::default().labels(&pods_of_job_selector(job_uid)))
        .await
        .map_err(|e| WorkerError::api("list the job's pods", e))?;
    let mut settled = SettledPods::default();
    for mut pod in list.items {
        // A pod with the label but another controller is not one of this Job's attempts.
        let owned = pod
            .owner_references()
            .iter()
            .any(|o| o.uid == job_uid && o.controller == Some(true));
        if !owned {
            continue;
        }
        match pod.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Succeeded") => {
                settled.counts.succeeded += 1;
                continue;
            }
            Some("Failed") => {}
            _ => pod = fail_orphan(pods, &pod, instance_id).await?,
        }
        match judge_failed_pod(job, &pod) {
            FailureVerdict::Count => settled.counts.failed += 1,
            FailureVerdict::Ignore => {}
            FailureVerdict::FailJob(failure) => {
                settled.counts.failed += 1;
                settled.policy_failure.get_or_insert(failure);
            }
        }
    }
    Ok(settled)
}

/// Marks an orphaned Pod failed; returns the updated Pod.
async fn fail_orphan(pods: &Api<Pod>, pod: &Pod, instance_id: &str) -> Result<Pod, WorkerError> {
    let owner = pod
        .annotations()
        .get(INSTANCE_ANNOTATION)
        .cloned()
        .unwrap_or_else(|| "unknown".to_owned());
    let (reason, message) = if owner == instance_id {
        (
            REASON_ATTEMPT_ABANDONED,
            "the local executor stopped supervising this pod; its processes were killed".to_owned(),
        )
    } else {
        (
            REASON_EXECUTOR_RESTARTED,
            format!(
                "the local executor instance {owner} that ran this pod stopped; its processes \
                 are gone"
            ),
        )
    };
    tracing::warn!(pod = %pod.name_any(), reason, "marking an orphaned pod failed");
    let now = Timestamp::now();
    let mut view = view_of(pod);
    view.terminate_unfinished(reason, KILLED_EXIT_CODE, now);
    view.phase = PodPhase::Failed;
    view.reason = Some(reason.to_owned());
    view.message = Some(message);
    pods.patch_status(
        &pod.name_any(),
        &PatchParams::default(),
        &Patch::Merge(pod_status_patch(&view, now)),
    )
    .await
    .map_err(|e| WorkerError::api(format!("mark orphaned pod {} failed", pod.name_any()), e))
}

/// Rebuilds the executor's view of a Pod from the object (spec order, known states).
pub fn view_of(pod: &Pod) -> PodView {
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let views = |containers: &[Container], statuses: &[ContainerStatus]| {
        containers
            .iter()
            .map(|c| ContainerView {
                name: c.name.clone(),
                image: c.image.clone().unwrap_or_default(),
                state: statuses
                    .iter()
                    .find(|s| s.name == c.name)
                    .map_or_else(waiting, state_of),
            })
            .collect()
    };
    PodView {
        phase: PodPhase::Pending,
        reason: None,
        message: None,
        start_time: status.start_time.as_ref().map(|t| t.0),
        init_containers: views(
            spec.init_containers.as_deref().unwrap_or_default(),
            status
                .init_container_statuses
                .as_deref()
                .unwrap_or_default(),
        ),
        containers: views(
            &spec.containers,
            status.container_statuses.as_deref().unwrap_or_default(),
        ),
    }
}

fn waiting() -> ContainerState {
    ContainerState::Waiting {
        reason: "ContainerCreating".to_owned(),
        message: None,
    }
}

fn state_of(status: &ContainerStatus) -> ContainerState {
    let state = status.state.clone().unwrap_or_default();
    if let Some(terminated) = state.terminated {
        return ContainerState::Terminated {
            exit_code: terminated.exit_code,
            reason: terminated.reason.unwrap_or_default(),
            message: terminated.message,
            started_at: terminated.started_at.map(|t| t.0),
            finished_at: terminated.finished_at.map_or_else(Timestamp::now, |t| t.0),
        };
    }
    if let Some(running) = state.running {
        return ContainerState::Running {
            started_at: running.started_at.map_or_else(Timestamp::now, |t| t.0),
        };
    }
    waiting()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn view_of_a_running_pod_keeps_known_states() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p"},
            "spec": {
                "initContainers": [{"name": "init", "image": "i"}],
                "containers": [{"name": "a", "image": "i"}, {"name": "b", "image": "j"}]
            },
            "status": {
                "phase": "Running",
                "startTime": "2026-01-01T00:00:00Z",
                "initContainerStatuses": [{"name": "init", "image": "i", "imageID": "",
                    "ready": false, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                        "finishedAt": "2026-01-01T00:00:01Z"}}}],
                "containerStatuses": [{"name": "a", "image": "i", "imageID": "",
                    "ready": true, "restartCount": 0,
                    "state": {"running": {"startedAt": "2026-01-01T00:00:02Z"}}}]
            }
        }))
        .expect("pod literal");
        let mut view = view_of(&pod);
        assert!(matches!(
            view.init_containers[0].state,
            ContainerState::Terminated { exit_code: 0, .. }
        ));
        assert!(matches!(
            view.containers[0].state,
            ContainerState::Running { .. }
        ));
        assert!(matches!(
            view.containers[1].state,
            ContainerState::Waiting { .. }
        ));
        let now: Timestamp = "2026-01-01T00:05:00Z".parse().expect("ts");
        view.terminate_unfinished(REASON_EXECUTOR_RESTARTED, 137, now);
        match &view.containers[0].state {
            ContainerState::Terminated {
                exit_code,
                reason,
                started_at,
                ..
            } => {
                assert_eq!(*exit_code, 137);
                assert_eq!(reason, REASON_EXECUTOR_RESTARTED);
                assert_eq!(
                    started_at.map(|t| t.to_string()).as_deref(),
                    Some("2026-01-01T00:00:02Z")
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        // The init container that already completed keeps its state.
        assert!(matches!(
            view.init_containers[0].state,
            ContainerState::Terminated { exit_code: 0, .. }
        ));
    }
}
