//! Table-style tests of the planner: scheduling anchored on status, run bookkeeping, manual
//! trigger, suspend, capacity, Expiring selection, compliance conditions, idempotence.

use super::plan::*;
use crate::api::cloud::{CloudCertificationSpec, CloudCertificationStatus, RunRecord, Selection};
use crate::api::conditions::{self, CHECKING, COMPLIANT, READY};
use crate::controller::scope_source::parse_scope;
use crate::report::{Report, parse_report_stream};
use jiff::Timestamp;
use std::sync::Arc;

const SPEC: &str = r#"
uuid: 00000000-0000-4000-8000-000000000001
name: Test scope
url: https://example.org/scope.yaml
variables:
- os_cloud
scripts:
- executable: ./check.sh
  args: "{testcases}"
  testcases:
  - id: tc-a
    lifetime: year
  - id: tc-b
    lifetime: day
- testcases:
  - id: manual-x
    lifetime: quarter
modules:
- id: m1
  targets:
    main: [tc-a, tc-b]
versions:
- version: v1
  include: [m1]
  stabilized_at: 2026-01-01
timeline:
- date: 2026-01-01
  versions:
    v1: effective
"#;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp literal")
}

fn scope() -> Arc<LoadedScope> {
    parse_scope(SPEC, "test").expect("test spec loads")
}

fn spec() -> CloudCertificationSpec {
    serde_json::from_value(serde_json::json!({
        "subject": "cloud-a",
        "scope": {"configMap": {"name": "s", "key": "scope.yaml"}},
        "schedule": {"cron": "0 3 * * *", "timeZone": "UTC"}
    }))
    .expect("spec literal")
}

fn report(checked_at: &str, results: &[(&str, i8)]) -> Report {
    let results: String = results
        .iter()
        .map(|(id, r)| format!("          {id}: {r}\n"))
        .collect();
    let text = format!(
        "---
spec:
  uuid: 00000000-0000-4000-8000-000000000001
  name: Test scope
  url: https://example.org/scope.yaml
checked_at: {checked_at}
reference_date: 2026-12-05
subject: cloud-a
run:
  uuid: r-{checked_at}
  argv: []
  assignment: {{}}
  sections: null
  forced_version: null
  forced_tests: null
  invocations:
    i1:
      id: i1
      cmd: ./check.sh
      results:
{results}      rc: 0
      stdout: []
      stderr: []
      info: 0
      warning: 0
      error: 0
      critical: 0
"
    );
    parse_report_stream(&text)
        .expect("report literal parses")
        .remove(0)
}

struct Case {
    now: Timestamp,
    spec: CloudCertificationSpec,
    previous: CloudCertificationStatus,
    manual: Option<&'static str>,
    active: Option<ObservedRun>,
    reports: Vec<Report>,
    may_start: bool,
}

impl Case {
    fn at(now: &str) -> Self {
        Self {
            now: ts(now),
            spec: spec(),
            previous: CloudCertificationStatus::default(),
            manual: None,
            active: None,
            reports: Vec::new(),
            may_start: true,
        }
    }

    fn plan(&self) -> Plan {
        let scope = scope();
        plan(&Observation {
            now: self.now,
            generation: Some(1),
            created_at: ts("2026-12-05T02:00:00Z"),
            spec: &self.spec,
            previous: &self.previous,
            manual_trigger: self.manual,
            scope: Ok(&scope),
            active_run: self.active.clone(),
            reports: &self.reports,
            may_start_run: self.may_start,
        })
    }
}

fn condition<'a>(status: &'a CloudCertificationStatus, type_: &str) -> (&'a str, &'a str, &'a str) {
    let c = conditions::find(&status.conditions, type_).expect("condition present");
    (c.status.as_str(), c.reason.as_str(), c.message.as_str())
}

fn running(id: &str) -> CloudCertificationStatus {
    CloudCertificationStatus {
        last_scheduled_time: Some(ts("2026-12-05T03:00:00Z")),
        active_run: Some(RunRecord {
            id: id.into(),
            trigger: "Scheduled".into(),
            job: Some(format!("c-{id}")),
            started_at: Some(ts("2026-12-05T03:00:05Z")),
            ..RunRecord::default()
        }),
        ..CloudCertificationStatus::default()
    }
}

fn observed(id: &str, job: JobState) -> ObservedRun {
    ObservedRun {
        id: id.into(),
        job_name: format!("c-{id}"),
        job,
        report: None,
        failure: None,
        trigger: None,
        scheduled_for: None,
        manual_value: None,
        created_at: None,
    }
}

#[test]
fn a_new_resource_waits_for_its_first_slot_and_says_when() {
    let plan = Case::at("2026-12-05T02:30:00Z").plan();
    assert_eq!(plan.start_run, None);
    assert_eq!(plan.status.next_run_at, Some(ts("2026-12-05T03:00:00Z")));
    let (status, reason, message) = condition(&plan.status, READY);
    assert_eq!((status, reason), ("False", "NoResults"));
    assert!(
        message.contains("next run at 2026-12-05T03:00:00Z"),
        "{message}"
    );
    assert_eq!(condition(&plan.status, CHECKING).1, "Idle");
    assert!(plan.requeue_after <= jiff::SignedDuration::from_mins(30));
}

#[test]
fn a_due_slot_starts_one_run_with_a_deterministic_id() {
    let plan = Case::at("2026-12-05T03:00:30Z").plan();
    let run = plan.start_run.expect("run starts");
    assert_eq!(run.id, "s202612050300");
    assert_eq!(run.trigger, Trigger::Scheduled);
    assert_eq!(run.testcases, None, "selection All runs every testcase");
    assert_eq!(
        plan.status.last_scheduled_time,
        Some(ts("2026-12-05T03:00:00Z"))
    );
    assert_eq!(
        plan.status.active_run.as_ref().map(|r| r.id.as_str()),
        Some("s202612050300")
    );
    assert_eq!(condition(&plan.status, CHECKING).0, "True");
    assert!(plan.events.iter().any(|e| e.reason == "RunStarted"));
    assert_eq!(plan.status.next_run_at, Some(ts("2026-12-06T03:00:00Z")));
}

#[test]
fn a_restart_after_the_run_neither_refires_nor_skips() {
    let mut case = Case::at("2026-12-05T03:30:00Z");
    case.previous.last_scheduled_time = Some(ts("2026-12-05T03:00:00Z"));
    let plan = case.plan();
    assert_eq!(plan.start_run, None);
    assert_eq!(plan.status.next_run_at, Some(ts("2026-12-06T03:00:00Z")));
}

#[test]
fn missed_slots_collapse_into_one_run_for_the_latest() {
    let mut case = Case::at("2026-12-05T04:00:00Z");
    case.previous.last_scheduled_time = Some(ts("2026-12-01T03:00:00Z"));
    let run = case.plan().start_run.expect("run starts");
    assert_eq!(run.id, "s202612050300");
}

#[test]
fn never_two_runs_at_once() {
    let mut case = Case::at("2026-12-06T03:00:30Z");
    case.previous = running("s202612050300");
    case.active = Some(observed("s202612050300", JobState::Active));
    let plan = case.plan();
    assert_eq!(
        plan.start_run, None,
        "the next slot waits for the active run"
    );
    assert_eq!(
        plan.status.active_run.as_ref().map(|r| r.id.as_str()),
        Some("s202612050300")
    );
}

#[test]
fn a_stored_report_finishes_the_run() {
    let mut case = Case::at("2026-12-05T03:10:00Z");
    case.previous = running("s202612050300");
    let mut run = observed("s202612050300", JobState::Active);
    run.report = Some("c-s202612050300".into());
    case.active = Some(run);
    case.reports = vec![report("2026-12-05 03:09:00", &[("tc-a", 1), ("tc-b", 1)])];
    let plan = case.plan();
    assert_eq!(plan.status.active_run, None);
    let last = plan.status.last_run.as_ref().expect("last run");
    assert_eq!(last.outcome.as_deref(), Some("ReportReceived"));
    assert_eq!(last.report.as_deref(), Some("c-s202612050300"));
    assert_eq!(plan.status.recent_runs.len(), 1);
    assert!(
        plan.events
            .iter()
            .any(|e| e.reason == "ReportReceived" && !e.warning)
    );
    let (status, reason, message) = condition(&plan.status, READY);
    assert_eq!((status, reason), ("True", "Compliant"));
    assert_eq!(message, "✅ v1: all 2 main testcases of v1 pass");
    assert_eq!(plan.status.summary.as_deref(), Some("✅ v1"));
}

#[test]
fn runs_without_a_report_are_recorded_with_the_reason() {
    // (job state, text the run record must carry)
    let cases = [
        (
            JobState::Failed {
                at: ts("2026-12-05T03:05:00Z"),
                reason: "DeadlineExceeded".into(),
                message: "Job was active longer than specified deadline".into(),
            },
            "the check Job failed (DeadlineExceeded): Job was active longer than specified deadline",
        ),
        (
            JobState::Missing,
            "the check Job was deleted before it delivered a report",
        ),
        (
            JobState::Succeeded {
                at: ts("2026-12-05T03:00:00Z"),
            },
            "the check Job completed without delivering a report",
        ),
    ];
    for (job, expected) in cases {
        let mut case = Case::at("2026-12-05T03:10:00Z");
        case.previous = running("s202612050300");
        let mut run = observed("s202612050300", job);
        run.failure = Some("spec file not found (exit code 1)".into());
        case.active = Some(run);
        let plan = case.plan();
        let last = plan.status.last_run.expect("run finished");
        assert_eq!(last.outcome.as_deref(), Some("NoReport"));
        let message = last.message.unwrap_or_default();
        assert!(message.starts_with(expected), "{message}");
        assert!(
            message.contains("the runner said: spec file not found"),
            "{message}"
        );
        assert!(
            plan.events
                .iter()
                .any(|e| e.reason == "RunFailedWithoutReport" && e.warning)
        );
    }
}

#[test]
fn a_just_finished_job_gets_a_grace_period_for_its_report() {
    let mut case = Case::at("2026-12-05T03:10:10Z");
    case.previous = running("s202612050300");
    case.active = Some(observed(
        "s202612050300",
        JobState::Succeeded {
            at: ts("2026-12-05T03:10:00Z"),
        },
    ));
    let plan = case.plan();
    assert!(
        plan.status.active_run.is_some(),
        "still waiting for the report"
    );
    assert!(plan.requeue_after <= jiff::SignedDuration::from_secs(20));
}

#[test]
fn manual_trigger_runs_once_per_new_value_even_when_suspended() {
    let mut case = Case::at("2026-12-05T02:30:00Z");
    case.spec.suspend = true;
    case.manual = Some("2026-12-05 please");
    let plan = case.plan();
    let run = plan.start_run.expect("manual run starts");
    assert_eq!(run.trigger, Trigger::Manual);
    assert!(run.id.starts_with('m'));
    assert_eq!(
        plan.status.last_manual_trigger.as_deref(),
        Some("2026-12-05 please")
    );
    assert_eq!(plan.status.next_run_at, None, "suspended: no scheduled run");

    let mut again = Case::at("2026-12-05T02:40:00Z");
    again.spec.suspend = true;
    again.manual = Some("2026-12-05 please");
    again.previous.last_manual_trigger = Some("2026-12-05 please".into());
    assert_eq!(
        again.plan().start_run,
        None,
        "the same value does not run twice"
    );
}

#[test]
fn suspend_stops_scheduled_runs_and_resume_does_not_make_them_up() {
    let mut case = Case::at("2026-12-05T03:00:30Z");
    case.spec.suspend = true;
    let plan = case.plan();
    assert_eq!(plan.start_run, None);
    assert_eq!(plan.status.next_run_at, None);
    assert_eq!(
        plan.status.last_scheduled_time,
        Some(ts("2026-12-05T03:00:00Z")),
        "slot skipped"
    );

    let mut resumed = Case::at("2026-12-05T03:05:00Z");
    resumed.previous = plan.status;
    let plan = resumed.plan();
    assert_eq!(plan.start_run, None, "the skipped slot is not made up");
    assert_eq!(plan.status.next_run_at, Some(ts("2026-12-06T03:00:00Z")));
}

#[test]
fn the_operator_wide_limit_defers_runs() {
    let mut case = Case::at("2026-12-05T03:00:30Z");
    case.may_start = false;
    let plan = case.plan();
    assert_eq!(plan.start_run, None);
    assert_eq!(
        plan.status.last_scheduled_time, None,
        "the slot is still due"
    );
    assert!(plan.requeue_after <= jiff::SignedDuration::from_secs(30));
}

#[test]
fn expiring_selection_runs_only_missing_or_expiring_testcases() {
    let mut case = Case::at("2026-12-05T03:00:30Z");
    case.spec.schedule.selection = Selection::Expiring;
    // tc-a (year) stays valid; tc-b (day) checked yesterday expires tomorrow at 00:00,
    // before the next run at 2026-12-06T03:00.
    case.reports = vec![report("2026-12-04 03:05:00", &[("tc-a", 1), ("tc-b", 1)])];
    case.previous.results = case.plan().status.results.clone();
    let run = case.plan().start_run.expect("run starts");
    assert_eq!(
        run.testcases,
        Some(vec!["tc-b".to_owned()]),
        "manual-x is never selected"
    );

    // Everything stays valid beyond the next run: recorded as skipped, no Job.
    let mut quiet = Case::at("2026-12-05T03:00:30Z");
    quiet.spec.schedule.selection = Selection::Expiring;
    quiet.previous.last_scheduled_time = Some(ts("2026-12-04T03:00:00Z"));
    // A manual run at 02:50 refreshed both; tc-b (day) now lasts until 2026-12-07T00:00,
    // after the next run at 2026-12-06T03:00.
    quiet.reports = vec![report("2026-12-05 02:50:00", &[("tc-a", 1), ("tc-b", 1)])];
    quiet.previous.results = quiet.plan().status.results.clone();
    let plan = quiet.plan();
    assert_eq!(plan.start_run, None);
    let last = plan.status.last_run.expect("skipped run recorded");
    assert_eq!(last.outcome.as_deref(), Some("Skipped"));
    assert_eq!(last.selected_testcases, Some(0));
    assert_eq!(
        plan.status.last_scheduled_time,
        Some(ts("2026-12-05T03:00:00Z"))
    );
}

#[test]
fn a_failing_testcase_is_named_in_ready() {
    let mut case = Case::at("2026-12-05T04:00:00Z");
    case.previous.last_scheduled_time = Some(ts("2026-12-05T03:00:00Z"));
    case.reports = vec![report("2026-12-05 03:09:00", &[("tc-a", 1), ("tc-b", -1)])];
    let plan = case.plan();
    let (status, reason, message) = condition(&plan.status, READY);
    assert_eq!((status, reason), ("False", "TestsFailing"));
    assert_eq!(message, "🛑 –: 1 of 2 main testcases of v1 failed: tc-b");
    assert_eq!(condition(&plan.status, COMPLIANT).1, "TestsFailing");
    let v1 = &plan.status.versions[0];
    assert_eq!(
        (v1.result.as_str(), v1.not_passing.as_slice()),
        ("FAIL", &["tc-b".to_owned()][..])
    );
}

#[test]
fn results_expire_without_a_run_and_the_requeue_points_at_the_expiry() {
    let mut case = Case::at("2026-12-06T23:50:00Z");
    case.previous.last_scheduled_time = Some(ts("2026-12-06T03:00:00Z"));
    case.reports = vec![report("2026-12-05 03:09:00", &[("tc-a", 1), ("tc-b", 1)])];
    let plan = case.plan();
    assert_eq!(condition(&plan.status, READY).0, "True");
    // tc-b (day) expires 2026-12-07T00:00: ten minutes from now.
    assert_eq!(plan.requeue_after, jiff::SignedDuration::from_mins(10));
    let mut later = Case::at("2026-12-07T00:00:00Z");
    later.previous.last_scheduled_time = Some(ts("2026-12-07T03:00:00Z"));
    later.reports = case.reports.clone();
    let later_plan = later.plan();
    let (status, reason, message) = condition(&later_plan.status, READY);
    assert_eq!((status, reason), ("False", "ResultsMissing"));
    assert!(message.contains("tc-b"), "{message}");
}

#[test]
fn a_reconcile_that_changes_nothing_writes_nothing() {
    let mut case = Case::at("2026-12-05T04:00:00Z");
    case.previous.last_scheduled_time = Some(ts("2026-12-05T03:00:00Z"));
    case.reports = vec![report("2026-12-05 03:09:00", &[("tc-a", 1), ("tc-b", 1)])];
    let first = case.plan();
    case.previous = first.status.clone();
    case.now = ts("2026-12-05T04:30:00Z");
    let second = case.plan();
    assert_eq!(second.status, first.status, "identical status: no write");
    assert!(second.events.is_empty(), "no events either");
}

#[test]
fn an_orphaned_job_is_adopted_with_its_slot() {
    let mut case = Case::at("2026-12-05T03:01:00Z");
    let mut run = observed("s202612050300", JobState::Active);
    run.scheduled_for = Some(ts("2026-12-05T03:00:00Z"));
    run.trigger = Some("Scheduled".into());
    case.active = Some(run);
    let plan = case.plan();
    assert_eq!(plan.start_run, None, "the slot's Job exists: no second run");
    assert_eq!(
        plan.status.last_scheduled_time,
        Some(ts("2026-12-05T03:00:00Z"))
    );
    assert_eq!(
        plan.status.active_run.map(|r| r.trigger),
        Some("Scheduled".to_owned())
    );
}

#[test]
fn scope_and_schedule_problems_are_readable() {
    let problem = ScopeProblem {
        reason: "ScopeNotFound".into(),
        message: "ConfigMap ns/s does not exist".into(),
    };
    let case = Case::at("2026-12-05T03:00:30Z");
    let plan = plan(&Observation {
        now: case.now,
        generation: Some(1),
        created_at: ts("2026-12-05T02:00:00Z"),
        spec: &case.spec,
        previous: &case.previous,
        manual_trigger: None,
        scope: Err(&problem),
        active_run: None,
        reports: &[],
        may_start_run: true,
    });
    assert_eq!(plan.start_run, None);
    assert_eq!(
        condition(&plan.status, READY),
        ("False", "ScopeNotFound", "ConfigMap ns/s does not exist")
    );

    let mut bad_cron = Case::at("2026-12-05T03:00:30Z");
    bad_cron.spec.schedule.cron = "0 3 * *".into();
    let plan = bad_cron.plan();
    assert_eq!(plan.start_run, None);
    let (status, reason, message) = condition(&plan.status, READY);
    assert_eq!((status, reason), ("False", "InvalidSchedule"));
    assert!(message.contains("must have 5 fields"), "{message}");
}

// --- Certificate lifecycle through the planner (issue 6) ---

/// A case at `now` with `certificate` (JSON of `spec.certificate`) and a report of tc-a/tc-b
/// one hour before `now` with `tc_b` as tc-b's result.
fn certificate_case(now: &str, certificate: serde_json::Value, tc_b: i8) -> Case {
    let mut case = Case::at(now);
    case.spec.certificate = Some(serde_json::from_value(certificate).expect("certificate"));
    let checked = case.now - jiff::SignedDuration::from_hours(1);
    case.reports = vec![report(&checked.to_string(), &[("tc-a", 1), ("tc-b", tc_b)])];
    case.may_start = false;
    case
}

fn grant(at: &str) -> serde_json::Value {
    serde_json::json!({"version": "v1", "grant": {"grantedAt": at, "grantedBy": "SCS certification body"}})
}

#[test]
#[allow(clippy::type_complexity)] // the table reads best as plain tuples
fn grants_become_certificates_only_for_passing_versions_and_age_by_date() {
    // (what, now, grant, tc-b result, Certified, its reason, certificate state, Ready reason)
    let rows: &[(&str, &str, &str, i8, &str, &str, &str, &str)] = &[
        (
            "passing version",
            "2026-12-05T02:00:00Z",
            "2026-12-01T10:00:00Z",
            1,
            "True",
            "Certified",
            "Valid",
            "CertifiedAndCompliant",
        ),
        (
            "failing version",
            "2026-12-05T02:00:00Z",
            "2026-12-01T10:00:00Z",
            -1,
            "False",
            "MainTargetNotPassing",
            "Refused",
            "TestsFailing",
        ),
        (
            "granted 340 days ago",
            "2027-01-06T02:00:00Z",
            "2026-01-31T02:00:00Z",
            1,
            "True",
            "CertificateExpiring",
            "Expiring",
            "CertifiedAndCompliant",
        ),
        (
            "granted 366 days ago",
            "2027-01-06T02:00:00Z",
            "2026-01-05T02:00:00Z",
            1,
            "False",
            "Expired",
            "Expired",
            "Compliant",
        ),
    ];
    for (what, now, granted_at, tc_b, certified, reason, state, ready) in rows {
        let plan = certificate_case(now, grant(granted_at), *tc_b).plan();
        let (status, why, message) = condition(&plan.status, "Certified");
        assert_eq!(
            (status, why),
            (*certified, *reason),
            "{what}: Certified ({message})"
        );
        let current = plan
            .status
            .certificate
            .as_ref()
            .expect("status.certificate");
        assert_eq!(current.state.as_deref(), Some(*state), "{what}: state");
        assert_eq!(condition(&plan.status, READY).1, *ready, "{what}: Ready");
        if *certified == "True" || *state == "Expired" {
            assert_eq!(plan.status.certificates.len(), 1, "{what}: ledger");
            assert_eq!(
                current.not_before,
                Some(ts(granted_at)),
                "{what}: notBefore"
            );
        }
    }
    // The refusal says what is missing.
    let refused =
        certificate_case("2026-12-05T02:00:00Z", grant("2026-12-01T10:00:00Z"), -1).plan();
    assert!(condition(&refused.status, "Certified").2.contains("tc-b"));
    assert!(refused.status.certificates.is_empty());
}

#[test]
fn failures_after_issuance_degrade_but_do_not_revoke_and_recovery_is_announced() {
    let issued = certificate_case("2026-12-05T02:00:00Z", grant("2026-12-01T10:00:00Z"), 1).plan();
    assert_eq!(condition(&issued.status, "Certified").0, "True");
    let kinds = |plan: &Plan| {
        plan.transitions
            .iter()
            .map(|t| t.kind.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(&issued), ["Issued"]);

    let mut failing = certificate_case("2026-12-06T02:00:00Z", grant("2026-12-01T10:00:00Z"), -1);
    failing.previous = issued.status.clone();
    let degraded = failing.plan();
    assert_eq!(condition(&degraded.status, "Certified").0, "True");
    assert_eq!(
        condition(&degraded.status, READY).1,
        "CertifiedButNotCompliant"
    );
    assert_eq!(kinds(&degraded), ["Issued", "Degraded"]);
    assert_eq!(degraded.status.certificates.len(), 1, "not re-issued");
    assert_eq!(
        degraded
            .status
            .certificate
            .as_ref()
            .and_then(|c| c.serial.clone()),
        issued
            .status
            .certificate
            .as_ref()
            .and_then(|c| c.serial.clone())
    );

    let mut passing = certificate_case("2026-12-07T02:00:00Z", grant("2026-12-01T10:00:00Z"), 1);
    passing.previous = degraded.status.clone();
    let recovered = passing.plan();
    assert_eq!(
        condition(&recovered.status, READY).1,
        "CertifiedAndCompliant"
    );
    assert_eq!(kinds(&recovered), ["Issued", "Recovered"]);
}

#[test]
fn revocation_is_final_and_editing_dates_does_not_revive() {
    let issued = certificate_case("2026-12-05T02:00:00Z", grant("2026-12-01T10:00:00Z"), 1).plan();
    let mut revoke = certificate_case(
        "2026-12-06T02:00:00Z",
        serde_json::json!({"version": "v1",
            "grant": {"grantedAt": "2026-12-01T10:00:00Z", "grantedBy": "body"},
            "revocation": {"revokedAt": "2026-12-06T01:00:00Z", "revokedBy": "body", "reason": "audit failed"}}),
        1,
    );
    revoke.previous = issued.status.clone();
    let revoked = revoke.plan();
    assert_eq!(condition(&revoked.status, "Certified").1, "Revoked");
    let current = revoked.status.certificate.as_ref().expect("certificate");
    assert_eq!(current.state.as_deref(), Some("Revoked"));
    assert_eq!(current.revocation_reason.as_deref(), Some("audit failed"));
    assert_eq!(current.revoked_by.as_deref(), Some("body"));

    // Dropping the revocation and moving grantedAt does not bring it back.
    let mut edit = certificate_case("2026-12-07T02:00:00Z", grant("2026-12-02T10:00:00Z"), 1);
    edit.previous = revoked.status.clone();
    let edited = edit.plan();
    assert_eq!(condition(&edited.status, "Certified").0, "False");
    assert_eq!(
        edited.status.certificates[0].state.as_deref(),
        Some("Revoked")
    );
}

#[test]
fn a_reconcile_of_a_certified_resource_that_changes_nothing_writes_nothing() {
    let first = certificate_case("2026-12-05T02:00:00Z", grant("2026-12-01T10:00:00Z"), 1).plan();
    let mut again = certificate_case("2026-12-05T02:00:00Z", grant("2026-12-01T10:00:00Z"), 1);
    again.now = ts("2026-12-05T02:10:00Z");
    again.previous = first.status.clone();
    assert_eq!(again.plan().status, first.status);
}
