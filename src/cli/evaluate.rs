//! `scs-cert evaluate`: offline evaluation of reports against a scope spec, JSON out.
//!
//! Reads the spec and every report document, selects the latest valid result per testcase and
//! subject at `--at`, evaluates the scope (DOMAIN 2.6) and prints one JSON object (format in
//! `docs/evaluate.md`). Errors name the file (and document/field) and exit with status 1;
//! warnings go to stderr and do not change the exit status.

use crate::evaluation::{ScopeEvaluation, evaluate_scope, verdict_code};
use crate::report::{Report, ReportError, parse_report_stream, timestamp::parse_report_timestamp};
use crate::results::{LatestResults, SelectionIndex, SelectionOptions, reports_by_subject};
use crate::scope::{LoadFileError, ScopeSpec, VersionValidity, load_file};
use clap::Args;
use indexmap::IndexMap;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `scs-cert evaluate`.
#[derive(Args, Debug)]
pub struct EvaluateArgs {
    /// Scope spec YAML.
    #[arg(long)]
    pub spec: PathBuf,
    /// Evaluation time (RFC 3339).
    #[arg(long)]
    pub at: String,
    /// Also walk draft versions (like the monitor's `_full` views).
    #[arg(long)]
    pub include_drafts: bool,
    /// Report files (each may hold several YAML documents); `-` reads standard input.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
}

/// Why `scs-cert evaluate` cannot produce output.
#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    /// `--at` is not a timestamp.
    #[error("--at {value:?}: {reason}")]
    At {
        /// The value given.
        value: String,
        /// Parser message.
        reason: String,
    },
    /// The spec cannot be loaded.
    #[error("spec {}: {source}", path.display())]
    Spec {
        /// The spec file.
        path: PathBuf,
        /// Loader error (lists every problem).
        #[source]
        source: LoadFileError,
    },
    /// A report file cannot be read.
    #[error("report {}: cannot read: {source}", path.display())]
    ReadReport {
        /// The report file (`-` for stdin).
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A report document is malformed.
    #[error("report {}: {source}", path.display())]
    Report {
        /// The report file (`-` for stdin).
        path: PathBuf,
        /// Which document and field, and what is wrong.
        #[source]
        source: ReportError,
    },
    /// A report file holds no document at all (the monitor rejects such uploads, too).
    #[error("report {}: no report documents", path.display())]
    EmptyReport {
        /// The report file (`-` for stdin).
        path: PathBuf,
    },
}

/// Runs `scs-cert evaluate`.
pub fn run(args: &EvaluateArgs) -> ExitCode {
    match evaluate_files(args) {
        Ok((output, warnings)) => {
            for warning in warnings {
                eprintln!("warning: {warning}");
            }
            match serde_json::to_string_pretty(&output) {
                Ok(json) => {
                    println!("{json}");
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: cannot serialise the output: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            print_error_details(&error);
            ExitCode::FAILURE
        }
    }
}

/// Prints what the one-line message leaves out: every spec problem, or the error chain.
fn print_error_details(error: &EvaluateError) {
    if let EvaluateError::Spec {
        source: LoadFileError::Invalid(invalid),
        ..
    } = error
    {
        for problem in &invalid.errors {
            eprintln!("  {problem}");
        }
        return;
    }
    let message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if !message.contains(&cause.to_string()) {
            eprintln!("  caused by: {cause}");
        }
        source = cause.source();
    }
}

/// Parses `--at`: RFC 3339; naive date-times (and plain dates) are read as UTC.
pub fn parse_at(value: &str) -> Result<Timestamp, EvaluateError> {
    parse_report_timestamp(value).map_err(|reason| EvaluateError::At {
        value: value.to_owned(),
        reason,
    })
}

/// Does the whole command except printing: the output object and the warnings.
pub fn evaluate_files(args: &EvaluateArgs) -> Result<(EvaluateOutput, Vec<String>), EvaluateError> {
    let at = parse_at(&args.at)?;
    let loaded = load_file(&args.spec).map_err(|source| EvaluateError::Spec {
        path: args.spec.clone(),
        source,
    })?;
    let mut warnings = Vec::new();
    // Load warnings are about the spec, not the evaluation (the real IaaS spec has dozens of
    // parked testcases); one line keeps them visible without drowning the rest.
    if let Some(first) = loaded.warnings.first() {
        warnings.push(format!(
            "spec {}: {} load warning(s), first: {first}",
            args.spec.display(),
            loaded.warnings.len()
        ));
    }
    let mut reports = Vec::new();
    for path in &args.reports {
        let text = read_report_file(path)?;
        let parsed = parse_report_stream(&text).map_err(|source| EvaluateError::Report {
            path: path.clone(),
            source,
        })?;
        if parsed.is_empty() {
            return Err(EvaluateError::EmptyReport { path: path.clone() });
        }
        reports.extend(parsed);
    }
    let output = evaluate_reports(
        &loaded.spec,
        &reports,
        at,
        args.include_drafts,
        &mut warnings,
    );
    Ok((output, warnings))
}

fn read_report_file(path: &Path) -> Result<String, EvaluateError> {
    let read_error = |source| EvaluateError::ReadReport {
        path: path.to_path_buf(),
        source,
    };
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(read_error)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(read_error)
    }
}

/// Evaluates every subject found in `reports` against `spec` at `at`.
pub fn evaluate_reports(
    spec: &ScopeSpec,
    reports: &[Report],
    at: Timestamp,
    include_drafts: bool,
    warnings: &mut Vec<String>,
) -> EvaluateOutput {
    let date = TimeZone::UTC.to_datetime(at).date();
    let validity = spec.validity_at(date);
    let index = SelectionIndex::new(spec);
    let mut subjects = BTreeMap::new();
    for (subject, subject_reports) in reports_by_subject(reports) {
        let report_count = subject_reports.len();
        let latest = index.latest_valid_results(subject_reports, at, SelectionOptions::default());
        collect_selection_warnings(subject, &latest, warnings);
        if latest.foreign_reports.len() == report_count {
            warnings.push(format!(
                "subject {subject}: no report for this scope; subject left out"
            ));
            continue;
        }
        let evaluation = evaluate_scope(spec, &validity, &latest, include_drafts);
        for warning in &evaluation.warnings {
            warnings.push(format!("subject {subject}: {warning}"));
        }
        subjects.insert(subject.to_owned(), subject_output(&evaluation, &latest));
    }
    EvaluateOutput {
        scope: scope_output(spec, at, &validity),
        subjects,
    }
}

fn collect_selection_warnings(subject: &str, latest: &LatestResults, warnings: &mut Vec<String>) {
    for report in &latest.foreign_reports {
        warnings.push(format!(
            "subject {subject}: report {report} is for another scope; ignored"
        ));
    }
    for report in &latest.future_reports {
        warnings.push(format!(
            "subject {subject}: report {report} was checked after --at; ignored"
        ));
    }
    for missing in &latest.missing_objects {
        warnings.push(format!(
            "subject {subject}: report {}: testcase {} is unknown to the spec (missing object); ignored",
            missing.report, missing.testcase
        ));
    }
    for (testcase, lifetime) in &latest.unknown_periods {
        warnings.push(format!(
            "subject {subject}: testcase {testcase}: unknown period {lifetime:?}; its results are ignored"
        ));
    }
}

/// The whole output object.
#[derive(Debug, Serialize)]
pub struct EvaluateOutput {
    /// The scope and the validity of its versions at `at`.
    pub scope: ScopeOutput,
    /// One entry per subject found in the reports (sorted by name).
    pub subjects: BTreeMap<String, SubjectOutput>,
}

/// `scope` in the output.
#[derive(Debug, Serialize)]
pub struct ScopeOutput {
    /// Scope uuid.
    pub uuid: Option<String>,
    /// Scope name.
    pub name: Option<String>,
    /// The evaluation time (RFC 3339, UTC).
    pub at: Timestamp,
    /// Every version in spec order: its explicit validity code, or null when the applicable
    /// timeline entry does not name it (implicitly deprecated, not evaluated).
    pub validity: IndexMap<String, Option<String>>,
}

/// One subject in the output.
#[derive(Debug, Serialize)]
pub struct SubjectOutput {
    /// Scope verdict: 1, 0, -1, or null (MISSING).
    pub result: Option<i8>,
    /// Walked versions whose verdict is not FAIL.
    pub passed: Vec<String>,
    /// Walked versions.
    pub relevant: Vec<String>,
    /// The winning version, if any.
    pub best_passed: Option<String>,
    /// The winner's validity, `deprecated` without a winner.
    pub validity: String,
    /// The badge text, e.g. `✅ v5.1`.
    pub summary: String,
    /// Every explicitly valid version, in spec order.
    pub versions: IndexMap<String, VersionOutput>,
    /// Per testcase of the evaluated versions (and any other testcase with a result).
    pub testcases: BTreeMap<String, TestcaseOutput>,
}

/// One version of one subject.
#[derive(Debug, Serialize)]
pub struct VersionOutput {
    /// The `main` verdict.
    pub result: Option<i8>,
    /// Validity code at `at`.
    pub validity: String,
    /// Every target of the version.
    pub targets: IndexMap<String, TargetOutput>,
}

/// One target of one version.
#[derive(Debug, Serialize)]
pub struct TargetOutput {
    /// Verdict over the target's testcases.
    pub result: Option<i8>,
    /// The target's testcase ids.
    pub testcases: Vec<String>,
}

/// The selected result of one testcase; all null when missing.
#[derive(Debug, Serialize)]
pub struct TestcaseOutput {
    /// 1, 0, -1, or null (MISSING: none or only expired results).
    pub result: Option<i8>,
    /// When the selected result was checked.
    pub checked_at: Option<Timestamp>,
    /// When it expires.
    pub expires_at: Option<Timestamp>,
    /// `run.uuid` of its report.
    pub report: Option<String>,
}

fn scope_output(spec: &ScopeSpec, at: Timestamp, validity: &[VersionValidity]) -> ScopeOutput {
    ScopeOutput {
        uuid: spec.uuid.clone(),
        name: spec.name.clone(),
        at,
        validity: validity
            .iter()
            .map(|v| {
                let code = v.explicit.then(|| v.validity.to_string());
                (v.version.clone(), code)
            })
            .collect(),
    }
}

fn subject_output(evaluation: &ScopeEvaluation<'_>, latest: &LatestResults) -> SubjectOutput {
    let versions = evaluation
        .versions
        .iter()
        .map(|version| {
            let targets = version
                .targets
                .iter()
                .map(|target| {
                    let output = TargetOutput {
                        result: verdict_code(target.result),
                        testcases: target.testcases.to_vec(),
                    };
                    (target.name.to_owned(), output)
                })
                .collect();
            let output = VersionOutput {
                result: verdict_code(version.result),
                validity: version.validity.to_string(),
                targets,
            };
            (version.name().to_owned(), output)
        })
        .collect();
    let mut testcases: BTreeMap<String, TestcaseOutput> = evaluation
        .versions
        .iter()
        .flat_map(|v| v.targets.iter().flat_map(|t| t.testcases.iter()))
        .map(|id| (id.clone(), testcase_output(latest, id)))
        .collect();
    for id in latest.records.keys() {
        testcases
            .entry(id.clone())
            .or_insert_with(|| testcase_output(latest, id));
    }
    SubjectOutput {
        result: verdict_code(evaluation.result),
        passed: evaluation.passed.iter().map(|s| (*s).to_owned()).collect(),
        relevant: evaluation
            .relevant
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        best_passed: evaluation.best_passed().map(|v| v.name.clone()),
        validity: evaluation.validity.to_string(),
        summary: evaluation.summary(),
        versions,
        testcases,
    }
}

fn testcase_output(latest: &LatestResults, id: &str) -> TestcaseOutput {
    match latest.record(id) {
        Some(record) => TestcaseOutput {
            result: Some(record.result.code()),
            checked_at: Some(record.checked_at),
            expires_at: Some(record.expires_at),
            report: Some(record.report.clone()),
        },
        None => TestcaseOutput {
            result: None,
            checked_at: None,
            expires_at: None,
            report: None,
        },
    }
}
