//! Verdicts from script stdout (DOMAIN 3.6): `<id>: PASS|ABORT|FAIL`, split at the last colon,
//! verdict case- and whitespace-insensitive, ids outside the requested set ignored, the last
//! occurrence per id wins.

use crate::results::Verdict;
use crate::runner::lines::py_strip;
use indexmap::IndexMap;
use std::collections::BTreeSet;

/// How many ignored ids are remembered for the log; the rest are only counted.
const IGNORED_IDS_KEPT: usize = 100;

/// Parses one stdout line into `(testcase id, verdict)`; `None` when it is no verdict line.
pub fn parse_verdict_line(line: &str) -> Option<(&str, Verdict)> {
    let (left, right) = line.rsplit_once(':')?;
    let verdict = match py_strip(right).to_uppercase().as_str() {
        "PASS" => Verdict::Pass,
        "ABORT" => Verdict::Abort,
        "FAIL" => Verdict::Fail,
        _ => return None,
    };
    Some((py_strip(left), verdict))
}

/// Collects the results of one invocation from its stdout lines.
#[derive(Debug, Clone, Default)]
pub struct ResultCollector {
    requested: BTreeSet<String>,
    results: IndexMap<String, Verdict>,
    ignored: Vec<String>,
    ignored_total: u64,
}

impl ResultCollector {
    /// A collector accepting only the ids requested from this script.
    pub fn new<'a>(requested: impl IntoIterator<Item = &'a str>) -> Self {
        ResultCollector {
            requested: requested.into_iter().map(str::to_string).collect(),
            ..Self::default()
        }
    }

    /// Whether `line` carries a verdict for a requested id (such lines survive the line cap).
    pub fn is_requested_verdict(&self, line: &str) -> bool {
        parse_verdict_line(line).is_some_and(|(id, _)| self.requested.contains(id))
    }

    /// Feeds one stdout line.
    pub fn push_line(&mut self, line: &str) {
        let Some((id, verdict)) = parse_verdict_line(line) else {
            return;
        };
        if self.requested.contains(id) {
            // IndexMap keeps the first position and takes the new value, like a Python dict.
            self.results.insert(id.to_string(), verdict);
        } else {
            self.ignored_total += 1;
            if self.ignored.len() < IGNORED_IDS_KEPT {
                self.ignored.push(id.to_string());
            }
        }
    }

    /// The parsed results, in order of first appearance.
    pub fn results(&self) -> &IndexMap<String, Verdict> {
        &self.results
    }

    /// Takes the parsed results.
    pub fn into_results(self) -> IndexMap<String, Verdict> {
        self.results
    }

    /// Ids that carried a verdict but were not requested (the first few) and their total count.
    pub fn ignored(&self) -> (&[String], u64) {
        (&self.ignored, self.ignored_total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_verdicts_like_upstream() {
        let cases = [
            ("tc-a: PASS", Some(("tc-a", Verdict::Pass))),
            ("tc-c :  abort ", Some(("tc-c", Verdict::Abort))),
            ("  tc-b:fail\t", Some(("tc-b", Verdict::Fail))),
            ("tc-b: Fail", Some(("tc-b", Verdict::Fail))),
            ("scope: x: PASS", Some(("scope: x", Verdict::Pass))),
            ("some line: with colon", None),
            ("no colon PASS", None),
            ("tc-a: PASSED", None),
            ("tc-a: PASS: really", None),
            (": PASS", Some(("", Verdict::Pass))),
        ];
        for (line, want) in cases {
            assert_eq!(parse_verdict_line(line), want, "{line:?}");
        }
    }

    #[test]
    fn last_occurrence_wins_and_unrequested_ids_are_ignored() {
        let mut collector = ResultCollector::new(["a", "b"]);
        for line in [
            "a: FAIL", "b: ABORT", "x: PASS", "a: pass", "noise", "y: FAIL",
        ] {
            collector.push_line(line);
        }
        let results: Vec<(&str, Verdict)> = collector
            .results()
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(results, [("a", Verdict::Pass), ("b", Verdict::Abort)]);
        assert_eq!(
            collector.ignored(),
            (&["x".to_string(), "y".to_string()][..], 2)
        );
        assert!(collector.is_requested_verdict("a : PASS"));
        assert!(!collector.is_requested_verdict("x: PASS"));
    }

    #[test]
    fn ignored_ids_are_bounded() {
        let mut collector = ResultCollector::new(["a"]);
        for i in 0..1000 {
            collector.push_line(&format!("junk-{i}: PASS"));
        }
        let (kept, total) = collector.ignored();
        assert_eq!((kept.len(), total), (IGNORED_IDS_KEPT, 1000));
    }
}
