//! Tests of the latest-valid selection (DOMAIN 2.5) on a small hand-made spec.

use super::*;
use crate::report::{Invocation, Report, ReportSpec, Run};
use crate::scope::{Lifetime, ScopeSpec, Testcase, Variables};
use jiff::Timestamp;
use std::collections::BTreeMap;

const SCOPE: &str = "scope-uuid";

fn spec() -> ScopeSpec {
    let testcases: BTreeMap<String, Testcase> = [
        ("weekly", Lifetime::Week),
        ("daily", Lifetime::Day),
        ("yearly", Lifetime::Year),
        ("forever", Lifetime::Unknown("infinite".into())),
    ]
    .into_iter()
    .map(|(id, lifetime)| {
        let testcase = Testcase {
            id: id.into(),
            lifetime,
            section: None,
            description: None,
            url: None,
            script: 0,
            attn: 0,
        };
        (id.to_owned(), testcase)
    })
    .collect();
    ScopeSpec {
        uuid: Some(SCOPE.into()),
        name: Some("test scope".into()),
        url: None,
        prerequisite: None,
        variables: Variables::default(),
        scripts: Vec::new(),
        testcases,
        modules: Vec::new(),
        versions: Vec::new(),
        timeline: Vec::new(),
    }
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn report(uuid: &str, checked_at: &str, results: &[(&str, Verdict)]) -> Report {
    let invocation = Invocation {
        id: format!("{uuid}-inv"),
        results: results
            .iter()
            .map(|(id, v)| ((*id).to_owned(), *v))
            .collect(),
        ..Invocation::default()
    };
    Report {
        spec: ReportSpec {
            uuid: SCOPE.into(),
            ..ReportSpec::default()
        },
        checked_at: ts(checked_at),
        reference_date: None,
        subject: "cloud-a".into(),
        run: Run {
            uuid: uuid.into(),
            invocations: [(invocation.id.clone(), invocation)].into_iter().collect(),
            ..Run::default()
        },
        legacy_versions: None,
    }
}

fn select(reports: &[&Report], now: &str) -> LatestResults {
    latest_valid_results(
        &spec(),
        reports.iter().copied(),
        ts(now),
        SelectionOptions::default(),
    )
}

#[test]
fn most_recent_valid_result_wins() {
    let old = report("r1", "2026-08-17T10:00:00Z", &[("weekly", Verdict::Fail)]);
    let new = report("r2", "2026-08-19T10:00:00Z", &[("weekly", Verdict::Pass)]);
    for order in [[&old, &new], [&new, &old]] {
        let latest = select(&order, "2026-08-20T00:00:00Z");
        let record = latest.record("weekly").unwrap();
        assert_eq!(record.result, Verdict::Pass);
        assert_eq!(record.report, "r2");
        assert_eq!(record.checked_at, ts("2026-08-19T10:00:00Z"));
        assert_eq!(record.expires_at, ts("2026-08-31T00:00:00Z"));
    }
}

#[test]
fn expired_results_are_skipped_and_counted() {
    let daily = report("r1", "2026-08-19T10:00:00Z", &[("daily", Verdict::Pass)]);
    let latest = select(&[&daily], "2026-08-20T23:59:59Z");
    assert_eq!(
        latest.record("daily").map(|r| r.result),
        Some(Verdict::Pass)
    );
    let latest = select(&[&daily], "2026-08-21T00:00:00Z");
    assert!(
        latest.record("daily").is_none(),
        "expired at its expiry moment"
    );
    assert_eq!(latest.expired, 1);
}

#[test]
fn an_expired_newer_result_does_not_hide_a_valid_older_one() {
    // The yearly result is older but still valid; the daily one is newer and expired.
    let older = report("r1", "2026-01-15T10:00:00Z", &[("yearly", Verdict::Abort)]);
    let newer = report("r2", "2026-08-19T10:00:00Z", &[("daily", Verdict::Pass)]);
    let latest = select(&[&older, &newer], "2026-09-01T00:00:00Z");
    assert_eq!(
        latest.record("yearly").map(|r| r.result),
        Some(Verdict::Abort)
    );
    assert!(latest.record("daily").is_none());
}

#[test]
fn unknown_testcases_are_missing_objects() {
    let r = report(
        "r1",
        "2026-08-19T10:00:00Z",
        &[("weekly", Verdict::Pass), ("no-such-test", Verdict::Fail)],
    );
    let latest = select(&[&r], "2026-08-20T00:00:00Z");
    assert_eq!(
        latest.missing_objects,
        [MissingObject {
            report: "r1".into(),
            testcase: "no-such-test".into()
        }]
    );
    assert_eq!(latest.records.len(), 1);
}

#[test]
fn unknown_period_makes_results_unusable() {
    let r = report("r1", "2026-08-19T10:00:00Z", &[("forever", Verdict::Pass)]);
    let latest = select(&[&r], "2026-08-20T00:00:00Z");
    assert!(latest.record("forever").is_none());
    assert_eq!(latest.unknown_periods["forever"], "infinite");
}

#[test]
fn reports_of_another_scope_are_ignored() {
    let mut foreign = report("r9", "2026-08-19T10:00:00Z", &[("weekly", Verdict::Fail)]);
    foreign.spec.uuid = "other-scope".into();
    let latest = select(&[&foreign], "2026-08-20T00:00:00Z");
    assert!(latest.is_empty());
    assert_eq!(latest.foreign_reports, ["r9"]);
}

#[test]
fn ties_on_checked_at_go_to_the_worse_verdict_then_the_smaller_uuid() {
    let at = "2026-08-19T10:00:00Z";
    let pass = report("a-pass", at, &[("weekly", Verdict::Pass)]);
    let fail = report("z-fail", at, &[("weekly", Verdict::Fail)]);
    let abort = report("m-abort", at, &[("weekly", Verdict::Abort)]);
    for order in [
        [&pass, &fail, &abort],
        [&fail, &abort, &pass],
        [&abort, &pass, &fail],
    ] {
        let latest = select(&order, "2026-08-20T00:00:00Z");
        assert_eq!(latest.record("weekly").unwrap().report, "z-fail");
    }
    let pass2 = report("0-pass", at, &[("weekly", Verdict::Pass)]);
    for order in [[&pass, &pass2], [&pass2, &pass]] {
        let latest = select(&order, "2026-08-20T00:00:00Z");
        assert_eq!(latest.record("weekly").unwrap().report, "0-pass");
    }
}

#[test]
fn grace_days_shift_now_back() {
    let daily = report("r1", "2026-08-19T10:00:00Z", &[("daily", Verdict::Pass)]);
    let now = ts("2026-08-25T00:00:00Z");
    let strict = latest_valid_results(&spec(), [&daily], now, SelectionOptions::default());
    assert!(strict.is_empty());
    let graced = latest_valid_results(&spec(), [&daily], now, SelectionOptions { grace_days: 7 });
    let record = graced.record("daily").unwrap();
    assert_eq!(
        record.expires_at,
        ts("2026-08-21T00:00:00Z"),
        "expiry itself is unchanged"
    );
}

#[test]
fn reports_are_grouped_by_subject() {
    let a = report("r1", "2026-08-19T10:00:00Z", &[]);
    let mut b = report("r2", "2026-08-19T10:00:00Z", &[]);
    b.subject = "cloud-b".into();
    let c = report("r3", "2026-08-20T10:00:00Z", &[]);
    let grouped = reports_by_subject([&a, &b, &c]);
    assert_eq!(
        grouped.keys().copied().collect::<Vec<_>>(),
        ["cloud-a", "cloud-b"]
    );
    let uuids: Vec<&str> = grouped["cloud-a"]
        .iter()
        .map(|r| r.run.uuid.as_str())
        .collect();
    assert_eq!(uuids, ["r1", "r3"]);
}

#[test]
fn reports_checked_after_now_are_ignored() {
    let past = report("r1", "2026-08-18T10:00:00Z", &[("weekly", Verdict::Pass)]);
    let future = report("r2", "2026-08-20T10:00:00Z", &[("weekly", Verdict::Fail)]);
    let latest = select(&[&past, &future], "2026-08-19T00:00:00Z");
    assert_eq!(
        latest.record("weekly").map(|r| r.result),
        Some(Verdict::Pass)
    );
    assert_eq!(latest.future_reports, ["r2"]);
    let exactly_now = select(&[&future], "2026-08-20T10:00:00Z");
    assert_eq!(
        exactly_now.record("weekly").map(|r| r.result),
        Some(Verdict::Fail)
    );
}

#[test]
fn a_testcase_twice_in_one_report_counts_with_its_worse_verdict() {
    let mut r = report("r1", "2026-08-19T10:00:00Z", &[("weekly", Verdict::Pass)]);
    let second = Invocation {
        id: "second".into(),
        results: [("weekly".to_owned(), Verdict::Abort)]
            .into_iter()
            .collect(),
        ..Invocation::default()
    };
    r.run.invocations.insert(second.id.clone(), second);
    let latest = select(&[&r], "2026-08-20T00:00:00Z");
    assert_eq!(
        latest.record("weekly").map(|x| x.result),
        Some(Verdict::Abort)
    );
    assert_eq!(
        r.testcase_results()["weekly"],
        Verdict::Abort,
        "same rule as the report view"
    );
}

#[test]
fn a_prepared_index_gives_the_same_answer() {
    let spec = spec();
    let index = SelectionIndex::new(&spec);
    let a = report(
        "r1",
        "2026-08-19T10:00:00Z",
        &[("weekly", Verdict::Pass), ("x", Verdict::Fail)],
    );
    let now = ts("2026-08-20T00:00:00Z");
    assert_eq!(
        index.latest_valid_results([&a], now, SelectionOptions::default()),
        latest_valid_results(&spec, [&a], now, SelectionOptions::default())
    );
}
