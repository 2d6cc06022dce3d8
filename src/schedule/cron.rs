//! Five-field cron expressions (as Kubernetes CronJobs read them) evaluated in an IANA time
//! zone with jiff: `minute hour day-of-month month day-of-week`, with `*`, `?`, lists,
//! ranges, steps, month and weekday names, and the macros `@hourly`, `@daily`, `@midnight`,
//! `@weekly`, `@monthly`, `@yearly`, `@annually`.
//!
//! Day of month and day of week follow classic cron: when both are restricted, a day matches
//! if either matches. Local times skipped by a DST jump run at the first instant after the
//! gap; times repeated when clocks go back run once, at the earlier instant.

use jiff::civil::{Date, DateTime};
use jiff::tz::{Disambiguation, TimeZone};
use jiff::{Timestamp, ToSpan};
use std::fmt;

/// How far ahead [`CronSchedule::next_after`] looks before declaring that an expression
/// never fires (e.g. `0 0 30 2 *`). Leap-day schedules need up to eight years.
const SEARCH_DAYS: i64 = 366 * 9;

/// A parsed cron expression bound to a time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronSchedule {
    expression: String,
    minutes: u64,
    hours: u32,
    days_of_month: u32,
    months: u16,
    days_of_week: u8,
    day_of_month_restricted: bool,
    day_of_week_restricted: bool,
    time_zone: TimeZone,
}

/// Why a cron expression or time zone is not usable.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CronError {
    /// Not five fields (or a known macro).
    #[error(
        "cron expression {expression:?} must have 5 fields (minute hour day-of-month month day-of-week) or be a macro like @daily, found {found}"
    )]
    FieldCount {
        /// The expression as given.
        expression: String,
        /// How many fields it has.
        found: usize,
    },
    /// One field does not parse.
    #[error("cron expression {expression:?}: {field} field {value:?}: {problem}")]
    Field {
        /// The expression as given.
        expression: String,
        /// Which field (minute, hour, ...).
        field: &'static str,
        /// The offending field text.
        value: String,
        /// What is wrong.
        problem: String,
    },
    /// The time zone is not an IANA name jiff knows.
    #[error("unknown time zone {0:?} (use an IANA name such as UTC or Europe/Berlin)")]
    TimeZone(String),
}

struct FieldSpec {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTE: FieldSpec = FieldSpec {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
};
const HOUR: FieldSpec = FieldSpec {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
};
const DAY_OF_MONTH: FieldSpec = FieldSpec {
    name: "day-of-month",
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: FieldSpec = FieldSpec {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
};
// 7 is accepted as Sunday, like in classic cron.
const DAY_OF_WEEK: FieldSpec = FieldSpec {
    name: "day-of-week",
    min: 0,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
};

impl CronSchedule {
    /// Parses `expression` to be read in the IANA time zone `time_zone`.
    pub fn parse(expression: &str, time_zone: &str) -> Result<Self, CronError> {
        let tz = TimeZone::get(time_zone).map_err(|_| CronError::TimeZone(time_zone.to_owned()))?;
        let trimmed = expression.trim();
        let expanded = match trimmed.to_ascii_lowercase().as_str() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            _ => trimmed,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(CronError::FieldCount {
                expression: expression.to_owned(),
                found: fields.len(),
            });
        }
        let parse = |text: &str, spec: &FieldSpec| {
            parse_field(text, spec).map_err(|problem| CronError::Field {
                expression: expression.to_owned(),
                field: spec.name,
                value: text.to_owned(),
                problem,
            })
        };
        let mut days_of_week = parse(fields[4], &DAY_OF_WEEK)?;
        if days_of_week & (1 << 7) != 0 {
            days_of_week = (days_of_week | 1) & !(1 << 7);
        }
        Ok(Self {
            expression: expression.to_owned(),
            minutes: parse(fields[0], &MINUTE)?,
            hours: u32::try_from(parse(fields[1], &HOUR)?).unwrap_or(u32::MAX),
            days_of_month: u32::try_from(parse(fields[2], &DAY_OF_MONTH)?).unwrap_or(u32::MAX),
            months: u16::try_from(parse(fields[3], &MONTH)?).unwrap_or(u16::MAX),
            days_of_week: u8::try_from(days_of_week).unwrap_or(u8::MAX),
            day_of_month_restricted: !is_wildcard(fields[2]),
            day_of_week_restricted: !is_wildcard(fields[4]),
            time_zone: tz,
        })
    }

    /// The first firing instant strictly after `after`, or `None` if the expression never
    /// fires within the search horizon (e.g. February 30th).
    pub fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        let local = after.to_zoned(self.time_zone.clone()).datetime();
        let mut date = local.date();
        for _ in 0..SEARCH_DAYS {
            if self.day_matches(date) {
                for hour in bits(u64::from(self.hours)) {
                    for minute in bits(self.minutes) {
                        let civil = DateTime::new(
                            date.year(),
                            date.month(),
                            date.day(),
                            i8::try_from(hour).ok()?,
                            i8::try_from(minute).ok()?,
                            0,
                            0,
                        )
                        .ok()?;
                        let instant = self
                            .time_zone
                            .to_ambiguous_timestamp(civil)
                            .disambiguate(Disambiguation::Compatible)
                            .ok()?;
                        if instant > after {
                            return Some(instant);
                        }
                    }
                }
            }
            date = date.checked_add(1.day()).ok()?;
        }
        None
    }

    /// The latest firing instant in `(after, until]`, if any: the slot a run started at
    /// `until` belongs to. Missed slots in between collapse into this one.
    pub fn latest_in(&self, after: Timestamp, until: Timestamp) -> Option<Timestamp> {
        let mut latest = None;
        let mut cursor = after;
        // Bounded so that a pathological outage cannot spin: 100,000 slots are ten weeks
        // of an every-minute schedule; beyond that the slot found so far is used.
        for _ in 0..100_000 {
            match self.next_after(cursor) {
                Some(next) if next <= until => {
                    latest = Some(next);
                    cursor = next;
                }
                _ => return latest,
            }
        }
        latest
    }

    /// The expression as written.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    fn day_matches(&self, date: Date) -> bool {
        let month = u32::try_from(date.month()).unwrap_or(0);
        if self.months & (1 << month) == 0 {
            return false;
        }
        let day = u32::try_from(date.day()).unwrap_or(0);
        let dom = self.days_of_month & (1 << day) != 0;
        let weekday = u32::from(date.weekday().to_sunday_zero_offset().unsigned_abs());
        let dow = self.days_of_week & (1 << weekday) != 0;
        match (self.day_of_month_restricted, self.day_of_week_restricted) {
            (true, true) => dom || dow,
            (true, false) => dom,
            (false, true) => dow,
            (false, false) => true,
        }
    }
}

impl fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({})",
            self.expression,
            self.time_zone.iana_name().unwrap_or("UTC")
        )
    }
}

fn is_wildcard(field: &str) -> bool {
    field == "*" || field == "?"
}

/// Bit positions set in `mask`, ascending.
fn bits(mask: u64) -> impl Iterator<Item = u32> {
    (0..64).filter(move |i| mask & (1u64 << i) != 0)
}

fn parse_field(text: &str, spec: &FieldSpec) -> Result<u64, String> {
    let mut mask = 0u64;
    for part in text.split(',') {
        if part.is_empty() {
            return Err("empty list element".to_owned());
        }
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .map_err(|_| format!("step {step:?} is not a number"))?;
                if step == 0 {
                    return Err("step must be at least 1".to_owned());
                }
                (range, step)
            }
            None => (part, 1),
        };
        let (start, end) = if range == "*" || range == "?" {
            (spec.min, spec.max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, spec)?, value(b, spec)?)
        } else {
            let v = value(range, spec)?;
            // `5/15` means from 5 to the maximum in steps of 15.
            if part.contains('/') {
                (v, spec.max)
            } else {
                (v, v)
            }
        };
        if start > end {
            return Err(format!("range {start}-{end} runs backwards"));
        }
        let mut v = start;
        while v <= end {
            mask |= 1u64 << v;
            v += step;
        }
    }
    Ok(mask)
}

fn value(text: &str, spec: &FieldSpec) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    if let Some(index) = spec.names.iter().position(|n| *n == upper) {
        let offset = if spec.name == "month" { 1 } else { 0 };
        return Ok(u32::try_from(index).unwrap_or(0) + offset);
    }
    let v: u32 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number or name"))?;
    if v < spec.min || v > spec.max {
        return Err(format!("{v} is outside {}-{}", spec.min, spec.max));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp literal")
    }

    #[test]
    fn next_firing_instants() {
        // (expression, zone, after, expected next)
        let cases = [
            (
                "0 3 * * *",
                "UTC",
                "2026-12-05T02:59:00Z",
                "2026-12-05T03:00:00Z",
            ),
            (
                "0 3 * * *",
                "UTC",
                "2026-12-05T03:00:00Z",
                "2026-12-06T03:00:00Z",
            ),
            (
                "@daily",
                "UTC",
                "2026-12-31T23:59:59Z",
                "2027-01-01T00:00:00Z",
            ),
            (
                "*/15 * * * *",
                "UTC",
                "2026-12-05T10:07:30Z",
                "2026-12-05T10:15:00Z",
            ),
            (
                "5/20 * * * *",
                "UTC",
                "2026-12-05T10:26:00Z",
                "2026-12-05T10:45:00Z",
            ),
            (
                "0 0 * * mon",
                "UTC",
                "2026-12-05T00:00:00Z",
                "2026-12-07T00:00:00Z",
            ),
            (
                "0 0 * * 7",
                "UTC",
                "2026-12-05T00:00:00Z",
                "2026-12-06T00:00:00Z",
            ),
            (
                "0 12 1 jan-mar *",
                "UTC",
                "2026-12-05T00:00:00Z",
                "2027-01-01T12:00:00Z",
            ),
            // Both day fields restricted: either matches (the 13th or any Friday).
            (
                "0 0 13 * 5",
                "UTC",
                "2026-12-05T00:00:00Z",
                "2026-12-11T00:00:00Z",
            ),
            (
                "0 0 29 2 *",
                "UTC",
                "2026-03-01T00:00:00Z",
                "2028-02-29T00:00:00Z",
            ),
            // Read in Berlin: 03:00 CET is 02:00 UTC.
            (
                "0 3 * * *",
                "Europe/Berlin",
                "2026-12-05T00:00:00Z",
                "2026-12-05T02:00:00Z",
            ),
            // 02:30 does not exist on 2026-03-29 in Berlin: runs right after the gap.
            (
                "30 2 * * *",
                "Europe/Berlin",
                "2026-03-29T00:00:00Z",
                "2026-03-29T01:30:00Z",
            ),
            // 02:30 happens twice on 2026-10-25 in Berlin: runs at the earlier one only.
            (
                "30 2 * * *",
                "Europe/Berlin",
                "2026-10-25T00:00:00Z",
                "2026-10-25T00:30:00Z",
            ),
            (
                "30 2 * * *",
                "Europe/Berlin",
                "2026-10-25T00:30:00Z",
                "2026-10-26T01:30:00Z",
            ),
        ];
        for (expression, zone, after, expected) in cases {
            let cron = CronSchedule::parse(expression, zone).expect(expression);
            assert_eq!(
                cron.next_after(ts(after)),
                Some(ts(expected)),
                "{expression} in {zone} after {after}"
            );
        }
    }

    #[test]
    fn impossible_dates_never_fire() {
        let cron = CronSchedule::parse("0 0 30 2 *", "UTC").expect("parses");
        assert_eq!(cron.next_after(ts("2026-01-01T00:00:00Z")), None);
    }

    #[test]
    fn missed_slots_collapse_into_the_latest() {
        let cron = CronSchedule::parse("0 * * * *", "UTC").expect("parses");
        let latest = cron.latest_in(ts("2026-12-05T00:00:00Z"), ts("2026-12-05T05:30:00Z"));
        assert_eq!(latest, Some(ts("2026-12-05T05:00:00Z")));
        assert_eq!(
            cron.latest_in(ts("2026-12-05T05:00:00Z"), ts("2026-12-05T05:30:00Z")),
            None
        );
    }

    #[test]
    fn readable_errors() {
        let cases = [
            ("0 3 * *", "UTC", "must have 5 fields"),
            (
                "61 * * * *",
                "UTC",
                "minute field \"61\": 61 is outside 0-59",
            ),
            ("0 25 * * *", "UTC", "hour field"),
            ("0 0 * foo *", "UTC", "month field \"foo\""),
            ("*/0 * * * *", "UTC", "step must be at least 1"),
            ("0 0 5-1 * *", "UTC", "runs backwards"),
            (
                "0 0 * * *",
                "Mars/Olympus",
                "unknown time zone \"Mars/Olympus\"",
            ),
        ];
        for (expression, zone, expected) in cases {
            let err = CronSchedule::parse(expression, zone).expect_err(expression);
            assert!(err.to_string().contains(expected), "{expression}: {err}");
        }
    }
}
