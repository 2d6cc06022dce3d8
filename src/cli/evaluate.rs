//! `scs-cert evaluate`: offline evaluation of reports against a scope spec, JSON out.

use clap::Args;
use std::path::PathBuf;
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

/// Runs `scs-cert evaluate`.
pub fn run(_args: &EvaluateArgs) -> ExitCode {
    eprintln!("not implemented yet");
    ExitCode::from(2)
}
