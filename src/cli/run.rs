//! `scs-cert run`: the Job-side wrapper: runs the check command, then uploads its report.

use clap::Args;
use std::process::ExitCode;

/// Arguments of `scs-cert run`.
#[derive(Args, Debug)]
pub struct RunArgs {}

/// Runs `scs-cert run`.
pub fn run(_args: &RunArgs) -> ExitCode {
    eprintln!("not implemented yet");
    ExitCode::from(2)
}
