//! `scs-cert crds`: print every CRD as YAML (the source of `crds/`).

use clap::Args;
use std::process::ExitCode;

/// Arguments of `scs-cert crds` (none yet).
#[derive(Args, Debug)]
pub struct CrdsArgs {}

/// Runs `scs-cert crds`.
pub fn run(_args: &CrdsArgs) -> ExitCode {
    ExitCode::SUCCESS
}
