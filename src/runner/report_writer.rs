//! The `-o` report (DOMAIN 3.9), built from a finished run and written by
//! [`crate::runner::report_yaml`] (upstream key order, loadable by upstream's YAML 1.1 tooling).

use crate::report::{Invocation, Report, ReportSpec, Run};
use crate::runner::report_yaml::report_to_yaml;
use crate::scope::ScopeSpec;
use indexmap::IndexMap;
use jiff::Timestamp;
use jiff::civil::Date;
use std::path::{Path, PathBuf};

/// The run parameters recorded under `run` (everything but the uuid and the invocations).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunParameters {
    /// CLI arguments of `check`, without program and subcommand name.
    pub argv: Vec<String>,
    /// The `-a` assignments only (spec defaults are not recorded).
    pub assignment: IndexMap<String, String>,
    /// `-S`, if given.
    pub sections: Option<Vec<String>>,
    /// `-V`, if given and not empty.
    pub forced_version: Option<String>,
    /// `-t` pattern, if given.
    pub forced_tests: Option<String>,
}

/// The report cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportFileError {
    /// The spec lacks a key every report needs.
    #[error("the spec has no top-level '{0}', which the report needs")]
    MissingSpecKey(&'static str),
    /// The file cannot be written.
    #[error("cannot write report {}: {source}", path.display())]
    Io {
        /// The report path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The spec identity for the report; fails when `uuid`, `name` or `url` is absent.
pub fn report_spec(spec: &ScopeSpec) -> Result<ReportSpec, ReportFileError> {
    let field =
        |value: &Option<String>, key| value.clone().ok_or(ReportFileError::MissingSpecKey(key));
    Ok(ReportSpec {
        uuid: field(&spec.uuid, "uuid")?,
        name: field(&spec.name, "name")?,
        url: field(&spec.url, "url")?,
    })
}

/// Assembles the report; `checked_at` is taken after all scripts ran, as upstream.
pub fn build_report(
    spec: ReportSpec,
    subject: &str,
    reference_date: Date,
    checked_at: Timestamp,
    parameters: RunParameters,
    run_uuid: String,
    invocations: Vec<Invocation>,
) -> Report {
    Report {
        spec,
        checked_at,
        reference_date: Some(reference_date),
        subject: subject.to_string(),
        run: Run {
            uuid: run_uuid,
            argv: parameters.argv,
            assignment: parameters.assignment,
            sections: parameters.sections,
            forced_version: parameters.forced_version,
            forced_tests: parameters.forced_tests,
            invocations: invocations
                .into_iter()
                .map(|invocation| (invocation.id.clone(), invocation))
                .collect(),
        },
        legacy_versions: None,
    }
}

/// Writes `report` to `path` (relative paths are relative to the current directory).
pub fn write_report_file(path: &Path, report: &Report) -> Result<(), ReportFileError> {
    let yaml = report_to_yaml(report);
    std::fs::write(path, yaml).map_err(|source| ReportFileError::Io {
        path: path.to_path_buf(),
        source,
    })
}
