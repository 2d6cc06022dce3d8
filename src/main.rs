//! `scs-cert`: the single binary of scs-cert-operator. CLI parsing only; every subcommand
//! is implemented in `scs_cert_operator::cli`.

use clap::{Parser, Subcommand};
use scs_cert_operator::cli;
use std::process::ExitCode;

/// Sovereign Cloud Stack certification: operator, check driver and offline tools.
#[derive(Parser)]
#[command(name = "scs-cert", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print all CustomResourceDefinitions as YAML (the source of `crds/`).
    Crds(cli::crds::CrdsArgs),
    /// Work with scope specs (scope YAML files).
    Spec(cli::spec::SpecArgs),
    /// Evaluate reports against a scope spec at a given time; prints JSON.
    Evaluate(cli::evaluate::EvaluateArgs),
    /// Run the SCS conformance checks of a scope spec (drop-in for scs-compliance-check.py).
    Check(cli::check::CheckArgs),
    /// Job-side wrapper: run a check command, then upload its report to the operator.
    Run(cli::run::RunArgs),
    /// Run the operator: controllers and the HTTP server (report intake, health).
    Operator(cli::operator::OperatorArgs),
    /// Native SCS checks printing `<testcase>: PASS|FAIL|ABORT` (e.g. `probe kaas version-policy`).
    Probe(cli::probe::ProbeArgs),
    /// Copy this binary into a directory (the check Job's init container).
    #[command(hide = true)]
    Install(cli::install::InstallArgs),
    /// Development only: run Jobs as local processes on a control plane without nodes.
    #[command(hide = true)]
    LocalExecutor(cli::local_executor::LocalExecutorArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Crds(args) => cli::crds::run(&args),
        Command::Spec(args) => cli::spec::run(&args),
        Command::Evaluate(args) => cli::evaluate::run(&args),
        Command::Check(args) => cli::check::run(&args),
        Command::Run(args) => cli::run::run(&args),
        Command::Operator(args) => cli::operator::run(&args),
        Command::Probe(args) => cli::probe::run(&args),
        Command::Install(args) => cli::install::run(&args),
        Command::LocalExecutor(args) => cli::local_executor::run(&args),
    }
}
