//! The pure heart of the CloudCertification reconciler: from what was observed (spec, previous
//! status, the run's Job, stored reports, the scope spec, the clock) to the desired status,
//! the run to start (if any) and the events to emit. No I/O here; `reconcile` applies it.

use super::certificate::{ScopeFacts, apply_certificate, manual_checks};
use super::compliance::{ComplianceView, assess, current_results, judged_version};
use crate::api::cloud::{
    CloudCertificationSpec, CloudCertificationStatus, RunRecord, ScopeStatus, Selection,
};
use crate::api::conditions::{self, CHECKING, ConditionStatus, DesiredCondition, READY};
use crate::certificate::{Transition, ValidManualCheck};
use crate::report::Report;
use crate::schedule::CronSchedule;
use crate::scope::ScopeSpec;
use jiff::{SignedDuration, Timestamp};

/// Finished runs kept in `status.recentRuns`.
pub const RECENT_RUNS: usize = 10;
/// How long a Job may be finished without its report showing up before the run counts as
/// "no report": the report is stored before the uploader exits, so this only covers cache lag.
pub const REPORT_GRACE: SignedDuration = SignedDuration::from_secs(30);
/// Upper bound on the time between two reconciles of an idle resource.
pub const MAX_REQUEUE: SignedDuration = SignedDuration::from_secs(3600);

/// The scope spec as loaded by the reconciler.
#[derive(Debug)]
pub struct LoadedScope {
    /// The resolved spec.
    pub spec: ScopeSpec,
    /// SHA-256 (hex) of the YAML text.
    pub sha256: String,
}

/// Why there is no usable scope spec; becomes the Ready reason and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeProblem {
    /// CamelCase reason, e.g. `ScopeNotFound`, `InvalidScope`, `ScopeDigestMismatch`.
    pub reason: String,
    /// What is wrong, for humans.
    pub message: String,
}

/// What the Job of a run looks like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Not finished.
    Active,
    /// Completed successfully at this time.
    Succeeded {
        /// Completion time.
        at: Timestamp,
    },
    /// Failed (backoff limit, deadline, ...).
    Failed {
        /// When the failure was observed.
        at: Timestamp,
        /// The Job's Failed condition reason.
        reason: String,
        /// The Job's Failed condition message.
        message: String,
    },
    /// No Job exists for the run (deleted, or never created).
    Missing,
}

/// What is known about one run id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedRun {
    /// The run id.
    pub id: String,
    /// Name of its Job.
    pub job_name: String,
    /// Its Job's state.
    pub job: JobState,
    /// Name of the ConfigMap holding its stored report, if one arrived.
    pub report: Option<String>,
    /// Failure record uploaded by the wrapper when the check produced no report.
    pub failure: Option<String>,
    /// Trigger recorded on the Job (for adopting a Job whose status write was lost).
    pub trigger: Option<String>,
    /// Schedule slot recorded on the Job.
    pub scheduled_for: Option<Timestamp>,
    /// Run-now annotation value recorded on the Job.
    pub manual_value: Option<String>,
    /// When the Job was created.
    pub created_at: Option<Timestamp>,
}

/// Everything the planner looks at.
pub struct Observation<'a> {
    /// Now.
    pub now: Timestamp,
    /// `metadata.generation`.
    pub generation: Option<i64>,
    /// `metadata.creationTimestamp`: the schedule anchor before the first run.
    pub created_at: Timestamp,
    /// The spec.
    pub spec: &'a CloudCertificationSpec,
    /// The status as last written.
    pub previous: &'a CloudCertificationStatus,
    /// Value of the run-now annotation, if present.
    pub manual_trigger: Option<&'a str>,
    /// The scope spec, or why it is unusable.
    pub scope: Result<&'a LoadedScope, &'a ScopeProblem>,
    /// The active run as seen in the cluster (Job + stored report), if status names one or
    /// an orphaned Job of this resource exists.
    pub active_run: Option<ObservedRun>,
    /// Parsed stored reports of this resource.
    pub reports: &'a [Report],
    /// Whether the operator-wide limit allows starting another run now.
    pub may_start_run: bool,
}

/// Why a run starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Its schedule slot came.
    Scheduled,
    /// The run-now annotation changed.
    Manual,
}

impl Trigger {
    /// Name used in status and events.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "Scheduled",
            Self::Manual => "Manual",
        }
    }
}

/// A run the reconciler must start (create its Job).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunToStart {
    /// Run id (deterministic per slot or trigger value, so a retry cannot start it twice).
    pub id: String,
    /// Why it runs.
    pub trigger: Trigger,
    /// Testcases to run; `None` = every automated testcase of the tested versions.
    pub testcases: Option<Vec<String>>,
    /// Schedule slot (scheduled runs).
    pub scheduled_for: Option<Timestamp>,
    /// The run-now value answered (manual runs).
    pub manual_value: Option<String>,
    /// SHA-256 of the scope spec the run uses.
    pub spec_sha256: String,
}

/// An event to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedEvent {
    /// Warning (true) or Normal.
    pub warning: bool,
    /// CamelCase reason.
    pub reason: String,
    /// Human-readable note.
    pub note: String,
}

/// The reconciler's to-do list.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The status to write (written only if it differs from the previous one).
    pub status: CloudCertificationStatus,
    /// A run to start.
    pub start_run: Option<RunToStart>,
    /// Events to publish.
    pub events: Vec<PlannedEvent>,
    /// When to look again at the latest, even if nothing changes.
    pub requeue_after: SignedDuration,
    /// Certificate transitions that hold now (issue 6); the notifier sends each one once
    /// per sink, after the status is written.
    pub transitions: Vec<Transition>,
    /// The valid `spec.manualChecks` records (empty while the scope is unusable); the run
    /// history records them without validating again.
    pub manual_checks: Vec<ValidManualCheck>,
}

/// Decides the next status and actions.
pub fn plan(obs: &Observation<'_>) -> Plan {
    let mut status = obs.previous.clone();
    status.observed_generation = obs.generation;
    let mut events = Vec::new();
    let mut requeue_after = MAX_REQUEUE;

    // 1. Finish the active run if its Job or report says so.
    if let Some(run) = &obs.active_run {
        finish_run_if_done(&mut status, run, obs.now, &mut events, &mut requeue_after);
    }

    let scope = match obs.scope {
        Ok(scope) => scope,
        Err(problem) => {
            set(
                &mut status,
                obs,
                ready(false, &problem.reason, &problem.message),
            );
            let checking_condition = checking(&status);
            set(&mut status, obs, checking_condition);
            let certificate = apply_certificate(
                &mut status,
                obs.spec,
                None,
                obs.generation,
                obs.now,
                false,
                false,
            );
            let mut requeue_after = SignedDuration::from_mins(5);
            if let Some(at) = certificate.next_change {
                requeue_after = requeue_after.min(until(obs.now, at));
            }
            return Plan {
                status,
                start_run: None,
                events,
                requeue_after: requeue_after.max(SignedDuration::from_secs(1)),
                transitions: certificate.transitions,
                manual_checks: Vec::new(),
            };
        }
    };
    status.scope = Some(ScopeStatus {
        uuid: scope.spec.uuid.clone(),
        name: scope.spec.name.clone(),
        sha256: Some(scope.sha256.clone()),
    });

    // 2. Evaluate at now.
    let judged = judged_version(
        &scope.spec,
        obs.spec.certificate.as_ref().map(|c| c.version.as_str()),
        obs.spec.scope.version.as_deref(),
        obs.now,
    );
    let manual = manual_checks(&scope.spec, &obs.spec.manual_checks, obs.now);
    let latest = current_results(&scope.spec, obs.reports, &manual.valid, obs.now);
    let view = assess(&scope.spec, &latest, judged, obs.now);
    note_verdict_change(obs.previous, &view, &mut events);
    if let Some(expiry) = view.next_expiry {
        requeue_after = requeue_after.min(until(obs.now, expiry));
    }
    apply_view(&mut status, obs, &view);

    // 3. Schedule.
    let schedule = CronSchedule::parse(&obs.spec.schedule.cron, &obs.spec.schedule.time_zone);
    let mut start_run = None;
    // External execution (issue 11): no schedule, no runs; reports arrive by upload.
    let external = obs.spec.execution_mode == crate::api::cloud::ExecutionMode::External;
    match &schedule {
        _ if external => {
            status.next_run_at = None;
            let mut ready_condition = ready_from(&view, &status);
            if ready_condition.reason == "NoResults" && status.active_run.is_none() {
                ready_condition.message = super::external::NO_RESULTS.to_owned();
            }
            set(&mut status, obs, ready_condition);
        }
        Err(err) => {
            status.next_run_at = None;
            set(
                &mut status,
                obs,
                ready(false, "InvalidSchedule", &err.to_string()),
            );
        }
        Ok(cron) => {
            if obs.spec.suspend {
                // Slots passing while suspended are skipped, not made up on resume.
                let anchor = status.last_scheduled_time.unwrap_or(obs.created_at);
                if let Some(slot) = cron.latest_in(anchor, obs.now) {
                    status.last_scheduled_time = Some(slot);
                }
            }
            start_run = decide_run(&mut status, obs, cron, scope, &mut events);
            status.next_run_at = if obs.spec.suspend {
                None
            } else {
                let anchor = status.last_scheduled_time.unwrap_or(obs.created_at);
                cron.next_after(anchor.max(obs.now))
            };
            if let Some(next) = status.next_run_at {
                requeue_after = requeue_after.min(until(obs.now, next));
            }
            let ready_condition = ready_from(&view, &status);
            set(&mut status, obs, ready_condition);
        }
    }
    if start_run.is_none() && status.active_run.is_none() && !obs.may_start_run && !external {
        requeue_after = requeue_after.min(SignedDuration::from_secs(30));
    }
    // 4. Certificate (issue 6): may replace Ready while a certificate is in force.
    let ready_overridable =
        conditions::find(&status.conditions, READY).is_none_or(|c| c.reason != "InvalidSchedule");
    let results_pending =
        status.active_run.is_some() || (status.last_run.is_none() && obs.reports.is_empty());
    let certificate = apply_certificate(
        &mut status,
        obs.spec,
        Some(ScopeFacts {
            spec: &scope.spec,
            latest: &latest,
            manual: &manual,
        }),
        obs.generation,
        obs.now,
        ready_overridable,
        results_pending,
    );
    if let Some(at) = certificate.next_change {
        requeue_after = requeue_after.min(until(obs.now, at));
    }
    let checking_condition = match (&status.active_run, external) {
        (None, true) => super::external::checking(obs.reports),
        _ => checking(&status),
    };
    set(&mut status, obs, checking_condition);
    Plan {
        status,
        start_run,
        events,
        requeue_after: requeue_after.max(SignedDuration::from_secs(1)),
        transitions: certificate.transitions,
        manual_checks: manual.valid,
    }
}

fn until(now: Timestamp, then: Timestamp) -> SignedDuration {
    then.duration_since(now).max(SignedDuration::ZERO)
}

fn set(status: &mut CloudCertificationStatus, obs: &Observation<'_>, desired: DesiredCondition) {
    conditions::set(&mut status.conditions, &desired, obs.generation, obs.now);
}

fn ready(ok: bool, reason: &str, message: &str) -> DesiredCondition {
    DesiredCondition {
        type_: READY.to_owned(),
        status: ConditionStatus::from(ok),
        reason: reason.to_owned(),
        message: message.to_owned(),
    }
}

/// Ready mirrors Compliant, prefixed with the badge so `kubectl get` reads well; a cloud
/// that never ran says when it will.
fn ready_from(view: &ComplianceView, status: &CloudCertificationStatus) -> DesiredCondition {
    let compliant = &view.condition;
    if compliant.reason == "NoResults" {
        let when = match (&status.active_run, status.next_run_at) {
            (Some(run), _) => format!("run {} in progress", run.id),
            (None, Some(next)) => format!("next run at {next}"),
            (None, None) => "no run scheduled".to_owned(),
        };
        return ready(false, "NoResults", &format!("no results yet; {when}"));
    }
    DesiredCondition {
        type_: READY.to_owned(),
        status: compliant.status,
        reason: compliant.reason.clone(),
        message: format!("{}: {}", view.summary, compliant.message),
    }
}

fn checking(status: &CloudCertificationStatus) -> DesiredCondition {
    match &status.active_run {
        Some(run) => DesiredCondition {
            type_: CHECKING.to_owned(),
            status: ConditionStatus::True,
            reason: "RunInProgress".to_owned(),
            message: format!(
                "{} run {} started at {}",
                run.trigger,
                run.id,
                run.started_at
                    .map_or_else(|| "?".to_owned(), |t| t.to_string())
            ),
        },
        None => DesiredCondition {
            type_: CHECKING.to_owned(),
            status: ConditionStatus::False,
            reason: "Idle".to_owned(),
            message: match status.next_run_at {
                Some(next) => format!("next run at {next}"),
                None => "no run scheduled".to_owned(),
            },
        },
    }
}

fn apply_view(status: &mut CloudCertificationStatus, obs: &Observation<'_>, view: &ComplianceView) {
    status.results = view.results.clone();
    status.versions = view.versions.clone();
    status.summary = Some(view.summary.clone());
    status.best_passed_version = view.best_passed_version.clone();
    // Only move the evaluation time when the outcome changes, so an idle resync writes
    // nothing.
    let changed = status.results != obs.previous.results
        || status.versions != obs.previous.versions
        || status.summary != obs.previous.summary;
    if changed || status.evaluated_at.is_none() {
        status.evaluated_at = Some(obs.now);
    }
    set(status, obs, view.condition.clone());
}

fn note_verdict_change(
    previous: &CloudCertificationStatus,
    view: &ComplianceView,
    events: &mut Vec<PlannedEvent>,
) {
    let before = conditions::find(&previous.conditions, conditions::COMPLIANT);
    let now_status = view.condition.status.as_str();
    let changed = match before {
        None => previous.summary.is_some() && previous.summary.as_deref() != Some(&view.summary),
        Some(c) => c.status != now_status || c.reason != view.condition.reason,
    };
    if changed {
        events.push(PlannedEvent {
            warning: view.condition.status != ConditionStatus::True,
            reason: "VerdictChanged".to_owned(),
            note: format!("{}: {}", view.summary, view.condition.message),
        });
    }
}

fn finish_run_if_done(
    status: &mut CloudCertificationStatus,
    run: &ObservedRun,
    now: Timestamp,
    events: &mut Vec<PlannedEvent>,
    requeue_after: &mut SignedDuration,
) {
    let mut record = status
        .active_run
        .clone()
        .filter(|r| r.id == run.id)
        .unwrap_or_else(|| {
            // A Job whose status write was lost (e.g. operator restart): adopt it, and take
            // over its schedule slot and trigger so it is not started a second time.
            if let Some(slot) = run.scheduled_for {
                status.last_scheduled_time =
                    Some(status.last_scheduled_time.map_or(slot, |t| t.max(slot)));
            }
            if let Some(value) = &run.manual_value {
                status.last_manual_trigger = Some(value.clone());
            }
            RunRecord {
                id: run.id.clone(),
                trigger: run.trigger.clone().unwrap_or_else(|| "Unknown".to_owned()),
                job: Some(run.job_name.clone()),
                scheduled_for: run.scheduled_for,
                started_at: run.created_at,
                ..RunRecord::default()
            }
        });
    let outcome = if let Some(report) = &run.report {
        Some((
            "ReportReceived",
            format!("report stored in ConfigMap {report}"),
            Some(report.clone()),
            false,
        ))
    } else {
        match &run.job {
            JobState::Active => None,
            JobState::Succeeded { at } if now < *at + REPORT_GRACE => {
                *requeue_after = (*requeue_after).min(until(now, *at + REPORT_GRACE));
                None
            }
            JobState::Succeeded { .. } => Some((
                "NoReport",
                failure_text(run, "the check Job completed without delivering a report"),
                None,
                true,
            )),
            JobState::Failed {
                reason, message, ..
            } => Some((
                "NoReport",
                failure_text(run, &format!("the check Job failed ({reason}): {message}")),
                None,
                true,
            )),
            JobState::Missing => Some((
                "NoReport",
                failure_text(
                    run,
                    "the check Job was deleted before it delivered a report",
                ),
                None,
                true,
            )),
        }
    };
    match outcome {
        None => status.active_run = Some(record),
        Some((outcome, message, report, warning)) => {
            record.outcome = Some(outcome.to_owned());
            record.finished_at = Some(now);
            record.message = Some(message.clone());
            record.report = report;
            events.push(PlannedEvent {
                warning,
                reason: if warning {
                    "RunFailedWithoutReport".to_owned()
                } else {
                    "ReportReceived".to_owned()
                },
                note: format!("run {}: {message}", record.id),
            });
            push_finished(status, record);
        }
    }
}

fn failure_text(run: &ObservedRun, fallback: &str) -> String {
    match &run.failure {
        Some(failure) => format!("{fallback}; the runner said: {failure}"),
        None => fallback.to_owned(),
    }
}

fn push_finished(status: &mut CloudCertificationStatus, record: RunRecord) {
    status.active_run = None;
    status.recent_runs.retain(|r| r.id != record.id);
    status.recent_runs.insert(0, record.clone());
    status.recent_runs.truncate(RECENT_RUNS);
    status.last_run = Some(record);
}

/// Decides whether a run starts now; updates the schedule anchor and trigger bookkeeping.
fn decide_run(
    status: &mut CloudCertificationStatus,
    obs: &Observation<'_>,
    cron: &CronSchedule,
    scope: &LoadedScope,
    events: &mut Vec<PlannedEvent>,
) -> Option<RunToStart> {
    if status.active_run.is_some() || !obs.may_start_run {
        return None;
    }
    let manual = obs
        .manual_trigger
        .filter(|value| Some(*value) != obs.previous.last_manual_trigger.as_deref());
    let anchor = status.last_scheduled_time.unwrap_or(obs.created_at);
    let slot = if obs.spec.suspend {
        None
    } else {
        cron.latest_in(anchor, obs.now)
    };
    let (trigger, id) = match (manual, slot) {
        (Some(value), _) => {
            status.last_manual_trigger = Some(value.to_owned());
            (Trigger::Manual, manual_run_id(value))
        }
        (None, Some(slot)) => {
            status.last_scheduled_time = Some(slot);
            (Trigger::Scheduled, scheduled_run_id(slot))
        }
        (None, None) => return None,
    };
    // A manual run also consumes a due slot, so it is not followed by a second run.
    if let (Trigger::Manual, Some(slot)) = (trigger, slot) {
        status.last_scheduled_time = Some(slot);
    }
    let testcases = match obs.spec.schedule.selection {
        Selection::All => None,
        Selection::Expiring => {
            let horizon = cron
                .next_after(status.last_scheduled_time.unwrap_or(obs.now).max(obs.now))
                .unwrap_or(obs.now);
            Some(super::selection::expiring_testcases(
                &scope.spec,
                obs.spec.scope.version.as_deref(),
                &status.results,
                horizon,
                obs.now,
            ))
        }
    };
    if let Some(selected) = &testcases
        && selected.is_empty()
    {
        let record = RunRecord {
            id,
            trigger: trigger.as_str().to_owned(),
            started_at: Some(obs.now),
            finished_at: Some(obs.now),
            outcome: Some("Skipped".to_owned()),
            message: Some(
                "every selected result stays valid until the next scheduled run".to_owned(),
            ),
            spec_sha256: Some(scope.sha256.clone()),
            selected_testcases: Some(0),
            scheduled_for: slot.filter(|_| trigger == Trigger::Scheduled),
            ..RunRecord::default()
        };
        push_finished(status, record);
        return None;
    }
    let record = RunRecord {
        id: id.clone(),
        trigger: trigger.as_str().to_owned(),
        job: None,
        scheduled_for: slot.filter(|_| trigger == Trigger::Scheduled),
        started_at: Some(obs.now),
        spec_sha256: Some(scope.sha256.clone()),
        selected_testcases: testcases
            .as_ref()
            .map(|t| i32::try_from(t.len()).unwrap_or(i32::MAX)),
        ..RunRecord::default()
    };
    events.push(PlannedEvent {
        warning: false,
        reason: "RunStarted".to_owned(),
        note: format!(
            "{} run {id} started{}",
            trigger.as_str(),
            testcases
                .as_ref()
                .map(|t| format!(" for {} expiring testcases", t.len()))
                .unwrap_or_default()
        ),
    });
    status.active_run = Some(record);
    Some(RunToStart {
        id,
        trigger,
        testcases,
        scheduled_for: slot.filter(|_| trigger == Trigger::Scheduled),
        manual_value: manual.map(str::to_owned),
        spec_sha256: scope.sha256.clone(),
    })
}

/// Run id of a scheduled run: the slot, so a retried reconcile cannot start it twice.
pub fn scheduled_run_id(slot: Timestamp) -> String {
    format!("s{}", slot.strftime("%Y%m%d%H%M"))
}

/// Run id of a manual run: derived from the annotation value, so each new value runs once.
pub fn manual_run_id(value: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(value.as_bytes());
    let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    format!("m{hex}")
}
