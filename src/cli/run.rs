//! `scs-cert run`: the Job-side wrapper: runs the check command, then uploads its report.
//! This file only maps arguments (flags or environment variables, so a Job spec can set them
//! either way); the logic is in `crate::runner::wrapper`.

use crate::runner::duration::{DurationError, parse_duration};
use crate::runner::wrapper::{self, RunOptions};
use clap::{ArgAction, Args};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `scs-cert run`.
#[derive(Args, Debug)]
#[command(args_override_self = true)]
pub struct RunArgs {
    /// Report file the command writes (e.g. its `-o`); removed before the command starts.
    #[arg(long, value_name = "PATH", env = "SCS_REPORT")]
    pub report: PathBuf,
    /// Base URL of the operator's report intake.
    #[arg(long, value_name = "URL", env = "SCS_INTAKE_URL")]
    pub server: String,
    /// Namespace of the CloudCertification the run belongs to.
    #[arg(long, value_name = "NAMESPACE", env = "SCS_RUN_NAMESPACE")]
    pub namespace: String,
    /// Name of the CloudCertification the run belongs to.
    #[arg(long, value_name = "NAME", env = "SCS_RUN_NAME")]
    pub name: String,
    /// Id of the run.
    #[arg(long, value_name = "ID", env = "SCS_RUN_ID")]
    pub run_id: String,
    /// File holding the bearer token for the intake (read again before every attempt).
    #[arg(long, value_name = "PATH", env = "SCS_TOKEN_FILE")]
    pub token_file: PathBuf,
    /// PEM file with extra CA certificates for an https intake.
    #[arg(long, value_name = "PATH", env = "SCS_CA_FILE")]
    pub ca_file: Option<PathBuf>,
    /// Total time for delivering, retries and backoff included.
    #[arg(
        long,
        value_name = "DURATION",
        env = "SCS_UPLOAD_TIMEOUT",
        default_value = "5m"
    )]
    pub upload_timeout: String,
    /// Limit of one upload request.
    #[arg(
        long,
        value_name = "DURATION",
        env = "SCS_REQUEST_TIMEOUT",
        default_value = "60s"
    )]
    pub request_timeout: String,
    /// Limit for connecting to the intake.
    #[arg(
        long,
        value_name = "DURATION",
        env = "SCS_CONNECT_TIMEOUT",
        default_value = "10s"
    )]
    pub connect_timeout: String,
    /// Kill the command's process group after this long (default: no limit).
    #[arg(long, value_name = "DURATION", env = "SCS_COMMAND_TIMEOUT")]
    pub command_timeout: Option<String>,
    /// Between SIGTERM and SIGKILL when the command is stopped.
    #[arg(
        long,
        value_name = "DURATION",
        env = "SCS_KILL_GRACE",
        default_value = "10s"
    )]
    pub kill_grace: String,
    /// Where to write the termination message (ignored when not writable).
    #[arg(
        long,
        value_name = "PATH",
        env = "SCS_TERMINATION_MESSAGE_PATH",
        default_value = "/dev/termination-log"
    )]
    pub termination_message_path: PathBuf,
    /// Send the report gzip-compressed (`--gzip false` to send it as is).
    #[arg(long, value_name = "BOOL", env = "SCS_GZIP", default_value_t = true, action = ArgAction::Set)]
    pub gzip: bool,
    /// Output lines kept for the failure record.
    #[arg(long, value_name = "N", env = "SCS_TAIL_LINES", default_value_t = 50)]
    pub tail_lines: usize,
    /// The check command and its arguments.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

/// Runs `scs-cert run`.
pub fn run(args: &RunArgs) -> ExitCode {
    match options(args) {
        Ok(options) => wrapper::main(&options),
        Err(error) => {
            eprintln!("scs-cert run: {error}");
            ExitCode::from(wrapper::RunExit::Config as u8)
        }
    }
}

fn options(args: &RunArgs) -> Result<RunOptions, DurationError> {
    Ok(RunOptions {
        command: args.command.clone(),
        report: args.report.clone(),
        server: args.server.clone(),
        namespace: args.namespace.clone(),
        name: args.name.clone(),
        run_id: args.run_id.clone(),
        token_file: args.token_file.clone(),
        ca_file: args.ca_file.clone(),
        upload_timeout: parse_duration(&args.upload_timeout)?,
        request_timeout: parse_duration(&args.request_timeout)?,
        connect_timeout: parse_duration(&args.connect_timeout)?,
        command_timeout: args
            .command_timeout
            .as_deref()
            .map(parse_duration)
            .transpose()?,
        kill_grace: parse_duration(&args.kill_grace)?,
        termination_message_path: args.termination_message_path.clone(),
        gzip: args.gzip,
        tail_lines: args.tail_lines,
    })
}
