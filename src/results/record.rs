//! The current result of one testcase, as the monitor keeps it (DOMAIN 2.5).

use crate::results::Verdict;
use crate::results::lifetime::is_valid_at;
use jiff::Timestamp;
use serde::Serialize;

/// One selected result: what, when, until when, and from which report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResultRecord {
    /// Testcase id.
    pub testcase: String,
    /// The verdict.
    pub result: Verdict,
    /// When the report holding it was written (UTC).
    pub checked_at: Timestamp,
    /// First moment at which it is no longer valid (`add_period`).
    pub expires_at: Timestamp,
    /// `run.uuid` of the report it comes from.
    pub report: String,
}

impl ResultRecord {
    /// Whether the record is still valid at `now` (`now < expires_at`).
    pub fn is_valid_at(&self, now: Timestamp) -> bool {
        is_valid_at(self.expires_at, now)
    }
}
