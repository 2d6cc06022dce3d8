//! Helpers shared by the runner integration tests: the built binary, fixture paths, running
//! `scs-cert` as a real process, and a tiny intake server (axum on 127.0.0.1).

#![allow(dead_code)]

pub mod intake;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `scs-cert` binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_scs-cert")
}

/// `tests/fixtures/runner/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runner")
        .join(rel)
}

/// Runs `scs-cert <args>` in `cwd` and waits for it.
pub fn scs_cert(cwd: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("SCS_CERT_PYTHON")
        .output()
        .expect("scs-cert starts")
}

/// Exit code, stdout and stderr of a finished process, as text.
pub fn parts(output: &Output) -> (i32, String, String) {
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Whether a process with this pid still exists (and is not a zombie).
pub fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            // The state follows the parenthesised command name.
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        }
        Err(_) => false,
    }
}

/// Whether `python3` with PyYAML is available (for upstream-loadability checks).
pub fn python_has_yaml() -> bool {
    Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success())
}
