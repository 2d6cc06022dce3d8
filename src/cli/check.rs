//! `scs-cert check`: the check driver, same flags, report and exit code as upstream
//! `scs-compliance-check.py`. This file only maps arguments; the logic is in
//! `crate::runner::check_driver`.

use crate::runner::check_driver::{self, CheckOptions};
use crate::runner::duration::{DurationError, parse_duration};
use clap::{ArgAction, Args};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `scs-cert check`.
#[derive(Args, Debug)]
#[command(args_override_self = true, infer_long_args = true)]
pub struct CheckArgs {
    /// Scope spec (YAML) to check against; scripts run in its directory.
    #[arg(value_name = "SPEC_YAML")]
    pub spec: PathBuf,
    /// More verbose output (echo script output; twice: debug logging).
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,
    /// Don't output anything but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Enable debug logging.
    #[arg(long)]
    pub debug: bool,
    /// Check the versions valid on this date instead of today (UTC).
    #[arg(
        short = 'd',
        long = "date",
        value_name = "YYYY-MM-DD",
        allow_hyphen_values = true
    )]
    pub date: Option<String>,
    /// Force this version of the scope, ignoring the timeline.
    #[arg(
        short = 'V',
        long = "version",
        value_name = "VERS",
        allow_hyphen_values = true
    )]
    pub version: Option<String>,
    /// Name of the subject (cloud) under test, for the report (required).
    #[arg(short, long, value_name = "SUBJECT", allow_hyphen_values = true)]
    pub subject: Option<String>,
    /// Comma-separated sections to test (default: all testcases).
    #[arg(
        short = 'S',
        long,
        value_name = "SECTION_LIST",
        allow_hyphen_values = true
    )]
    pub sections: Option<String>,
    /// Regex selecting testcases by id (matched at the start of the id).
    #[arg(short, long, value_name = "REGEX", allow_hyphen_values = true)]
    pub tests: Option<String>,
    /// Write the YAML report to this file.
    #[arg(
        short,
        long,
        value_name = "REPORT_FILEPATH",
        allow_hyphen_values = true
    )]
    pub output: Option<PathBuf>,
    /// Only critical problems count towards the exit code.
    #[arg(short = 'C', long)]
    pub critical_only: bool,
    /// Assign a variable used by the scripts (repeatable; assigning a key twice is an error).
    #[arg(
        short,
        long = "assign",
        value_name = "KEY=VALUE",
        allow_hyphen_values = true
    )]
    pub assign: Vec<String>,
    /// Resolve executables and run scripts in this directory instead of the spec file's
    /// (not upstream; for a spec mounted apart from the scripts).
    #[arg(long, value_name = "DIR")]
    pub scripts_dir: Option<PathBuf>,
    /// Interpreter for `.py` executables (not upstream: it uses its own interpreter).
    #[arg(
        long,
        value_name = "PATH",
        default_value = "python3",
        env = "SCS_CERT_PYTHON"
    )]
    pub python: OsString,
    /// Kill a script's whole process group after this long and record a CRITICAL line
    /// (not upstream; default: no timeout). Examples: 90s, 30m, 2h.
    #[arg(long, value_name = "DURATION")]
    pub script_timeout: Option<String>,
    /// Time between SIGTERM and SIGKILL when a script is killed (not upstream).
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub kill_grace: String,
    /// Lines of stdout and of stderr kept per script in the report; verdict lines are always
    /// kept and counting sees every line; 0 keeps everything (not upstream).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_lines_per_stream: usize,
}

/// Runs `scs-cert check`.
pub fn run(args: &CheckArgs) -> ExitCode {
    let durations = parse_durations(args);
    let (script_timeout, kill_grace) = match durations {
        Ok(pair) => pair,
        Err(error) => {
            eprintln!("CRITICAL: {error}");
            return ExitCode::from(1);
        }
    };
    let options = CheckOptions {
        spec_path: args.spec.clone(),
        scripts_dir: args.scripts_dir.clone(),
        subject: args.subject.clone(),
        date: args.date.clone(),
        version: args.version.clone(),
        sections: args.sections.clone(),
        tests: args.tests.clone(),
        output: args.output.clone(),
        critical_only: args.critical_only,
        assign: args.assign.clone(),
        verbose: args.verbose,
        quiet: args.quiet,
        debug: args.debug,
        python: args.python.clone(),
        script_timeout,
        kill_grace,
        max_lines_per_stream: args.max_lines_per_stream,
        argv: argv_after_subcommand("check"),
    };
    check_driver::main(&options)
}

fn parse_durations(args: &CheckArgs) -> Result<(Option<Duration>, Duration), DurationError> {
    let timeout = args
        .script_timeout
        .as_deref()
        .map(parse_duration)
        .transpose()?;
    Ok((timeout, parse_duration(&args.kill_grace)?))
}

/// The process arguments after the subcommand name (upstream records `sys.argv[1:]`).
pub(crate) fn argv_after_subcommand(subcommand: &str) -> Vec<String> {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match args.iter().position(|a| a == subcommand) {
        Some(at) => args
            .get(at + 1..)
            .map(<[String]>::to_vec)
            .unwrap_or_default(),
        None => args,
    }
}
