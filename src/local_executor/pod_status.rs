//! Pod status as kubelet would report it, built from what the executor knows about its
//! processes. Pure: the clock is a parameter; the result is a merge patch for `/status`.

use super::k8s_time;
use jiff::Timestamp;
use serde_json::{Value, json};

/// Pod reason when the executor was restarted while the Pod ran (its processes are gone).
pub const REASON_EXECUTOR_RESTARTED: &str = "ExecutorRestarted";
/// Pod reason when an active deadline (the Pod's or the Job's) ended it.
pub const REASON_DEADLINE_EXCEEDED: &str = "DeadlineExceeded";
/// Container reason of a successful exit.
pub const REASON_COMPLETED: &str = "Completed";
/// Container reason of a non-zero exit.
pub const REASON_ERROR: &str = "Error";
/// Container reason when the process could not be started.
pub const REASON_START_ERROR: &str = "StartError";
/// Longest termination message kept (kubelet's limit).
pub const MAX_TERMINATION_MESSAGE_BYTES: usize = 4096;

/// Pod phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodPhase {
    /// Created, containers not all started yet.
    Pending,
    /// Main containers started.
    Running,
    /// All main containers exited with 0.
    Succeeded,
    /// Something failed.
    Failed,
}

impl PodPhase {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Running => "Running",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
        }
    }

    /// Succeeded or Failed.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// State of one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerState {
    /// Not started (yet).
    Waiting {
        /// e.g. `ContainerCreating`, `PodInitializing`.
        reason: String,
        /// Optional detail.
        message: Option<String>,
    },
    /// Its process runs.
    Running {
        /// When it started.
        started_at: Timestamp,
    },
    /// Its process ended.
    Terminated {
        /// Exit code (128 + signal when killed).
        exit_code: i32,
        /// `Completed`, `Error`, `StartError`, ...
        reason: String,
        /// Termination message or error detail.
        message: Option<String>,
        /// When it started; `None` when it never did.
        started_at: Option<Timestamp>,
        /// When it ended.
        finished_at: Timestamp,
    },
}

impl ContainerState {
    /// A terminated state with the conventional reason for the exit code.
    pub fn exited(
        exit_code: i32,
        message: Option<String>,
        started_at: Timestamp,
        finished_at: Timestamp,
    ) -> Self {
        let reason = if exit_code == 0 {
            REASON_COMPLETED
        } else {
            REASON_ERROR
        };
        Self::Terminated {
            exit_code,
            reason: reason.to_owned(),
            message,
            started_at: Some(started_at),
            finished_at,
        }
    }

    fn succeeded(&self) -> bool {
        matches!(self, Self::Terminated { exit_code: 0, .. })
    }
}

/// One container as seen by the executor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerView {
    /// Container name.
    pub name: String,
    /// Image as written in the spec.
    pub image: String,
    /// Its state.
    pub state: ContainerState,
}

/// The whole pod as seen by the executor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodView {
    /// Phase.
    pub phase: PodPhase,
    /// Pod-level reason (`DeadlineExceeded`, `ExecutorRestarted`, `Unsupported`...).
    pub reason: Option<String>,
    /// Pod-level message.
    pub message: Option<String>,
    /// When the executor took the pod on.
    pub start_time: Option<Timestamp>,
    /// Init containers in spec order.
    pub init_containers: Vec<ContainerView>,
    /// Main containers in spec order.
    pub containers: Vec<ContainerView>,
}

impl PodView {
    /// A pod whose containers all wait with `reason`.
    pub fn pending(
        init: &[(String, String)],
        main: &[(String, String)],
        start_time: Timestamp,
    ) -> Self {
        let waiting = |reason: &str| ContainerState::Waiting {
            reason: reason.to_owned(),
            message: None,
        };
        let main_reason = if init.is_empty() {
            "ContainerCreating"
        } else {
            "PodInitializing"
        };
        Self {
            phase: PodPhase::Pending,
            reason: None,
            message: None,
            start_time: Some(start_time),
            init_containers: views(init, || waiting("PodInitializing")),
            containers: views(main, || waiting(main_reason)),
        }
    }

    /// The phase that follows from the container states (restartPolicy Never): a failed
    /// init container fails the pod; once every main container ended the pod succeeded
    /// when all exited with 0 and failed otherwise; it runs once all main containers
    /// started.
    pub fn derive_phase(&self) -> PodPhase {
        let failed = |c: &ContainerView| matches!(c.state, ContainerState::Terminated { exit_code, .. } if exit_code != 0);
        if self.init_containers.iter().any(failed) {
            return PodPhase::Failed;
        }
        if self.containers.is_empty() {
            return PodPhase::Pending;
        }
        let ended = |c: &ContainerView| matches!(c.state, ContainerState::Terminated { .. });
        if self.containers.iter().all(ended) {
            return if self.containers.iter().any(failed) {
                PodPhase::Failed
            } else {
                PodPhase::Succeeded
            };
        }
        let started = |c: &ContainerView| !matches!(c.state, ContainerState::Waiting { .. });
        if self.containers.iter().all(started) {
            return PodPhase::Running;
        }
        PodPhase::Pending
    }

    /// Marks every container that has not ended as terminated with `reason` (used when a
    /// pod fails as a whole: deadline, unsupported spec, executor restart).
    pub fn terminate_unfinished(&mut self, reason: &str, exit_code: i32, now: Timestamp) {
        for container in self
            .init_containers
            .iter_mut()
            .chain(self.containers.iter_mut())
        {
            let started_at = match container.state {
                ContainerState::Terminated { .. } => continue,
                ContainerState::Running { started_at } => Some(started_at),
                ContainerState::Waiting { .. } => None,
            };
            container.state = ContainerState::Terminated {
                exit_code,
                reason: reason.to_owned(),
                message: None,
                started_at,
                finished_at: now,
            };
        }
    }
}

fn views(
    containers: &[(String, String)],
    state: impl Fn() -> ContainerState,
) -> Vec<ContainerView> {
    containers
        .iter()
        .map(|(name, image)| ContainerView {
            name: name.clone(),
            image: image.clone(),
            state: state(),
        })
        .collect()
}

/// Cuts a termination message to kubelet's limit without splitting a character.
pub fn truncate_message(message: &str) -> &str {
    if message.len() <= MAX_TERMINATION_MESSAGE_BYTES {
        return message;
    }
    let mut end = MAX_TERMINATION_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}

/// The merge patch for `/status` that makes the Pod look like `view` at `now`.
pub fn pod_status_patch(view: &PodView, now: Timestamp) -> Value {
    let now_text = k8s_time(now);
    let initialized = view.init_containers.iter().all(|c| c.state.succeeded());
    let ready = view.phase == PodPhase::Running
        && view
            .containers
            .iter()
            .all(|c| matches!(c.state, ContainerState::Running { .. }));
    let condition = |type_: &str, ok: bool, reason: Option<&str>| {
        let mut c = json!({
            "type": type_,
            "status": if ok { "True" } else { "False" },
            "lastProbeTime": null,
            "lastTransitionTime": now_text,
        });
        if let (false, Some(reason)) = (ok, reason) {
            c["reason"] = json!(reason);
        }
        c
    };
    let not_ready_reason = if view.phase.is_terminal() {
        "PodCompleted"
    } else {
        "ContainersNotReady"
    };
    let mut status = json!({
        "phase": view.phase.as_str(),
        "conditions": [
            condition("PodScheduled", true, None),
            condition("Initialized", initialized, Some("ContainersNotInitialized")),
            condition("ContainersReady", ready, Some(not_ready_reason)),
            condition("Ready", ready, Some(not_ready_reason)),
        ],
        "hostIP": super::env::LOCAL_IP,
        "hostIPs": [{"ip": super::env::LOCAL_IP}],
        "containerStatuses": view.containers.iter().map(|c| container_status(c, ready)).collect::<Vec<_>>(),
    });
    if !view.init_containers.is_empty() {
        status["initContainerStatuses"] = view
            .init_containers
            .iter()
            .map(|c| container_status(c, c.state.succeeded()))
            .collect();
    }
    if let Some(start) = view.start_time {
        status["startTime"] = json!(k8s_time(start));
    }
    // Merge patch: null removes a reason/message left by an earlier state.
    status["reason"] = view.reason.as_ref().map_or(Value::Null, |r| json!(r));
    status["message"] = view.message.as_ref().map_or(Value::Null, |m| json!(m));
    json!({ "status": status })
}

fn container_status(container: &ContainerView, ready: bool) -> Value {
    let (state, started) = match &container.state {
        ContainerState::Waiting { reason, message } => {
            let mut waiting = json!({ "reason": reason });
            if let Some(message) = message {
                waiting["message"] = json!(message);
            }
            (json!({ "waiting": waiting }), false)
        }
        ContainerState::Running { started_at } => (
            json!({ "running": { "startedAt": k8s_time(*started_at) } }),
            true,
        ),
        ContainerState::Terminated {
            exit_code,
            reason,
            message,
            started_at,
            finished_at,
        } => {
            let mut terminated = json!({
                "exitCode": exit_code,
                "reason": reason,
                "finishedAt": k8s_time(*finished_at),
            });
            if let Some(started_at) = started_at {
                terminated["startedAt"] = json!(k8s_time(*started_at));
            }
            if let Some(message) = message.as_deref().filter(|m| !m.is_empty()) {
                terminated["message"] = json!(truncate_message(message));
            }
            (json!({ "terminated": terminated }), false)
        }
    };
    json!({
        "name": container.name,
        "image": container.image,
        "imageID": "",
        "ready": ready,
        "restartCount": 0,
        "started": started,
        "state": state,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp literal")
    }

    fn pair(name: &str) -> (String, String) {
        (name.to_owned(), "img".to_owned())
    }

    #[test]
    fn phases_follow_container_states() {
        let t0 = ts("2026-01-01T00:00:00Z");
        let t1 = ts("2026-01-01T00:00:05Z");
        let running = ContainerState::Running { started_at: t0 };
        let ok = ContainerState::exited(0, None, t0, t1);
        let bad = ContainerState::exited(2, None, t0, t1);
        let waiting = ContainerState::Waiting {
            reason: "ContainerCreating".to_owned(),
            message: None,
        };
        // (init states, main states, expected phase)
        let cases = [
            (vec![], vec![waiting.clone()], PodPhase::Pending),
            (
                vec![running.clone()],
                vec![waiting.clone()],
                PodPhase::Pending,
            ),
            (vec![ok.clone()], vec![running.clone()], PodPhase::Running),
            (vec![], vec![ok.clone(), running.clone()], PodPhase::Running),
            (vec![], vec![ok.clone(), ok.clone()], PodPhase::Succeeded),
            (vec![bad.clone()], vec![waiting.clone()], PodPhase::Failed),
            (vec![], vec![ok.clone(), bad.clone()], PodPhase::Failed),
            (
                vec![],
                vec![bad.clone(), running.clone()],
                PodPhase::Running,
            ),
            (vec![], vec![bad], PodPhase::Failed),
        ];
        for (init, main, expected) in cases {
            let to_views = |states: Vec<ContainerState>| {
                states
                    .into_iter()
                    .map(|state| ContainerView {
                        name: "c".to_owned(),
                        image: "img".to_owned(),
                        state,
                    })
                    .collect()
            };
            let view = PodView {
                phase: PodPhase::Pending,
                reason: None,
                message: None,
                start_time: Some(t0),
                init_containers: to_views(init.clone()),
                containers: to_views(main.clone()),
            };
            assert_eq!(view.derive_phase(), expected, "init {init:?} main {main:?}");
        }
    }

    #[test]
    fn patches_for_each_phase() {
        let t0 = ts("2026-01-01T00:00:00Z");
        let t1 = ts("2026-01-01T00:00:07.900Z");
        let mut view = PodView::pending(&[pair("init")], &[pair("main")], t0);
        let pending = pod_status_patch(&view, t0);
        assert_eq!(pending["status"]["phase"], "Pending");
        assert_eq!(pending["status"]["startTime"], "2026-01-01T00:00:00Z");
        assert_eq!(
            pending["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
            "PodInitializing"
        );
        assert_eq!(pending["status"]["conditions"][1]["status"], "False");

        view.init_containers[0].state = ContainerState::exited(0, None, t0, t0);
        view.containers[0].state = ContainerState::Running { started_at: t0 };
        view.phase = view.derive_phase();
        let running = pod_status_patch(&view, t0);
        assert_eq!(running["status"]["phase"], "Running");
        assert_eq!(running["status"]["conditions"][3]["type"], "Ready");
        assert_eq!(running["status"]["conditions"][3]["status"], "True");
        assert_eq!(running["status"]["containerStatuses"][0]["ready"], true);
        assert_eq!(
            running["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"],
            "Completed"
        );

        view.containers[0].state = ContainerState::exited(0, Some("done".to_owned()), t0, t1);
        view.phase = view.derive_phase();
        let done = pod_status_patch(&view, t1);
        let terminated = &done["status"]["containerStatuses"][0]["state"]["terminated"];
        assert_eq!(done["status"]["phase"], "Succeeded");
        assert_eq!(terminated["exitCode"], 0);
        assert_eq!(terminated["reason"], "Completed");
        assert_eq!(terminated["message"], "done");
        assert_eq!(terminated["finishedAt"], "2026-01-01T00:00:07Z");
        assert_eq!(done["status"]["conditions"][3]["reason"], "PodCompleted");
        assert_eq!(done["status"]["reason"], Value::Null);
    }

    #[test]
    fn whole_pod_failures_terminate_unfinished_containers() {
        let t0 = ts("2026-01-01T00:00:00Z");
        let t1 = ts("2026-01-01T00:01:00Z");
        let mut view = PodView::pending(&[], &[pair("a"), pair("b")], t0);
        view.containers[0].state = ContainerState::Running { started_at: t0 };
        view.terminate_unfinished(REASON_EXECUTOR_RESTARTED, 137, t1);
        view.phase = PodPhase::Failed;
        view.reason = Some(REASON_EXECUTOR_RESTARTED.to_owned());
        let patch = pod_status_patch(&view, t1);
        let statuses = &patch["status"]["containerStatuses"];
        assert_eq!(
            statuses[0]["state"]["terminated"]["startedAt"],
            "2026-01-01T00:00:00Z"
        );
        assert_eq!(statuses[1]["state"]["terminated"].get("startedAt"), None);
        assert_eq!(statuses[1]["state"]["terminated"]["exitCode"], 137);
        assert_eq!(patch["status"]["reason"], "ExecutorRestarted");
    }

    #[test]
    fn termination_messages_are_cut_at_4096_bytes() {
        let long = "é".repeat(3000);
        let cut = truncate_message(&long);
        assert!(cut.len() <= MAX_TERMINATION_MESSAGE_BYTES);
        assert_eq!(cut.len(), 4096);
        assert_eq!(truncate_message("short"), "short");
    }
}
