//! What the scope spec and the current results say about the requested version: the facts an
//! issuance is decided on, and the compliance signal of a certificate in force.

use crate::certificate::model::{CertificateRequest, IssuanceMode};
use crate::evaluation::{VerdictLookup, eval_buckets};
use crate::scope::{ScopeSpec, Validity};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// How many testcase ids a message names before summarising the rest.
const NAMED_TESTCASES: usize = 10;

/// Validity of a version on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatedValidity {
    /// The UTC date.
    pub date: Date,
    /// The version's validity code on that date.
    pub validity: Validity,
}

/// The `main` target of a version judged against the current results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MainTargetOutcome {
    /// Number of testcases in `main`.
    pub total: usize,
    /// Testcases whose result is FAIL.
    pub failing: Vec<String>,
    /// Testcases without a valid result (never run or expired).
    pub missing: Vec<String>,
    /// Testcases whose result is ABORT.
    pub aborted: Vec<String>,
}

impl MainTargetOutcome {
    /// Every testcase passes (an empty `main` passes).
    pub fn passes(&self) -> bool {
        self.not_passing() == 0
    }

    /// Number of testcases that do not pass.
    pub fn not_passing(&self) -> usize {
        self.failing.len() + self.missing.len() + self.aborted.len()
    }

    /// No testcase has a result yet: nothing was tested, so nothing can be decided.
    pub fn nothing_tested(&self) -> bool {
        self.total > 0 && self.missing.len() == self.total
    }

    /// `3 of 54 main testcases of v5.1 do not pass: a (FAIL), b (MISSING), c (ABORT)`.
    pub fn describe(&self, version: &str) -> String {
        if self.passes() {
            return format!("all {} main testcases of {version} pass", self.total);
        }
        let labelled: Vec<String> = self
            .failing
            .iter()
            .map(|id| format!("{id} (FAIL)"))
            .chain(self.missing.iter().map(|id| format!("{id} (MISSING)")))
            .chain(self.aborted.iter().map(|id| format!("{id} (ABORT)")))
            .collect();
        let mut named = labelled
            .iter()
            .take(NAMED_TESTCASES)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if labelled.len() > NAMED_TESTCASES {
            named.push_str(&format!(" and {} more", labelled.len() - NAMED_TESTCASES));
        }
        format!(
            "{} of {} main testcases of {version} do not pass: {named}",
            self.not_passing(),
            self.total
        )
    }

    /// The ids that do not pass, worst first (FAIL, MISSING, ABORT).
    pub fn not_passing_ids(&self) -> Vec<String> {
        self.failing
            .iter()
            .chain(&self.missing)
            .chain(&self.aborted)
            .cloned()
            .collect()
    }
}

/// Facts about the requested version at one instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionFacts {
    /// The scope spec has no such version.
    UnknownVersion {
        /// The requested name.
        version: String,
    },
    /// The version exists.
    Known(KnownVersionFacts),
}

/// Facts about an existing version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownVersionFacts {
    /// Version name.
    pub version: String,
    /// Validity on the grant's date (`None` without a grant, e.g. self-assessment).
    pub validity_at_grant: Option<DatedValidity>,
    /// Validity on the date of the assessment.
    pub validity_now: DatedValidity,
    /// The `main` target against the current results (automated and manual).
    pub main: MainTargetOutcome,
}

impl VersionFacts {
    /// The facts for `request` from the scope spec and the current results at `now`: results
    /// must already include the manual checks (see `manual_checks::merge_manual_results`).
    pub fn assess<R>(
        spec: &ScopeSpec,
        request: &CertificateRequest,
        results: &R,
        now: Timestamp,
    ) -> VersionFacts
    where
        R: VerdictLookup + ?Sized,
    {
        let granted_at = match request.issuance {
            IssuanceMode::Manual => request.grant.as_ref().map(|g| g.granted_at),
            IssuanceMode::Automatic => None,
        };
        Self::for_version(spec, &request.version, results, granted_at, now)
    }

    /// The facts for `version`, with its validity on the date of `granted_at` (if any) and of
    /// `now` (UTC dates, as the timeline is read).
    pub fn for_version<R>(
        spec: &ScopeSpec,
        version: &str,
        results: &R,
        granted_at: Option<Timestamp>,
        now: Timestamp,
    ) -> VersionFacts
    where
        R: VerdictLookup + ?Sized,
    {
        let Some(resolved) = spec.version(version) else {
            return VersionFacts::UnknownVersion {
                version: version.to_owned(),
            };
        };
        let dated = |at: Timestamp| {
            let date = at.to_zoned(TimeZone::UTC).date();
            let validity = spec
                .validity_of(version, date)
                .map_or(Validity::Deprecated, |v| v.validity);
            DatedValidity { date, validity }
        };
        let main = resolved.main();
        let buckets = eval_buckets(results, main.iter().map(String::as_str));
        let owned = |ids: &[&str]| ids.iter().map(|id| (*id).to_owned()).collect();
        VersionFacts::Known(KnownVersionFacts {
            version: version.to_owned(),
            validity_at_grant: granted_at.map(dated),
            validity_now: dated(now),
            main: MainTargetOutcome {
                total: main.len(),
                failing: owned(&buckets.fail),
                missing: owned(&buckets.missing),
                aborted: owned(&buckets.abort),
            },
        })
    }

    /// Version name.
    pub fn version(&self) -> &str {
        match self {
            Self::UnknownVersion { version } => version,
            Self::Known(known) => &known.version,
        }
    }
}
