//! One Job's life, played like the job controller: count its Pods (failing orphans), then
//! complete it, fail it (backoff limit, deadline) or start the next Pod after the backoff.
//! A worker holds one of the `--max-parallel` permits while it runs; at most one worker
//! exists per Job (the watch loop guarantees it), so a Job never runs twice at once.

use super::attempt::{Attempt, AttemptOutcome, stop_requested};
use super::error::WorkerError;
use super::job_status::{
    JobFacts, JobFailure, JobState, NextStep, PodCounts, classify, complete_patch, conditions_of,
    failed_patch, next_step, progress_patch,
};
use super::orphans::settle_pods;
use super::pod_object::build_pod;
use super::{ExecutorConfig, StopReason, sleep_until};
use jiff::Timestamp;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Patch, PatchParams, PostParams};
use kube::{Api, Client, ResourceExt};
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::{Semaphore, watch};

/// Identity of one Job (a re-created Job with the same name is another Job).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JobKey {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `metadata.uid`.
    pub uid: String,
}

impl std::fmt::Display for JobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Runs the Job until it is finished, not runnable any more, or a stop is requested.
pub async fn run_job(
    client: Client,
    config: Arc<ExecutorConfig>,
    permits: Arc<Semaphore>,
    key: JobKey,
    mut stop: watch::Receiver<Option<StopReason>>,
) -> Result<(), WorkerError> {
    let _permit = tokio::select! {
        permit = permits.acquire_owned() => match permit {
            Ok(permit) => permit,
            // Closed semaphore: the executor is shutting down.
            Err(_) => return Ok(()),
        },
        _ = stop_requested(&mut stop) => return Ok(()),
    };
    let jobs: Api<Job> = Api::namespaced(client.clone(), &key.namespace);
    let pods: Api<Pod> = Api::namespaced(client.clone(), &key.namespace);
    // The failure count whose backoff was already waited for.
    let mut backed_off_for: Option<i32> = None;
    // The last Pod ended because the Job's deadline passed.
    let mut deadline_hit = false;
    loop {
        if stop.borrow().is_some() {
            return Ok(());
        }
        let Some(job) = jobs
            .get_opt(&key.name)
            .await
            .map_err(|e| WorkerError::api(format!("get job {key}"), e))?
        else {
            return Ok(());
        };
        if job.uid().as_deref() != Some(key.uid.as_str()) || classify(&job) != JobState::Runnable {
            return Ok(());
        }
        let settled_pods = settle_pods(&pods, &job, &config.instance_id).await?;
        let mut facts = JobFacts::of(&job, settled_pods.counts);
        facts.policy_failure = settled_pods.policy_failure;
        let now = Timestamp::now();
        let step = if deadline_hit {
            // The deadline ended the last Pod, whatever the backoff limit says.
            NextStep::Fail(JobFailure::DeadlineExceeded)
        } else {
            next_step(&facts, now, &config.backoff)
        };
        let settled = PodCounts {
            active: 0,
            ready: 0,
            ..facts.counts
        };
        match step {
            NextStep::Complete => {
                let patch = complete_patch(conditions_of(&job), facts.start_time, now, settled);
                write_status(&jobs, &key, &patch).await?;
                tracing::info!(job = %key, succeeded = settled.succeeded, "job complete");
                return Ok(());
            }
            NextStep::Fail(failure) => {
                let patch = failed_patch(
                    conditions_of(&job),
                    &failure,
                    facts.start_time,
                    now,
                    settled,
                );
                write_status(&jobs, &key, &patch).await?;
                tracing::info!(
                    job = %key, failed = settled.failed, reason = failure.reason(), "job failed"
                );
                return Ok(());
            }
            NextStep::Attempt { backoff } => {
                if status_counts(&job) != settled {
                    write_status(&jobs, &key, &progress_patch(None, settled)).await?;
                }
                if !backoff.is_zero() && backed_off_for != Some(settled.failed) {
                    tracing::info!(job = %key, failed = settled.failed, ?backoff, "backing off");
                    let deadline = facts.start_time.and(facts.deadline(now));
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = sleep_until(deadline) => {}
                        _ = stop_requested(&mut stop) => return Ok(()),
                    }
                    backed_off_for = Some(settled.failed);
                    // Look again: the Job may have changed (or its deadline passed).
                    continue;
                }
                let outcome = attempt(&client, &config, &job, &facts, settled, &mut stop).await?;
                match outcome {
                    AttemptOutcome::Stopped => return Ok(()),
                    AttemptOutcome::JobDeadlineExceeded => deadline_hit = true,
                    AttemptOutcome::Succeeded | AttemptOutcome::Failed => {}
                }
            }
        }
    }
}

/// Creates the next Pod, marks the Job active and runs the Pod.
async fn attempt(
    client: &Client,
    config: &ExecutorConfig,
    job: &Job,
    facts: &JobFacts,
    settled: PodCounts,
    stop: &mut watch::Receiver<Option<StopReason>>,
) -> Result<AttemptOutcome, WorkerError> {
    let namespace = job.namespace().unwrap_or_default();
    let jobs: Api<Job> = Api::namespaced(client.clone(), &namespace);
    let pods: Api<Pod> = Api::namespaced(client.clone(), &namespace);
    let key = format!("{namespace}/{}", job.name_any());
    let pod = build_pod(job, &config.instance_id)?;
    let created = pods
        .create(&PostParams::default(), &pod)
        .await
        .map_err(|e| WorkerError::api(format!("create a pod for job {key}"), e))?;
    tracing::info!(job = %key, pod = %created.name_any(), "pod created");
    let now = Timestamp::now();
    let set_start = facts.start_time.is_none().then_some(now);
    let active = PodCounts {
        active: 1,
        ready: 0,
        ..settled
    };
    jobs.patch_status(
        &job.name_any(),
        &PatchParams::default(),
        &Patch::Merge(progress_patch(set_start, active)),
    )
    .await
    .map_err(|e| WorkerError::api(format!("mark job {key} active"), e))?;
    let job_deadline = facts.deadline(now);
    let outcome = Attempt {
        client,
        config,
        job,
        job_deadline,
        stop,
    }
    .run(created)
    .await?;
    tracing::info!(job = %key, ?outcome, "attempt ended");
    Ok(outcome)
}

fn status_counts(job: &Job) -> PodCounts {
    let status = job.status.as_ref();
    PodCounts {
        active: status.and_then(|s| s.active).unwrap_or(0),
        ready: status.and_then(|s| s.ready).unwrap_or(0),
        succeeded: status.and_then(|s| s.succeeded).unwrap_or(0),
        failed: status.and_then(|s| s.failed).unwrap_or(0),
    }
}

async fn write_status(jobs: &Api<Job>, key: &JobKey, patch: &Value) -> Result<(), WorkerError> {
    jobs.patch_status(&key.name, &PatchParams::default(), &Patch::Merge(patch))
        .await
        .map(|_| ())
        .map_err(|e| WorkerError::api(format!("update status of job {key}"), e))
}
