//! The per-resource run history (SCS-0004 item 4, issue 6 rule 6): compact results of every
//! run and manual check for 18 months, in one ConfigMap `<name>-history` owned by the
//! resource (gzip-compressed JSON in `binaryData`). Stored reports themselves are few and
//! short-lived; this keeps what the status page history needs, and prunes older entries.

use crate::certificate::{RunHistoryEntry, ValidManualCheck, history_horizon, record_run};
use crate::report::Report;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use jiff::Timestamp;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};

/// Key of the compressed history in the ConfigMap's `binaryData`.
pub const HISTORY_KEY: &str = "history.json.gz";
/// Largest compressed history kept in one ConfigMap (1 MiB limit, room for metadata); the
/// oldest entries give way first.
pub const HISTORY_LIMIT: usize = 900 * 1024;

/// Name of the history ConfigMap of resource `cloud`.
pub fn history_config_map_name(cloud: &str) -> String {
    let mut name: String = cloud.chars().take(253 - "-history".len()).collect();
    name.push_str("-history");
    name
}

/// Why a stored history cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// Corrupt compressed data or JSON.
    #[error("run history cannot be read: {0}")]
    Corrupt(String),
    /// Compression failed (memory I/O; should not happen).
    #[error("run history cannot be written: {0}")]
    Encode(#[from] std::io::Error),
}

/// The history with every report and manual check added and entries older than 18 months
/// dropped; `None` when nothing changes. `run_ids` maps a report's `run.uuid` to the
/// operator's run id (the id `status.recentRuns` uses), so both describe one run alike.
pub fn updated_history(
    existing: &[RunHistoryEntry],
    reports: &[Report],
    run_ids: &HashMap<String, String>,
    manual_checks: &[ValidManualCheck],
    now: Timestamp,
) -> Option<Vec<RunHistoryEntry>> {
    let known: HashSet<&str> = existing.iter().map(|e| e.run.as_str()).collect();
    let horizon = history_horizon(now);
    let new_entries: Vec<RunHistoryEntry> = reports
        .iter()
        .map(|report| {
            let mut entry = RunHistoryEntry::from_report(report);
            if let Some(id) = run_ids.get(&entry.run) {
                entry.run = id.clone();
            }
            entry
        })
        .chain(manual_checks.iter().map(RunHistoryEntry::from_manual_check))
        .filter(|e| !known.contains(e.run.as_str()) && e.checked_at >= horizon)
        .collect();
    let expired = existing.iter().any(|e| e.checked_at < horizon);
    if new_entries.is_empty() && !expired {
        return None;
    }
    let mut entries = existing.to_vec();
    if new_entries.is_empty() {
        entries = crate::certificate::prune(&entries, now);
    }
    for entry in new_entries {
        entries = record_run(&entries, entry, now);
    }
    Some(entries)
}

/// Gzip-compressed JSON of `entries`, dropping the oldest until it fits [`HISTORY_LIMIT`].
pub fn encode_history(entries: &[RunHistoryEntry]) -> Result<Vec<u8>, HistoryError> {
    let mut start = 0;
    loop {
        let json = serde_json::to_vec(&entries[start..])
            .map_err(|e| HistoryError::Encode(std::io::Error::other(e)))?;
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(&json)?;
        let bytes = encoder.finish()?;
        if bytes.len() <= HISTORY_LIMIT || start >= entries.len() {
            return Ok(bytes);
        }
        // Drop a tenth of what is left (at least one) and try again.
        start += ((entries.len() - start) / 10).max(1);
    }
}

/// Reads a history written by [`encode_history`].
pub fn decode_history(bytes: &[u8]) -> Result<Vec<RunHistoryEntry>, HistoryError> {
    let mut json = Vec::new();
    GzDecoder::new(bytes)
        .take((16 * HISTORY_LIMIT) as u64)
        .read_to_end(&mut json)
        .map_err(|e| HistoryError::Corrupt(e.to_string()))?;
    serde_json::from_slice(&json).map_err(|e| HistoryError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::RunSource;
    use crate::results::Verdict;
    use std::collections::BTreeMap;

    fn entry(run: &str, checked_at: &str) -> RunHistoryEntry {
        RunHistoryEntry {
            run: run.to_owned(),
            checked_at: checked_at.parse().expect("timestamp"),
            source: RunSource::Automated,
            results: BTreeMap::from([("tc-a".to_owned(), Verdict::Pass)]),
        }
    }

    #[test]
    fn entries_older_than_18_months_are_pruned_and_nothing_new_writes_nothing() {
        let now: Timestamp = "2026-12-05T00:00:00Z".parse().expect("now");
        let kept = entry("recent", "2025-06-05T00:00:00Z");
        let history = vec![entry("old", "2025-06-04T23:59:59Z"), kept.clone()];
        assert_eq!(
            updated_history(&history, &[], &HashMap::new(), &[], now),
            Some(vec![kept.clone()]),
            "18 calendar months back is the horizon"
        );
        assert_eq!(
            updated_history(&[kept], &[], &HashMap::new(), &[], now),
            None
        );
    }

    #[test]
    fn history_round_trips_and_oversized_history_drops_the_oldest() {
        let entries: Vec<RunHistoryEntry> = (0..3)
            .map(|i| entry(&format!("r{i}"), "2026-12-01T00:00:00Z"))
            .collect();
        let bytes = encode_history(&entries).expect("encode");
        assert_eq!(decode_history(&bytes).expect("decode"), entries);
        assert!(decode_history(b"not gzip").is_err());

        // Incompressible run ids: far beyond the limit, so the oldest give way.
        let big: Vec<RunHistoryEntry> = (0..60_000)
            .map(|i| {
                let id: String = format!("{:x}", sha2_like(i));
                entry(&id, "2026-12-01T00:00:00Z")
            })
            .collect();
        let bytes = encode_history(&big).expect("encode");
        assert!(bytes.len() <= HISTORY_LIMIT);
        let kept = decode_history(&bytes).expect("decode");
        assert!(kept.len() < big.len() && !kept.is_empty());
        assert_eq!(kept.last(), big.last(), "the newest entries stay");
    }

    /// Cheap pseudo-random 128-bit value (keeps run ids incompressible).
    fn sha2_like(i: u64) -> u128 {
        let mut x = u128::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835) | 1;
        x ^= x >> 67;
        x.wrapping_mul(0xD6E8_FEB8_6659_FD93_2A4F_1B2C_3D4E_5F61)
    }
}
