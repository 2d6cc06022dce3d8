//! Scope evaluation on the real upstream specs: every worked example of DOMAIN 2.6, plus the
//! edge cases the brief pins down (drafts only, no results, version without `main`, groups).

use super::*;
use crate::report::{Invocation, Report, ReportSpec, Run};
use crate::results::{LatestResults, SelectionOptions, Verdict, latest_valid_results};
use crate::scope::{ScopeSpec, Validity, load_file};
use crate::test_support::upstream_fixture;
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::BTreeMap;

fn iaas() -> ScopeSpec {
    load_file(upstream_fixture("scs-compatible-iaas.yaml"))
        .expect("the real IaaS spec loads")
        .spec
}

fn kaas() -> ScopeSpec {
    load_file(upstream_fixture("scs-compatible-kaas.yaml"))
        .expect("the real KaaS spec loads")
        .spec
}

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

/// PASS for every testcase of every target of every version.
fn all_pass(spec: &ScopeSpec) -> BTreeMap<String, Verdict> {
    spec.versions
        .iter()
        .flat_map(|v| v.targets.values())
        .flatten()
        .map(|id| (id.clone(), Verdict::Pass))
        .collect()
}

fn with(
    mut results: BTreeMap<String, Verdict>,
    id: &str,
    verdict: Option<Verdict>,
) -> BTreeMap<String, Verdict> {
    match verdict {
        Some(v) => results.insert(id.to_owned(), v),
        None => results.remove(id),
    };
    results
}

struct Expect<'a> {
    relevant: &'a [&'a str],
    passed: &'a [&'a str],
    result: Option<Verdict>,
    badge: &'a str,
}

fn check<R: VerdictLookup>(
    spec: &ScopeSpec,
    on: &str,
    drafts: bool,
    results: &R,
    want: Expect<'_>,
) {
    let validity = spec.validity_at(date(on));
    let evaluation = evaluate_scope(spec, &validity, results, drafts);
    assert_eq!(evaluation.relevant, want.relevant, "relevant on {on}");
    assert_eq!(evaluation.passed, want.passed, "passed on {on}");
    assert_eq!(evaluation.result, want.result, "result on {on}");
    assert_eq!(evaluation.summary(), want.badge, "badge on {on}");
    assert!(evaluation.warnings.is_empty(), "{:?}", evaluation.warnings);
}

#[test]
fn iaas_everything_passes() {
    let spec = iaas();
    let results = all_pass(&spec);
    check(
        &spec,
        "2025-09-09",
        false,
        &results,
        Expect {
            relevant: &["v5.1"],
            passed: &["v5.1"],
            result: Some(Verdict::Pass),
            badge: "✅ v5.1",
        },
    );
}

#[test]
fn iaas_everything_passes_with_drafts() {
    let spec = iaas();
    let results = all_pass(&spec);
    check(
        &spec,
        "2025-09-09",
        true,
        &results,
        Expect {
            relevant: &["next", "v5.1"],
            passed: &["next", "v5.1"],
            result: Some(Verdict::Pass),
            badge: "✅ next*, v5.1",
        },
    );
}

#[test]
fn iaas_placement_fail_falls_back_to_deprecated_v4() {
    let spec = iaas();
    let results = with(
        all_pass(&spec),
        "scs-0123-service-placement",
        Some(Verdict::Fail),
    );
    check(
        &spec,
        "2025-09-09",
        false,
        &results,
        Expect {
            relevant: &["v5.1", "v4"],
            passed: &["v4"],
            result: Some(Verdict::Pass),
            badge: "🛑 v4††",
        },
    );
    let evaluation = evaluate_scope(
        &spec,
        &spec.validity_at(date("2025-09-09")),
        &results,
        false,
    );
    assert_eq!(
        evaluation.best_passed().map(|v| v.name.as_str()),
        Some("v4")
    );
    assert_eq!(evaluation.validity, Validity::Deprecated);
    assert_eq!(
        evaluation.version("v5.1").map(|v| v.result),
        Some(Some(Verdict::Fail))
    );
}

#[test]
fn iaas_placement_fail_while_v4_warns() {
    let spec = iaas();
    let results = with(
        all_pass(&spec),
        "scs-0123-service-placement",
        Some(Verdict::Fail),
    );
    check(
        &spec,
        "2025-02-01",
        false,
        &results,
        Expect {
            relevant: &["v5.1", "v4"],
            passed: &["v4"],
            result: Some(Verdict::Pass),
            badge: "🟧 v4†",
        },
    );
}

#[test]
fn iaas_backup_abort() {
    let spec = iaas();
    let results = with(
        all_pass(&spec),
        "scs-0117-test-backup",
        Some(Verdict::Abort),
    );
    check(
        &spec,
        "2025-09-09",
        false,
        &results,
        Expect {
            relevant: &["v5.1"],
            passed: &["v5.1"],
            result: Some(Verdict::Abort),
            badge: "✅* v5.1",
        },
    );
}

#[test]
fn iaas_backup_missing() {
    let spec = iaas();
    let results = with(all_pass(&spec), "scs-0117-test-backup", None);
    check(
        &spec,
        "2025-09-09",
        false,
        &results,
        Expect {
            relevant: &["v5.1"],
            passed: &["v5.1"],
            result: None,
            badge: "🟧 v5.1",
        },
    );
}

fn report(
    spec: &ScopeSpec,
    uuid: &str,
    checked_at: &str,
    results: &BTreeMap<String, Verdict>,
) -> Report {
    let invocation = Invocation {
        id: format!("{uuid}-invocation"),
        results: results.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        ..Invocation::default()
    };
    Report {
        spec: ReportSpec {
            uuid: spec.uuid.clone().unwrap_or_default(),
            ..ReportSpec::default()
        },
        checked_at: checked_at.parse().unwrap(),
        reference_date: None,
        subject: "cloud".into(),
        run: Run {
            uuid: uuid.into(),
            invocations: [(invocation.id.clone(), invocation)].into_iter().collect(),
            ..Run::default()
        },
        legacy_versions: None,
    }
}

#[test]
fn iaas_backup_expired() {
    let spec = iaas();
    let everything = all_pass(&spec);
    let without_backup = with(everything.clone(), "scs-0117-test-backup", None);
    // The backup test last ran three weeks ago (weekly lifetime: expired), the rest yesterday.
    let old = report(&spec, "old", "2025-08-19T10:00:00Z", &everything);
    let new = report(&spec, "new", "2025-09-08T10:00:00Z", &without_backup);
    let now: Timestamp = "2025-09-09T12:00:00Z".parse().unwrap();
    let latest: LatestResults =
        latest_valid_results(&spec, [&old, &new], now, SelectionOptions::default());
    assert!(latest.record("scs-0117-test-backup").is_none());
    assert!(latest.expired > 0);
    check(
        &spec,
        "2025-09-09",
        false,
        &latest,
        Expect {
            relevant: &["v5.1"],
            passed: &["v5.1"],
            result: None,
            badge: "🟧 v5.1",
        },
    );
}

#[test]
fn iaas_syntax_check_fail_everywhere() {
    let spec = iaas();
    let results = with(
        all_pass(&spec),
        "scs-0100-syntax-check",
        Some(Verdict::Fail),
    );
    check(
        &spec,
        "2025-09-09",
        false,
        &results,
        Expect {
            relevant: &["v5.1", "v4", "v3"],
            passed: &[],
            result: Some(Verdict::Fail),
            badge: "🛑 –",
        },
    );
    let evaluation = evaluate_scope(
        &spec,
        &spec.validity_at(date("2025-09-09")),
        &results,
        false,
    );
    assert_eq!(evaluation.best_passed(), None);
    assert_eq!(evaluation.validity, Validity::Deprecated);
}

#[test]
fn iaas_no_results_at_all_is_missing_like_the_detail_view() {
    let spec = iaas();
    let nothing: BTreeMap<String, Verdict> = BTreeMap::new();
    check(
        &spec,
        "2025-09-09",
        false,
        &nothing,
        Expect {
            relevant: &["v5.1"],
            passed: &["v5.1"],
            result: None,
            badge: "🟧 v5.1",
        },
    );
    assert_eq!(
        summary_badge(None),
        "🛑 –",
        "the table view: no scope result"
    );
}

#[test]
fn iaas_before_the_timeline_nothing_is_relevant() {
    let spec = iaas();
    let results = all_pass(&spec);
    check(
        &spec,
        "2024-12-18",
        true,
        &results,
        Expect {
            relevant: &[],
            passed: &[],
            result: Some(Verdict::Fail),
            badge: "🛑 –",
        },
    );
}

#[test]
fn iaas_after_2026_06_11_old_versions_are_ignored() {
    let spec = iaas();
    let results = with(
        all_pass(&spec),
        "scs-0123-service-placement",
        Some(Verdict::Fail),
    );
    // v4 and v3 are implicitly deprecated now: not evaluated, not walked.
    let validity = spec.validity_at(date("2026-08-21"));
    let evaluation = evaluate_scope(&spec, &validity, &results, false);
    assert_eq!(evaluation.relevant, ["v5.1"]);
    assert_eq!(evaluation.summary(), "🛑 –");
    let evaluated: Vec<&str> = evaluation.versions.iter().map(|v| v.name()).collect();
    assert_eq!(
        evaluated,
        ["next", "v5.1"],
        "drafts are evaluated even when not walked"
    );
}

#[test]
fn kaas_draft_period_only_shows_with_drafts() {
    let spec = kaas();
    let results = all_pass(&spec);
    // 2024-03-01: v1 is a draft. Hidden: nothing relevant. Shown: passed, but no winner, so
    // the validity is `deprecated` and the badge is red.
    check(
        &spec,
        "2024-03-01",
        false,
        &results,
        Expect {
            relevant: &[],
            passed: &[],
            result: Some(Verdict::Fail),
            badge: "🛑 –",
        },
    );
    check(
        &spec,
        "2024-03-01",
        true,
        &results,
        Expect {
            relevant: &["v1"],
            passed: &["v1"],
            result: Some(Verdict::Pass),
            badge: "🛑 v1*",
        },
    );
    check(
        &spec,
        "2024-11-26",
        false,
        &results,
        Expect {
            relevant: &["v1"],
            passed: &["v1"],
            result: Some(Verdict::Pass),
            badge: "✅ v1",
        },
    );
}

#[test]
fn per_target_verdicts_cover_every_target_but_only_main_decides() {
    // No upstream version includes a `recommended` target any more; add one like the parked
    // `scs-0102-v1-rec` module would.
    let mut spec = iaas();
    let v51 = spec
        .versions
        .iter_mut()
        .find(|v| v.name == "v5.1")
        .expect("v5.1");
    let recommended = vec![
        "scs-0102-prop-hash_algo".to_owned(),
        "scs-0102-prop-os_purpose".to_owned(),
    ];
    v51.targets
        .insert("recommended".into(), recommended.clone());
    let validity = spec.validity_at(date("2025-09-09"));
    let mut results = with(
        all_pass(&spec),
        "scs-0102-prop-hash_algo",
        Some(Verdict::Fail),
    );
    results.insert("scs-0102-prop-os_purpose".into(), Verdict::Pass);
    let evaluation = evaluate_scope(&spec, &validity, &results, false);
    let v51 = evaluation.version("v5.1").expect("v5.1 evaluated");
    assert_eq!(v51.result, Some(Verdict::Pass), "only main decides");
    let names: Vec<&str> = v51.targets.iter().map(|t| t.name).collect();
    assert_eq!(names, ["main", "recommended"]);
    let target = v51.target("recommended").expect("recommended");
    assert_eq!(target.testcases, recommended.as_slice());
    assert_eq!(target.result, Some(Verdict::Fail));
    assert_eq!(
        v51.target("main").map(|t| t.result),
        Some(Some(Verdict::Pass))
    );
    assert_eq!(evaluation.summary(), "✅ v5.1");
}

#[test]
fn version_without_main_is_an_empty_main_with_a_warning() {
    let mut spec = iaas();
    let v51 = spec
        .versions
        .iter_mut()
        .find(|v| v.name == "v5.1")
        .expect("v5.1");
    v51.targets = Default::default();
    let validity = spec.validity_at(date("2025-09-09"));
    let nothing: BTreeMap<String, Verdict> = BTreeMap::new();
    let evaluation = evaluate_scope(&spec, &validity, &nothing, false);
    assert_eq!(evaluation.result, Some(Verdict::Pass));
    assert_eq!(evaluation.summary(), "✅ v5.1");
    assert_eq!(
        evaluation.warnings,
        [EvaluationWarning::VersionWithoutMain {
            version: "v5.1".into()
        }]
    );
}

#[test]
fn relevant_buckets_put_stable_main_testcases_first() {
    let spec = iaas();
    let results = with(
        all_pass(&spec),
        "scs-0123-service-placement",
        Some(Verdict::Fail),
    );
    let validity = spec.validity_at(date("2025-09-09"));
    let evaluation = evaluate_scope(&spec, &validity, &results, false);
    let buckets = evaluation.relevant_buckets(&spec, &results);
    assert_eq!(buckets.fail, ["scs-0123-service-placement"]);
    assert!(buckets.missing.is_empty() && buckets.abort.is_empty());
    let mut sorted = buckets.pass.clone();
    sorted.sort_by_key(|id| (spec.testcase(id).is_none_or(|t| t.attn == 0), *id));
    assert_eq!(buckets.pass, sorted);
}

#[test]
fn group_shows_its_worst_member() {
    let spec = iaas();
    let validity = spec.validity_at(date("2025-09-09"));
    let pass = all_pass(&spec);
    let abort = with(pass.clone(), "scs-0117-test-backup", Some(Verdict::Abort));
    let missing = with(pass.clone(), "scs-0117-test-backup", None);
    let fail = with(pass.clone(), "scs-0100-syntax-check", Some(Verdict::Fail));
    let eval = |r: &BTreeMap<String, Verdict>| evaluate_scope(&spec, &validity, r, false);
    let (p, a, m, f) = (eval(&pass), eval(&abort), eval(&missing), eval(&fail));

    assert_eq!(group_summary(&[Some(&p), Some(&a)]), "✅* v5.1");
    assert_eq!(
        group_summary(&[Some(&p), Some(&a), None]),
        "🛑 –",
        "no data beats abort"
    );
    assert_eq!(
        group_summary(&[None, Some(&m)]),
        "🟧 v5.1",
        "missing beats no data"
    );
    assert_eq!(group_summary(&[Some(&m), Some(&f)]), "🛑 –");
    assert_eq!(group_summary(&[]), "🛑 –");
    assert_eq!(
        worst_member(&[Some(&p), Some(&a), Some(&a)]),
        Some(1),
        "first wins ties"
    );
    let ranks: Vec<u8> = [Some(&f), Some(&m), None, Some(&a), Some(&p)]
        .into_iter()
        .map(member_rank)
        .collect();
    assert_eq!(ranks, [0, 1, 2, 3, 4]);
}

#[test]
fn badge_colours() {
    use crate::scope::Validity::*;
    let cases = [
        (Some(Verdict::Pass), Effective, "✅"),
        (Some(Verdict::Abort), Effective, "✅*"),
        (None, Effective, "🟧"),
        (Some(Verdict::Fail), Effective, "🛑"),
        (Some(Verdict::Pass), Warn, "🟧"),
        (Some(Verdict::Pass), Deprecated, "🛑"),
        (Some(Verdict::Fail), Warn, "🛑"),
        (Some(Verdict::Pass), Draft, "✅"),
    ];
    for (result, validity, colour) in cases {
        assert_eq!(
            badge_colour(result, &validity),
            colour,
            "{result:?} {validity}"
        );
    }
    assert_eq!(validity_suffix(&Validity::parse("sunset")), "††");
}

/// Documents why "a newer PASS never makes it worse" is about the standing, not the result:
/// fixing the FAIL of the newer version makes it the winner although it is still MISSING.
#[test]
fn fixing_a_fail_can_turn_green_older_into_amber_newer() {
    let spec = iaas();
    let base = with(all_pass(&spec), "scs-0117-test-backup", None); // only in v5.1
    let broken = with(
        base.clone(),
        "scs-0123-service-placement",
        Some(Verdict::Fail),
    );
    let validity = spec.validity_at(date("2025-01-10")); // v5.1 and v4 both effective
    let before = evaluate_scope(&spec, &validity, &broken, false);
    assert_eq!(before.summary(), "✅ v4");
    let after = evaluate_scope(&spec, &validity, &base, false);
    assert_eq!(after.summary(), "🟧 v5.1");
    assert!(after.best_passed().map(|v| v.index) < before.best_passed().map(|v| v.index));
}
