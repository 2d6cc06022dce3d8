//! Manual checks (rule 5, SCS-0004 item 3): records of testcases whose script has no
//! executable. They count like automated results, with lifetime `quarter` unless the testcase
//! declares another one, and are reported when due.

use crate::results::{ExpiryError, LatestResults, ResultRecord, Verdict, add_period};
use crate::scope::{Lifetime, ScopeSpec, Testcase};
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One manual check as written in the resource (`manualChecks[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManualCheck {
    /// Id of a manual testcase of the scope.
    pub testcase: String,
    /// `PASS`, `FAIL` or `ABORT`.
    pub result: String,
    /// When the check was done.
    pub checked_at: Timestamp,
    /// Who checked.
    pub checked_by: String,
    /// Where the evidence is (document, ticket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// A manual check that passed validation, with its lifetime and expiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidManualCheck {
    /// Position in `manualChecks`.
    pub index: usize,
    /// Testcase id.
    pub testcase: String,
    /// The verdict.
    pub result: Verdict,
    /// When it was checked.
    pub checked_at: Timestamp,
    /// Who checked.
    pub checked_by: String,
    /// Evidence reference.
    pub evidence: Option<String>,
    /// Lifetime applied (`quarter` unless the testcase declares another).
    pub lifetime: Lifetime,
    /// First instant it is no longer valid.
    pub expires_at: Timestamp,
}

/// Why one manual check record is unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManualCheckError {
    /// The scope has no such testcase.
    #[error("manualChecks[{index}]: unknown testcase {testcase:?}")]
    UnknownTestcase {
        /// Record index.
        index: usize,
        /// The id given.
        testcase: String,
    },
    /// The testcase is run by an executable script.
    #[error(
        "manualChecks[{index}]: testcase {testcase:?} is automated (its script has an executable)"
    )]
    NotManual {
        /// Record index.
        index: usize,
        /// The id given.
        testcase: String,
    },
    /// `checkedAt` is later than now.
    #[error("manualChecks[{index}]: checkedAt {checked_at} is in the future (now {now})")]
    CheckedInFuture {
        /// Record index.
        index: usize,
        /// The `checkedAt` given.
        checked_at: Timestamp,
        /// The instant of validation.
        now: Timestamp,
    },
    /// `result` is not a verdict.
    #[error("manualChecks[{index}]: result {value:?} is not PASS, FAIL or ABORT")]
    UnknownResult {
        /// Record index.
        index: usize,
        /// The value given.
        value: String,
    },
    /// The testcase's lifetime gives no expiry.
    #[error("manualChecks[{index}]: testcase {testcase:?}: {source}")]
    NoExpiry {
        /// Record index.
        index: usize,
        /// The testcase.
        testcase: String,
        /// Why.
        source: ExpiryError,
    },
}

impl ManualCheckError {
    /// Index of the offending record.
    pub fn index(&self) -> usize {
        match self {
            Self::UnknownTestcase { index, .. }
            | Self::NotManual { index, .. }
            | Self::CheckedInFuture { index, .. }
            | Self::UnknownResult { index, .. }
            | Self::NoExpiry { index, .. } => *index,
        }
    }
}

/// Some manual check records are invalid; the valid ones are still usable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} invalid manual check(s): {}", errors.len(), join(errors))]
pub struct InvalidManualChecks {
    /// Every problem, in record order.
    pub errors: Vec<ManualCheckError>,
    /// The records that passed.
    pub valid: Vec<ValidManualCheck>,
}

fn join(errors: &[ManualCheckError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The lifetime of a manual testcase's results: `quarter`, unless the testcase declares
/// another. The resolved spec cannot tell an absent `lifetime` from an explicit `week` (both
/// are `week`), so `week` counts as undeclared.
pub fn manual_lifetime(testcase: &Testcase) -> Lifetime {
    match &testcase.lifetime {
        Lifetime::Week => Lifetime::Quarter,
        declared => declared.clone(),
    }
}

/// Whether `id` is a testcase of a script without executable.
pub fn is_manual_testcase(spec: &ScopeSpec, id: &str) -> bool {
    spec.script_of(id).is_some_and(|script| script.is_manual())
}

/// Validates every record against the spec at `now`; all problems at once.
pub fn validate_manual_checks(
    spec: &ScopeSpec,
    checks: &[ManualCheck],
    now: Timestamp,
) -> Result<Vec<ValidManualCheck>, InvalidManualChecks> {
    let mut valid = Vec::new();
    let mut errors = Vec::new();
    for (index, check) in checks.iter().enumerate() {
        match validate_one(spec, index, check, now) {
            Ok(record) => valid.push(record),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(InvalidManualChecks { errors, valid })
    }
}

fn validate_one(
    spec: &ScopeSpec,
    index: usize,
    check: &ManualCheck,
    now: Timestamp,
) -> Result<ValidManualCheck, ManualCheckError> {
    let testcase = check.testcase.clone();
    let Some(descriptor) = spec.testcase(&check.testcase) else {
        return Err(ManualCheckError::UnknownTestcase { index, testcase });
    };
    if !is_manual_testcase(spec, &check.testcase) {
        return Err(ManualCheckError::NotManual { index, testcase });
    }
    if check.checked_at > now {
        return Err(ManualCheckError::CheckedInFuture {
            index,
            checked_at: check.checked_at,
            now,
        });
    }
    let result = match check.result.as_str() {
        "PASS" => Verdict::Pass,
        "FAIL" => Verdict::Fail,
        "ABORT" => Verdict::Abort,
        other => {
            return Err(ManualCheckError::UnknownResult {
                index,
                value: other.to_owned(),
            });
        }
    };
    let lifetime = manual_lifetime(descriptor);
    let expires_at =
        add_period(check.checked_at, &lifetime).map_err(|source| ManualCheckError::NoExpiry {
            index,
            testcase: testcase.clone(),
            source,
        })?;
    Ok(ValidManualCheck {
        index,
        testcase,
        result,
        checked_at: check.checked_at,
        checked_by: check.checked_by.clone(),
        evidence: check.evidence.clone(),
        lifetime,
        expires_at,
    })
}

impl ValidManualCheck {
    /// The record the evaluation uses; `report` is `manual-check:<testcase>@<checkedAt>`.
    pub fn to_result_record(&self) -> ResultRecord {
        ResultRecord {
            testcase: self.testcase.clone(),
            result: self.result,
            checked_at: self.checked_at,
            expires_at: self.expires_at,
            report: format!("manual-check:{}@{}", self.testcase, self.checked_at),
        }
    }
}

/// Adds the still-valid manual checks to the automated results, with the selection's rule:
/// the later `checkedAt` wins, then the worse verdict, then the smaller report id.
pub fn merge_manual_results(
    latest: &mut LatestResults,
    checks: &[ValidManualCheck],
    now: Timestamp,
) {
    for check in checks {
        if check.checked_at > now {
            continue;
        }
        if now >= check.expires_at {
            latest.expired += 1;
            continue;
        }
        let record = check.to_result_record();
        match latest.records.get(&record.testcase) {
            Some(current) if !beats(&record, current) => {}
            _ => {
                latest.records.insert(record.testcase.clone(), record);
            }
        }
    }
}

fn beats(new: &ResultRecord, current: &ResultRecord) -> bool {
    new.checked_at
        .cmp(&current.checked_at)
        .then_with(|| current.result.cmp(&new.result))
        .then_with(|| current.report.cmp(&new.report))
        .is_gt()
}

/// A manual testcase of the certified version's `main` target that needs checking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueManualCheck {
    /// Testcase id.
    pub testcase: String,
    /// The latest check, if any.
    pub last_checked_at: Option<Timestamp>,
    /// When the latest check expired; `None` when it was never checked.
    pub due_since: Option<Timestamp>,
}

/// Manual testcases of `version`'s `main` target whose latest check has expired at `now`, or
/// that were never checked; in `main` order. Empty for an unknown version.
pub fn due_manual_checks(
    spec: &ScopeSpec,
    version: &str,
    checks: &[ValidManualCheck],
    now: Timestamp,
) -> Vec<DueManualCheck> {
    let Some(version) = spec.version(version) else {
        return Vec::new();
    };
    let mut latest: BTreeMap<&str, &ValidManualCheck> = BTreeMap::new();
    for check in checks.iter().filter(|c| c.checked_at <= now) {
        let newer = latest
            .get(check.testcase.as_str())
            .is_none_or(|current| check.checked_at > current.checked_at);
        if newer {
            latest.insert(&check.testcase, check);
        }
    }
    version
        .main()
        .iter()
        .filter(|id| is_manual_testcase(spec, id))
        .filter_map(|id| match latest.get(id.as_str()) {
            None => Some(DueManualCheck {
                testcase: id.clone(),
                last_checked_at: None,
                due_since: None,
            }),
            Some(check) if now >= check.expires_at => Some(DueManualCheck {
                testcase: id.clone(),
                last_checked_at: Some(check.checked_at),
                due_since: Some(check.expires_at),
            }),
            Some(_) => None,
        })
        .collect()
}
