//! Validity codes and validity of every version on a given date (DOMAIN 1.5, 1.9).

use crate::scope::model::{ScopeSpec, TimelineEntry, VersionValidity};
use jiff::civil::Date;
use serde::{Serialize, Serializer};
use std::fmt;

/// A timeline validity code. Codes are not validated upstream; unknown ones are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Validity {
    /// Can be certified against.
    Effective,
    /// Can be certified against; a pass carries an "expires soon" warning.
    Warn,
    /// Can be tested, cannot be certified.
    Draft,
    /// Can be tested, cannot be certified; also the code of versions not named (implicit).
    Deprecated,
    /// Any other code, kept verbatim; it certifies nothing.
    Other(String),
}

impl Validity {
    /// Parses a code as written in the timeline.
    pub fn parse(code: &str) -> Validity {
        match code {
            "effective" => Validity::Effective,
            "warn" => Validity::Warn,
            "draft" => Validity::Draft,
            "deprecated" => Validity::Deprecated,
            other => Validity::Other(other.to_string()),
        }
    }

    /// The code as written in spec files.
    pub fn as_str(&self) -> &str {
        match self {
            Validity::Effective => "effective",
            Validity::Warn => "warn",
            Validity::Draft => "draft",
            Validity::Deprecated => "deprecated",
            Validity::Other(code) => code,
        }
    }

    /// `effective` or `warn`: a pass counts for certification.
    pub fn is_certifiable(&self) -> bool {
        matches!(self, Validity::Effective | Validity::Warn)
    }

    /// Whether this is one of the four documented codes.
    pub fn is_known(&self) -> bool {
        !matches!(self, Validity::Other(_))
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Validity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The timeline entry that applies on `date`: the greatest `date` not after it, ties broken by
/// the first such entry in list order. `None` when every entry is later.
pub fn applicable_entry(timeline: &[TimelineEntry], date: Date) -> Option<&TimelineEntry> {
    let mut best: Option<&TimelineEntry> = None;
    for entry in timeline.iter().filter(|e| e.date <= date) {
        // strictly greater keeps the first of equal dates
        if best.is_none_or(|b| entry.date > b.date) {
            best = Some(entry);
        }
    }
    best
}

impl ScopeSpec {
    /// Validity of every version on `date`, in version order (DOMAIN 1.9).
    pub fn validity_at(&self, date: Date) -> Vec<VersionValidity> {
        let entry = applicable_entry(&self.timeline, date);
        self.versions
            .iter()
            .map(|version| {
                let code = entry.and_then(|e| e.versions.get(&version.name));
                VersionValidity {
                    version: version.name.clone(),
                    index: version.index,
                    validity: code.cloned().unwrap_or(Validity::Deprecated),
                    explicit: code.is_some(),
                }
            })
            .collect()
    }

    /// Validity of one version on `date`; `None` for an unknown version name.
    pub fn validity_of(&self, version: &str, date: Date) -> Option<VersionValidity> {
        self.validity_at(date)
            .into_iter()
            .find(|v| v.version == version)
    }

    /// Versions with an explicit validity on `date`, in version order: what the check tool
    /// tests by default and the monitor shows (DOMAIN 3.3).
    pub fn explicit_versions_at(&self, date: Date) -> Vec<VersionValidity> {
        self.validity_at(date)
            .into_iter()
            .filter(|v| v.explicit)
            .collect()
    }
}
