//! Scope-level evaluation (DOMAIN 2.6, monitor `_evaluate_scope`, HEAD semantics).
//!
//! 1. Every version with an **explicit** validity on the evaluation date is evaluated; all
//!    others (implicitly deprecated) are ignored.
//! 2. Walk those versions in spec order: skip drafts unless `include_drafts`; each walked
//!    version is *relevant*; the running `result` becomes its verdict; if that is not FAIL
//!    (PASS, ABORT or MISSING) the version is *passed*, and if it is also not a draft it is the
//!    *winner* and the walk stops. (The worked examples require the winner to be found among
//!    non-FAIL versions: a failing effective version lets the walk go on to older ones.)
//! 3. `result` is the winner's verdict, else the verdict of the last relevant version, else
//!    FAIL; `validity` is the winner's, else `deprecated`.

use crate::evaluation::badge::{summary_badge, validity_suffix};
use crate::evaluation::verdict::{Buckets, VerdictLookup, eval_buckets};
use crate::evaluation::version::{VersionEvaluation, evaluate_version};
use crate::results::Verdict;
use crate::scope::{ScopeSpec, Validity, Version, VersionValidity};
use std::collections::BTreeSet;

/// Something about an evaluation worth telling a human; never changes the verdict.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvaluationWarning {
    /// The version has no `main` target; it was evaluated as an empty `main` (PASS).
    #[error("version {version} has no `main` target; evaluated as empty (PASS)")]
    VersionWithoutMain {
        /// Version name.
        version: String,
    },
    /// A validity entry names a version index the spec does not have (inconsistent input).
    #[error("validity given for unknown version {version}; ignored")]
    UnknownVersion {
        /// Version name as given.
        version: String,
    },
}

/// The evaluation of one subject against one scope at one date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeEvaluation<'s> {
    /// Every version with explicit validity, in spec order (drafts included even when hidden).
    pub versions: Vec<VersionEvaluation<'s>>,
    /// Names of the versions walked, in walk order.
    pub relevant: Vec<&'s str>,
    /// Names of the walked versions whose verdict is not FAIL.
    pub passed: Vec<&'s str>,
    /// Position in `versions` of the winner (first passed non-draft), if any.
    pub winner: Option<usize>,
    /// The scope verdict; `None` is MISSING.
    pub result: Option<Verdict>,
    /// The winner's validity, or `deprecated` without a winner.
    pub validity: Validity,
    /// Warnings (e.g. versions without `main`).
    pub warnings: Vec<EvaluationWarning>,
}

impl<'s> ScopeEvaluation<'s> {
    /// The winning version (upstream `best_passed` is its index).
    pub fn best_passed(&self) -> Option<&'s Version> {
        self.winner
            .and_then(|i| self.versions.get(i))
            .map(|v| v.version)
    }

    /// The evaluation of version `name`, if it was evaluated.
    pub fn version(&self, name: &str) -> Option<&VersionEvaluation<'s>> {
        self.versions.iter().find(|v| v.version.name == name)
    }

    /// Passed version names joined with ", ", each with its validity suffix.
    pub fn passed_str(&self) -> String {
        let mut out = String::new();
        for name in &self.passed {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(name);
            if let Some(version) = self.version(name) {
                out.push_str(validity_suffix(&version.validity));
            }
        }
        out
    }

    /// The summary badge, e.g. `✅ v5.1` or `🛑 v4††`.
    pub fn summary(&self) -> String {
        summary_badge(Some(self))
    }

    /// Testcases of all relevant versions (all targets), bucketed by verdict and sorted so that
    /// testcases in some stable `main` (`attn > 0`) come first, then by id (detail view order).
    pub fn relevant_buckets<R>(&self, spec: &'s ScopeSpec, results: &R) -> Buckets<'s>
    where
        R: VerdictLookup + ?Sized,
    {
        let mut ids: BTreeSet<&'s str> = BTreeSet::new();
        for name in &self.relevant {
            if let Some(version) = self.version(name) {
                ids.extend(version.version.tc_target.keys().map(String::as_str));
            }
        }
        let mut ordered: Vec<&'s str> = ids.into_iter().collect();
        // stable sort keeps id order within each attn group
        ordered.sort_by_key(|id| spec.testcase(id).is_none_or(|tc| tc.attn == 0));
        eval_buckets(results, ordered)
    }
}

/// Evaluates `results` against `spec` with the validity of each version on the evaluation date
/// (`spec.validity_at(date)`, computed once per date by the caller).
pub fn evaluate_scope<'s, R>(
    spec: &'s ScopeSpec,
    validity: &[VersionValidity],
    results: &R,
    include_drafts: bool,
) -> ScopeEvaluation<'s>
where
    R: VerdictLookup + ?Sized,
{
    let mut warnings = Vec::new();
    let mut versions = Vec::new();
    for entry in validity.iter().filter(|v| v.explicit) {
        let Some(version) = spec
            .versions
            .get(entry.index)
            .filter(|v| v.name == entry.version)
            .or_else(|| spec.version(&entry.version))
        else {
            warnings.push(EvaluationWarning::UnknownVersion {
                version: entry.version.clone(),
            });
            continue;
        };
        let evaluation = evaluate_version(version, entry.validity.clone(), results);
        if !evaluation.has_main {
            warnings.push(EvaluationWarning::VersionWithoutMain {
                version: version.name.clone(),
            });
        }
        versions.push(evaluation);
    }
    // validity is given in version order, but do not rely on it: the walk is in spec order
    versions.sort_by_key(|v| v.version.index);

    let mut relevant = Vec::new();
    let mut passed = Vec::new();
    let mut winner = None;
    let mut result = Some(Verdict::Fail);
    for (position, evaluation) in versions.iter().enumerate() {
        let is_draft = evaluation.validity == Validity::Draft;
        if is_draft && !include_drafts {
            continue;
        }
        relevant.push(evaluation.version.name.as_str());
        result = evaluation.result;
        if result != Some(Verdict::Fail) {
            passed.push(evaluation.version.name.as_str());
            if !is_draft {
                winner = Some(position);
                break;
            }
        }
    }
    let validity = winner
        .map(|i| versions[i].validity.clone())
        .unwrap_or(Validity::Deprecated);
    ScopeEvaluation {
        versions,
        relevant,
        passed,
        winner,
        result,
        validity,
        warnings,
    }
}
