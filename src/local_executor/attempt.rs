//! One attempt: one Pod object, materialised and run locally like kubelet would run it
//! (init containers one by one, then the main containers together), with its status kept
//! up to date through `/status`, deadlines enforced and stop requests honoured.

use super::error::{AttemptError, REASON_UNSUPPORTED};
use super::pod_status::{
    ContainerState, ContainerView, PodPhase, PodView, REASON_DEADLINE_EXCEEDED, REASON_START_ERROR,
    pod_status_patch,
};
use super::prepare::{PreparedContainer, materialise, read_termination_message};
use super::process::{ProcessExit, RunningProcess, START_ERROR_EXIT_CODE, spawn};
use super::{ExecutorConfig, StopReason, job_status, sleep_until};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{DeleteParams, Patch, PatchParams};
use kube::{Api, Client, ResourceExt};
use std::time::Duration;
use tokio::sync::watch;

/// Pod reason when its Job was deleted with `propagationPolicy: Orphan` while it ran.
pub const REASON_JOB_DELETED: &str = "JobDeleted";
/// Kubernetes' default `terminationGracePeriodSeconds`, also the longest grace used here.
const MAX_GRACE: Duration = Duration::from_secs(30);
/// Grace for containers when the executor itself shuts down.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
const POD_DEADLINE_MESSAGE: &str = "Pod was active on the node longer than the specified deadline";
const JOB_DEADLINE_MESSAGE: &str = "Job was active longer than specified deadline";

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The Pod succeeded.
    Succeeded,
    /// The Pod failed (a container failed, an unsupported spec, the Pod's own deadline).
    Failed,
    /// The Job's `activeDeadlineSeconds` passed while the Pod ran; the Pod failed.
    JobDeadlineExceeded,
    /// Stopped on request; nothing more to do for this Job in this worker.
    Stopped,
}

/// What interrupted waiting for processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Interrupt {
    Stop(StopReason),
    JobDeadline,
    PodDeadline,
}

/// Where a running process sits in the pod view.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Init(usize),
    Main(usize),
}

struct Started {
    slot: Slot,
    process: RunningProcess,
    started_at: Timestamp,
}

/// Runs one attempt of a Job.
pub struct Attempt<'a> {
    /// API client.
    pub client: &'a Client,
    /// Executor configuration.
    pub config: &'a ExecutorConfig,
    /// The Job (for its name and namespace).
    pub job: &'a Job,
    /// When the Job's `activeDeadlineSeconds` ends.
    pub job_deadline: Option<Timestamp>,
    /// Stop requests for this Job.
    pub stop: &'a mut watch::Receiver<Option<StopReason>>,
}

impl Attempt<'_> {
    /// Runs the created Pod `pod` to its end. API errors are returned (the worker retries
    /// later); everything about the Pod itself ends in the Pod's status.
    pub async fn run(self, pod: Pod) -> Result<AttemptOutcome, AttemptError> {
        let pods: Api<Pod> =
            Api::namespaced(self.client.clone(), &pod.namespace().unwrap_or_default());
        let mut run = AttemptRun {
            pods,
            pod_name: pod.name_any(),
            view: PodView::pending(&[], &[], Timestamp::now()),
            attempt: self,
        };
        run.execute(&pod).await
    }
}

struct AttemptRun<'a> {
    pods: Api<Pod>,
    pod_name: String,
    view: PodView,
    attempt: Attempt<'a>,
}

impl AttemptRun<'_> {
    async fn execute(&mut self, pod: &Pod) -> Result<AttemptOutcome, AttemptError> {
        let spec = pod.spec.clone().unwrap_or_default();
        let names = |containers: &[k8s_openapi::api::core::v1::Container]| {
            containers
                .iter()
                .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        let start = Timestamp::now();
        self.view = PodView::pending(
            &names(spec.init_containers.as_deref().unwrap_or_default()),
            &names(&spec.containers),
            start,
        );
        self.write_status().await?;

        if let Some(message) = job_status::unsupported_job_feature(self.attempt.job) {
            tracing::warn!(pod = %self.pod_name, %message, "job cannot run");
            self.fail_pod(REASON_UNSUPPORTED, &message, START_ERROR_EXIT_CODE)
                .await?;
            return Ok(AttemptOutcome::Failed);
        }
        let settings = self.attempt.config.materialise_settings();
        let prepared = match materialise(self.attempt.client, pod, &settings).await {
            Ok(prepared) => prepared,
            Err(AttemptError::Pod { reason, message }) => {
                tracing::warn!(pod = %self.pod_name, reason, %message, "pod cannot run");
                self.fail_pod(reason, &message, START_ERROR_EXIT_CODE)
                    .await?;
                return Ok(AttemptOutcome::Failed);
            }
            Err(err) => return Err(err),
        };
        let pod_deadline = spec.active_deadline_seconds.map(|seconds| {
            start
                .checked_add(SignedDuration::from_secs(seconds))
                .unwrap_or(Timestamp::MAX)
        });
        let grace = spec
            .termination_grace_period_seconds
            .and_then(|s| u64::try_from(s).ok())
            .map_or(MAX_GRACE, Duration::from_secs)
            .min(MAX_GRACE);

        for (index, container) in prepared.init_containers.iter().enumerate() {
            let Some(started) = self.start(Slot::Init(index), container).await? else {
                return Ok(AttemptOutcome::Failed);
            };
            self.write_status().await?;
            match self
                .wait(vec![started], &[container], pod_deadline, grace)
                .await?
            {
                Some(outcome) => return Ok(outcome),
                None if self.view.derive_phase() == PodPhase::Failed => {
                    self.view.phase = PodPhase::Failed;
                    self.write_status().await?;
                    return Ok(AttemptOutcome::Failed);
                }
                None => {}
            }
        }

        let mut running = Vec::new();
        for (index, container) in prepared.containers.iter().enumerate() {
            if let Some(started) = self.start(Slot::Main(index), container).await? {
                running.push(started);
            }
        }
        self.view.phase = self.view.derive_phase();
        self.write_status().await?;
        if self.view.phase == PodPhase::Running {
            let jobs: Api<Job> = Api::namespaced(
                self.attempt.client.clone(),
                &self.attempt.job.namespace().unwrap_or_default(),
            );
            jobs.patch_status(
                &self.attempt.job.name_any(),
                &PatchParams::default(),
                &Patch::Merge(job_status::ready_patch(1)),
            )
            .await
            .map_err(|e| AttemptError::api("mark the job ready", e))?;
        }
        let containers: Vec<&PreparedContainer> = prepared.containers.iter().collect();
        if let Some(outcome) = self.wait(running, &containers, pod_deadline, grace).await? {
            return Ok(outcome);
        }
        self.view.phase = self.view.derive_phase();
        self.write_status().await?;
        Ok(match self.view.phase {
            PodPhase::Succeeded => AttemptOutcome::Succeeded,
            _ => AttemptOutcome::Failed,
        })
    }

    /// Starts one container; a start failure ends the container with `StartError` and
    /// returns `None` (for an init container the Pod fails right away).
    async fn start(
        &mut self,
        slot: Slot,
        container: &PreparedContainer,
    ) -> Result<Option<Started>, AttemptError> {
        let started_at = Timestamp::now();
        match spawn(&container.process) {
            Ok(process) => {
                tracing::info!(
                    pod = %self.pod_name, container = %container.name,
                    pid = process.pid(), "container started"
                );
                *self.state_mut(slot) = ContainerState::Running { started_at };
                Ok(Some(Started {
                    slot,
                    process,
                    started_at,
                }))
            }
            Err(err) => {
                tracing::warn!(pod = %self.pod_name, container = %container.name, %err, "container cannot start");
                *self.state_mut(slot) = ContainerState::Terminated {
                    exit_code: START_ERROR_EXIT_CODE,
                    reason: REASON_START_ERROR.to_owned(),
                    message: Some(err.to_string()),
                    started_at: None,
                    finished_at: Timestamp::now(),
                };
                if let Slot::Init(_) = slot {
                    self.view.phase = PodPhase::Failed;
                    self.write_status().await?;
                }
                Ok(None)
            }
        }
    }

    /// Waits for the started processes; records their ends. Returns `Some(outcome)` when
    /// the attempt ended early (stop request, deadline), `None` when they all exited.
    async fn wait(
        &mut self,
        mut started: Vec<Started>,
        containers: &[&PreparedContainer],
        pod_deadline: Option<Timestamp>,
        grace: Duration,
    ) -> Result<Option<AttemptOutcome>, AttemptError> {
        let job_deadline = self.attempt.job_deadline;
        let interrupt = {
            let waits = futures::future::join_all(started.iter_mut().map(|s| s.process.wait()));
            let stop = &mut *self.attempt.stop;
            tokio::select! {
                exits = waits => {
                    let exits: Vec<Result<ProcessExit, _>> = exits;
                    Err(exits)
                }
                interrupt = interrupted(stop, job_deadline, pod_deadline) => Ok(interrupt),
            }
        };
        match interrupt {
            Err(exits) => {
                let now = Timestamp::now();
                for (started, exit) in started.iter().zip(exits) {
                    let container = container_of(started.slot, containers);
                    let exit_code = match exit {
                        Ok(exit) => exit.exit_code,
                        Err(err) => {
                            tracing::warn!(pod = %self.pod_name, %err, "lost a process");
                            START_ERROR_EXIT_CODE
                        }
                    };
                    let message = container.and_then(|c| read_termination_message(c, exit_code));
                    tracing::info!(
                        pod = %self.pod_name,
                        container = container.map(|c| c.name.as_str()).unwrap_or_default(),
                        exit_code, "container exited"
                    );
                    *self.state_mut(started.slot) =
                        ContainerState::exited(exit_code, message, started.started_at, now);
                }
                for started in started {
                    started.process.finish().await;
                }
                Ok(None)
            }
            Ok(interrupt) => {
                let grace = match interrupt {
                    Interrupt::Stop(StopReason::Shutdown) => grace.min(SHUTDOWN_GRACE),
                    _ => grace,
                };
                tracing::info!(pod = %self.pod_name, ?interrupt, "stopping the pod's processes");
                let terminations = started.iter_mut().map(|s| s.process.terminate(grace));
                let exits = futures::future::join_all(terminations).await;
                let now = Timestamp::now();
                for (started, exit) in started.iter().zip(exits) {
                    let exit_code = exit.map_or(137, |e| e.exit_code);
                    let container = container_of(started.slot, containers);
                    let message = container.and_then(|c| read_termination_message(c, exit_code));
                    *self.state_mut(started.slot) =
                        ContainerState::exited(exit_code, message, started.started_at, now);
                }
                for started in started {
                    started.process.finish().await;
                }
                self.after_interrupt(interrupt).await.map(Some)
            }
        }
    }

    async fn after_interrupt(
        &mut self,
        interrupt: Interrupt,
    ) -> Result<AttemptOutcome, AttemptError> {
        match interrupt {
            // Leave the Pod Running: the next executor instance marks it ExecutorRestarted.
            Interrupt::Stop(StopReason::Shutdown) => Ok(AttemptOutcome::Stopped),
            Interrupt::Stop(StopReason::JobDeleted { orphan_pods: true }) => {
                self.fail_pod(
                    REASON_JOB_DELETED,
                    "the Job was deleted while the pod ran",
                    137,
                )
                .await
                .or_else(ignore_not_found)?;
                Ok(AttemptOutcome::Stopped)
            }
            Interrupt::Stop(StopReason::JobDeleted { orphan_pods: false }) => {
                // There is no garbage collector: delete the dependent Pod ourselves.
                let params = DeleteParams {
                    grace_period_seconds: Some(0),
                    ..DeleteParams::default()
                };
                match self.pods.delete(&self.pod_name, &params).await {
                    Ok(_) => {}
                    Err(kube::Error::Api(status)) if status.is_not_found() => {}
                    Err(e) => return Err(AttemptError::api("delete the pod of a deleted job", e)),
                }
                Ok(AttemptOutcome::Stopped)
            }
            Interrupt::JobDeadline => {
                self.fail_pod(REASON_DEADLINE_EXCEEDED, JOB_DEADLINE_MESSAGE, 137)
                    .await?;
                Ok(AttemptOutcome::JobDeadlineExceeded)
            }
            Interrupt::PodDeadline => {
                self.fail_pod(REASON_DEADLINE_EXCEEDED, POD_DEADLINE_MESSAGE, 137)
                    .await?;
                Ok(AttemptOutcome::Failed)
            }
        }
    }

    /// Fails the whole Pod: unfinished containers end with `reason`.
    async fn fail_pod(
        &mut self,
        reason: &str,
        message: &str,
        exit_code: i32,
    ) -> Result<(), AttemptError> {
        let now = Timestamp::now();
        self.view.terminate_unfinished(reason, exit_code, now);
        for container in self
            .view
            .init_containers
            .iter_mut()
            .chain(self.view.containers.iter_mut())
        {
            if let ContainerState::Terminated {
                reason: r,
                message: m,
                ..
            } = &mut container.state
                && r == reason
                && m.is_none()
            {
                *m = Some(message.to_owned());
            }
        }
        self.view.phase = PodPhase::Failed;
        self.view.reason = Some(reason.to_owned());
        self.view.message = Some(message.to_owned());
        self.write_status().await
    }

    fn state_mut(&mut self, slot: Slot) -> &mut ContainerState {
        let (list, index) = match slot {
            Slot::Init(i) => (&mut self.view.init_containers, i),
            Slot::Main(i) => (&mut self.view.containers, i),
        };
        // The view was built from the same spec the slots come from; a mismatch would be
        // a bug, so grow the list instead of panicking.
        while list.len() <= index {
            list.push(ContainerView {
                name: format!("container-{index}"),
                image: String::new(),
                state: ContainerState::Waiting {
                    reason: "Unknown".to_owned(),
                    message: None,
                },
            });
        }
        &mut list[index].state
    }

    async fn write_status(&self) -> Result<(), AttemptError> {
        let patch = pod_status_patch(&self.view, Timestamp::now());
        self.pods
            .patch_status(
                &self.pod_name,
                &PatchParams::default(),
                &Patch::Merge(&patch),
            )
            .await
            .map(|_| ())
            .map_err(|e| AttemptError::api(format!("update status of pod {}", self.pod_name), e))
    }
}

fn container_of<'a>(
    slot: Slot,
    containers: &[&'a PreparedContainer],
) -> Option<&'a PreparedContainer> {
    let index = match slot {
        Slot::Init(_) => 0,
        Slot::Main(i) => i,
    };
    containers.get(index).copied()
}

fn ignore_not_found(err: AttemptError) -> Result<(), AttemptError> {
    match &err {
        AttemptError::Api {
            source: kube::Error::Api(status),
            ..
        } if status.is_not_found() => Ok(()),
        _ => Err(err),
    }
}

/// Resolves when the attempt must stop: a stop request or a deadline.
async fn interrupted(
    stop: &mut watch::Receiver<Option<StopReason>>,
    job_deadline: Option<Timestamp>,
    pod_deadline: Option<Timestamp>,
) -> Interrupt {
    tokio::select! {
        reason = stop_requested(stop) => Interrupt::Stop(reason),
        () = sleep_until(job_deadline) => Interrupt::JobDeadline,
        () = sleep_until(pod_deadline) => Interrupt::PodDeadline,
    }
}

/// Resolves with the stop reason once one is sent (a dropped sender means shutdown).
pub async fn stop_requested(stop: &mut watch::Receiver<Option<StopReason>>) -> StopReason {
    match stop.wait_for(Option::is_some).await {
        Ok(reason) => reason.unwrap_or(StopReason::Shutdown),
        Err(_) => StopReason::Shutdown,
    }
}
