//! Per-target and per-version verdicts (DOMAIN 2.3).
//!
//! Results are scope-wide: one testcase result serves every version that includes it. A
//! version's verdict is the verdict of its `main` target; a version without `main` is treated
//! as an empty `main` (PASS) and the caller gets a warning.

use crate::evaluation::verdict::{VerdictLookup, evaluate};
use crate::results::Verdict;
use crate::scope::{MAIN_TARGET, Validity, Version};

/// Verdict of one target of one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetEvaluation<'s> {
    /// Target name (`main`, `recommended`, `preview`, ...).
    pub name: &'s str,
    /// The target's testcase ids (sorted, as resolved).
    pub testcases: &'s [String],
    /// Verdict over those testcases; `None` is MISSING.
    pub result: Option<Verdict>,
}

/// Verdict of one version, with its targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionEvaluation<'s> {
    /// The version evaluated.
    pub version: &'s Version,
    /// Its validity on the evaluation date.
    pub validity: Validity,
    /// The `main` verdict (PASS when the version has no `main`).
    pub result: Option<Verdict>,
    /// Every target, in the version's target order.
    pub targets: Vec<TargetEvaluation<'s>>,
    /// Whether the version defines a `main` target at all.
    pub has_main: bool,
}

impl VersionEvaluation<'_> {
    /// Version name.
    pub fn name(&self) -> &str {
        &self.version.name
    }

    /// The evaluation of target `name`, if the version has it.
    pub fn target(&self, name: &str) -> Option<&TargetEvaluation<'_>> {
        self.targets.iter().find(|t| t.name == name)
    }
}

/// Evaluates every target of `version`; the version verdict is that of `main`.
pub fn evaluate_version<'s, R>(
    version: &'s Version,
    validity: Validity,
    results: &R,
) -> VersionEvaluation<'s>
where
    R: VerdictLookup + ?Sized,
{
    let targets: Vec<TargetEvaluation<'s>> = version
        .targets
        .iter()
        .map(|(name, testcases)| TargetEvaluation {
            name,
            testcases: testcases.as_slice(),
            result: evaluate(results, testcases.iter().map(String::as_str)),
        })
        .collect();
    let main = targets.iter().find(|t| t.name == MAIN_TARGET);
    VersionEvaluation {
        version,
        validity,
        // an empty id list evaluates to PASS
        result: main.map_or(Some(Verdict::Pass), |t| t.result),
        has_main: main.is_some(),
        targets,
    }
}
