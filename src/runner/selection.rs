//! Which versions are checked and which testcases each script runs (DOMAIN 3.3, 3.4).

use crate::scope::{ScopeSpec, Version};
use jiff::civil::Date;
use regex::Regex;
use std::collections::BTreeSet;

/// A selection that cannot be made; the run stops before any script runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// `-V` names no version of the spec.
    #[error("Requested version '{0}' not found")]
    VersionNotFound(String),
    /// No version has an explicit validity on the check date.
    #[error("No valid version found for {0}")]
    NoValidVersion(Date),
    /// A selected version's target names a testcase no script defines (upstream: `KeyError`).
    #[error(
        "testcase '{id}' in target '{target}' of version '{version}' is not defined by any script"
    )]
    UndefinedTestcase {
        /// The testcase id.
        id: String,
        /// The target naming it.
        target: String,
        /// The version.
        version: String,
    },
}

/// `-S` and `-t`: restrict the testcases that run.
#[derive(Debug, Clone, Default)]
pub struct TestcaseFilter {
    /// Only testcases whose `section` is one of these; testcases without a section never match.
    pub sections: Option<Vec<String>>,
    /// Only testcases whose id this regex matches at the start (Python `re.match`).
    pub tests: Option<Regex>,
}

impl TestcaseFilter {
    /// Whether a filter is active (the console then omits the MISSING lists).
    pub fn is_partial(&self) -> bool {
        self.sections.is_some() || self.tests.is_some()
    }

    fn admits(&self, id: &str, section: Option<&str>) -> bool {
        if let Some(sections) = &self.sections
            && !section.is_some_and(|s| sections.iter().any(|wanted| wanted == s))
        {
            return false;
        }
        if let Some(tests) = &self.tests
            && !matches_at_start(tests, id)
        {
            return false;
        }
        true
    }
}

/// Python's `re.match`: a match that begins at the first character (it need not reach the end).
pub fn matches_at_start(regex: &Regex, text: &str) -> bool {
    // The leftmost match starts at 0 whenever any match starts at 0.
    regex.find(text).is_some_and(|m| m.start() == 0)
}

/// Parses `-S`: comma-separated, each item whitespace-trimmed (empty items kept, as upstream).
pub fn parse_sections(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(|s| crate::runner::lines::py_strip(s).to_string())
        .collect()
}

/// The testcases one script runs, sorted (their space-joined list is `{testcases}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptSelection {
    /// Index of the script in the spec.
    pub script: usize,
    /// Selected testcase ids, sorted.
    pub testcases: Vec<String>,
}

/// The versions to check: `-V` exactly, otherwise every version explicitly named on `date`.
pub fn select_versions<'a>(
    spec: &'a ScopeSpec,
    date: Date,
    forced: Option<&str>,
) -> Result<Vec<&'a Version>, SelectionError> {
    if let Some(name) = forced {
        return spec
            .version(name)
            .map(|v| vec![v])
            .ok_or_else(|| SelectionError::VersionNotFound(name.to_string()));
    }
    let versions: Vec<&Version> = spec
        .explicit_versions_at(date)
        .iter()
        .filter_map(|validity| spec.versions.get(validity.index))
        .collect();
    if versions.is_empty() {
        return Err(SelectionError::NoValidVersion(date));
    }
    Ok(versions)
}

/// Testcases of all targets of `versions`, filtered and grouped by script in spec order.
/// Manual scripts and scripts without a selected testcase are left out.
pub fn collect_testcases(
    spec: &ScopeSpec,
    versions: &[&Version],
    filter: &TestcaseFilter,
) -> Result<Vec<ScriptSelection>, SelectionError> {
    let mut per_script: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); spec.scripts.len()];
    for version in versions {
        for (target, ids) in version.targets.iter() {
            for id in ids {
                let (Some(testcase), Some(script)) = (spec.testcase(id), spec.script_of(id)) else {
                    return Err(SelectionError::UndefinedTestcase {
                        id: id.clone(),
                        target: target.to_string(),
                        version: version.name.clone(),
                    });
                };
                if script.is_manual() || !filter.admits(id, testcase.section.as_deref()) {
                    continue;
                }
                if let Some(set) = per_script.get_mut(script.index) {
                    set.insert(id.as_str());
                }
            }
        }
    }
    Ok(per_script
        .into_iter()
        .enumerate()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(script, ids)| ScriptSelection {
            script,
            testcases: ids.into_iter().map(str::to_string).collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_matches_at_start_only() {
        let re = Regex::new("scs-01").unwrap();
        assert!(matches_at_start(&re, "scs-0100-syntax"));
        assert!(!matches_at_start(&re, "x-scs-0100"));
        let re = Regex::new("a|scs").unwrap();
        assert!(
            matches_at_start(&re, "scs-a"),
            "a later alternative at 0 still counts"
        );
        let re = Regex::new("scs-0100$").unwrap();
        assert!(!matches_at_start(&re, "scs-0100-x"));
    }

    #[test]
    fn sections_are_trimmed_like_upstream() {
        assert_eq!(parse_sections(" light , heavy"), ["light", "heavy"]);
        assert_eq!(parse_sections(""), [""]);
    }
}
