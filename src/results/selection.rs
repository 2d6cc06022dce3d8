//! Selecting the current result per testcase across many reports (DOMAIN 2.5).
//!
//! For one subject and one scope: results of testcases unknown to the spec are skipped and
//! listed as missing objects; expired results are skipped; among the rest the most recent
//! `checked_at` wins. Equal `checked_at` (e.g. the same run uploaded twice under different
//! uuids) is broken by the **worse verdict** (FAIL < ABORT < PASS), then by the smaller report
//! uuid, so the outcome never depends on the order in which reports are given.
//!
//! Reports checked after `now` are ignored: they did not exist yet at that moment. (The monitor
//! always evaluates at the present, where this cannot happen; it matters for historical
//! evaluations such as `scs-cert evaluate --at <past>`.)

use crate::evaluation::verdict::VerdictLookup;
use crate::report::Report;
use crate::results::Verdict;
use crate::results::lifetime::{ExpiryError, add_period};
use crate::results::record::ResultRecord;
use crate::scope::{Lifetime, ScopeSpec};
use jiff::{SignedDuration, Timestamp};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// Knobs of the selection; the default is HEAD behaviour (no grace period).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SelectionOptions {
    /// Historical grace period: expiry is judged at `now - grace_days` (7 before 2026-06-25).
    pub grace_days: u32,
}

/// A result whose (scope, testcase) is unknown to the spec; skipped like the monitor does.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MissingObject {
    /// `run.uuid` of the report holding it.
    pub report: String,
    /// The unknown testcase id.
    pub testcase: String,
}

/// The outcome of [`latest_valid_results`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LatestResults {
    /// The winning valid result per testcase id.
    pub records: BTreeMap<String, ResultRecord>,
    /// Results for testcases the spec does not define.
    pub missing_objects: Vec<MissingObject>,
    /// Number of result entries skipped because they had expired.
    pub expired: usize,
    /// `run.uuid` of reports checked after `now` (ignored: not yet written at that moment).
    pub future_reports: Vec<String>,
    /// Testcases whose lifetime has no expiry rule ("unknown period"); their results are unusable.
    pub unknown_periods: BTreeMap<String, String>,
    /// `run.uuid` of reports made for another scope (ignored entirely).
    pub foreign_reports: Vec<String>,
}

impl LatestResults {
    /// The selected record of `testcase`, if any.
    pub fn record(&self, testcase: &str) -> Option<&ResultRecord> {
        self.records.get(testcase)
    }

    /// Whether no valid result was selected at all.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

impl VerdictLookup for LatestResults {
    fn verdict_of(&self, testcase: &str) -> Option<Verdict> {
        self.records.get(testcase).map(|r| r.result)
    }
}

/// A candidate while scanning; borrows from the reports to avoid copying per result.
#[derive(Clone, Copy)]
struct Candidate<'r> {
    result: Verdict,
    checked_at: Timestamp,
    expires_at: Timestamp,
    report: &'r str,
}

/// Whether `new` beats `current`: later `checked_at`, then worse verdict, then smaller uuid.
fn beats(new: &Candidate<'_>, current: &Candidate<'_>) -> bool {
    let order = new
        .checked_at
        .cmp(&current.checked_at)
        .then_with(|| current.result.cmp(&new.result))
        .then_with(|| current.report.cmp(new.report));
    order == Ordering::Greater
}

/// Expiry per lifetime for one report (all its results share `checked_at`).
#[derive(Default)]
struct ExpiryCache {
    known: [Option<Result<Timestamp, ExpiryError>>; 5],
}

impl ExpiryCache {
    fn expiry(
        &mut self,
        checked_at: Timestamp,
        lifetime: &Lifetime,
    ) -> Result<Timestamp, ExpiryError> {
        let slot = match lifetime {
            Lifetime::Day => 0,
            Lifetime::Week => 1,
            Lifetime::Month => 2,
            Lifetime::Quarter => 3,
            Lifetime::Year => 4,
            Lifetime::Unknown(_) => return add_period(checked_at, lifetime),
        };
        self.known[slot]
            .get_or_insert_with(|| add_period(checked_at, lifetime))
            .clone()
    }
}

/// The latest still-valid result per testcase of `spec`, from `reports` of **one subject**.
///
/// Reports whose `spec.uuid` differs from the spec's uuid are ignored (listed in
/// `foreign_reports`); a spec without uuid accepts every report. For many subjects, build a
/// [`SelectionIndex`] once and call [`SelectionIndex::latest_valid_results`].
pub fn latest_valid_results<'r, I>(
    spec: &ScopeSpec,
    reports: I,
    now: Timestamp,
    options: SelectionOptions,
) -> LatestResults
where
    I: IntoIterator<Item = &'r Report>,
{
    SelectionIndex::new(spec).latest_valid_results(reports, now, options)
}

/// Lookups of one spec prepared once, for selecting the results of many subjects.
pub struct SelectionIndex<'s> {
    spec: &'s ScopeSpec,
    /// Dense position -> testcase id, in id order.
    ids: Vec<&'s str>,
    /// Dense position -> lifetime.
    lifetimes: Vec<&'s Lifetime>,
    /// Testcase id -> dense position. Only spec ids are ever inserted, so report-supplied
    /// keys cannot degrade the table; a simple non-keyed hash is enough.
    positions: HashMap<&'s str, usize, BuildHasherDefault<Fnv1a>>,
}

impl<'s> SelectionIndex<'s> {
    /// Prepares the lookups of `spec`.
    pub fn new(spec: &'s ScopeSpec) -> Self {
        let ids: Vec<&'s str> = spec.testcases.keys().map(String::as_str).collect();
        let lifetimes = spec.testcases.values().map(|t| &t.lifetime).collect();
        let positions = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        SelectionIndex {
            spec,
            ids,
            lifetimes,
            positions,
        }
    }

    /// [`latest_valid_results`] with the prepared lookups.
    pub fn latest_valid_results<'r, I>(
        &self,
        reports: I,
        now: Timestamp,
        options: SelectionOptions,
    ) -> LatestResults
    where
        I: IntoIterator<Item = &'r Report>,
    {
        let judged_at = now
            .checked_sub(SignedDuration::from_hours(
                24 * i64::from(options.grace_days),
            ))
            .unwrap_or(Timestamp::MIN);
        let mut outcome = LatestResults::default();
        let mut best: Vec<Option<Candidate<'r>>> = vec![None; self.ids.len()];
        for report in reports {
            if self
                .spec
                .uuid
                .as_deref()
                .is_some_and(|uuid| uuid != report.spec.uuid)
            {
                outcome.foreign_reports.push(report.run.uuid.clone());
                continue;
            }
            if report.checked_at > now {
                outcome.future_reports.push(report.run.uuid.clone());
                continue;
            }
            let mut expiries = ExpiryCache::default();
            // Every (testcase, verdict) pair of the report, legacy entries included. A
            // testcase listed twice in one report ties on `checked_at` and report uuid, so
            // `beats` keeps the worse verdict: the rule of `Report::testcase_results`, without
            // building that map.
            let invocation_results = report
                .run
                .invocations
                .values()
                .flat_map(|invocation| invocation.results.iter())
                .map(|(id, verdict)| (id.as_str(), *verdict));
            let legacy_results = report
                .legacy_versions
                .iter()
                .flat_map(|versions| versions.values())
                .flat_map(|testcases| testcases.iter())
                .filter_map(|(id, entry)| entry.result.map(|verdict| (id.as_str(), verdict)));
            for (testcase, result) in invocation_results.chain(legacy_results) {
                let Some(&position) = self.positions.get(testcase) else {
                    outcome.missing_objects.push(MissingObject {
                        report: report.run.uuid.clone(),
                        testcase: testcase.to_owned(),
                    });
                    continue;
                };
                let lifetime = self.lifetimes[position];
                let expires_at = match expiries.expiry(report.checked_at, lifetime) {
                    Ok(expires_at) => expires_at,
                    Err(_) => {
                        outcome
                            .unknown_periods
                            .entry(testcase.to_owned())
                            .or_insert_with(|| lifetime.to_string());
                        continue;
                    }
                };
                if judged_at >= expires_at {
                    outcome.expired += 1;
                    continue;
                }
                let candidate = Candidate {
                    result,
                    checked_at: report.checked_at,
                    expires_at,
                    report: &report.run.uuid,
                };
                let slot = &mut best[position];
                if slot.is_none_or(|current| beats(&candidate, &current)) {
                    *slot = Some(candidate);
                }
            }
        }
        outcome.missing_objects.sort();
        outcome.missing_objects.dedup();
        outcome.foreign_reports.sort();
        outcome.future_reports.sort();
        // `ids` is in id order, so the map is built from a sorted sequence
        outcome.records = self
            .ids
            .iter()
            .zip(best)
            .filter_map(|(id, candidate)| {
                let c = candidate?;
                let record = ResultRecord {
                    testcase: (*id).to_owned(),
                    result: c.result,
                    checked_at: c.checked_at,
                    expires_at: c.expires_at,
                    report: c.report.to_owned(),
                };
                Some(((*id).to_owned(), record))
            })
            .collect();
        outcome
    }
}

/// FNV-1a: fast for short keys such as testcase ids.
#[derive(Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Groups reports by subject (sorted by subject name), keeping their order within a subject.
pub fn reports_by_subject<'r, I>(reports: I) -> BTreeMap<&'r str, Vec<&'r Report>>
where
    I: IntoIterator<Item = &'r Report>,
{
    let mut grouped: BTreeMap<&'r str, Vec<&'r Report>> = BTreeMap::new();
    for report in reports {
        grouped
            .entry(report.subject.as_str())
            .or_default()
            .push(report);
    }
    grouped
}
