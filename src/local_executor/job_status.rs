//! Job status the way the job controller writes it, within the API server's strict
//! validation of Job status updates (JobManagedBy rules, GA in 1.35, default since 1.32):
//!
//! - finished Jobs need `startTime`; `startTime` never changes once set;
//! - `Complete=True` needs `SuccessCriteriaMet=True`, `completionTime >= startTime`,
//!   `active == 0`, `ready <= active`;
//! - `Failed=True` needs `FailureTarget=True`, `active == 0` and no `completionTime`;
//! - terminal conditions are never removed, `succeeded`/`failed` never decrease.
//!
//! Pure: the clock is a parameter, the results are merge patches for `/status`.

use super::k8s_time;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::batch::v1::{Job, JobCondition};
use serde_json::{Value, json};
use std::time::Duration;

/// `backoffLimit` when the Job does not set one (Kubernetes' default).
pub const DEFAULT_BACKOFF_LIMIT: i32 = 6;
/// The `managedBy` value of the built-in job controller, which this executor plays.
pub const BUILTIN_JOB_CONTROLLER: &str = "kubernetes.io/job-controller";
/// Condition reason and message of a successful Job.
pub const REASON_COMPLETIONS_REACHED: &str = "CompletionsReached";
const MESSAGE_COMPLETIONS_REACHED: &str = "Reached expected number of succeeded pods";

/// Why a Job failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFailure {
    /// More failed pods than `backoffLimit` allows.
    BackoffLimitExceeded,
    /// `activeDeadlineSeconds` passed.
    DeadlineExceeded,
    /// A reason found on an earlier `FailureTarget` condition.
    Other {
        /// Reason of the `FailureTarget` condition.
        reason: String,
        /// Its message.
        message: String,
    },
}

impl JobFailure {
    /// Condition reason.
    pub fn reason(&self) -> &str {
        match self {
            Self::BackoffLimitExceeded => "BackoffLimitExceeded",
            Self::DeadlineExceeded => "DeadlineExceeded",
            Self::Other { reason, .. } => reason,
        }
    }

    /// Condition message (the job controller's wording).
    pub fn message(&self) -> &str {
        match self {
            Self::BackoffLimitExceeded => "Job has reached the specified backoff limit",
            Self::DeadlineExceeded => "Job was active longer than specified deadline",
            Self::Other { message, .. } => message,
        }
    }
}

/// What the executor should do with a Job right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// `Complete` or `Failed` is True; `finished_at` is when (if known).
    Finished {
        /// `completionTime`, or the terminal condition's transition time.
        finished_at: Option<Timestamp>,
    },
    /// `metadata.deletionTimestamp` is set.
    Deleting,
    /// `spec.suspend` is true or `parallelism` is 0: no pods.
    Suspended,
    /// `spec.managedBy` names another controller.
    ManagedElsewhere(String),
    /// Needs pods.
    Runnable,
}

/// Classifies a Job.
pub fn classify(job: &Job) -> JobState {
    let conditions = conditions_of(job);
    if has_true(conditions, "Complete") || has_true(conditions, "Failed") {
        let finished_at = job
            .status
            .as_ref()
            .and_then(|s| s.completion_time.as_ref())
            .map(|t| t.0)
            .or_else(|| {
                conditions
                    .iter()
                    .filter(|c| {
                        (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True"
                    })
                    .find_map(|c| c.last_transition_time.as_ref().map(|t| t.0))
            });
        return JobState::Finished { finished_at };
    }
    if job.metadata.deletion_timestamp.is_some() {
        return JobState::Deleting;
    }
    let spec = job.spec.as_ref();
    if let Some(manager) = spec.and_then(|s| s.managed_by.as_deref())
        && manager != BUILTIN_JOB_CONTROLLER
    {
        return JobState::ManagedElsewhere(manager.to_owned());
    }
    if spec.and_then(|s| s.suspend) == Some(true) || spec.and_then(|s| s.parallelism) == Some(0) {
        return JobState::Suspended;
    }
    JobState::Runnable
}

/// A Job feature the executor does not implement, described for the Pod's message.
/// (Pods run one at a time, so `parallelism` is honoured as "at most"; `completions` is.)
pub fn unsupported_job_feature(job: &Job) -> Option<String> {
    let spec = job.spec.as_ref()?;
    if spec.completion_mode.as_deref() == Some("Indexed") {
        return Some("completionMode Indexed is not supported by the local executor".to_owned());
    }
    if spec.success_policy.is_some() {
        return Some("successPolicy is not supported by the local executor".to_owned());
    }
    if spec.backoff_limit_per_index.is_some() {
        return Some("backoffLimitPerIndex is not supported by the local executor".to_owned());
    }
    None
}

/// The Job's conditions (empty when it has none).
pub fn conditions_of(job: &Job) -> &[JobCondition] {
    job.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default()
}

fn has_true(conditions: &[JobCondition], type_: &str) -> bool {
    conditions
        .iter()
        .any(|c| c.type_ == type_ && c.status == "True")
}

/// Pod counts of a Job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PodCounts {
    /// Pods running or about to.
    pub active: i32,
    /// Active pods that are ready.
    pub ready: i32,
    /// Pods that succeeded.
    pub succeeded: i32,
    /// Pods that failed.
    pub failed: i32,
}

/// The facts a decision needs, taken from the Job and its Pods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFacts {
    /// `spec.completions` (default 1).
    pub completions: i32,
    /// `spec.backoffLimit` (default 6).
    pub backoff_limit: i32,
    /// `spec.activeDeadlineSeconds`.
    pub active_deadline_seconds: Option<i64>,
    /// `status.startTime`.
    pub start_time: Option<Timestamp>,
    /// Succeeded and failed pods so far.
    pub counts: PodCounts,
    /// A `SuccessCriteriaMet=True` condition is present (a half-written success).
    pub success_criteria_met: bool,
    /// A `FailureTarget=True` condition is present (a half-written failure).
    pub failure_target: Option<JobFailure>,
    /// A failed Pod matched a `FailJob` rule of the pod failure policy.
    pub policy_failure: Option<JobFailure>,
}

impl JobFacts {
    /// Reads the facts of `job`, with pod counts that may be higher than its status says
    /// (pods found but not yet counted).
    pub fn of(job: &Job, pods: PodCounts) -> Self {
        let spec = job.spec.as_ref();
        let status = job.status.as_ref();
        let conditions = conditions_of(job);
        let failure_target = conditions
            .iter()
            .find(|c| c.type_ == "FailureTarget" && c.status == "True")
            .map(|c| {
                let reason = c.reason.clone().unwrap_or_default();
                match reason.as_str() {
                    "BackoffLimitExceeded" => JobFailure::BackoffLimitExceeded,
                    "DeadlineExceeded" => JobFailure::DeadlineExceeded,
                    _ => JobFailure::Other {
                        reason,
                        message: c.message.clone().unwrap_or_default(),
                    },
                }
            });
        Self {
            completions: spec.and_then(|s| s.completions).unwrap_or(1),
            backoff_limit: spec
                .and_then(|s| s.backoff_limit)
                .unwrap_or(DEFAULT_BACKOFF_LIMIT),
            active_deadline_seconds: spec.and_then(|s| s.active_deadline_seconds),
            start_time: status.and_then(|s| s.start_time.as_ref()).map(|t| t.0),
            counts: PodCounts {
                active: pods.active,
                ready: pods.ready,
                succeeded: pods
                    .succeeded
                    .max(status.and_then(|s| s.succeeded).unwrap_or(0)),
                failed: pods.failed.max(status.and_then(|s| s.failed).unwrap_or(0)),
            },
            success_criteria_met: has_true(conditions, "SuccessCriteriaMet"),
            failure_target,
            policy_failure: None,
        }
    }

    /// When `activeDeadlineSeconds` ends, measured from `startTime` (or from `now` when
    /// the Job has not started yet).
    pub fn deadline(&self, now: Timestamp) -> Option<Timestamp> {
        let seconds = self.active_deadline_seconds?;
        let start = self.start_time.unwrap_or(now);
        Some(
            start
                .checked_add(SignedDuration::from_secs(seconds))
                .unwrap_or(Timestamp::MAX),
        )
    }
}

/// The next step for a runnable Job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// Write the success conditions.
    Complete,
    /// Write the failure conditions.
    Fail(JobFailure),
    /// Start another pod after waiting `backoff` (zero for the first one).
    Attempt {
        /// Delay before the pod is created.
        backoff: Duration,
    },
}

/// Decides what happens next, in the job controller's order: finish what an earlier run
/// half-wrote, then a `FailJob` pod failure policy rule, success, the backoff limit, the
/// deadline, and otherwise another pod.
pub fn next_step(facts: &JobFacts, now: Timestamp, backoff: &BackoffPolicy) -> NextStep {
    if let Some(failure) = facts
        .failure_target
        .as_ref()
        .or(facts.policy_failure.as_ref())
    {
        return NextStep::Fail(failure.clone());
    }
    if facts.success_criteria_met || facts.counts.succeeded >= facts.completions.max(1) {
        return NextStep::Complete;
    }
    if facts.counts.failed > facts.backoff_limit {
        return NextStep::Fail(JobFailure::BackoffLimitExceeded);
    }
    if facts.deadline(now).is_some_and(|deadline| now >= deadline) {
        return NextStep::Fail(JobFailure::DeadlineExceeded);
    }
    NextStep::Attempt {
        backoff: backoff.delay(facts.counts.failed),
    }
}

/// Delay between failed pods: `base * 2^(failures - 1)`, capped (the job controller uses
/// 10 s and 6 min).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// Delay after the first failure.
    pub base: Duration,
    /// Longest delay.
    pub max: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(10),
            max: Duration::from_secs(360),
        }
    }
}

impl BackoffPolicy {
    /// Delay before the next pod after `failures` failed pods.
    pub fn delay(&self, failures: i32) -> Duration {
        if failures <= 0 {
            return Duration::ZERO;
        }
        let exponent = u32::try_from(failures - 1).unwrap_or(0).min(30);
        self.base
            .checked_mul(1 << exponent)
            .unwrap_or(self.max)
            .min(self.max)
    }
}

/// Progress patch: pod counts, plus `startTime` when the Job has none yet.
pub fn progress_patch(set_start_time: Option<Timestamp>, counts: PodCounts) -> Value {
    let mut status = counts_json(counts);
    if let Some(start) = set_start_time {
        status["startTime"] = json!(k8s_time(start));
    }
    json!({ "status": status })
}

/// Readiness patch: the number of ready pods (never above `active`, which the progress
/// patch before it set).
pub fn ready_patch(ready: i32) -> Value {
    json!({ "status": { "ready": ready } })
}

/// Success patch: `SuccessCriteriaMet` + `Complete` (reason CompletionsReached),
/// `completionTime` (never before `startTime`), no active pods.
pub fn complete_patch(
    existing: &[JobCondition],
    start_time: Option<Timestamp>,
    now: Timestamp,
    counts: PodCounts,
) -> Value {
    let start = start_time.unwrap_or(now);
    let completion = now.max(start);
    let conditions = with_conditions(
        existing,
        &[
            (
                "SuccessCriteriaMet",
                REASON_COMPLETIONS_REACHED,
                MESSAGE_COMPLETIONS_REACHED,
            ),
            (
                "Complete",
                REASON_COMPLETIONS_REACHED,
                MESSAGE_COMPLETIONS_REACHED,
            ),
        ],
        now,
    );
    let mut status = counts_json(PodCounts {
        active: 0,
        ready: 0,
        ..counts
    });
    status["conditions"] = conditions;
    status["completionTime"] = json!(k8s_time(completion));
    if start_time.is_none() {
        status["startTime"] = json!(k8s_time(start));
    }
    json!({ "status": status })
}

/// Failure patch: `FailureTarget` + `Failed` with the reason, no `completionTime`, no
/// active pods; `startTime` is written when missing because finished Jobs need it.
pub fn failed_patch(
    existing: &[JobCondition],
    failure: &JobFailure,
    start_time: Option<Timestamp>,
    now: Timestamp,
    counts: PodCounts,
) -> Value {
    let conditions = with_conditions(
        existing,
        &[
            ("FailureTarget", failure.reason(), failure.message()),
            ("Failed", failure.reason(), failure.message()),
        ],
        now,
    );
    let mut status = counts_json(PodCounts {
        active: 0,
        ready: 0,
        ..counts
    });
    status["conditions"] = conditions;
    if start_time.is_none() {
        status["startTime"] = json!(k8s_time(now));
    }
    json!({ "status": status })
}

fn counts_json(counts: PodCounts) -> Value {
    json!({
        "active": counts.active,
        "ready": counts.ready.min(counts.active),
        "succeeded": counts.succeeded,
        "failed": counts.failed,
    })
}

/// The existing conditions (a merge patch replaces the whole list, so they must be
/// repeated) with the given ones set to True; a condition already True keeps its times.
fn with_conditions(existing: &[JobCondition], set: &[(&str, &str, &str)], now: Timestamp) -> Value {
    let mut conditions: Vec<Value> = existing
        .iter()
        .filter(|c| {
            !set.iter()
                .any(|(type_, _, _)| c.type_ == *type_ && c.status != "True")
        })
        .map(|c| serde_json::to_value(c).unwrap_or(Value::Null))
        .filter(|v| !v.is_null())
        .collect();
    let now = k8s_time(now);
    for (type_, reason, message) in set {
        if existing
            .iter()
            .any(|c| c.type_ == *type_ && c.status == "True")
        {
            continue;
        }
        conditions.push(json!({
            "type": type_,
            "status": "True",
            "reason": reason,
            "message": message,
            "lastProbeTime": now,
            "lastTransitionTime": now,
        }));
    }
    Value::Array(conditions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp literal")
    }

    fn job(value: Value) -> Job {
        serde_json::from_value(value).expect("job literal")
    }

    #[test]
    fn classification() {
        let cases = [
            (json!({"spec": {"template": {}}}), JobState::Runnable),
            (
                json!({"spec": {"template": {}, "suspend": true}}),
                JobState::Suspended,
            ),
            (
                json!({"spec": {"template": {}, "parallelism": 0}}),
                JobState::Suspended,
            ),
            (
                json!({"spec": {"template": {}, "managedBy": "kueue.x-k8s.io/multikueue"}}),
                JobState::ManagedElsewhere("kueue.x-k8s.io/multikueue".to_owned()),
            ),
            (
                json!({"spec": {"template": {}, "managedBy": "kubernetes.io/job-controller"}}),
                JobState::Runnable,
            ),
            (
                json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"},
                       "spec": {"template": {}}}),
                JobState::Deleting,
            ),
            (
                json!({"spec": {"template": {}}, "status": {
                    "completionTime": "2026-01-01T00:00:09Z",
                    "conditions": [{"type": "Complete", "status": "True"}]}}),
                JobState::Finished {
                    finished_at: Some(ts("2026-01-01T00:00:09Z")),
                },
            ),
            (
                json!({"spec": {"template": {}}, "status": {"conditions": [
                    {"type": "Failed", "status": "True",
                     "lastTransitionTime": "2026-01-01T00:00:03Z"}]}}),
                JobState::Finished {
                    finished_at: Some(ts("2026-01-01T00:00:03Z")),
                },
            ),
            (
                json!({"spec": {"template": {}}, "status": {"conditions": [
                    {"type": "Complete", "status": "False"}]}}),
                JobState::Runnable,
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(classify(&job(value.clone())), expected, "{value}");
        }
    }

    #[test]
    fn unsupported_features_are_named() {
        let cases = [
            (json!({"template": {}}), None),
            (
                json!({"template": {}, "completions": 3, "parallelism": 2}),
                None,
            ),
            (
                json!({"template": {}, "completionMode": "Indexed", "completions": 2}),
                Some("completionMode Indexed"),
            ),
            (
                json!({"template": {}, "successPolicy": {"rules": []}}),
                Some("successPolicy"),
            ),
        ];
        for (spec, expected) in cases {
            let message = unsupported_job_feature(&job(json!({"spec": spec})));
            match expected {
                None => assert_eq!(message, None),
                Some(words) => assert!(message.is_some_and(|m| m.contains(words)), "{words}"),
            }
        }
    }

    #[test]
    fn decisions() {
        let now = ts("2026-01-01T00:10:00Z");
        let policy = BackoffPolicy::default();
        let base = JobFacts {
            completions: 1,
            backoff_limit: 6,
            active_deadline_seconds: None,
            start_time: Some(ts("2026-01-01T00:00:00Z")),
            counts: PodCounts::default(),
            success_criteria_met: false,
            failure_target: None,
            policy_failure: None,
        };
        let with = |f: fn(&mut JobFacts)| {
            let mut facts = base.clone();
            f(&mut facts);
            facts
        };
        let cases = [
            (
                base.clone(),
                NextStep::Attempt {
                    backoff: Duration::ZERO,
                },
            ),
            (
                with(|f| f.counts.failed = 1),
                NextStep::Attempt {
                    backoff: Duration::from_secs(10),
                },
            ),
            (
                with(|f| f.counts.failed = 3),
                NextStep::Attempt {
                    backoff: Duration::from_secs(40),
                },
            ),
            (
                with(|f| f.counts.failed = 7),
                NextStep::Fail(JobFailure::BackoffLimitExceeded),
            ),
            (
                with(|f| {
                    f.backoff_limit = 1;
                    f.counts.failed = 2;
                }),
                NextStep::Fail(JobFailure::BackoffLimitExceeded),
            ),
            (with(|f| f.counts.succeeded = 1), NextStep::Complete),
            (
                with(|f| {
                    f.completions = 3;
                    f.counts.succeeded = 2;
                }),
                NextStep::Attempt {
                    backoff: Duration::ZERO,
                },
            ),
            (
                // Success wins over an exhausted backoff limit.
                with(|f| {
                    f.counts.succeeded = 1;
                    f.counts.failed = 9;
                }),
                NextStep::Complete,
            ),
            (
                with(|f| f.active_deadline_seconds = Some(600)),
                NextStep::Fail(JobFailure::DeadlineExceeded),
            ),
            (
                with(|f| f.active_deadline_seconds = Some(601)),
                NextStep::Attempt {
                    backoff: Duration::ZERO,
                },
            ),
            (
                // No start time yet: the deadline starts now.
                with(|f| {
                    f.start_time = None;
                    f.active_deadline_seconds = Some(1);
                }),
                NextStep::Attempt {
                    backoff: Duration::ZERO,
                },
            ),
            (with(|f| f.success_criteria_met = true), NextStep::Complete),
            (
                with(|f| {
                    f.policy_failure = Some(JobFailure::Other {
                        reason: "PodFailurePolicy".to_owned(),
                        message: "m".to_owned(),
                    });
                }),
                NextStep::Fail(JobFailure::Other {
                    reason: "PodFailurePolicy".to_owned(),
                    message: "m".to_owned(),
                }),
            ),
            (
                with(|f| f.failure_target = Some(JobFailure::DeadlineExceeded)),
                NextStep::Fail(JobFailure::DeadlineExceeded),
            ),
        ];
        for (facts, expected) in cases {
            assert_eq!(next_step(&facts, now, &policy), expected, "{facts:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = BackoffPolicy::default();
        let cases = [
            (0, 0),
            (1, 10),
            (2, 20),
            (3, 40),
            (6, 320),
            (7, 360),
            (100, 360),
        ];
        for (failures, seconds) in cases {
            assert_eq!(
                policy.delay(failures),
                Duration::from_secs(seconds),
                "{failures}"
            );
        }
    }

    #[test]
    fn progress_patch_sets_start_time_only_when_asked() {
        let t0 = ts("2026-01-01T00:00:00.750Z");
        let counts = PodCounts {
            active: 1,
            ready: 1,
            succeeded: 0,
            failed: 2,
        };
        assert_eq!(
            progress_patch(Some(t0), counts),
            json!({"status": {"startTime": "2026-01-01T00:00:00Z",
                              "active": 1, "ready": 1, "succeeded": 0, "failed": 2}})
        );
        let not_ready = PodCounts {
            active: 0,
            ready: 1,
            ..counts
        };
        assert_eq!(
            progress_patch(None, not_ready),
            json!({"status": {"active": 0, "ready": 0, "succeeded": 0, "failed": 2}})
        );
    }

    #[test]
    fn complete_patch_obeys_the_strict_rules() {
        let t0 = ts("2026-01-01T00:00:00Z");
        let t1 = ts("2026-01-01T00:00:05Z");
        let counts = PodCounts {
            active: 1,
            ready: 1,
            succeeded: 1,
            failed: 1,
        };
        let patch = complete_patch(&[], Some(t0), t1, counts);
        let status = &patch["status"];
        assert_eq!(status["active"], 0);
        assert_eq!(status["ready"], 0);
        assert_eq!(status["succeeded"], 1);
        assert_eq!(status["failed"], 1);
        assert_eq!(status["completionTime"], "2026-01-01T00:00:05Z");
        assert_eq!(
            status.get("startTime"),
            None,
            "startTime is never rewritten"
        );
        let types: Vec<&str> = status["conditions"]
            .as_array()
            .expect("conditions")
            .iter()
            .filter_map(|c| c["type"].as_str())
            .collect();
        assert_eq!(types, ["SuccessCriteriaMet", "Complete"]);
        assert_eq!(status["conditions"][1]["reason"], "CompletionsReached");

        // completionTime never precedes startTime; a missing startTime is written.
        let early = complete_patch(&[], None, t1, counts);
        assert_eq!(
            early["status"]["startTime"],
            early["status"]["completionTime"]
        );

        // A half-written success (SuccessCriteriaMet already True) keeps that condition.
        let existing: Vec<JobCondition> = serde_json::from_value(json!([
            {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
             "lastTransitionTime": "2026-01-01T00:00:01Z"}
        ]))
        .expect("conditions");
        let resumed = complete_patch(&existing, Some(t0), t1, counts);
        let conditions = resumed["status"]["conditions"]
            .as_array()
            .expect("conditions");
        assert_eq!(conditions.len(), 2);
        assert_eq!(conditions[0]["lastTransitionTime"], "2026-01-01T00:00:01Z");
    }

    #[test]
    fn failed_patch_obeys_the_strict_rules() {
        let t0 = ts("2026-01-01T00:00:00Z");
        let t1 = ts("2026-01-01T00:00:05Z");
        let counts = PodCounts {
            active: 1,
            ready: 0,
            succeeded: 0,
            failed: 2,
        };
        // (failure, reason)
        let cases = [
            (JobFailure::BackoffLimitExceeded, "BackoffLimitExceeded"),
            (JobFailure::DeadlineExceeded, "DeadlineExceeded"),
        ];
        for (failure, reason) in cases {
            let patch = failed_patch(&[], &failure, Some(t0), t1, counts);
            let status = &patch["status"];
            assert_eq!(status["active"], 0);
            assert_eq!(status["failed"], 2);
            assert_eq!(status.get("completionTime"), None);
            assert_eq!(status.get("startTime"), None);
            assert_eq!(status["conditions"][0]["type"], "FailureTarget");
            assert_eq!(status["conditions"][1]["type"], "Failed");
            assert_eq!(status["conditions"][1]["reason"], reason);
        }
        let without_start = failed_patch(&[], &JobFailure::DeadlineExceeded, None, t1, counts);
        assert_eq!(without_start["status"]["startTime"], "2026-01-01T00:00:05Z");
    }
}
