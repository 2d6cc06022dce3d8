//! `scs-cert check`: the drop-in driver for upstream `scs-compliance-check.py` (DOMAIN 3).
//!
//! Order of work, as upstream: options, subject, spec, assignment, variables, validity,
//! versions, testcases; then every script once, in spec order; then console summary, report
//! and exit code. Everything that can be checked before a script runs is checked first.

use crate::report::Invocation;
use crate::results::Verdict;
use crate::runner::assignment::{
    AssignmentError, effective_assignment, missing_variables, parse_assignments,
};
use crate::runner::capture::{LineCap, StreamCapture};
use crate::runner::console::{Log, title, version_summary};
use crate::runner::duration::format_duration;
use crate::runner::exit_code::exit_code;
use crate::runner::invocation::{InvocationPlan, TemplateFailure, plan_invocation};
use crate::runner::parse_output::ResultCollector;
use crate::runner::process::{Limits, RunError, run_captured};
use crate::runner::process_group::{Interrupts, describe_launch_error, signal_name};
use crate::runner::report_writer::{
    ReportFileError, RunParameters, build_report, report_spec, write_report_file,
};
use crate::runner::selection::{
    SelectionError, TestcaseFilter, collect_testcases, parse_sections, select_versions,
};
use crate::scope::{LoadFileError, ScopeSpec, load_file};
use indexmap::IndexMap;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Everything `scs-cert check` was asked to do (the CLI maps its flags onto this).
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The scope spec file.
    pub spec_path: PathBuf,
    /// Where executables are resolved and scripts run (default: the spec file's directory).
    pub scripts_dir: Option<PathBuf>,
    /// `-s`; required and not empty.
    pub subject: Option<String>,
    /// `-d` as given (`YYYY-MM-DD`); default: today (UTC).
    pub date: Option<String>,
    /// `-V`.
    pub version: Option<String>,
    /// `-S` as given (comma-separated).
    pub sections: Option<String>,
    /// `-t` regex source.
    pub tests: Option<String>,
    /// `-o`.
    pub output: Option<PathBuf>,
    /// `-C`.
    pub critical_only: bool,
    /// `-a` values in order.
    pub assign: Vec<String>,
    /// Number of `-v`.
    pub verbose: u8,
    /// `-q`.
    pub quiet: bool,
    /// `--debug`.
    pub debug: bool,
    /// Interpreter for `.py` executables.
    pub python: OsString,
    /// Per-script timeout (`None`: none, as upstream).
    pub script_timeout: Option<Duration>,
    /// Between SIGTERM and SIGKILL when a script is killed.
    pub kill_grace: Duration,
    /// Lines kept per stream in the report (`0`: all).
    pub max_lines_per_stream: usize,
    /// The arguments as given, for `run.argv` in the report.
    pub argv: Vec<String>,
}

/// Why a check run stopped without a result (exit code 1, or 128 + signal when interrupted).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// No or empty `-s`.
    #[error("You need pass --subject=SUBJECT.")]
    MissingSubject,
    /// `-d` is not a date.
    #[error("invalid date {value:?} for -d/--date: {reason}")]
    InvalidDate {
        /// The text given.
        value: String,
        /// Parser message.
        reason: String,
    },
    /// `-t` is not a regex.
    #[error("invalid regex {pattern:?} for -t/--tests: {source}")]
    InvalidRegex {
        /// The pattern given.
        pattern: String,
        /// Compiler message.
        source: regex::Error,
    },
    /// A bad `-a`.
    #[error(transparent)]
    Assignment(#[from] AssignmentError),
    /// The spec cannot be read or is invalid (details are logged as errors first).
    #[error("{0}")]
    Spec(String),
    /// Declared variables without a value.
    #[error("Missing variable assignments (via -a) for: {}", .0.join(", "))]
    MissingVariables(Vec<String>),
    /// Version or testcase selection failed.
    #[error(transparent)]
    Selection(#[from] SelectionError),
    /// A script template cannot be formatted.
    #[error(transparent)]
    Template(#[from] TemplateFailure),
    /// The report cannot be produced.
    #[error(transparent)]
    Report(#[from] ReportFileError),
    /// The async runtime or signal handlers cannot be set up.
    #[error("cannot set up the runtime: {0}")]
    Runtime(std::io::Error),
    /// A script cannot be waited for.
    #[error("waiting for {cmd:?} failed: {source}")]
    Wait {
        /// The display command.
        cmd: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// SIGINT/SIGTERM arrived; the running script got it too; no report is written.
    #[error("interrupted by {} while running {cmd:?}; no report written", signal_name(*.signal))]
    Interrupted {
        /// The signal number.
        signal: i32,
        /// The display command of the script that was running.
        cmd: String,
    },
}

impl CheckError {
    /// Process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CheckError::Interrupted { signal, .. } => u8::try_from(128 + signal).unwrap_or(1),
            _ => 1,
        }
    }
}

/// Runs `scs-cert check` and maps the outcome to the process exit code.
pub fn main(options: &CheckOptions) -> ExitCode {
    let log = Log::from_flags(options.verbose, options.quiet, options.debug);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let outcome = match runtime {
        Ok(runtime) => runtime.block_on(run_check(options, &log)),
        Err(error) => Err(CheckError::Runtime(error)),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            log.critical(&error);
            ExitCode::from(error.exit_code())
        }
    }
}

fn today_utc() -> Date {
    TimeZone::UTC.to_datetime(Timestamp::now()).date()
}

/// The whole check run; `Ok` carries the exit code of the formula (DOMAIN 3.8).
pub async fn run_check(options: &CheckOptions, log: &Log) -> Result<u8, CheckError> {
    let subject = options
        .subject
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or(CheckError::MissingSubject)?;
    let check_date = match &options.date {
        Some(text) => text
            .trim()
            .parse::<Date>()
            .map_err(|e| CheckError::InvalidDate {
                value: text.clone(),
                reason: e.to_string(),
            })?,
        None => today_utc(),
    };
    let sections = options.sections.as_deref().map(parse_sections);
    let tests = match &options.tests {
        Some(pattern) => {
            Some(
                regex::Regex::new(pattern).map_err(|source| CheckError::InvalidRegex {
                    pattern: pattern.clone(),
                    source,
                })?,
            )
        }
        None => None,
    };
    let cli_assignment = parse_assignments(&options.assign)?;
    let spec = load_spec(&options.spec_path, log)?;
    let assignment = effective_assignment(&spec.variables, &cli_assignment);
    let missing = missing_variables(&spec.variables, &assignment);
    if !missing.is_empty() {
        return Err(CheckError::MissingVariables(missing));
    }
    if spec.prerequisite.is_some() {
        log.warning("prerequisite not yet implemented!");
    }
    let forced = options.version.as_deref();
    let versions = select_versions(&spec, check_date, forced)?;
    let filter = TestcaseFilter {
        sections: sections.clone(),
        tests,
    };
    let selections = collect_testcases(&spec, &versions, &filter)?;
    let spec_name = spec
        .name
        .clone()
        .ok_or(ReportFileError::MissingSpecKey("name"))?;
    // Upstream finds a missing uuid/url only after all scripts ran; we refuse up front.
    let report_identity = match options.output {
        Some(_) => Some(report_spec(&spec)?),
        None => None,
    };
    let spec_dir = match &options.scripts_dir {
        Some(dir) => std::path::absolute(dir).unwrap_or_else(|_| dir.clone()),
        None => spec_directory(&options.spec_path),
    };
    let plans = selections
        .iter()
        .filter_map(|selection| {
            spec.scripts.get(selection.script).map(|script| {
                plan_invocation(
                    script,
                    &selection.testcases,
                    &assignment,
                    &spec_dir,
                    &options.python,
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let limits = Limits {
        timeout: options.script_timeout,
        kill_grace: options.kill_grace,
    };
    let cap = LineCap::from_count(options.max_lines_per_stream);
    let mut interrupts = Interrupts::install().map_err(CheckError::Runtime)?;
    let mut invocations = Vec::with_capacity(plans.len());
    let mut echoed = false;
    for plan in &plans {
        log.debug(format!("running {:?}...", plan.cmd));
        let invocation = invoke(plan, &spec_dir, limits, cap, &mut interrupts, log).await?;
        let mut stdout = std::io::stdout().lock();
        if options.verbose > 0 && !invocation.stdout.is_empty() {
            let _ = writeln!(stdout, "{}", invocation.stdout.join("\n"));
            echoed = true;
        }
        // As upstream: stderr is echoed whenever the script failed, even with -q.
        if invocation.rc != 0 || (options.verbose > 0 && !invocation.stderr.is_empty()) {
            let _ = writeln!(stdout, "{}", invocation.stderr.join("\n"));
            echoed = true;
        }
        let _ = stdout.flush();
        log.debug(format!(
            ".. rc {}, {} critical, {} error",
            invocation.rc, invocation.critical, invocation.error
        ));
        invocations.push(invocation);
    }

    let mut results: IndexMap<String, Verdict> = IndexMap::new();
    for invocation in &invocations {
        for (id, verdict) in &invocation.results {
            results.insert(id.clone(), *verdict);
        }
    }
    if !options.quiet {
        let heading = title(&spec_name, sections.as_deref(), options.tests.as_deref());
        let mut text = String::new();
        if echoed {
            text.push_str(&"*".repeat(80));
            text.push('\n');
        }
        for version in &versions {
            text.push_str(&version_summary(
                &spec,
                subject,
                &heading,
                version,
                &results,
                filter.is_partial(),
                options.verbose > 0,
            ));
        }
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }
    if let (Some(path), Some(identity)) = (&options.output, report_identity) {
        let parameters = RunParameters {
            argv: options.argv.clone(),
            assignment: cli_assignment,
            sections,
            forced_version: forced.filter(|v| !v.is_empty()).map(str::to_string),
            forced_tests: options.tests.clone(),
        };
        let report = build_report(
            identity,
            subject,
            check_date,
            Timestamp::now(),
            parameters,
            uuid::Uuid::new_v4().to_string(),
            invocations.clone(),
        );
        write_report_file(path, &report)?;
    }
    Ok(exit_code(&invocations, options.critical_only))
}

fn load_spec(path: &Path, log: &Log) -> Result<ScopeSpec, CheckError> {
    match load_file(path) {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                log.debug(format!("{}: {warning}", path.display()));
            }
            Ok(loaded.spec)
        }
        Err(LoadFileError::Invalid(invalid)) => {
            for error in &invalid.errors {
                log.error(format!("{}: {error}", path.display()));
            }
            Err(CheckError::Spec(format!(
                "syntax problems in spec file {}: {} error(s). bailing",
                path.display(),
                invalid.errors.len()
            )))
        }
        Err(other) => Err(CheckError::Spec(other.to_string())),
    }
}

/// Directory of the spec file, absolute (upstream: `dirname(spec)` or the current directory).
fn spec_directory(spec_path: &Path) -> PathBuf {
    let dir = spec_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

async fn invoke(
    plan: &InvocationPlan,
    spec_dir: &Path,
    limits: Limits,
    cap: LineCap,
    interrupts: &mut Interrupts,
    log: &Log,
) -> Result<Invocation, CheckError> {
    let collector = ResultCollector::new(plan.testcases.iter().map(String::as_str));
    let mut stdout = StreamCapture::stdout(cap, collector);
    let mut stderr = StreamCapture::stderr(cap);
    let rc = match &plan.launch {
        Ok(launch) => {
            match run_captured(
                launch,
                &plan.env,
                spec_dir,
                limits,
                &mut stdout,
                &mut stderr,
                interrupts,
            )
            .await
            {
                Ok(finished) => {
                    if let Some(signal) = finished.interrupted {
                        return Err(CheckError::Interrupted {
                            signal,
                            cmd: plan.cmd.clone(),
                        });
                    }
                    if finished.timed_out {
                        log.error(format!(
                            "{:?} timed out after {}",
                            plan.cmd,
                            limits.timeout.map(format_duration).unwrap_or_default()
                        ));
                    }
                    finished.rc
                }
                Err(RunError::Wait(error)) => {
                    return Err(CheckError::Wait {
                        cmd: plan.cmd.clone(),
                        source: error,
                    });
                }
                Err(RunError::Spawn(error)) => {
                    stderr.push_own_line(&format!(
                        "CRITICAL: {}",
                        describe_launch_error(&error, &launch.program)
                    ));
                    127
                }
            }
        }
        Err(reason) => {
            stderr.push_own_line(&format!("CRITICAL: {reason}"));
            127
        }
    };
    let counts = stdout.counts().plus(stderr.counts());
    let results = stdout.take_verdicts().unwrap_or_default();
    let (ignored, ignored_total) = results.ignored();
    for id in ignored {
        log.warning(format!("ignoring invalid result id: {id}"));
    }
    if ignored_total > ignored.len() as u64 {
        log.warning(format!(
            "ignoring {} more invalid result ids",
            ignored_total - ignored.len() as u64
        ));
    }
    let stdout = stdout.into_captured();
    let stderr = stderr.into_captured();
    for (name, stream) in [("stdout", &stdout), ("stderr", &stderr)] {
        if stream.had_invalid_utf8 {
            log.warning(format!(
                "{:?} wrote bytes to {name} that are not UTF-8; they were replaced by U+FFFD",
                plan.cmd
            ));
        }
        if stream.omitted_lines > 0 {
            log.info(format!(
                "{:?}: kept {} of {} {name} lines in the report (--max-lines-per-stream)",
                plan.cmd,
                stream.lines.len().saturating_sub(1),
                stream.total_lines
            ));
        }
    }
    Ok(Invocation {
        id: uuid::Uuid::new_v4().to_string(),
        cmd: plan.cmd.clone(),
        results: results.into_results(),
        rc,
        stdout: stdout.lines,
        stderr: stderr.lines,
        info: counts.info,
        warning: counts.warning,
        error: counts.error,
        critical: counts.critical,
    })
}
