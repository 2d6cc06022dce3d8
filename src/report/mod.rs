//! Report model (upstream-compatible, legacy tolerant): DOMAIN 3.9.
//!
//! - [`parse_report_stream`] reads a multi-document YAML stream into [`Report`]s, with errors
//!   naming the document (1-based) and the field path; unknown keys are ignored.
//! - [`write_report_yaml`] writes one report with the upstream key order and `---` start,
//!   quoting every string a YAML 1.1 reader would mistype.
//! - [`Report::testcase_results`] gives one scope-wide verdict per testcase, merging
//!   invocations and legacy per-version results (worst verdict wins inside one report).
//! - Naive timestamps are read and written as UTC ([`timestamp`]).

pub mod model;
pub mod parse;
pub mod testcase_results;
pub mod timestamp;
pub mod write;

pub use model::{Invocation, LegacyResult, Report, ReportSpec, Run};
pub use parse::{FieldProblem, ReportError, parse_report_stream, report_from_value};
pub use write::{write_report_stream, write_report_yaml};

#[cfg(test)]
mod tests;
