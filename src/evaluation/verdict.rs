//! `evaluate(results, testcase_ids)`: precedence FAIL > MISSING > ABORT > PASS (DOMAIN 2.2).
//!
//! A verdict-or-missing is an `Option<Verdict>`: `None` is MISSING (not attempted or expired).

use crate::results::Verdict;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// Anything that knows the current verdict of a testcase by id.
pub trait VerdictLookup {
    /// The verdict of `testcase`, or `None` when it is missing.
    fn verdict_of(&self, testcase: &str) -> Option<Verdict>;
}

impl<S: BuildHasher> VerdictLookup for HashMap<String, Verdict, S> {
    fn verdict_of(&self, testcase: &str) -> Option<Verdict> {
        self.get(testcase).copied()
    }
}

impl<S: BuildHasher> VerdictLookup for HashMap<&str, Verdict, S> {
    fn verdict_of(&self, testcase: &str) -> Option<Verdict> {
        self.get(testcase).copied()
    }
}

impl VerdictLookup for BTreeMap<String, Verdict> {
    fn verdict_of(&self, testcase: &str) -> Option<Verdict> {
        self.get(testcase).copied()
    }
}

impl VerdictLookup for BTreeMap<&str, Verdict> {
    fn verdict_of(&self, testcase: &str) -> Option<Verdict> {
        self.get(testcase).copied()
    }
}

impl VerdictLookup for indexmap::IndexMap<&str, Verdict> {
    fn verdict_of(&self, testcase: &str) -> Option<Verdict> {
        self.get(testcase).copied()
    }
}

impl VerdictLookup for indexmap::IndexMap<String, Verdict> {
    fn verdict_of(&self, testcase: &str) -> Option<Verdict> {
        self.get(testcase).copied()
    }
}

/// Testcase ids split by their verdict (upstream `eval_buckets`), each in input order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Buckets<'a> {
    /// Ids whose result is FAIL.
    pub fail: Vec<&'a str>,
    /// Ids without a (valid) result.
    pub missing: Vec<&'a str>,
    /// Ids whose result is ABORT.
    pub abort: Vec<&'a str>,
    /// Ids whose result is PASS.
    pub pass: Vec<&'a str>,
}

impl Buckets<'_> {
    /// The first non-empty bucket in precedence order; PASS when all are empty.
    pub fn verdict(&self) -> Option<Verdict> {
        if !self.fail.is_empty() {
            Some(Verdict::Fail)
        } else if !self.missing.is_empty() {
            None
        } else if !self.abort.is_empty() {
            Some(Verdict::Abort)
        } else {
            Some(Verdict::Pass)
        }
    }
}

/// Buckets the ids by their verdict in `results`.
pub fn eval_buckets<'a, R, I>(results: &R, ids: I) -> Buckets<'a>
where
    R: VerdictLookup + ?Sized,
    I: IntoIterator<Item = &'a str>,
{
    let mut buckets = Buckets::default();
    for id in ids {
        match results.verdict_of(id) {
            Some(Verdict::Fail) => buckets.fail.push(id),
            None => buckets.missing.push(id),
            Some(Verdict::Abort) => buckets.abort.push(id),
            Some(Verdict::Pass) => buckets.pass.push(id),
        }
    }
    buckets
}

/// The verdict of a set of testcases: FAIL if any failed, else MISSING if any is missing, else
/// ABORT if any aborted, else PASS. An empty set is PASS.
pub fn evaluate<'a, R, I>(results: &R, ids: I) -> Option<Verdict>
where
    R: VerdictLookup + ?Sized,
    I: IntoIterator<Item = &'a str>,
{
    // Same answer as `eval_buckets(..).verdict()`, without allocating.
    let mut missing = false;
    let mut abort = false;
    for id in ids {
        match results.verdict_of(id) {
            Some(Verdict::Fail) => return Some(Verdict::Fail),
            None => missing = true,
            Some(Verdict::Abort) => abort = true,
            Some(Verdict::Pass) => {}
        }
    }
    if missing {
        None
    } else if abort {
        Some(Verdict::Abort)
    } else {
        Some(Verdict::Pass)
    }
}

/// Rank of a verdict-or-missing by precedence, worst first: FAIL 0, MISSING 1, ABORT 2, PASS 3.
pub fn precedence_rank(verdict: Option<Verdict>) -> u8 {
    match verdict {
        Some(Verdict::Fail) => 0,
        None => 1,
        Some(Verdict::Abort) => 2,
        Some(Verdict::Pass) => 3,
    }
}

/// The canonical JSON/report value: 1, 0, -1, or `None` (null) for MISSING.
pub fn verdict_code(verdict: Option<Verdict>) -> Option<i8> {
    verdict.map(Verdict::code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results() -> BTreeMap<&'static str, Verdict> {
        BTreeMap::from([
            ("a", Verdict::Pass),
            ("b", Verdict::Abort),
            ("c", Verdict::Fail),
        ])
    }

    /// The verified examples of DOMAIN 2.2 (x is absent).
    #[test]
    fn domain_examples() {
        let results = results();
        let cases: &[(&[&str], Option<Verdict>)] = &[
            (&[], Some(Verdict::Pass)),
            (&["a"], Some(Verdict::Pass)),
            (&["a", "b"], Some(Verdict::Abort)),
            (&["a", "x"], None),
            (&["b", "x"], None),
            (&["c", "x"], Some(Verdict::Fail)),
        ];
        for (ids, want) in cases {
            assert_eq!(evaluate(&results, ids.iter().copied()), *want, "{ids:?}");
            assert_eq!(
                eval_buckets(&results, ids.iter().copied()).verdict(),
                *want,
                "{ids:?}"
            );
        }
    }

    #[test]
    fn buckets_keep_input_order() {
        let buckets = eval_buckets(&results(), ["x", "c", "a", "y", "b"]);
        assert_eq!(buckets.fail, ["c"]);
        assert_eq!(buckets.missing, ["x", "y"]);
        assert_eq!(buckets.abort, ["b"]);
        assert_eq!(buckets.pass, ["a"]);
    }

    #[test]
    fn precedence_rank_orders_worst_first() {
        let ordered = [
            Some(Verdict::Fail),
            None,
            Some(Verdict::Abort),
            Some(Verdict::Pass),
        ];
        for pair in ordered.windows(2) {
            assert!(precedence_rank(pair[0]) < precedence_rank(pair[1]));
        }
        assert_eq!(verdict_code(None), None);
        assert_eq!(verdict_code(Some(Verdict::Fail)), Some(-1));
    }
}
