//! Retention windows of SCS-0004 item 4, as the listing applies them: a certificate's entry
//! stays on the pages until 3 months after `notAfter` and in the data until 12 months after;
//! the history covers the last 18 months. Months are calendar months on the UTC calendar,
//! the day clamped to the month's end (the same rule as `certificate::history`).

use crate::certificate::{LISTED_MONTHS_AFTER_EXPIRY, RETAINED_MONTHS_AFTER_EXPIRY};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

pub use crate::certificate::history_horizon;

/// `ts` plus `months` calendar months (UTC, day clamped); saturates at the ends of time.
pub fn months_after(ts: Timestamp, months: i64) -> Timestamp {
    ts.to_zoned(TimeZone::UTC)
        .checked_add(Span::new().months(months))
        .map(|zoned| zoned.timestamp())
        .unwrap_or(if months >= 0 {
            Timestamp::MAX
        } else {
            Timestamp::MIN
        })
}

/// End of listing on the pages: `notAfter` + 3 months.
pub fn listed_until(not_after: Timestamp) -> Timestamp {
    months_after(not_after, LISTED_MONTHS_AFTER_EXPIRY)
}

/// End of retention in the data: `notAfter` + 12 months.
pub fn retained_until(not_after: Timestamp) -> Timestamp {
    months_after(not_after, RETAINED_MONTHS_AFTER_EXPIRY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("timestamp literal")
    }

    #[test]
    fn windows_are_calendar_months_with_clamped_days() {
        assert_eq!(
            listed_until(ts("2026-03-15T10:00:00Z")),
            ts("2026-06-15T10:00:00Z")
        );
        assert_eq!(
            retained_until(ts("2026-03-15T10:00:00Z")),
            ts("2027-03-15T10:00:00Z")
        );
        // 30 November + 3 months = 28 February (clamped), not 2 March.
        assert_eq!(
            listed_until(ts("2026-11-30T00:00:00Z")),
            ts("2027-02-28T00:00:00Z")
        );
        assert_eq!(
            history_horizon(ts("2027-08-31T00:00:00Z")),
            ts("2026-02-28T00:00:00Z")
        );
        assert_eq!(months_after(Timestamp::MAX, 3), Timestamp::MAX);
    }
}
