//! `scs-cert crds`: print every CRD as YAML (the source of `crds/`), or write one file per
//! CRD into a directory.

use crate::api::crd::{all_crds, crd_file_name, crd_yaml};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `scs-cert crds`.
#[derive(Args, Debug)]
pub struct CrdsArgs {
    /// Write `<name>.yaml` per CRD into this directory instead of printing to stdout.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

/// Runs `scs-cert crds`.
pub fn run(args: &CrdsArgs) -> ExitCode {
    for crd in all_crds() {
        let yaml = match crd_yaml(&crd) {
            Ok(yaml) => yaml,
            Err(err) => {
                eprintln!("scs-cert crds: cannot serialise CRD: {err}");
                return ExitCode::FAILURE;
            }
        };
        match &args.output_dir {
            None => print!("{yaml}"),
            Some(dir) => {
                let path = dir.join(crd_file_name(&crd));
                if let Err(err) = std::fs::write(&path, yaml) {
                    eprintln!("scs-cert crds: cannot write {}: {err}", path.display());
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}
