//! `scs-cert spec validate`: load and validate scope specs, human-readable errors.

use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `scs-cert spec`.
#[derive(Args, Debug)]
pub struct SpecArgs {
    #[command(subcommand)]
    pub command: SpecCommand,
}

/// Subcommands of `scs-cert spec`.
#[derive(Subcommand, Debug)]
pub enum SpecCommand {
    /// Load and validate scope spec files; exit 0 when all are valid (warnings are printed),
    /// 1 with every error otherwise.
    Validate {
        /// Scope spec YAML files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Runs `scs-cert spec`.
pub fn run(_args: &SpecArgs) -> ExitCode {
    eprintln!("not implemented yet");
    ExitCode::from(2)
}
