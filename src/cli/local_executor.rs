//! `scs-cert local-executor`: plays kubelet + job controller for the operator's Jobs on a
//! control plane without nodes (tests and `make run`). Not for production clusters.

use clap::Args;
use std::process::ExitCode;

/// Arguments of `scs-cert local-executor`.
#[derive(Args, Debug)]
pub struct LocalExecutorArgs {}

/// Runs `scs-cert local-executor`.
pub fn run(_args: &LocalExecutorArgs) -> ExitCode {
    eprintln!("not implemented yet");
    ExitCode::from(2)
}
