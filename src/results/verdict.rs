//! The value of one testcase result (DOMAIN 2.1): PASS = 1, ABORT = 0, FAIL = -1.
//!
//! MISSING is not a verdict: it is the absence of one (`Option<Verdict>::None`) and is never
//! written into a report.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Outcome of one testcase run. The derived order is FAIL < ABORT < PASS ("worse is less").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// At least one proposition violated (`-1`).
    Fail,
    /// Could not be determined, "did not finish" (`0`).
    Abort,
    /// All propositions verified (`1`).
    Pass,
}

impl Verdict {
    /// The canonical integer stored in reports: 1, 0 or -1.
    pub fn code(self) -> i8 {
        match self {
            Verdict::Fail => -1,
            Verdict::Abort => 0,
            Verdict::Pass => 1,
        }
    }

    /// The verdict for a canonical integer; `None` for anything other than 1, 0, -1.
    pub fn from_code(code: i64) -> Option<Verdict> {
        match code {
            -1 => Some(Verdict::Fail),
            0 => Some(Verdict::Abort),
            1 => Some(Verdict::Pass),
            _ => None,
        }
    }

    /// Upper-case name as printed by check scripts (`PASS`, `ABORT`, `FAIL`).
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Fail => "FAIL",
            Verdict::Abort => "ABORT",
            Verdict::Pass => "PASS",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Verdict {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i8(self.code())
    }
}

impl<'de> Deserialize<'de> for Verdict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = i64::deserialize(deserializer)?;
        Verdict::from_code(code).ok_or_else(|| {
            serde::de::Error::custom(format!("invalid verdict {code}: expected 1, 0 or -1"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_order_matches_numbers() {
        for v in [Verdict::Fail, Verdict::Abort, Verdict::Pass] {
            assert_eq!(Verdict::from_code(i64::from(v.code())), Some(v));
        }
        assert!(Verdict::Fail < Verdict::Abort && Verdict::Abort < Verdict::Pass);
        assert_eq!(Verdict::from_code(2), None);
        assert_eq!(Verdict::from_code(-2), None);
    }

    #[test]
    fn serde_uses_integers() {
        assert_eq!(serde_json::to_string(&Verdict::Fail).unwrap(), "-1");
        let v: Verdict = serde_json::from_str("1").unwrap();
        assert_eq!(v, Verdict::Pass);
        assert!(serde_json::from_str::<Verdict>("5").is_err());
    }
}
