//! The 18-month history of a subject and scope: points from the status's run records and,
//! when one exists, from a longer-term history store ([`HistoryFeed`]).
//!
//! `status.recentRuns` is bounded (the newest few runs) and carries no verdicts; a store of
//! [`RunHistoryEntry`] values (per-testcase verdicts per run, see `certificate::history`) can
//! be fed in through [`HistoryFeed`] and is merged by run id, so the pages gain depth without
//! a model change.

use crate::api::cloud::RunRecord;
use crate::certificate::RunHistoryEntry;
use crate::listing::model::{HistoryPoint, RunOutcome, TestVerdict, VerdictCounts};
use crate::listing::retention::history_horizon;
use crate::results::Verdict;
use jiff::Timestamp;
use std::collections::{BTreeMap, HashSet};

/// Extra history per (subject, scope uuid), e.g. from a history store; empty by default.
pub type HistoryFeed = BTreeMap<(String, String), Vec<HistoryPoint>>;

/// The point of one finished run record; `None` for a run without any time.
pub fn point_from_run(run: &RunRecord) -> Option<HistoryPoint> {
    let at = run.finished_at.or(run.started_at).or(run.scheduled_for)?;
    Some(HistoryPoint {
        run: run.id.clone(),
        at,
        trigger: Some(run.trigger.clone()).filter(|t| !t.is_empty()),
        outcome: RunOutcome::parse(run.outcome.as_deref()),
        worst: None,
        counts: None,
        // Run messages may quote pod output; the public history never carries them.
        note: None,
    })
}

/// The point of one history-store entry (per-testcase verdicts known).
pub fn point_from_entry(entry: &RunHistoryEntry) -> HistoryPoint {
    let mut counts = VerdictCounts::default();
    for verdict in entry.results.values() {
        match verdict {
            Verdict::Pass => counts.pass += 1,
            Verdict::Abort => counts.abort += 1,
            Verdict::Fail => counts.fail += 1,
        }
    }
    let worst = entry.results.values().min().map(|v| match v {
        Verdict::Fail => TestVerdict::Fail,
        Verdict::Abort => TestVerdict::Abort,
        Verdict::Pass => TestVerdict::Pass,
    });
    HistoryPoint {
        run: entry.run.clone(),
        at: entry.checked_at,
        trigger: None,
        outcome: RunOutcome::ReportReceived,
        worst,
        counts: Some(counts),
        note: None,
    }
}

/// Merges `sources` (earlier sources win for the same run id), keeps points at or after the
/// 18-month horizon of `now`, newest first.
pub fn merge(sources: impl IntoIterator<Item = HistoryPoint>, now: Timestamp) -> Vec<HistoryPoint> {
    let horizon = history_horizon(now);
    let mut seen = HashSet::new();
    let mut points: Vec<HistoryPoint> = sources
        .into_iter()
        .filter(|p| p.at >= horizon)
        .filter(|p| seen.insert(p.run.clone()))
        .collect();
    points.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.run.cmp(&b.run)));
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::RunSource;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("timestamp literal")
    }

    fn run(id: &str, finished: Option<&str>, outcome: &str) -> RunRecord {
        RunRecord {
            id: id.into(),
            trigger: "Scheduled".into(),
            finished_at: finished.map(ts),
            started_at: Some(ts("2026-01-01T00:00:00Z")),
            outcome: Some(outcome.into()),
            message: Some("secret-ish pod output".into()),
            ..RunRecord::default()
        }
    }

    #[test]
    fn runs_become_points_without_their_messages() {
        let point =
            point_from_run(&run("r1", Some("2026-05-01T03:00:00Z"), "NoReport")).expect("point");
        assert_eq!(point.at, ts("2026-05-01T03:00:00Z"));
        assert_eq!(point.outcome, RunOutcome::NoReport);
        assert_eq!(point.note, None);
        let unfinished = point_from_run(&run("r2", None, "weird")).expect("point");
        assert_eq!(unfinished.at, ts("2026-01-01T00:00:00Z"));
        assert_eq!(unfinished.outcome, RunOutcome::Unknown);
    }

    #[test]
    fn store_entries_carry_counts_and_worst_verdict() {
        let entry = RunHistoryEntry {
            run: "u1".into(),
            checked_at: ts("2026-05-01T00:00:00Z"),
            source: RunSource::Automated,
            results: BTreeMap::from([
                ("a".into(), Verdict::Pass),
                ("b".into(), Verdict::Abort),
                ("c".into(), Verdict::Pass),
            ]),
        };
        let point = point_from_entry(&entry);
        assert_eq!(point.worst, Some(TestVerdict::Abort));
        assert_eq!(
            point.counts,
            Some(VerdictCounts {
                pass: 2,
                abort: 1,
                fail: 0
            })
        );
    }

    #[test]
    fn merge_keeps_18_months_newest_first_and_dedups() {
        let now = ts("2027-12-01T00:00:00Z");
        let mk = |id: &str, at: &str| HistoryPoint {
            run: id.into(),
            at: ts(at),
            trigger: None,
            outcome: RunOutcome::ReportReceived,
            worst: None,
            counts: None,
            note: None,
        };
        let mut second = mk("b", "2027-01-01T00:00:00Z");
        second.note = Some("from the store".into());
        let merged = merge(
            [
                mk("a", "2027-11-01T00:00:00Z"),
                mk("b", "2027-01-01T00:00:00Z"),
                second,
                mk("old", "2026-05-31T23:59:59Z"),
                mk("edge", "2026-06-01T00:00:00Z"),
            ],
            now,
        );
        let ids: Vec<_> = merged.iter().map(|p| p.run.as_str()).collect();
        assert_eq!(ids, ["a", "b", "edge"]);
        assert_eq!(merged[1].note, None, "the first source wins");
    }
}
