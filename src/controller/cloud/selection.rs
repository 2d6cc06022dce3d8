//! Which testcases a run selects under the `Expiring` policy (upstream issue #941): the
//! automated testcases of the tested versions whose result is missing or will have expired
//! by the next scheduled run.

use crate::api::cloud::TestcaseResult;
use crate::scope::ScopeSpec;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::BTreeSet;

/// Testcases the check tool would run by default (versions with explicit validity at `now`,
/// or the forced version; all targets; automated scripts only), sorted.
pub fn tested_testcases(
    spec: &ScopeSpec,
    forced_version: Option<&str>,
    now: Timestamp,
) -> BTreeSet<String> {
    let date = now.to_zoned(TimeZone::UTC).date();
    let versions: Vec<_> = match forced_version {
        Some(name) => spec.version(name).into_iter().collect(),
        None => spec
            .explicit_versions_at(date)
            .into_iter()
            .filter_map(|v| spec.versions.get(v.index))
            .collect(),
    };
    versions
        .into_iter()
        .flat_map(|v| v.all_testcases())
        .filter(|id| spec.script_of(id).is_some_and(|s| !s.is_manual()))
        .collect()
}

/// The tested testcases whose current result is missing or expires at or before `horizon`.
pub fn expiring_testcases(
    spec: &ScopeSpec,
    forced_version: Option<&str>,
    results: &[TestcaseResult],
    horizon: Timestamp,
    now: Timestamp,
) -> Vec<String> {
    tested_testcases(spec, forced_version, now)
        .into_iter()
        .filter(|id| {
            results
                .iter()
                .find(|r| &r.testcase == id)
                .is_none_or(|r| r.expires_at <= horizon)
        })
        .collect()
}
