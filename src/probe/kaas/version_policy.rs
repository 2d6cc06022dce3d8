//! scs-0210-v2 (Kubernetes version policy) for one cluster, as the upstream
//! `k8s_version_policy.py` decides it:
//!
//! 1. the cluster's minor branch must not be end of life (EOL data in the upstream
//!    `k8s-eol-data.yml` format);
//! 2. a newer patch release of that branch must be rolled out within 31 days of its release
//!    (the standard says "1 month"; upstream counts 31 days);
//! 3. if the cluster's version is affected by a critical CVE (CVSS >= 8), a newer patch must
//!    be rolled out within 2 weeks (MUST) and should be within 2 days (a warning).
//!
//! "The latest minor version within 4 months" concerns a provider's set of offered branches,
//! not one cluster; like upstream, this check of one cluster does not judge it.
//!
//! The data formats are described in docs/probes.md.

use super::super::Outcome;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::fmt;

/// A newer patch release must be in use this long after its release (upstream: 31 days).
pub const PATCH_WINDOW: SignedDuration = SignedDuration::from_hours(31 * 24);
/// ... and within this long when the running version has a critical CVE (MUST).
pub const CRITICAL_CVE_WINDOW: SignedDuration = SignedDuration::from_hours(14 * 24);
/// ... and should be within this long (RECOMMENDED; a warning).
pub const CRITICAL_CVE_RECOMMENDED: SignedDuration = SignedDuration::from_hours(2 * 24);
/// Release data whose newest release is older than this is probably stale (Kubernetes
/// publishes patch releases monthly).
pub const STALE_RELEASE_DATA: SignedDuration = SignedDuration::from_hours(45 * 24);

/// The EOL data shipped with scs-cert (data/k8s-eol-data.yml, an upstream copy).
pub const BUILTIN_EOL_DATA: &str = include_str!("../../../data/k8s-eol-data.yml");

/// A Kubernetes release version `MAJOR.MINOR.PATCH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Patch level.
    pub patch: u32,
}

impl Version {
    /// Reads `v1.34.4`, `1.34.4`, `v1.34.4+k3s1` or `v1.34.4-gke.100` (build metadata and
    /// suffixes are dropped, as upstream does).
    pub fn parse(text: &str) -> Result<Self, DataError> {
        let core = text.trim().trim_start_matches('v');
        let core = core.split(['+', '-']).next().unwrap_or_default();
        let parts: Vec<&str> = core.split('.').collect();
        let number = |s: &str| s.parse::<u32>().ok();
        match parts.as_slice() {
            [major, minor, patch] => match (number(major), number(minor), number(patch)) {
                (Some(major), Some(minor), Some(patch)) => Ok(Self {
                    major,
                    minor,
                    patch,
                }),
                _ => Err(DataError::Version(text.to_owned())),
            },
            _ => Err(DataError::Version(text.to_owned())),
        }
    }

    /// The minor branch of this version.
    pub fn branch(self) -> Branch {
        Branch {
            major: self.major,
            minor: self.minor,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// A minor release branch `MAJOR.MINOR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Branch {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl Branch {
    /// Reads `1.34`.
    pub fn parse(text: &str) -> Option<Self> {
        let (major, minor) = text.trim().split_once('.')?;
        Some(Self {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        })
    }
}

impl fmt::Display for Branch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A data file the probe cannot use.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DataError {
    /// A version string that is not `MAJOR.MINOR.PATCH`.
    #[error("not a Kubernetes version: {0:?}")]
    Version(String),
    /// The EOL data is malformed.
    #[error("EOL data: {0}")]
    Eol(String),
    /// The release data is malformed.
    #[error("release data: {0}")]
    Releases(String),
    /// The critical CVE data is malformed.
    #[error("critical CVE data: {0}")]
    Cves(String),
}

/// One entry of the EOL data: a branch and the day its support ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EolEntry {
    /// The branch.
    pub branch: Branch,
    /// Its end-of-life day; the branch is supported before 00:00 UTC of this day.
    pub end_of_life: Date,
}

impl EolEntry {
    /// The first instant the branch is no longer supported.
    pub fn ends_at(&self) -> Timestamp {
        self.end_of_life
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MAX)
    }
}

/// Text of a YAML scalar, refusing numbers that YAML would have mangled (`1.30` -> 1.3).
fn scalar_text(value: &serde_norway::Value, what: &str) -> Result<String, String> {
    match value {
        serde_norway::Value::String(s) => Ok(s.clone()),
        serde_norway::Value::Number(n) => Err(format!(
            "{what} {n} is a YAML number; quote it (e.g. '1.30'), numbers lose trailing zeros"
        )),
        other => Err(format!("{what} must be a string, not {other:?}")),
    }
}

/// Reads the upstream `k8s-eol-data.yml` format: a list of `{branch: 'X.Y', end-of-life:
/// 'YYYY-MM-DD'}`.
pub fn parse_eol_data(yaml: &str) -> Result<Vec<EolEntry>, DataError> {
    #[derive(Deserialize)]
    struct Raw {
        branch: serde_norway::Value,
        #[serde(rename = "end-of-life")]
        end_of_life: serde_norway::Value,
    }
    let raw: Vec<Raw> = serde_norway::from_str(yaml)
        .map_err(|e| DataError::Eol(format!("not a list of {{branch, end-of-life}}: {e}")))?;
    if raw.is_empty() {
        return Err(DataError::Eol("no entries".into()));
    }
    raw.iter()
        .enumerate()
        .map(|(i, entry)| {
            let branch_text = scalar_text(&entry.branch, "branch")
                .map_err(|e| DataError::Eol(format!("entry {}: {e}", i + 1)))?;
            let branch = Branch::parse(&branch_text).ok_or_else(|| {
                DataError::Eol(format!(
                    "entry {}: branch {branch_text:?} is not MAJOR.MINOR",
                    i + 1
                ))
            })?;
            let date_text = scalar_text(&entry.end_of_life, "end-of-life")
                .map_err(|e| DataError::Eol(format!("entry {}: {e}", i + 1)))?;
            let end_of_life: Date = date_text.trim().parse().map_err(|e| {
                DataError::Eol(format!(
                    "entry {} ({branch}): end-of-life {date_text:?} is not YYYY-MM-DD: {e}",
                    i + 1
                ))
            })?;
            Ok(EolEntry {
                branch,
                end_of_life,
            })
        })
        .collect()
}

/// One published (non-draft, non-prerelease) Kubernetes release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// Its version.
    pub version: Version,
    /// When it was published.
    pub published_at: Timestamp,
}

/// Reads release data in the format of the GitHub releases API
/// (`https://api.github.com/repos/kubernetes/kubernetes/releases?per_page=100`, also the
/// upstream test data): a JSON (or YAML) list of objects with `tag_name` and
/// `published_at`; `draft` and `prerelease` (default false) entries are skipped, and so are
/// tags with a pre-release suffix (`v1.36.0-rc.1`). Other fields are ignored.
pub fn parse_releases(text: &str) -> Result<Vec<Release>, DataError> {
    #[derive(Deserialize)]
    struct Raw {
        tag_name: Option<String>,
        published_at: Option<String>,
        #[serde(default)]
        draft: bool,
        #[serde(default)]
        prerelease: bool,
    }
    let raw: Vec<Raw> = serde_norway::from_str(text).map_err(|e| {
        DataError::Releases(format!(
            "not a list of releases {{tag_name, published_at, ...}}: {e}"
        ))
    })?;
    let mut releases = Vec::new();
    for (i, entry) in raw.iter().enumerate() {
        if entry.draft || entry.prerelease {
            continue;
        }
        let tag = entry
            .tag_name
            .as_deref()
            .ok_or_else(|| DataError::Releases(format!("entry {}: no tag_name", i + 1)))?;
        if tag.contains('-') {
            continue;
        }
        let version = Version::parse(tag)
            .map_err(|e| DataError::Releases(format!("entry {}: {e}", i + 1)))?;
        let published = entry.published_at.as_deref().ok_or_else(|| {
            DataError::Releases(format!("entry {} ({tag}): no published_at", i + 1))
        })?;
        let published_at: Timestamp = published.trim().parse().map_err(|e| {
            DataError::Releases(format!(
                "entry {} ({tag}): published_at {published:?} is not an RFC 3339 time: {e}",
                i + 1
            ))
        })?;
        releases.push(Release {
            version,
            published_at,
        });
    }
    Ok(releases)
}

/// Versions affected by a CVE, like one `versions[]` entry of a CVE JSON 5 record:
/// from `lower` (inclusive) up to `upper` (inclusive or not); without `upper`, exactly
/// `lower`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRange {
    /// Lowest affected version.
    pub lower: Version,
    /// Upper bound and whether it is affected itself.
    pub upper: Option<(Version, bool)>,
}

impl VersionRange {
    /// Whether `version` is in the range.
    pub fn contains(&self, version: Version) -> bool {
        match self.upper {
            None => version == self.lower,
            Some((upper, true)) => self.lower <= version && version <= upper,
            Some((upper, false)) => self.lower <= version && version < upper,
        }
    }
}

/// A critical CVE (CVSS base score >= 8) and the versions it affects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriticalCve {
    /// CVE id, e.g. `CVE-2026-1234`.
    pub id: String,
    /// Affected version ranges.
    pub affected: Vec<VersionRange>,
}

/// Reads critical CVE data: a YAML list of `{id, affected: [{version, lessThan |
/// lessThanOrEqual}]}` (field names as in CVE JSON 5; `version` `0` or absent means "from
/// the beginning").
pub fn parse_critical_cves(yaml: &str) -> Result<Vec<CriticalCve>, DataError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct RawRange {
        version: Option<serde_norway::Value>,
        less_than: Option<serde_norway::Value>,
        less_than_or_equal: Option<serde_norway::Value>,
    }
    #[derive(Deserialize)]
    struct Raw {
        id: String,
        affected: Vec<RawRange>,
    }
    let raw: Vec<Raw> = serde_norway::from_str(yaml)
        .map_err(|e| DataError::Cves(format!("not a list of {{id, affected}}: {e}")))?;
    let version = |value: &serde_norway::Value, id: &str, what: &str| {
        scalar_text(value, what)
            .and_then(|text| Version::parse(&text).map_err(|e| e.to_string()))
            .map_err(|e| DataError::Cves(format!("{id}: {e}")))
    };
    raw.iter()
        .map(|cve| {
            let affected = cve
                .affected
                .iter()
                .map(|range| {
                    let lower = match &range.version {
                        None => Version::parse("0.0.0")?,
                        Some(serde_norway::Value::String(s)) if s.trim() == "0" => {
                            Version::parse("0.0.0")?
                        }
                        Some(v) => version(v, &cve.id, "version")?,
                    };
                    let upper = match (&range.less_than_or_equal, &range.less_than) {
                        (Some(v), _) => Some((version(v, &cve.id, "lessThanOrEqual")?, true)),
                        (None, Some(v)) => Some((version(v, &cve.id, "lessThan")?, false)),
                        (None, None) => None,
                    };
                    Ok(VersionRange { lower, upper })
                })
                .collect::<Result<Vec<_>, DataError>>()?;
            Ok(CriticalCve {
                id: cve.id.clone(),
                affected,
            })
        })
        .collect()
}

/// Everything the decision looks at.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    /// The version the cluster's API server reports.
    pub cluster: Version,
    /// EOL data.
    pub eol: &'a [EolEntry],
    /// Release data; `None` when none was supplied (the check then aborts).
    pub releases: Option<&'a [Release]>,
    /// Critical CVEs (empty when none are known or none were supplied).
    pub critical_cves: &'a [CriticalCve],
    /// Now.
    pub now: Timestamp,
}

/// `YYYY-MM-DD` (UTC) of an instant.
fn day(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d").to_string()
}

/// Whole days in a duration, rounded down.
fn days(duration: SignedDuration) -> i64 {
    duration.as_secs().div_euclid(86_400)
}

/// Decides scs-0210-v2 for one cluster.
pub fn evaluate(facts: &Facts<'_>) -> Outcome {
    let mut outcome = Outcome::default();
    let now = facts.now;
    let cluster = facts.cluster;
    let branch = cluster.branch();

    // The EOL data must be current enough to judge anything (upstream's rule).
    let supported: BTreeSet<Branch> = facts
        .eol
        .iter()
        .filter(|e| now < e.ends_at())
        .map(|e| e.branch)
        .collect();
    let supported_text = supported
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if supported.len() < 2 {
        outcome.critical(format!(
            "the EOL data is outdated: only {} branch(es) supported on {} ({}); \
             update it (data/k8s-eol-data.yml or --eol-data)",
            supported.len(),
            day(now),
            if supported_text.is_empty() {
                "none"
            } else {
                &supported_text
            },
        ));
        return outcome;
    }
    if supported.len() < 3 {
        outcome.warning(format!(
            "the EOL data may be outdated: only {} branches are supported on {} ({supported_text})",
            supported.len(),
            day(now)
        ));
    }
    let Some(releases) = facts.releases else {
        outcome.critical(
            "no release data: pass --releases FILE (the JSON of \
             https://api.github.com/repos/kubernetes/kubernetes/releases?per_page=100)",
        );
        return outcome;
    };

    // 1. End of life.
    match facts.eol.iter().find(|e| e.branch == branch) {
        Some(entry) if now >= entry.ends_at() => outcome.error(format!(
            "Kubernetes {branch} reached its end of life on {} and the cluster still runs \
             {cluster}; scs-0210-v2 allows only supported branches",
            entry.end_of_life
        )),
        Some(entry) => outcome.info(format!(
            "Kubernetes {branch} is supported until {} (cluster version {cluster})",
            entry.end_of_life
        )),
        None if facts.eol.iter().all(|e| e.branch < branch) => outcome.warning(format!(
            "the EOL data does not list {branch} yet; it is newer than every listed branch, \
             so it is not end of life"
        )),
        None => outcome.error(format!(
            "Kubernetes {branch} is not in the EOL data, whose supported branches are \
             {supported_text}; an unlisted older branch counts as end of life"
        )),
    }

    // 2./3. Newer patch releases of the same branch, oldest first.
    if let Some(newest) = releases.iter().map(|r| r.published_at).max()
        && now.duration_since(newest) > STALE_RELEASE_DATA
    {
        outcome.warning(format!(
            "the release data may be stale: its newest release was published on {} ({} days ago)",
            day(newest),
            days(now.duration_since(newest))
        ));
    }
    let mut newer: Vec<&Release> = releases
        .iter()
        .filter(|r| r.version.branch() == branch && r.version > cluster)
        .collect();
    newer.sort_by_key(|r| r.published_at);
    let cves: Vec<&str> = facts
        .critical_cves
        .iter()
        .filter(|cve| cve.affected.iter().any(|range| range.contains(cluster)))
        .map(|cve| cve.id.as_str())
        .collect();
    let latest = newer.iter().map(|r| r.version).max();
    match newer.first() {
        None => outcome.info(format!(
            "{cluster} is the newest {branch} patch release in the release data"
        )),
        Some(oldest) => {
            let age = now.duration_since(oldest.published_at);
            let released = format!(
                "{} was released on {} ({} days ago)",
                oldest.version,
                day(oldest.published_at),
                days(age)
            );
            let latest = latest.map(|v| v.to_string()).unwrap_or_default();
            if age > PATCH_WINDOW {
                outcome.error(format!(
                    "the cluster runs {cluster}, but {released}; scs-0210-v2 requires a newer \
                     patch release within {} days (latest: {latest})",
                    days(PATCH_WINDOW)
                ));
            } else if !cves.is_empty() && age > CRITICAL_CVE_WINDOW {
                outcome.error(format!(
                    "the cluster runs {cluster}, affected by critical {}, but {released}; \
                     scs-0210-v2 requires the update within {} days (latest: {latest})",
                    cves.join(", "),
                    days(CRITICAL_CVE_WINDOW)
                ));
            } else if !cves.is_empty() && age > CRITICAL_CVE_RECOMMENDED {
                outcome.warning(format!(
                    "the cluster runs {cluster}, affected by critical {}, and {released}; \
                     scs-0210-v2 recommends the update within {} days (latest: {latest})",
                    cves.join(", "),
                    days(CRITICAL_CVE_RECOMMENDED)
                ));
            } else {
                outcome.info(format!(
                    "{released}; the cluster ({cluster}) is still inside the update window"
                ));
            }
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{Level, Verdict};

    const NOW: &str = "2026-12-05T12:00:00Z";

    fn now() -> Timestamp {
        NOW.parse().unwrap()
    }

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn eol(entries: &[(&str, &str)]) -> Vec<EolEntry> {
        entries
            .iter()
            .map(|(b, d)| EolEntry {
                branch: Branch::parse(b).unwrap(),
                end_of_life: d.parse().unwrap(),
            })
            .collect()
    }

    /// 1.35, 1.36 and 1.37 supported on NOW; 1.34 ended 2026-10-27.
    fn current_eol() -> Vec<EolEntry> {
        eol(&[
            ("1.37", "2027-10-28"),
            ("1.36", "2027-06-28"),
            ("1.35", "2027-02-28"),
            ("1.34", "2026-10-27"),
        ])
    }

    fn released(version: &str, days_ago: i64) -> Release {
        Release {
            version: v(version),
            published_at: now() - SignedDuration::from_hours(days_ago * 24),
        }
    }

    fn run(cluster: &str, eol: &[EolEntry], releases: &[Release], cves: &[CriticalCve]) -> Outcome {
        evaluate(&Facts {
            cluster: v(cluster),
            eol,
            releases: Some(releases),
            critical_cves: cves,
            now: now(),
        })
    }

    fn cve(id: &str, lower: &str, upper: &str) -> CriticalCve {
        CriticalCve {
            id: id.into(),
            affected: vec![VersionRange {
                lower: v(lower),
                upper: Some((v(upper), false)),
            }],
        }
    }

    #[test]
    fn versions_parse_like_upstream() {
        for (text, expected) in [
            ("v1.34.4", "1.34.4"),
            ("1.34.4", "1.34.4"),
            (" v1.30.10+k3s1 ", "1.30.10"),
            ("v1.33.2-gke.1200", "1.33.2"),
        ] {
            assert_eq!(v(text).to_string(), expected, "{text}");
        }
        for bad in ["", "v1.34", "1.34.x", "1.34.4.1", "latest"] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
        assert!(v("1.34.10") > v("1.34.9"));
        assert_eq!(v("1.34.10").branch().to_string(), "1.34");
    }

    /// The decision table: cluster version, releases, CVEs -> verdict and the message that
    /// explains it.
    #[test]
    fn decision_table() {
        let eol = current_eol();
        let cve_1_36 = [cve("CVE-2026-0001", "1.36.0", "1.36.3")];
        /// (name, cluster version, releases, critical CVEs, verdict, level, message).
        type Case<'a> = (
            &'a str,
            &'a str,
            Vec<Release>,
            &'a [CriticalCve],
            Verdict,
            Level,
            &'a str,
        );
        let cases: Vec<Case> = vec![
            (
                "newest patch of a supported branch",
                "1.36.3",
                vec![released("v1.36.3", 40), released("v1.36.2", 70)],
                &[],
                Verdict::Pass,
                Level::Info,
                "newest 1.36 patch release",
            ),
            (
                "newer patch inside the 31-day window",
                "1.36.2",
                vec![released("v1.36.3", 31), released("v1.36.2", 70)],
                &[],
                Verdict::Pass,
                Level::Info,
                "still inside the update window",
            ),
            (
                "newer patch older than 31 days",
                "1.36.2",
                vec![released("v1.36.3", 32), released("v1.36.4", 3)],
                &[],
                Verdict::Fail,
                Level::Error,
                "1.36.3 was released on 2026-11-03 (32 days ago)",
            ),
            (
                "end of life",
                "1.34.4",
                vec![released("v1.34.4", 300)],
                &[],
                Verdict::Fail,
                Level::Error,
                "reached its end of life on 2026-10-27",
            ),
            (
                "older branch not in the data",
                "1.29.1",
                vec![],
                &[],
                Verdict::Fail,
                Level::Error,
                "not in the EOL data",
            ),
            (
                "newer branch than the data knows",
                "1.38.0",
                vec![],
                &[],
                Verdict::Pass,
                Level::Warning,
                "does not list 1.38 yet",
            ),
            (
                "critical CVE, fix older than 2 weeks",
                "1.36.2",
                vec![released("v1.36.3", 15)],
                &cve_1_36,
                Verdict::Fail,
                Level::Error,
                "affected by critical CVE-2026-0001",
            ),
            (
                "critical CVE, fix 3 days old: recommendation only",
                "1.36.2",
                vec![released("v1.36.3", 3)],
                &cve_1_36,
                Verdict::Pass,
                Level::Warning,
                "recommends the update within 2 days",
            ),
            (
                "critical CVE, fix 1 day old",
                "1.36.2",
                vec![released("v1.36.3", 1)],
                &cve_1_36,
                Verdict::Pass,
                Level::Info,
                "still inside the update window",
            ),
            (
                "CVE not affecting the running version",
                "1.36.3",
                vec![released("v1.36.4", 20)],
                &cve_1_36,
                Verdict::Pass,
                Level::Info,
                "still inside the update window",
            ),
            (
                "releases of other branches do not count",
                "1.35.4",
                vec![released("v1.36.9", 90), released("v1.34.9", 90)],
                &[],
                Verdict::Pass,
                Level::Info,
                "newest 1.35 patch release",
            ),
        ];
        for (name, cluster, releases, cves, verdict, level, text) in cases {
            let outcome = run(cluster, &eol, &releases, cves);
            assert_eq!(outcome.verdict(), verdict, "{name}: {outcome:?}");
            assert!(
                outcome.mentions(level, text),
                "{name}: {text:?} in {outcome:#?}"
            );
        }
    }

    #[test]
    fn eol_boundary_is_midnight_utc() {
        let eol = current_eol();
        let at = |t: &str| {
            evaluate(&Facts {
                cluster: v("1.34.4"),
                eol: &eol,
                releases: Some(&[]),
                critical_cves: &[],
                now: t.parse().unwrap(),
            })
            .verdict()
        };
        assert_eq!(at("2026-10-26T23:59:59Z"), Verdict::Pass);
        assert_eq!(at("2026-10-27T00:00:00Z"), Verdict::Fail);
    }

    #[test]
    fn outdated_eol_data_or_missing_releases_abort() {
        let two = eol(&[
            ("1.36", "2027-06-28"),
            ("1.35", "2027-02-28"),
            ("1.34", "2026-10-27"),
        ]);
        let outcome = run("1.36.1", &two, &[], &[]);
        assert_eq!(outcome.verdict(), Verdict::Pass);
        assert!(outcome.mentions(Level::Warning, "may be outdated: only 2 branches"));

        let one = eol(&[("1.36", "2027-06-28"), ("1.35", "2026-02-28")]);
        let outcome = run("1.36.1", &one, &[], &[]);
        assert_eq!(outcome.verdict(), Verdict::Abort);
        assert!(outcome.mentions(Level::Critical, "the EOL data is outdated"));

        let outcome = evaluate(&Facts {
            cluster: v("1.36.1"),
            eol: &current_eol(),
            releases: None,
            critical_cves: &[],
            now: now(),
        });
        assert_eq!(outcome.verdict(), Verdict::Abort);
        assert!(outcome.mentions(Level::Critical, "no release data"));
    }

    #[test]
    fn stale_release_data_warns() {
        let outcome = run("1.36.3", &current_eol(), &[released("v1.36.3", 46)], &[]);
        assert_eq!(outcome.verdict(), Verdict::Pass);
        assert!(outcome.mentions(Level::Warning, "release data may be stale"));
        let outcome = run("1.36.3", &current_eol(), &[released("v1.36.3", 44)], &[]);
        assert!(!outcome.mentions(Level::Warning, "stale"));
    }

    #[test]
    fn shipped_eol_data_loads() {
        let data = parse_eol_data(BUILTIN_EOL_DATA).expect("data/k8s-eol-data.yml");
        assert!(data.len() >= 10);
        let b134 = data
            .iter()
            .find(|e| e.branch.to_string() == "1.34")
            .unwrap();
        assert_eq!(b134.end_of_life.to_string(), "2026-10-27");
        // Every entry has a distinct branch.
        let branches: BTreeSet<Branch> = data.iter().map(|e| e.branch).collect();
        assert_eq!(branches.len(), data.len());
    }

    #[test]
    fn eol_data_errors_name_the_entry() {
        let unquoted = "- branch: 1.30\n  end-of-life: '2025-06-28'\n";
        let err = parse_eol_data(unquoted).unwrap_err().to_string();
        assert!(err.contains("entry 1") && err.contains("quote it"), "{err}");
        let bad_date = "- branch: '1.30'\n  end-of-life: 'June 2025'\n";
        let err = parse_eol_data(bad_date).unwrap_err().to_string();
        assert!(
            err.contains("entry 1 (1.30)") && err.contains("YYYY-MM-DD"),
            "{err}"
        );
        assert!(parse_eol_data("[]").is_err());
        assert!(parse_eol_data("branch: '1.30'").is_err());
        // Unquoted dates are fine.
        let ok = parse_eol_data("- branch: '1.30'\n  end-of-life: 2025-06-28\n").unwrap();
        assert_eq!(ok[0].end_of_life.to_string(), "2025-06-28");
    }

    #[test]
    fn github_release_json_is_read() {
        let json = r#"[
          {"tag_name": "v1.36.0-rc.1", "published_at": "2026-04-01T10:00:00Z", "draft": false, "prerelease": true},
          {"tag_name": "v1.36.9", "published_at": null, "draft": true, "prerelease": false},
          {"tag_name": "v1.35.4", "published_at": "2026-04-15T18:01:22Z", "draft": false, "prerelease": false, "name": "Kubernetes v1.35.4", "body": "..."},
          {"tag_name": "v1.36.0-alpha.0", "published_at": "2026-01-01T00:00:00Z"}
        ]"#;
        let releases = parse_releases(json).unwrap();
        assert_eq!(releases.len(), 1);
        assert_eq!(releases[0].version, v("1.35.4"));
        assert_eq!(
            releases[0].published_at,
            "2026-04-15T18:01:22Z".parse().unwrap()
        );
        // The compact YAML form works too.
        let yaml = "- tag_name: v1.34.4\n  published_at: '2026-02-10T12:53:36Z'\n";
        assert_eq!(parse_releases(yaml).unwrap()[0].version, v("1.34.4"));
        for (bad, text) in [
            (
                r#"[{"published_at": "2026-01-01T00:00:00Z"}]"#,
                "entry 1: no tag_name",
            ),
            (
                r#"[{"tag_name": "v1.35.4"}]"#,
                "entry 1 (v1.35.4): no published_at",
            ),
            (
                r#"[{"tag_name": "v1.35.4", "published_at": "yesterday"}]"#,
                "RFC 3339",
            ),
            (
                r#"[{"tag_name": "kubernetes", "published_at": "2026-01-01T00:00:00Z"}]"#,
                "not a Kubernetes version",
            ),
            (
                r#"{"message": "API rate limit exceeded"}"#,
                "not a list of releases",
            ),
        ] {
            let err = parse_releases(bad).unwrap_err().to_string();
            assert!(err.contains(text), "{bad}: {err}");
        }
    }

    #[test]
    fn cve_ranges_follow_cve_json_5() {
        let yaml = r#"
- id: CVE-2026-0001
  affected:
  - version: 1.36.0
    lessThan: 1.36.3
  - version: "0"
    lessThanOrEqual: 1.33.2
  - version: 1.34.4
"#;
        let cves = parse_critical_cves(yaml).unwrap();
        let ranges = &cves[0].affected;
        let hit = |version: &str| ranges.iter().any(|r| r.contains(v(version)));
        for (version, affected) in [
            ("1.36.0", true),
            ("1.36.2", true),
            ("1.36.3", false),
            ("1.33.2", true),
            ("1.30.0", true),
            ("1.33.3", false),
            ("1.35.2", false),
            ("1.34.4", true),
            ("1.34.5", false),
        ] {
            assert_eq!(hit(version), affected, "{version}");
        }
        let err = parse_critical_cves("- id: CVE-1\n  affected:\n  - lessThan: 1.36\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("CVE-1") && err.contains("quote it"), "{err}");
    }
}
