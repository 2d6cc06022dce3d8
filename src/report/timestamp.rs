//! Report timestamps: upstream writes naive local time (`2026-08-19 14:30:00.123456`); we read
//! every naive timestamp as UTC and write naive UTC in the upstream shape.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// Parses a report timestamp. Accepts RFC 3339 with an offset (converted to UTC) and naive
/// date-times with `T` or a space as separator and optional fractional seconds (read as UTC).
pub fn parse_report_timestamp(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    // An explicit offset (`Z`, `+02:00`) must be honoured, so try the absolute form first.
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts);
    }
    let civil: DateTime = text
        .parse()
        .map_err(|e: jiff::Error| format!("not a timestamp ({e})"))?;
    TimeZone::UTC
        .to_timestamp(civil)
        .map_err(|e| format!("timestamp out of range ({e})"))
}

/// Parses a report date (`reference_date`, `YYYY-MM-DD`).
pub fn parse_report_date(text: &str) -> Result<Date, String> {
    text.trim()
        .parse::<Date>()
        .map_err(|e| format!("not a date ({e})"))
}

/// Formats a timestamp the way upstream writes `checked_at`: naive (here: UTC), space
/// separated, with microseconds only when they are non-zero (Python `isoformat(' ')`).
pub fn format_report_timestamp(ts: Timestamp) -> String {
    let dt = TimeZone::UTC.to_datetime(ts);
    let micros = dt.subsec_nanosecond() / 1_000;
    let base = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    if micros == 0 {
        base
    } else {
        format!("{base}.{micros:06}")
    }
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_report_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn naive_forms_are_read_as_utc() {
        let cases = [
            ("2026-08-19 14:30:00.123456", "2026-08-19T14:30:00.123456Z"),
            ("2026-08-19T14:30:00", "2026-08-19T14:30:00Z"),
            ("2026-08-19 14:30:00", "2026-08-19T14:30:00Z"),
            ("2026-08-19T14:30", "2026-08-19T14:30:00Z"),
            ("  2026-08-19T14:30:00  ", "2026-08-19T14:30:00Z"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_report_timestamp(input), Ok(utc(want)), "{input}");
        }
    }

    #[test]
    fn explicit_offsets_are_honoured() {
        assert_eq!(
            parse_report_timestamp("2026-08-19T14:30:00+02:00"),
            Ok(utc("2026-08-19T12:30:00Z"))
        );
        assert_eq!(
            parse_report_timestamp("2026-08-19T14:30:00Z"),
            Ok(utc("2026-08-19T14:30:00Z"))
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01 00:00:00",
            "2026-02-30T00:00:00",
        ] {
            assert!(parse_report_timestamp(bad).is_err(), "{bad}");
        }
        assert!(parse_report_date("2026-02-30").is_err());
    }

    #[test]
    fn format_matches_python_isoformat() {
        assert_eq!(
            format_report_timestamp(utc("2026-08-19T14:30:00.123456Z")),
            "2026-08-19 14:30:00.123456"
        );
        assert_eq!(
            format_report_timestamp(utc("2026-08-19T14:30:00Z")),
            "2026-08-19 14:30:00"
        );
        assert_eq!(
            format_report_date(parse_report_date("2026-08-19").unwrap()),
            "2026-08-19"
        );
    }
}
