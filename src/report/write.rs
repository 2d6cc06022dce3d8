//! Writing reports as upstream does: explicit `---` document start, keys in the order of
//! DOMAIN 3.9, timestamps as naive UTC (`2026-08-19 14:30:00.123456`).
//!
//! There is exactly one emitter in the crate: the check driver's YAML-1.1-safe one
//! ([`crate::runner::report_yaml`]). Upstream reads reports with YAML 1.1 resolvers, where an
//! unquoted `on`, `2026-07-01` or `1:20` is not a string; a plain serde serialiser (YAML 1.2
//! rules) would let those through, so this module delegates instead of keeping a second,
//! subtly different writer.

use crate::report::model::Report;
use crate::runner::report_yaml::report_to_yaml;

/// One report as a YAML document starting with `---`.
pub fn write_report_yaml(report: &Report) -> String {
    report_to_yaml(report)
}

/// Several reports as one multi-document stream (what the test runner uploads).
pub fn write_report_stream(reports: &[Report]) -> String {
    reports.iter().map(write_report_yaml).collect()
}
