//! `scs-cert spec validate`: load and validate scope specs, human-readable errors.

use crate::scope::{LoadFileError, LoadedSpec, load_file};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
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
pub fn run(args: &SpecArgs) -> ExitCode {
    match &args.command {
        SpecCommand::Validate { files } => validate(files),
    }
}

/// Validates every file (never stopping at the first bad one); 0 when all are valid, else 1.
/// Warnings and errors go to stderr as `FILE: warning|error: PATH: MESSAGE`; the one-line
/// summary of each valid file goes to stdout.
fn validate(files: &[PathBuf]) -> ExitCode {
    let mut all_valid = true;
    for file in files {
        let shown = file.display();
        match load_file(file) {
            Ok(loaded) => {
                for warning in &loaded.warnings {
                    eprintln!("{shown}: warning: {warning}");
                }
                println!("{}", summary(file, &loaded));
            }
            Err(LoadFileError::Invalid(invalid)) => {
                all_valid = false;
                for error in &invalid.errors {
                    eprintln!("{shown}: error: {error}");
                }
                for warning in &invalid.warnings {
                    eprintln!("{shown}: warning: {warning}");
                }
                eprintln!("{shown}: INVALID: {} error(s)", invalid.errors.len());
            }
            Err(io @ LoadFileError::Io { .. }) => {
                all_valid = false;
                eprintln!("{shown}: error: {io}");
            }
        }
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `FILE: OK: NAME (uuid UUID): N versions (a, b), M testcases, K warnings`.
fn summary(file: &Path, loaded: &LoadedSpec) -> String {
    let spec = &loaded.spec;
    let versions: Vec<&str> = spec.versions.iter().map(|v| v.name.as_str()).collect();
    format!(
        "{}: OK: {} (uuid {}): {} version(s) ({}), {} testcase(s), {} warning(s)",
        file.display(),
        spec.name.as_deref().unwrap_or("<no name>"),
        spec.uuid.as_deref().unwrap_or("<none>"),
        versions.len(),
        versions.join(", "),
        spec.testcases.len(),
        loaded.warnings.len(),
    )
}
