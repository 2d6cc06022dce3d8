//! History and retention (rule 6, SCS-0004 item 4): certificates stay listed on the status page
//! for 3 months after `notAfter` and retained for 12; compact per-run results are kept for 18
//! months. Months are calendar months on the UTC calendar (day clamped to the month's end).

use crate::certificate::manual_checks::ValidManualCheck;
use crate::certificate::model::IssuedCertificate;
use crate::certificate::validity::add_calendar;
use crate::report::Report;
use crate::results::Verdict;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Months a certificate's status page stays online after `notAfter`.
pub const LISTED_MONTHS_AFTER_EXPIRY: i64 = 3;
/// Months a certificate's data is kept after `notAfter`.
pub const RETAINED_MONTHS_AFTER_EXPIRY: i64 = 12;
/// Months of per-run results the status page shows.
pub const RUN_HISTORY_MONTHS: i64 = 18;

impl IssuedCertificate {
    /// End of listing: `notAfter` + 3 months (revoked certificates too: the page shows the
    /// revocation).
    pub fn listed_until(&self) -> Timestamp {
        months_after(self.not_after, LISTED_MONTHS_AFTER_EXPIRY)
    }

    /// Whether the status page lists it at `now`.
    pub fn listed_at(&self, now: Timestamp) -> bool {
        now < self.listed_until()
    }

    /// End of retention: `notAfter` + 12 months.
    pub fn retained_until(&self) -> Timestamp {
        months_after(self.not_after, RETAINED_MONTHS_AFTER_EXPIRY)
    }

    /// Whether its data must still be kept at `now`.
    pub fn retained_at(&self, now: Timestamp) -> bool {
        now < self.retained_until()
    }
}

fn months_after(ts: Timestamp, months: i64) -> Timestamp {
    add_calendar(ts, Span::new().months(months)).unwrap_or(Timestamp::MAX)
}

/// The certificates to keep at `now`: the retained ones, plus the latest one per (subject,
/// scope, version, mode) even when past retention, because it decides whether a grant is an
/// edit; order kept.
pub fn prune_certificates(
    certificates: &[IssuedCertificate],
    now: Timestamp,
) -> Vec<IssuedCertificate> {
    let is_latest = |index: usize, c: &IssuedCertificate| {
        !certificates.iter().enumerate().any(|(other_index, other)| {
            other.subject == c.subject
                && other.scope == c.scope
                && other.version == c.version
                && other.self_assessed == c.self_assessed
                && (other.not_before, other_index) > (c.not_before, index)
        })
    };
    certificates
        .iter()
        .enumerate()
        .filter(|(index, c)| c.retained_at(now) || is_latest(*index, c))
        .map(|(_, c)| c.clone())
        .collect()
}

/// Where a history entry's results come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunSource {
    /// A check run's report.
    Automated,
    /// A manual check record.
    Manual,
}

/// Compact results of one run (or one manual check) for the status page history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunHistoryEntry {
    /// Report `run.uuid`, or the manual check's result record id.
    pub run: String,
    /// When it was checked.
    pub checked_at: Timestamp,
    /// Automated or manual.
    pub source: RunSource,
    /// Verdict per testcase (1, 0, -1).
    pub results: BTreeMap<String, Verdict>,
}

impl RunHistoryEntry {
    /// The entry for a report.
    pub fn from_report(report: &Report) -> Self {
        Self {
            run: report.run.uuid.clone(),
            checked_at: report.checked_at,
            source: RunSource::Automated,
            results: report
                .testcase_results()
                .into_iter()
                .map(|(id, verdict)| (id.to_owned(), verdict))
                .collect(),
        }
    }

    /// The entry for a manual check.
    pub fn from_manual_check(check: &ValidManualCheck) -> Self {
        Self {
            run: check.to_result_record().report,
            checked_at: check.checked_at,
            source: RunSource::Manual,
            results: BTreeMap::from([(check.testcase.clone(), check.result)]),
        }
    }
}

/// Start of the kept history at `now`: 18 calendar months earlier.
pub fn history_horizon(now: Timestamp) -> Timestamp {
    add_calendar(now, Span::new().months(-RUN_HISTORY_MONTHS)).unwrap_or(Timestamp::MIN)
}

/// The entries to keep at `now`: checked at or after [`history_horizon`]; order kept.
pub fn prune(entries: &[RunHistoryEntry], now: Timestamp) -> Vec<RunHistoryEntry> {
    let horizon = history_horizon(now);
    entries
        .iter()
        .filter(|e| e.checked_at >= horizon)
        .cloned()
        .collect()
}

/// Adds `entry` (replacing one with the same run id), sorted by `checkedAt` then run id, and
/// pruned at `now`.
pub fn record_run(
    entries: &[RunHistoryEntry],
    entry: RunHistoryEntry,
    now: Timestamp,
) -> Vec<RunHistoryEntry> {
    let mut kept: Vec<RunHistoryEntry> = entries
        .iter()
        .filter(|e| e.run != entry.run)
        .cloned()
        .collect();
    kept.push(entry);
    kept.sort_by(|a, b| {
        a.checked_at
            .cmp(&b.checked_at)
            .then_with(|| a.run.cmp(&b.run))
    });
    prune(&kept, now)
}
