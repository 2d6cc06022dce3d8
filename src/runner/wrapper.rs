//! `scs-cert run`: run the check command, then deliver its report to the operator, or a
//! failure record saying why there is none; leave a termination message for Kubernetes.
//!
//! Exit codes ([`RunExit`]): 0 only when a report was delivered (failing testcases are
//! verdicts, not Job failures).

use crate::report::parse_report_stream;
use crate::runner::command::{CommandEnd, CommandLimits, CommandOutcome, run_command};
use crate::runner::duration::format_duration;
use crate::runner::failure_record::FailureRecord;
use crate::runner::process_group::{Interrupts, signal_name};
use crate::runner::retry::{Answer, RetryPolicy};
use crate::runner::termination_message::{TerminationMessage, write_termination_message};
use crate::runner::token::read_token_file;
use crate::runner::upload::{BodyKind, UploadError, UploadSettings, UploadTarget, Uploader};
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Upload budget left after SIGTERM: Kubernetes kills the pod 30 s after it by default.
const BUDGET_AFTER_INTERRUPT: Duration = Duration::from_secs(15);

/// Everything `scs-cert run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The check command and its arguments.
    pub command: Vec<OsString>,
    /// The report file the command writes.
    pub report: PathBuf,
    /// Base URL of the operator's intake.
    pub server: String,
    /// Namespace of the CloudCertification.
    pub namespace: String,
    /// Name of the CloudCertification.
    pub name: String,
    /// Id of the run.
    pub run_id: String,
    /// File holding the bearer token.
    pub token_file: PathBuf,
    /// Extra CA certificates (PEM) for an https intake.
    pub ca_file: Option<PathBuf>,
    /// Total time for delivering (all attempts and backoff).
    pub upload_timeout: Duration,
    /// Limit of one request.
    pub request_timeout: Duration,
    /// Limit for connecting.
    pub connect_timeout: Duration,
    /// Kill the command after this long (`None`: no limit).
    pub command_timeout: Option<Duration>,
    /// Between SIGTERM and SIGKILL.
    pub kill_grace: Duration,
    /// Where Kubernetes reads the termination message.
    pub termination_message_path: PathBuf,
    /// Compress the report (`Content-Encoding: gzip`).
    pub gzip: bool,
    /// Output lines kept for the failure record.
    pub tail_lines: usize,
}

/// Exit codes of `scs-cert run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunExit {
    /// The report was delivered (201 stored, or 200 already stored).
    Delivered = 0,
    /// The runtime could not be set up.
    Internal = 1,
    /// Bad configuration (URL, token file, CA file, stale report); the command did not run.
    Config = 3,
    /// No report; the failure record was delivered.
    NoReport = 4,
    /// No report, and the failure record could not be delivered either.
    NoReportUndelivered = 5,
    /// The intake refused the report for good (401/403/413/422/other 4xx).
    ReportRefused = 6,
    /// A different report is already stored for this run (409).
    ReportConflict = 7,
    /// The intake stayed unreachable or failing within the upload budget.
    ReportUndelivered = 8,
}

fn note(message: impl std::fmt::Display) {
    eprintln!("scs-cert run: {message}");
}

/// Runs `scs-cert run` and returns the process exit code.
pub fn main(options: &RunOptions) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let (exit, message) = match runtime {
        Ok(runtime) => runtime.block_on(run_wrapper(options)),
        Err(error) => (
            RunExit::Internal,
            failed(format!("cannot start the runtime: {error}")),
        ),
    };
    if let Some(error) = &message.error {
        note(error);
    }
    if let Err(error) = write_termination_message(&options.termination_message_path, &message) {
        note(format!(
            "cannot write the termination message to {}: {error}",
            options.termination_message_path.display()
        ));
    }
    ExitCode::from(exit as u8)
}

fn failed(error: String) -> TerminationMessage {
    TerminationMessage {
        delivered: None,
        sha256: None,
        bytes: None,
        status: None,
        error: Some(error),
    }
}

/// Hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The whole wrapper run: the exit code and the termination message to leave.
pub async fn run_wrapper(options: &RunOptions) -> (RunExit, TerminationMessage) {
    let uploader = match prepare(options) {
        Ok(uploader) => uploader,
        Err(error) => return (RunExit::Config, failed(error)),
    };
    let Some((program, args)) = options.command.split_first() else {
        return (
            RunExit::Config,
            failed("no command given (scs-cert run [OPTIONS] -- COMMAND [ARGS...])".into()),
        );
    };
    let mut interrupts = match Interrupts::install() {
        Ok(interrupts) => interrupts,
        Err(error) => {
            return (
                RunExit::Internal,
                failed(format!("cannot install signal handlers: {error}")),
            );
        }
    };
    let limits = CommandLimits {
        timeout: options.command_timeout,
        kill_grace: options.kill_grace,
        tail_lines: options.tail_lines,
    };
    let outcome = run_command(program, args, limits, &mut interrupts).await;
    note(format!("command ended: {}", describe_end(&outcome)));
    let budget = if outcome.interrupted.is_some() {
        options.upload_timeout.min(BUDGET_AFTER_INTERRUPT)
    } else {
        options.upload_timeout
    };
    match read_report(&options.report) {
        Ok(report) => deliver_report(options, &uploader, &outcome, &report, budget).await,
        Err(problem) => {
            let reason = no_report_reason(options, &outcome, &problem);
            deliver_failure(options, &uploader, &outcome, reason, budget).await
        }
    }
}

/// Checks everything that can be checked before the command runs.
fn prepare(options: &RunOptions) -> Result<Uploader, String> {
    let target = UploadTarget::new(
        &options.server,
        &options.namespace,
        &options.name,
        &options.run_id,
    )
    .map_err(|e| e.to_string())?;
    // Fail fast: a check that runs for an hour is useless if its report cannot be sent.
    read_token_file(&options.token_file).map_err(|e| e.to_string())?;
    let settings = UploadSettings {
        token_file: options.token_file.clone(),
        ca_file: options.ca_file.clone(),
        connect_timeout: options.connect_timeout,
        request_timeout: options.request_timeout,
        policy: RetryPolicy::with_budget(options.upload_timeout),
        gzip: options.gzip,
    };
    let uploader = Uploader::new(target, settings).map_err(|e| e.to_string())?;
    // A report left from an earlier attempt must never be sent as this run's.
    match std::fs::remove_file(&options.report) {
        Ok(()) => note(format!(
            "removed a stale report at {}",
            options.report.display()
        )),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            return Err(format!(
                "cannot remove the stale report {}: {error}",
                options.report.display()
            ));
        }
    }
    Ok(uploader)
}

/// Why the report file cannot be delivered as a report.
enum ReportProblem {
    Missing,
    Unreadable(String),
    Invalid(String),
}

fn read_report(path: &Path) -> Result<Vec<u8>, ReportProblem> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReportProblem::Missing);
        }
        Err(error) => return Err(ReportProblem::Unreadable(error.to_string())),
    };
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| ReportProblem::Invalid(format!("not UTF-8: {e}")))?;
    // Checked here so that a broken report becomes a failure record with a clear reason.
    match parse_report_stream(text) {
        Ok(reports) if reports.len() == 1 => Ok(bytes),
        Ok(reports) => Err(ReportProblem::Invalid(format!(
            "expected exactly one report document, found {}",
            reports.len()
        ))),
        Err(error) => Err(ReportProblem::Invalid(error.to_string())),
    }
}

fn describe_end(outcome: &CommandOutcome) -> String {
    let mut text = match &outcome.end {
        CommandEnd::NotStarted(error) => format!("not started ({error})"),
        CommandEnd::Exited(code) => format!("exit code {code}"),
        CommandEnd::Signalled(signal) => format!("killed by {}", signal_name(*signal)),
    };
    if outcome.timed_out {
        text.push_str(" after --command-timeout");
    }
    if let Some(signal) = outcome.interrupted {
        text.push_str(&format!(
            " after scs-cert run received {}",
            signal_name(signal)
        ));
    }
    text
}

fn no_report_reason(
    options: &RunOptions,
    outcome: &CommandOutcome,
    problem: &ReportProblem,
) -> String {
    let report = options.report.display();
    let how = match (&outcome.end, outcome.timed_out, outcome.interrupted) {
        (CommandEnd::NotStarted(error), _, _) => {
            return format!("the check command could not be started: {error}");
        }
        (_, true, _) => format!(
            "the check command timed out after {} (--command-timeout)",
            options
                .command_timeout
                .map(format_duration)
                .unwrap_or_default()
        ),
        (_, _, Some(signal)) => format!(
            "the check command was stopped because scs-cert run received {} (pod termination)",
            signal_name(signal)
        ),
        (CommandEnd::Exited(code), _, _) => format!("the check command exited with code {code}"),
        (CommandEnd::Signalled(signal), _, _) => {
            format!("the check command was killed by {}", signal_name(*signal))
        }
    };
    match problem {
        ReportProblem::Missing => format!("{how} without writing the report {report}"),
        ReportProblem::Unreadable(error) => {
            format!("{how}; its report {report} cannot be read: {error}")
        }
        ReportProblem::Invalid(error) => {
            format!("{how}; its report {report} is not a valid report: {error}")
        }
    }
}

async fn deliver_report(
    options: &RunOptions,
    uploader: &Uploader,
    outcome: &CommandOutcome,
    report: &[u8],
    budget: Duration,
) -> (RunExit, TerminationMessage) {
    let sha256 = sha256_hex(report);
    note(format!(
        "delivering the report ({} bytes, sha256 {sha256}) to {}",
        report.len(),
        uploader.url(BodyKind::Report)
    ));
    match uploader
        .deliver(BodyKind::Report, report, budget, &|m| note(m))
        .await
    {
        Ok(delivered) => {
            let how = if delivered.status == 200 {
                "it was already stored"
            } else {
                "stored"
            };
            note(format!(
                "report delivered: {how} (HTTP {})",
                delivered.status
            ));
            (
                RunExit::Delivered,
                TerminationMessage {
                    delivered: Some("report"),
                    sha256: Some(sha256),
                    bytes: Some(report.len()),
                    status: Some(delivered.status),
                    error: None,
                },
            )
        }
        Err(error) => {
            let exit = match &error {
                UploadError::Rejected {
                    answer: Answer::Conflict,
                    ..
                } => RunExit::ReportConflict,
                UploadError::Rejected { .. } => RunExit::ReportRefused,
                UploadError::Token(_) => RunExit::Config,
                UploadError::GaveUp { .. } => RunExit::ReportUndelivered,
            };
            let text = format!("the report was not delivered: {error}");
            // The operator should learn why a report it will never see is missing.
            if let UploadError::Rejected {
                answer: Answer::TooLarge | Answer::Malformed,
                ..
            } = &error
            {
                let _ = deliver_failure(options, uploader, outcome, text.clone(), budget).await;
            }
            (exit, failed(text))
        }
    }
}

async fn deliver_failure(
    options: &RunOptions,
    uploader: &Uploader,
    outcome: &CommandOutcome,
    reason: String,
    budget: Duration,
) -> (RunExit, TerminationMessage) {
    note(format!("no report to deliver: {reason}"));
    let record = FailureRecord {
        reason: reason.clone(),
        exit_code: match outcome.end {
            CommandEnd::Exited(code) => Some(code),
            _ => None,
        },
        signal: match outcome.end {
            CommandEnd::Signalled(signal) => Some(signal_name(signal)),
            _ => None,
        },
        timed_out: outcome.timed_out,
        command: options
            .command
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        output_tail: outcome.tail.lines(),
        output_lines_total: outcome.tail.total_lines(),
    };
    let body = record.to_bounded_json();
    let sha256 = sha256_hex(&body);
    match uploader
        .deliver(BodyKind::Failure, &body, budget, &|m| note(m))
        .await
    {
        Ok(delivered) => {
            note(format!(
                "failure record delivered (HTTP {})",
                delivered.status
            ));
            (
                RunExit::NoReport,
                TerminationMessage {
                    delivered: Some("failure"),
                    sha256: Some(sha256),
                    bytes: Some(body.len()),
                    status: Some(delivered.status),
                    error: Some(reason),
                },
            )
        }
        Err(error) => (
            RunExit::NoReportUndelivered,
            failed(format!(
                "{reason}; the failure record was not delivered either: {error}"
            )),
        ),
    }
}
