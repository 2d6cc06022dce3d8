//! Testcase result lifetime (`lifetime:` key): how long a result stays valid.
//!
//! The value is not validated at load time upstream; unknown values are kept verbatim so the
//! evaluation can report "unknown period" for exactly that testcase. Expiry arithmetic lives in
//! `crate::results`.

use serde::{Serialize, Serializer};
use std::fmt;

/// Lifetime of a testcase result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Lifetime {
    /// Valid until midnight two days after the check.
    Day,
    /// The default when `lifetime` is absent.
    #[default]
    Week,
    /// Calendar month based.
    Month,
    /// Calendar quarter based.
    Quarter,
    /// Calendar year based.
    Year,
    /// Any other value, kept verbatim (e.g. the removed `infinite`).
    Unknown(String),
}

impl Lifetime {
    /// Parses the raw `lifetime` value; `None` (absent) gives the default `week`.
    pub fn parse(raw: Option<&str>) -> Lifetime {
        match raw {
            None | Some("week") => Lifetime::Week,
            Some("day") => Lifetime::Day,
            Some("month") => Lifetime::Month,
            Some("quarter") => Lifetime::Quarter,
            Some("year") => Lifetime::Year,
            Some(other) => Lifetime::Unknown(other.to_string()),
        }
    }

    /// The spelling used in spec files (the raw value for unknown ones).
    pub fn as_str(&self) -> &str {
        match self {
            Lifetime::Day => "day",
            Lifetime::Week => "week",
            Lifetime::Month => "month",
            Lifetime::Quarter => "quarter",
            Lifetime::Year => "year",
            Lifetime::Unknown(raw) => raw,
        }
    }

    /// Whether this is one of the five known periods.
    pub fn is_known(&self) -> bool {
        !matches!(self, Lifetime::Unknown(_))
    }
}

impl fmt::Display for Lifetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Lifetime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_known_value_and_keeps_unknown_ones() {
        let cases = [
            (None, Lifetime::Week),
            (Some("day"), Lifetime::Day),
            (Some("week"), Lifetime::Week),
            (Some("month"), Lifetime::Month),
            (Some("quarter"), Lifetime::Quarter),
            (Some("year"), Lifetime::Year),
            (Some("infinite"), Lifetime::Unknown("infinite".into())),
            (Some("Week"), Lifetime::Unknown("Week".into())),
        ];
        for (raw, expected) in cases {
            let got = Lifetime::parse(raw);
            assert_eq!(got, expected, "{raw:?}");
            if let Some(raw) = raw {
                assert_eq!(got.as_str(), raw);
            }
        }
        assert!(!Lifetime::parse(Some("infinite")).is_known());
    }
}
