//! Writing reports as upstream does: explicit `---` document start, keys in the order of
//! DOMAIN 3.9, timestamps as naive UTC (`2026-08-19 14:30:00.123456`).

use crate::report::model::Report;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot serialise report {run_uuid}: {source}")]
pub struct ReportWriteError {
    /// `run.uuid` of the report concerned.
    pub run_uuid: String,
    /// The serialiser's error.
    #[source]
    pub source: serde_norway::Error,
}

/// One report as a YAML document starting with `---`.
pub fn write_report_yaml(report: &Report) -> Result<String, ReportWriteError> {
    let body = serde_norway::to_string(report).map_err(|source| ReportWriteError {
        run_uuid: report.run.uuid.clone(),
        source,
    })?;
    Ok(format!("---\n{body}"))
}

/// Several reports as one multi-document stream (what the test runner uploads).
pub fn write_report_stream(reports: &[Report]) -> Result<String, ReportWriteError> {
    let mut out = String::new();
    for report in reports {
        out.push_str(&write_report_yaml(report)?);
    }
    Ok(out)
}
