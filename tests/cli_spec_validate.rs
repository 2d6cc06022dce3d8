//! `scs-cert spec validate FILE...`: exit codes and the `FILE: error: PATH: MESSAGE` lines.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs/demo.yaml")
}

fn validate(files: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scs-cert"))
        .args(["spec", "validate"])
        .args(files)
        .output()
        .expect("scs-cert runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A copy of the demo with two rule violations and one rule-7 problem.
fn broken_demo(dir: &Path) -> PathBuf {
    let demo = std::fs::read_to_string(demo()).expect("demo readable");
    let broken = demo
        .replacen("    lifetime: day\n", "    lifetme: day\n", 1)
        .replacen("      - demo-0003-v1\n", "      - demo-0003-v9\n", 1)
        .replacen("name: SCS Demo Scope\n", "", 1);
    let path = dir.join("broken.yaml");
    std::fs::write(&path, broken).expect("write");
    path
}

#[test]
fn a_valid_file_exits_0_with_a_summary() {
    let out = validate(&[&demo()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout.lines().next().unwrap_or_default();
    assert!(line.contains("demo.yaml: OK: SCS Demo Scope"), "{line}");
    assert!(
        line.contains("7c3f0f9e-5d0a-4c51-9a36-5c0de0000001"),
        "{line}"
    );
    assert!(line.contains("2 version(s) (v2, v1)"), "{line}");
    assert!(line.contains("6 testcase(s)"), "{line}");
    assert_eq!(text(&out.stderr), "", "no warnings for the demo");
}

#[test]
fn an_invalid_file_exits_1_listing_every_error_with_file_and_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = broken_demo(dir.path());
    let out = validate(&[&broken]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let file = broken.display().to_string();
    let expected = [
        format!("{file}: error: scripts[0].testcases[0]: unknown keyword 'lifetme'"),
        format!(
            "{file}: error: versions[0].include[2]: include references unknown module 'demo-0003-v9'"
        ),
        format!("{file}: warning: (top level): missing top-level key 'name'"),
    ];
    for want in &expected {
        assert!(
            stderr.lines().any(|l| l.starts_with(want.as_str())),
            "missing {want:?} in\n{stderr}"
        );
    }
    assert!(
        text(&out.stdout).is_empty(),
        "no OK line for an invalid file"
    );
}

#[test]
fn every_file_is_checked_and_any_failure_gives_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = broken_demo(dir.path());
    let missing = dir.path().join("missing.yaml");
    let out = validate(&[&broken, &demo(), &missing]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("demo.yaml: OK:"),
        "the valid file is still reported"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}: error: cannot read", missing.display())),
        "{stderr}"
    );
    let upstream = scs_cert_operator::test_support::upstream_fixture("scs-compatible-kaas.yaml");
    let out = validate(&[&demo(), &upstream]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("scs-compatible-kaas.yaml: warning: scripts[2].testcases[0]:")
    );
}
