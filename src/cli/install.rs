//! `scs-cert install DIR`: copy this binary to DIR/scs-cert. The check Job's init container
//! runs it, so the check image needs no shell and no `cp`.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `scs-cert install`.
#[derive(Args, Debug)]
pub struct InstallArgs {
    /// Directory to copy the binary into (e.g. a shared emptyDir).
    pub dir: PathBuf,
}

/// Runs `scs-cert install`.
pub fn run(args: &InstallArgs) -> ExitCode {
    let target = args.dir.join("scs-cert");
    let result = std::env::current_exe().and_then(|source| {
        std::fs::copy(&source, &target)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755))
    });
    match result {
        Ok(()) => {
            println!("installed {}", target.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!(
                "scs-cert install: cannot copy to {}: {err}",
                target.display()
            );
            ExitCode::FAILURE
        }
    }
}
