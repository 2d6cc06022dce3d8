//! `scs-cert check`: the check driver, same flags, report and exit code as upstream
//! `scs-compliance-check.py`.

use clap::Args;
use std::process::ExitCode;

/// Arguments of `scs-cert check`.
#[derive(Args, Debug)]
pub struct CheckArgs {}

/// Runs `scs-cert check`.
pub fn run(_args: &CheckArgs) -> ExitCode {
    eprintln!("not implemented yet");
    ExitCode::from(2)
}
