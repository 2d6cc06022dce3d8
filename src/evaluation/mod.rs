//! Per-target, per-version and per-scope evaluation; summary badge; group rollup (DOMAIN 2.2,
//! 2.3, 2.6).
//!
//! - [`evaluate`] / [`eval_buckets`]: FAIL > MISSING > ABORT > PASS, empty = PASS, over any
//!   [`VerdictLookup`] (maps of verdicts, [`crate::results::LatestResults`]).
//! - [`evaluate_version`]: every target; the version verdict is `main` (absent = PASS + warning).
//! - [`evaluate_scope`]: the walk over explicitly valid versions giving relevant / passed /
//!   winner / result / validity ([`ScopeEvaluation`], borrowing from the spec).
//! - [`summary_badge`]: `🛑`, `🟧`, `✅*`, `✅` with downgrade by validity; `🛑 –` when empty.
//! - [`group_summary`]: the badge of the worst group member.

pub mod badge;
pub mod group;
pub mod scope;
pub mod verdict;
pub mod version;

pub use badge::{EMPTY_BADGE, badge_colour, summary_badge, validity_suffix};
pub use group::{group_summary, member_rank, worst_member};
pub use scope::{EvaluationWarning, ScopeEvaluation, evaluate_scope};
pub use verdict::{Buckets, VerdictLookup, eval_buckets, evaluate, precedence_rank, verdict_code};
pub use version::{TargetEvaluation, VersionEvaluation, evaluate_version};

#[cfg(test)]
mod tests;
