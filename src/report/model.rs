//! The upstream report (DOMAIN 3.9): one run of the check tool for one subject and one scope.
//!
//! Field order of every struct is the upstream key order; the YAML writer relies on it.

use crate::report::timestamp::{format_report_date, format_report_timestamp};
use crate::results::Verdict;
use indexmap::IndexMap;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Serialize, Serializer};

/// One report document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The scope the report was made for.
    pub spec: ReportSpec,
    /// When the report was written (after all scripts ran); UTC.
    #[serde(serialize_with = "serialize_timestamp")]
    pub checked_at: Timestamp,
    /// The check date used for version selection (`-d` or today).
    #[serde(serialize_with = "serialize_optional_date")]
    pub reference_date: Option<Date>,
    /// The subject under test.
    pub subject: String,
    /// How the run was made and what each invocation returned.
    pub run: Run,
    /// Legacy reports (before 2026-01) only: version -> testcase -> result.
    #[serde(rename = "versions", skip_serializing_if = "Option::is_none")]
    pub legacy_versions: Option<IndexMap<String, IndexMap<String, LegacyResult>>>,
}

/// `spec`: identity of the scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReportSpec {
    /// Scope uuid; the monitor's scope key.
    pub uuid: String,
    /// Scope name, e.g. `SCS-compatible IaaS`.
    pub name: String,
    /// Scope url (raw URL of the scope YAML).
    pub url: String,
}

/// `run`: parameters of the check run and its invocations.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Run {
    /// Random UUIDv4; the report's unique id.
    pub uuid: String,
    /// CLI arguments without the program name.
    pub argv: Vec<String>,
    /// The `-a` assignments only (spec defaults are not recorded).
    pub assignment: IndexMap<String, String>,
    /// Selected sections, or `None` for all.
    pub sections: Option<Vec<String>>,
    /// `-V` value, if any.
    pub forced_version: Option<String>,
    /// `-t` regex source, if any.
    pub forced_tests: Option<String>,
    /// Invocation uuid -> invocation, in run order.
    pub invocations: IndexMap<String, Invocation>,
}

/// One script invocation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Invocation {
    /// Same uuid as the map key.
    pub id: String,
    /// Display command string.
    pub cmd: String,
    /// Parsed, permitted results: testcase id -> verdict.
    pub results: IndexMap<String, Verdict>,
    /// Return code (127 if the launch failed).
    pub rc: i64,
    /// Standard output, one entry per line.
    pub stdout: Vec<String>,
    /// Standard error, one entry per line.
    pub stderr: Vec<String>,
    /// Lines starting with "info".
    pub info: u64,
    /// Lines starting with "warning".
    pub warning: u64,
    /// Lines starting with "error".
    pub error: u64,
    /// Lines starting with "critical".
    pub critical: u64,
}

/// One entry of a legacy `versions` map.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LegacyResult {
    /// The verdict; `None` when the legacy report wrote `null`.
    pub result: Option<Verdict>,
    /// The invocation uuid that produced it, if recorded.
    pub invocation: Option<String>,
}

fn serialize_timestamp<S: Serializer>(ts: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_report_timestamp(*ts))
}

fn serialize_optional_date<S: Serializer>(
    date: &Option<Date>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.serialize_str(&format_report_date(*date)),
        None => serializer.serialize_none(),
    }
}
