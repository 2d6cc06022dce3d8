//! From stored reports to what the status says about compliance: the latest valid results,
//! the per-version verdicts, the badge and the `Compliant` condition (pure; time passed in).

use crate::api::cloud::{TestcaseResult, VersionVerdict};
use crate::api::conditions::{COMPLIANT, ConditionStatus, DesiredCondition};
use crate::certificate::{ValidManualCheck, merge_manual_results};
use crate::evaluation::{eval_buckets, evaluate_scope};
use crate::report::Report;
use crate::results::{LatestResults, SelectionOptions, Verdict, latest_valid_results};
use crate::scope::{ScopeSpec, Validity};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// How many offending testcases a condition message or version entry names.
const NAMED_OFFENDERS: usize = 5;

/// Everything the status shows about compliance at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct ComplianceView {
    /// Latest valid result per testcase, sorted by testcase id.
    pub results: Vec<TestcaseResult>,
    /// Verdict per explicitly valid version, spec order.
    pub versions: Vec<VersionVerdict>,
    /// Summary badge, e.g. `✅ v5.1`.
    pub summary: String,
    /// The version that decided the scope verdict.
    pub best_passed_version: Option<String>,
    /// The `Compliant` condition.
    pub condition: DesiredCondition,
    /// The earliest expiry among the current results: the next time the verdict can change
    /// without a run.
    pub next_expiry: Option<Timestamp>,
}

/// The version a cloud is judged on: the certificate's version, else a forced version, else
/// the first certifiable (effective or warn) version in spec order (the newest one).
pub fn judged_version<'s>(
    spec: &'s ScopeSpec,
    certificate_version: Option<&str>,
    forced_version: Option<&str>,
    now: Timestamp,
) -> Option<&'s str> {
    if let Some(name) = certificate_version.or(forced_version) {
        return spec.version(name).map(|v| v.name.as_str());
    }
    let date = now.to_zoned(TimeZone::UTC).date();
    spec.validity_at(date)
        .into_iter()
        .find(|v| v.explicit && v.validity.is_certifiable())
        .and_then(|v| spec.versions.get(v.index))
        .map(|v| v.name.as_str())
}

/// The latest valid result per testcase at `now`: from the stored `reports` (of this cloud's
/// subject) and the valid manual check records, which count like automated results.
pub fn current_results(
    spec: &ScopeSpec,
    reports: &[Report],
    manual_checks: &[ValidManualCheck],
    now: Timestamp,
) -> LatestResults {
    let mut latest = latest_valid_results(spec, reports.iter(), now, SelectionOptions::default());
    merge_manual_results(&mut latest, manual_checks, now);
    latest
}

/// Evaluates the current results against `spec` at `now`.
pub fn assess(
    spec: &ScopeSpec,
    latest: &LatestResults,
    judged: Option<&str>,
    now: Timestamp,
) -> ComplianceView {
    let date = now.to_zoned(TimeZone::UTC).date();
    let validity = spec.validity_at(date);
    let evaluation = evaluate_scope(spec, &validity, latest, false);
    let results = result_entries(latest);
    let next_expiry = results.iter().map(|r| r.expires_at).min();
    let versions = evaluation
        .versions
        .iter()
        .map(|v| {
            let buckets = eval_buckets(latest, v.version.main().iter().map(String::as_str));
            let not_passing = buckets
                .fail
                .iter()
                .chain(&buckets.missing)
                .chain(&buckets.abort)
                .take(NAMED_OFFENDERS)
                .map(|s| (*s).to_owned())
                .collect();
            VersionVerdict {
                name: v.version.name.clone(),
                validity: v.validity.as_str().to_owned(),
                result: verdict_name(v.result).to_owned(),
                not_passing,
            }
        })
        .collect();
    ComplianceView {
        condition: compliant_condition(spec, latest, judged, date),
        summary: evaluation.summary(),
        best_passed_version: evaluation.best_passed().map(|v| v.name.clone()),
        results,
        versions,
        next_expiry,
    }
}

/// PASS, ABORT, FAIL or MISSING.
pub fn verdict_name(verdict: Option<Verdict>) -> &'static str {
    verdict.map_or("MISSING", Verdict::name)
}

fn result_entries(latest: &LatestResults) -> Vec<TestcaseResult> {
    let mut entries: Vec<TestcaseResult> = latest
        .records
        .values()
        .map(|r| TestcaseResult {
            testcase: r.testcase.clone(),
            result: r.result.name().to_owned(),
            checked_at: r.checked_at,
            expires_at: r.expires_at,
            report: Some(r.report.clone()),
        })
        .collect();
    entries.sort_by(|a, b| a.testcase.cmp(&b.testcase));
    entries
}

fn compliant_condition(
    spec: &ScopeSpec,
    latest: &LatestResults,
    judged: Option<&str>,
    date: jiff::civil::Date,
) -> DesiredCondition {
    let condition = |status: bool, reason: &str, message: String| DesiredCondition {
        type_: COMPLIANT.to_owned(),
        status: ConditionStatus::from(status),
        reason: reason.to_owned(),
        message,
    };
    let Some(name) = judged else {
        return condition(
            false,
            "NoCertifiableVersion",
            format!("the scope has no effective or warn version on {date}"),
        );
    };
    let Some(version) = spec.version(name) else {
        return condition(
            false,
            "UnknownVersion",
            format!("version {name} does not exist in the scope spec"),
        );
    };
    let validity = spec
        .validity_of(name, date)
        .map_or(Validity::Deprecated, |v| v.validity);
    let main = version.main();
    let buckets = eval_buckets(latest, main.iter().map(String::as_str));
    let total = main.len();
    let named = |ids: &[&str]| {
        let mut text = ids
            .iter()
            .take(NAMED_OFFENDERS)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if ids.len() > NAMED_OFFENDERS {
            text.push_str(&format!(" and {} more", ids.len() - NAMED_OFFENDERS));
        }
        text
    };
    if latest.records.is_empty() && total > 0 {
        return condition(
            false,
            "NoResults",
            format!("no valid results yet for the {total} main testcases of {name}"),
        );
    }
    if !buckets.fail.is_empty() {
        return condition(
            false,
            "TestsFailing",
            format!(
                "{} of {total} main testcases of {name} failed: {}",
                buckets.fail.len(),
                named(&buckets.fail)
            ),
        );
    }
    if !buckets.missing.is_empty() {
        return condition(
            false,
            "ResultsMissing",
            format!(
                "{} of {total} main testcases of {name} have no valid result (missing or expired): {}",
                buckets.missing.len(),
                named(&buckets.missing)
            ),
        );
    }
    if !buckets.abort.is_empty() {
        return condition(
            false,
            "TestsAborted",
            format!(
                "{} of {total} main testcases of {name} did not finish (ABORT): {}",
                buckets.abort.len(),
                named(&buckets.abort)
            ),
        );
    }
    match validity {
        Validity::Effective => condition(
            true,
            "Compliant",
            format!("all {total} main testcases of {name} pass"),
        ),
        Validity::Warn => condition(
            true,
            "CompliantVersionExpiring",
            format!("all {total} main testcases of {name} pass; {name} expires soon (warn)"),
        ),
        other => condition(
            false,
            "VersionNotCertifiable",
            format!(
                "all {total} main testcases of {name} pass, but {name} is {} on {date}",
                other.as_str()
            ),
        ),
    }
}
