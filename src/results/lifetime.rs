//! Result expiry: `add_period(checked_at, lifetime)` (DOMAIN 2.4).
//!
//! All arithmetic is on the UTC calendar date of `checked_at`; its time of day is irrelevant.
//! The expiry is the first invalid moment (midnight UTC); a result is valid iff `now < expiry`.

use crate::scope::Lifetime;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// Why no expiry can be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExpiryError {
    /// The lifetime is not one of day, week, month, quarter, year (e.g. the removed `infinite`).
    #[error("unknown period {0:?}")]
    UnknownPeriod(String),
    /// The expiry would fall outside the supported calendar (beyond year 9999).
    #[error("expiry of a result checked at {checked_at} is out of range")]
    OutOfRange {
        /// The check time concerned.
        checked_at: Timestamp,
    },
}

/// The first moment at which a result checked at `checked_at` is no longer valid.
pub fn add_period(checked_at: Timestamp, lifetime: &Lifetime) -> Result<Timestamp, ExpiryError> {
    let date = TimeZone::UTC.to_datetime(checked_at).date();
    let out_of_range = || ExpiryError::OutOfRange { checked_at };
    let expiry_date = expiry_date(date, lifetime)?.ok_or_else(out_of_range)?;
    TimeZone::UTC
        .to_timestamp(DateTime::from_parts(expiry_date, Time::midnight()))
        .map_err(|_| out_of_range())
}

/// Whether a result with this expiry is still valid at `now`.
pub fn is_valid_at(expires_at: Timestamp, now: Timestamp) -> bool {
    now < expires_at
}

/// The expiry date for a check on `date`; `Ok(None)` when it is out of range.
fn expiry_date(date: Date, lifetime: &Lifetime) -> Result<Option<Date>, ExpiryError> {
    let month_index = i32::from(date.year()) * 12 + i32::from(date.month()) - 1;
    Ok(match lifetime {
        // valid through the next day
        Lifetime::Day => add_days(date, 2),
        // Monday two weeks after the Monday of the check's week (Monday = 0)
        Lifetime::Week => add_days(date, 14 - i64::from(date.weekday().to_monday_zero_offset())),
        // first day of month M+2
        Lifetime::Month => first_of_month(month_index + 2),
        // first day of quarter Q+2, Q = (M-1) div 3
        Lifetime::Quarter => {
            let quarter_start = month_index - (i32::from(date.month()) - 1) % 3;
            first_of_month(quarter_start + 6)
        }
        // first day of month M+2 of year Y+1 (rolls into Y+2 for November and December)
        Lifetime::Year => first_of_month(month_index + 14),
        Lifetime::Unknown(raw) => return Err(ExpiryError::UnknownPeriod(raw.clone())),
    })
}

fn add_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(Span::new().days(days)).ok()
}

/// First day of the month with index `year * 12 + (month - 1)`.
fn first_of_month(month_index: i32) -> Option<Date> {
    let year = i16::try_from(month_index.div_euclid(12)).ok()?;
    let month = i8::try_from(month_index.rem_euclid(12) + 1).ok()?;
    Date::new(year, month, 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Weekday;

    fn at(text: &str) -> Timestamp {
        let civil: DateTime = text.parse().unwrap();
        TimeZone::UTC.to_timestamp(civil).unwrap()
    }

    /// Every worked example of DOMAIN 2.4, with the weekdays the table states.
    #[test]
    fn domain_table() {
        use Lifetime::*;
        #[rustfmt::skip]
        let table: &[(&str, Weekday, Lifetime, &str, Weekday)] = &[
            ("2026-08-19T14:30", Weekday::Wednesday, Day, "2026-08-21", Weekday::Friday),
            ("2026-08-31T23:59", Weekday::Monday, Day, "2026-09-02", Weekday::Wednesday),
            ("2026-12-31T10:00", Weekday::Thursday, Day, "2027-01-02", Weekday::Saturday),
            ("2026-08-17T00:00", Weekday::Monday, Week, "2026-08-31", Weekday::Monday),
            ("2026-08-19T14:30", Weekday::Wednesday, Week, "2026-08-31", Weekday::Monday),
            ("2026-08-23T23:59", Weekday::Sunday, Week, "2026-08-31", Weekday::Monday),
            ("2026-12-30T09:00", Weekday::Wednesday, Week, "2027-01-11", Weekday::Monday),
            ("2026-01-31T12:00", Weekday::Saturday, Month, "2026-03-01", Weekday::Sunday),
            ("2026-11-05T12:00", Weekday::Thursday, Month, "2027-01-01", Weekday::Friday),
            ("2026-12-31T12:00", Weekday::Thursday, Month, "2027-02-01", Weekday::Monday),
            ("2026-02-10T00:00", Weekday::Tuesday, Quarter, "2026-07-01", Weekday::Wednesday),
            ("2026-03-31T23:00", Weekday::Tuesday, Quarter, "2026-07-01", Weekday::Wednesday),
            ("2026-04-01T00:00", Weekday::Wednesday, Quarter, "2026-10-01", Weekday::Thursday),
            ("2026-09-30T00:00", Weekday::Wednesday, Quarter, "2027-01-01", Weekday::Friday),
            ("2026-10-01T00:00", Weekday::Thursday, Quarter, "2027-04-01", Weekday::Thursday),
            ("2026-12-31T00:00", Weekday::Thursday, Quarter, "2027-04-01", Weekday::Thursday),
            ("2026-01-15T00:00", Weekday::Thursday, Year, "2027-03-01", Weekday::Monday),
            ("2026-08-19T00:00", Weekday::Wednesday, Year, "2027-10-01", Weekday::Friday),
            ("2026-10-31T00:00", Weekday::Saturday, Year, "2027-12-01", Weekday::Wednesday),
            ("2026-11-02T00:00", Weekday::Monday, Year, "2028-01-01", Weekday::Saturday),
            ("2026-12-24T00:00", Weekday::Thursday, Year, "2028-02-01", Weekday::Tuesday),
        ];
        for (checked_at, checked_weekday, lifetime, expiry, expiry_weekday) in table {
            let checked_at = at(checked_at);
            assert_eq!(
                TimeZone::UTC.to_datetime(checked_at).weekday(),
                *checked_weekday,
                "{checked_at}"
            );
            let got = add_period(checked_at, lifetime).unwrap();
            let want = at(&format!("{expiry}T00:00"));
            assert_eq!(got, want, "{checked_at} {lifetime}");
            assert_eq!(TimeZone::UTC.to_datetime(got).weekday(), *expiry_weekday);
        }
    }

    #[test]
    fn absent_lifetime_is_week() {
        let checked_at = at("2026-08-19T14:30");
        assert_eq!(
            add_period(checked_at, &Lifetime::parse(None)),
            add_period(checked_at, &Lifetime::Week)
        );
    }

    #[test]
    fn valid_strictly_before_expiry() {
        let expiry = add_period(at("2026-08-19T14:30"), &Lifetime::Day).unwrap();
        assert!(is_valid_at(expiry, at("2026-08-20T23:59:59")));
        assert!(!is_valid_at(expiry, expiry));
        assert!(!is_valid_at(expiry, at("2026-08-21T00:00:01")));
    }

    #[test]
    fn unknown_period_is_an_error() {
        let err = add_period(at("2026-08-19T14:30"), &Lifetime::parse(Some("infinite")));
        assert_eq!(err, Err(ExpiryError::UnknownPeriod("infinite".into())));
        assert_eq!(err.unwrap_err().to_string(), "unknown period \"infinite\"");
    }

    #[test]
    fn end_of_calendar_is_an_error_not_a_panic() {
        let late = at("9999-12-30T12:00");
        for lifetime in [
            Lifetime::Day,
            Lifetime::Week,
            Lifetime::Month,
            Lifetime::Year,
        ] {
            assert!(
                matches!(
                    add_period(late, &lifetime),
                    Err(ExpiryError::OutOfRange { .. })
                ),
                "{lifetime}"
            );
        }
    }
}
