//! External execution (issue 11): a CloudCertification with `executionMode: External` starts
//! no Jobs; the cloud operator runs the suite and uploads signed reports (`POST /reports`,
//! `src/server/upload/`). The reports are stored like in-cluster ones, so evaluation,
//! certificates and the listing see no difference. This module says what the planner puts
//! where a schedule would be: when the last report arrived.

use crate::api::conditions::{CHECKING, ConditionStatus, DesiredCondition};
use crate::report::Report;

/// Reason of the Checking condition of an External resource without a run in progress.
pub const REASON: &str = "ExternalUploads";

/// Ready message of an External resource that has no current results.
pub const NO_RESULTS: &str =
    "no results yet; waiting for an uploaded report (executionMode External)";

/// The newest stored report (by `checked_at`; a tie goes to the later one in the list).
pub fn latest_report(reports: &[Report]) -> Option<&Report> {
    reports.iter().max_by_key(|r| r.checked_at)
}

/// The Checking condition of an External resource: never checking here, and when the last
/// report was made.
pub fn checking(reports: &[Report]) -> DesiredCondition {
    let message = match latest_report(reports) {
        Some(report) => format!(
            "results arrive by upload; last report checked at {} (run {})",
            report.checked_at, report.run.uuid
        ),
        None => "results arrive by upload; no report received yet".to_owned(),
    };
    DesiredCondition {
        type_: CHECKING.to_owned(),
        status: ConditionStatus::False,
        reason: REASON.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::cloud::{CloudCertificationSpec, CloudCertificationStatus, ExecutionMode};
    use crate::api::conditions::{self, READY};
    use crate::controller::cloud::plan::{Observation, plan};
    use crate::controller::scope_source::parse_scope;
    use crate::report::parse_report_stream;
    use jiff::Timestamp;

    const SCOPE: &str = r#"
uuid: 00000000-0000-4000-8000-000000000011
name: Upload scope
url: https://example.org/scope.yaml
scripts:
- executable: ./check.sh
  testcases:
  - id: tc-a
    lifetime: year
modules:
- id: m1
  targets:
    main: [tc-a]
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

    fn external_spec() -> CloudCertificationSpec {
        serde_json::from_value(serde_json::json!({
            "subject": "cloud-x",
            "executionMode": "External",
            "scope": {"configMap": {"name": "s", "key": "scope.yaml"}},
            "schedule": {"cron": "* * * * *", "timeZone": "UTC"}
        }))
        .expect("spec literal")
    }

    fn report(checked_at: &str, uuid: &str) -> Report {
        let text = format!(
            "---
spec: {{uuid: 00000000-0000-4000-8000-000000000011, name: Upload scope, url: u}}
checked_at: {checked_at}
reference_date: 2026-12-05
subject: cloud-x
run:
  uuid: {uuid}
  argv: []
  assignment: {{}}
  sections: null
  forced_version: null
  forced_tests: null
  invocations:
    i1: {{id: i1, cmd: ./check.sh, results: {{tc-a: 1}}, rc: 0, stdout: [], stderr: [],
          info: 0, warning: 0, error: 0, critical: 0}}
"
        );
        parse_report_stream(&text)
            .expect("report literal")
            .remove(0)
    }

    fn plan_at(now: &str, manual: Option<&str>, reports: &[Report]) -> super::super::plan::Plan {
        let scope = parse_scope(SCOPE, "test").expect("scope loads");
        let spec = external_spec();
        let previous = CloudCertificationStatus::default();
        plan(&Observation {
            now: ts(now),
            generation: Some(1),
            created_at: ts("2026-12-01T00:00:00Z"),
            spec: &spec,
            previous: &previous,
            manual_trigger: manual,
            scope: Ok(&scope),
            active_run: None,
            reports,
            may_start_run: true,
        })
    }

    #[test]
    fn the_default_mode_is_in_cluster() {
        let spec: CloudCertificationSpec = serde_json::from_value(serde_json::json!({
            "subject": "c", "scope": {"url": "https://example.org/s.yaml"}
        }))
        .expect("spec literal");
        assert_eq!(spec.execution_mode, ExecutionMode::InCluster);
    }

    #[test]
    fn an_external_resource_never_starts_a_run_even_when_due_or_asked() {
        // Every minute is due, and a run-now value is set: still nothing starts.
        let plan = plan_at("2026-12-05T03:00:30Z", Some("now-please"), &[]);
        assert_eq!(plan.start_run, None);
        assert_eq!(plan.status.next_run_at, None);
        assert_eq!(plan.status.active_run, None);
        assert_eq!(plan.status.last_manual_trigger, None);
        let ready = conditions::find(&plan.status.conditions, READY).expect("Ready");
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("False", "NoResults")
        );
        assert_eq!(ready.message, NO_RESULTS);
        let checking = conditions::find(&plan.status.conditions, CHECKING).expect("Checking");
        assert_eq!(
            (checking.status.as_str(), checking.reason.as_str()),
            ("False", REASON)
        );
        assert!(
            checking.message.contains("no report received yet"),
            "{}",
            checking.message
        );
    }

    #[test]
    fn uploaded_reports_are_evaluated_and_the_latest_one_is_named() {
        let reports = [
            report("2026-12-04 03:00:00", "older-run"),
            report("2026-12-05 02:00:00", "newest-run"),
        ];
        let plan = plan_at("2026-12-05T03:00:30Z", None, &reports);
        assert_eq!(plan.start_run, None);
        let ready = conditions::find(&plan.status.conditions, READY).expect("Ready");
        assert_eq!(ready.status.as_str(), "True", "{}", ready.message);
        let checking = conditions::find(&plan.status.conditions, CHECKING).expect("Checking");
        assert!(
            checking.message.contains("2026-12-05T02:00:00Z")
                && checking.message.contains("newest-run"),
            "{}",
            checking.message
        );
        assert_eq!(plan.status.results.len(), 1);
        assert_eq!(plan.status.results[0].report.as_deref(), Some("newest-run"));
    }
}
