//! The failure record: what the wrapper uploads to `.../failure` when there is no report, so
//! the operator can say why a run has no results. Small and bounded by construction.

use serde::Serialize;

/// Largest serialised record we send (the intake accepts up to 64 KiB).
pub const MAX_RECORD_BYTES: usize = 32 * 1024;
/// Longest reason text.
const MAX_REASON_CHARS: usize = 2000;

/// Why a run produced no report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureRecord {
    /// Human-readable reason (first thing the operator shows).
    pub reason: String,
    /// The command's exit code, when it exited normally.
    pub exit_code: Option<i32>,
    /// The signal that ended the command, e.g. `SIGKILL`.
    pub signal: Option<String>,
    /// Whether `--command-timeout` fired.
    pub timed_out: bool,
    /// The wrapped command line.
    pub command: Vec<String>,
    /// The last lines of its output (stdout and stderr interleaved), oldest first.
    pub output_tail: Vec<String>,
    /// How many output lines there were in total.
    pub output_lines_total: u64,
}

impl FailureRecord {
    /// The record as JSON, shortened (oldest tail lines first) to at most [`MAX_RECORD_BYTES`].
    pub fn to_bounded_json(&self) -> Vec<u8> {
        let mut record = self.clone();
        if record.reason.chars().count() > MAX_REASON_CHARS {
            record.reason = record
                .reason
                .chars()
                .take(MAX_REASON_CHARS)
                .collect::<String>()
                + "...";
        }
        for arg in &mut record.command {
            if arg.len() > 1024 {
                *arg = arg.chars().take(256).collect::<String>() + "...";
            }
        }
        loop {
            let json = serde_json::to_vec(&record).unwrap_or_default();
            if json.len() <= MAX_RECORD_BYTES {
                return json;
            }
            if record.output_tail.is_empty() {
                record.command.truncate(8);
                return serde_json::to_vec(&record).unwrap_or_default();
            }
            let drop = (record.output_tail.len() / 4).max(1);
            record.output_tail.drain(..drop);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(tail: Vec<String>) -> FailureRecord {
        FailureRecord {
            reason: "command exited with code 1 without writing the report".into(),
            exit_code: Some(1),
            signal: None,
            timed_out: false,
            command: vec!["scs-cert".into(), "check".into()],
            output_tail: tail,
            output_lines_total: 7,
        }
    }

    #[test]
    fn serialises_the_fields_the_operator_reads() {
        let json: serde_json::Value =
            serde_json::from_slice(&record(vec!["last".into()]).to_bounded_json()).unwrap();
        assert_eq!(
            json["reason"],
            "command exited with code 1 without writing the report"
        );
        assert_eq!(json["exit_code"], 1);
        assert_eq!(json["signal"], serde_json::Value::Null);
        assert_eq!(json["output_tail"][0], "last");
    }

    #[test]
    fn stays_bounded_keeping_the_newest_lines() {
        let tail: Vec<String> = (0..1000)
            .map(|i| format!("{i:04} {}", "y".repeat(500)))
            .collect();
        let json = record(tail).to_bounded_json();
        assert!(json.len() <= MAX_RECORD_BYTES, "{}", json.len());
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let kept = value["output_tail"].as_array().cloned().unwrap_or_default();
        assert!(!kept.is_empty());
        assert!(
            kept.last()
                .and_then(|l| l.as_str())
                .is_some_and(|l| l.starts_with("0999"))
        );
    }
}
