//! Calendar-month arithmetic behind "managed for 12 months" and "within the last 12 months".
//!
//! Decision (DOMAIN 5.3 is silent): a reference has reached N months on date `on` iff
//! `add_months(since, N) <= on`, where [`add_months`] moves N calendar months and clamps the
//! day to the last day of the target month (2026-08-31 + 6 months = 2027-02-28; 2027-08-29 +
//! 6 months = 2028-02-29; 2028-02-29 + 12 months = 2029-02-28). Every rule is anchored on
//! `since`, so the rules agree with each other: on the very day a go-live stops counting
//! (its 12-month anniversary) the same environment, if managed since then, reaches its
//! 12 months of management. All dates are UTC calendar dates.

use jiff::Span;
use jiff::civil::Date;
use thiserror::Error;

/// Month arithmetic left the calendar range jiff supports (years -9999..=9999).
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[error("date out of range: {date} plus {months} months")]
pub struct DateOutOfRange {
    /// The start date.
    pub date: Date,
    /// The months added.
    pub months: i32,
}

/// `date` plus `months` calendar months, the day clamped to the end of the target month.
pub fn add_months(date: Date, months: i32) -> Result<Date, DateOutOfRange> {
    let out_of_range = |_| DateOutOfRange { date, months };
    let span = Span::new().try_months(months).map_err(out_of_range)?;
    date.checked_add(span).map_err(out_of_range)
}

/// Whether `months` calendar months have passed from `since` on date `on`.
pub fn has_reached(since: Date, months: i32, on: Date) -> Result<bool, DateOutOfRange> {
    Ok(add_months(since, months)? <= on)
}

/// Completed calendar months from `since` to `on` under the clamping rule; 0 if `on` is
/// before `since`.
pub fn whole_months(since: Date, on: Date) -> Result<i32, DateOutOfRange> {
    if on < since {
        return Ok(0);
    }
    let rough = (i32::from(on.year()) - i32::from(since.year())) * 12
        + (i32::from(on.month()) - i32::from(since.month()));
    // `rough` overshoots by one when the day of month has not come round yet.
    if add_months(since, rough)? <= on {
        Ok(rough)
    } else {
        Ok(rough - 1)
    }
}

/// "7 months", "1 month", "less than a month": the age of a reference for explanations.
pub fn age_text(since: Date, on: Date) -> Result<String, DateOutOfRange> {
    Ok(match whole_months(since, on)? {
        0 => "less than a month".to_owned(),
        1 => "1 month".to_owned(),
        n => format!("{n} months"),
    })
}

/// The day before `date` (the last day a go-live still counts), or `date` itself at the
/// start of the calendar.
pub fn day_before(date: Date) -> Date {
    date.yesterday().unwrap_or(date)
}
