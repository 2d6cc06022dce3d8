//! `scs-cert evaluate` end to end: the real upstream IaaS spec, report fixtures written like the
//! upstream check tool writes them (tests/fixtures/reports/), and every badge situation of
//! DOMAIN 2.6.

use scs_cert_operator::test_support::upstream_fixture;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reports")
        .join(name)
        .display()
        .to_string()
}

fn iaas_spec() -> String {
    upstream_fixture("scs-compatible-iaas.yaml")
        .display()
        .to_string()
}

fn scs_cert(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scs-cert"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("scs-cert starts");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("scs-cert finishes")
}

fn evaluate(at: &str, extra: &[&str], reports: &[&str]) -> Value {
    let spec = iaas_spec();
    let files: Vec<String> = reports.iter().map(|r| fixture(r)).collect();
    let mut args = vec!["evaluate", "--spec", spec.as_str(), "--at", at];
    args.extend_from_slice(extra);
    args.extend(files.iter().map(String::as_str));
    let output = scs_cert(&args, None);
    assert!(
        output.status.success(),
        "exit {:?}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON object")
}

fn names(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect()
}

/// (subject, relevant, passed, result, badge)
fn assert_subject(
    out: &Value,
    subject: &str,
    relevant: &[&str],
    passed: &[&str],
    result: Value,
    badge: &str,
) {
    let s = &out["subjects"][subject];
    assert!(s.is_object(), "subject {subject} missing in {out:#}");
    assert_eq!(names(&s["relevant"]), relevant, "{subject} relevant");
    assert_eq!(names(&s["passed"]), passed, "{subject} passed");
    assert_eq!(s["result"], result, "{subject} result");
    assert_eq!(s["summary"], badge, "{subject} badge");
}

const ON_2025_09_09: &[&str] = &[
    "all-pass.yaml",
    "placement-fail.yaml",
    "backup-abort.yaml",
    "backup-missing.yaml",
    "backup-expired.yaml",
    "syntax-fail.yaml",
    "legacy-all-pass.yaml",
];

#[test]
fn badge_table_of_domain_2_6_on_2025_09_09() {
    let out = evaluate("2025-09-09T12:00:00Z", &[], ON_2025_09_09);
    assert_eq!(out["scope"]["uuid"], "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f");
    assert_eq!(out["scope"]["at"], "2025-09-09T12:00:00Z");
    assert_eq!(
        out["scope"]["validity"],
        serde_json::json!({"next": "draft", "v5.1": "effective", "v4": "deprecated", "v3": "deprecated"})
    );
    assert_subject(&out, "all-pass", &["v5.1"], &["v5.1"], 1.into(), "✅ v5.1");
    assert_subject(
        &out,
        "placement-fail",
        &["v5.1", "v4"],
        &["v4"],
        1.into(),
        "🛑 v4††",
    );
    assert_subject(
        &out,
        "backup-abort",
        &["v5.1"],
        &["v5.1"],
        0.into(),
        "✅* v5.1",
    );
    assert_subject(
        &out,
        "backup-missing",
        &["v5.1"],
        &["v5.1"],
        Value::Null,
        "🟧 v5.1",
    );
    assert_subject(
        &out,
        "backup-expired",
        &["v5.1"],
        &["v5.1"],
        Value::Null,
        "🟧 v5.1",
    );
    assert_subject(
        &out,
        "syntax-fail",
        &["v5.1", "v4", "v3"],
        &[],
        (-1).into(),
        "🛑 –",
    );
    assert_subject(
        &out,
        "legacy-cloud",
        &["v5.1"],
        &["v5.1"],
        1.into(),
        "✅ v5.1",
    );
    assert_eq!(out["subjects"].as_object().map(|m| m.len()), Some(7));

    let placement = &out["subjects"]["placement-fail"];
    assert_eq!(placement["best_passed"], "v4");
    assert_eq!(placement["validity"], "deprecated");
    assert_eq!(placement["versions"]["v5.1"]["result"], -1);
    assert_eq!(
        placement["versions"]["v5.1"]["targets"]["main"]["result"],
        -1
    );
    assert_eq!(placement["versions"]["v4"]["validity"], "deprecated");
    assert_eq!(
        placement["testcases"]["scs-0123-service-placement"]["result"],
        -1
    );
    let syntax = &out["subjects"]["syntax-fail"];
    assert_eq!(syntax["best_passed"], Value::Null);
    assert_eq!(syntax["validity"], "deprecated");
}

#[test]
fn testcase_records_carry_times_and_report() {
    let out = evaluate(
        "2025-09-09T12:00:00Z",
        &[],
        &["all-pass.yaml", "backup-expired.yaml"],
    );
    let record = &out["subjects"]["all-pass"]["testcases"]["scs-0100-syntax-check"];
    assert_eq!(record["result"], 1);
    // naive `2025-09-08 10:15:42.123456` in the report is read as UTC
    assert_eq!(record["checked_at"], "2025-09-08T10:15:42.123456Z");
    // Monday 2025-09-08, weekly: valid through the end of the next calendar week
    assert_eq!(record["expires_at"], "2025-09-22T00:00:00Z");
    assert!(record["report"].as_str().is_some_and(|r| r.len() == 36));
    let expired = &out["subjects"]["backup-expired"]["testcases"]["scs-0117-test-backup"];
    assert_eq!(
        expired,
        &serde_json::json!({"result": null, "checked_at": null, "expires_at": null, "report": null})
    );
}

#[test]
fn everything_passes_with_drafts() {
    let out = evaluate(
        "2025-09-09T12:00:00Z",
        &["--include-drafts"],
        &["all-pass.yaml"],
    );
    assert_subject(
        &out,
        "all-pass",
        &["next", "v5.1"],
        &["next", "v5.1"],
        1.into(),
        "✅ next*, v5.1",
    );
}

#[test]
fn placement_fail_while_v4_warns() {
    let out = evaluate(
        "2025-02-01T12:00:00Z",
        &[],
        &["placement-fail-2025-01-31.yaml"],
    );
    assert_eq!(out["scope"]["validity"]["v4"], "warn");
    assert_eq!(
        out["scope"]["validity"]["next"],
        Value::Null,
        "implicitly deprecated"
    );
    assert_subject(
        &out,
        "placement-fail",
        &["v5.1", "v4"],
        &["v4"],
        1.into(),
        "🟧 v4†",
    );
}

#[test]
fn reports_checked_after_at_are_ignored() {
    // On 2025-02-01 the September reports do not exist yet: the subject has no report.
    let spec = iaas_spec();
    let files = [
        fixture("placement-fail-2025-01-31.yaml"),
        fixture("placement-fail.yaml"),
    ];
    let output = scs_cert(
        &[
            "evaluate",
            "--spec",
            &spec,
            "--at",
            "2025-02-01T12:00:00Z",
            &files[0],
            &files[1],
        ],
        None,
    );
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("was checked after --at"), "{stderr}");
    let out: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(out["subjects"]["placement-fail"]["summary"], "🟧 v4†");
}

#[test]
fn stdin_is_read_for_dash() {
    let spec = iaas_spec();
    let text = std::fs::read_to_string(fixture("backup-abort.yaml")).expect("fixture");
    let output = scs_cert(
        &[
            "evaluate",
            "--spec",
            &spec,
            "--at",
            "2025-09-09T12:00:00Z",
            "-",
        ],
        Some(&text),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(out["subjects"]["backup-abort"]["summary"], "✅* v5.1");
}

fn failing(args: &[&str], stdin: Option<&str>) -> String {
    let output = scs_cert(args, stdin);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty(), "no JSON on errors");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn errors_name_the_file_document_and_field() {
    let spec = iaas_spec();
    let good = fixture("all-pass.yaml");
    let stderr = failing(
        &["evaluate", "--spec", &spec, "--at", "next tuesday", &good],
        None,
    );
    assert!(stderr.contains("--at \"next tuesday\""), "{stderr}");

    let broken = std::fs::read_to_string(fixture("backup-expired.yaml"))
        .expect("fixture")
        .replacen("checked_at: 2025-09-08 09:00:00", "checked_at: someday", 1);
    let stderr = failing(
        &[
            "evaluate",
            "--spec",
            &spec,
            "--at",
            "2025-09-09T12:00:00Z",
            &good,
            "-",
        ],
        Some(&broken),
    );
    assert!(
        stderr.contains("report -: document 2: field `checked_at`: invalid timestamp \"someday\""),
        "{stderr}"
    );

    let stderr = failing(
        &[
            "evaluate",
            "--spec",
            &spec,
            "--at",
            "2025-09-09T12:00:00Z",
            "/no/such/report.yaml",
        ],
        None,
    );
    assert!(
        stderr.contains("report /no/such/report.yaml: cannot read"),
        "{stderr}"
    );

    let stderr = failing(
        &[
            "evaluate",
            "--spec",
            &spec,
            "--at",
            "2025-09-09T12:00:00Z",
            "-",
        ],
        Some(""),
    );
    assert!(stderr.contains("report -: no report documents"), "{stderr}");

    let invalid = upstream_fixture("invalid-old-format-iaas@189136a3.yaml")
        .display()
        .to_string();
    let stderr = failing(
        &[
            "evaluate",
            "--spec",
            &invalid,
            "--at",
            "2025-09-09T12:00:00Z",
            &good,
        ],
        None,
    );
    assert!(
        stderr.starts_with(&format!("error: spec {invalid}:")),
        "{stderr}"
    );
}
