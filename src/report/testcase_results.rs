//! One verdict per testcase for a whole report, whatever the report's shape.
//!
//! Results are scope-wide (DOMAIN 2.3). A testcase can still appear several times in one
//! report: in two invocations, or (legacy) under several versions, or both. The monitor keeps
//! the latest row per (version column, testcase), but all rows of one report share the same
//! `checked_at`, so "latest" cannot decide among them. We take the **worst** verdict
//! (FAIL < ABORT < PASS): deterministic, independent of key order, and it never hides a FAIL.
//! Legacy `result: null` entries are ignored (MISSING is never a result).

use crate::report::model::Report;
use crate::results::Verdict;
use indexmap::IndexMap;
use indexmap::map::Entry;

impl Report {
    /// The report's verdict per testcase, in first-appearance order; conflicts: worst wins.
    pub fn testcase_results(&self) -> IndexMap<&str, Verdict> {
        let mut merged: IndexMap<&str, Verdict> = IndexMap::new();
        let invocation_results = self
            .run
            .invocations
            .values()
            .flat_map(|invocation| invocation.results.iter())
            .map(|(id, verdict)| (id.as_str(), *verdict));
        let legacy_results = self
            .legacy_versions
            .iter()
            .flat_map(|versions| versions.values())
            .flat_map(|testcases| testcases.iter())
            .filter_map(|(id, entry)| entry.result.map(|verdict| (id.as_str(), verdict)));
        for (id, verdict) in invocation_results.chain(legacy_results) {
            match merged.entry(id) {
                Entry::Vacant(slot) => {
                    slot.insert(verdict);
                }
                Entry::Occupied(mut slot) => {
                    let worst = (*slot.get()).min(verdict);
                    slot.insert(worst);
                }
            }
        }
        merged
    }
}
