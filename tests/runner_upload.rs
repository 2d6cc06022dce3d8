//! `scs-cert run` as a real process against a real local HTTP intake (axum on 127.0.0.1):
//! delivery, idempotent retries, conflicts, refusals, an intake that is down and comes up,
//! failure records, the termination message, and the token never leaving its file.

mod runner_support;

use runner_support::intake::{FakeIntake, Scripted, free_addr};
use runner_support::{bin, fixture, parts};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const TOKEN: &str = "tok-9f8e7d6c5b4a-SECRET";

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), format!("{TOKEN}\n")).unwrap();
        Setup { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn report(&self) -> PathBuf {
        self.path("report.yaml")
    }
    fn termination(&self) -> PathBuf {
        self.path("termination-log")
    }
    fn termination_json(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.termination()).unwrap()).unwrap()
    }

    /// `scs-cert run` with the usual flags, then `extra`, then `-- command...`.
    fn run(&self, server: &str, extra: &[&str], command: &[&str]) -> Output {
        let report = self.report();
        let token = self.path("token");
        let termination = self.termination();
        let mut args = vec![
            "run",
            "--report",
            report.to_str().unwrap(),
            "--server",
            server,
            "--namespace",
            "team-a",
            "--name",
            "cloud-1",
            "--run-id",
            "r-0001",
            "--token-file",
            token.to_str().unwrap(),
            "--termination-message-path",
            termination.to_str().unwrap(),
            "--upload-timeout",
            "20s",
        ];
        args.extend_from_slice(extra);
        args.push("--");
        args.extend_from_slice(command);
        Command::new(bin()).args(&args).output().unwrap()
    }

    /// A command that writes a valid report to the expected place.
    fn write_report_command(&self) -> Vec<String> {
        vec![
            "cp".into(),
            fixture("report.yaml").to_str().unwrap().into(),
            self.report().to_str().unwrap().into(),
        ]
    }
}

fn strs(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn assert_token_not_leaked(output: &Output) {
    let (_, stdout, stderr) = parts(output);
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "token leaked:\n{stdout}\n{stderr}"
    );
}

#[test]
fn delivers_the_report_of_a_real_check_run() {
    let setup = Setup::new();
    let intake = FakeIntake::start(vec![]);
    let spec = fixture("basic/spec.yaml");
    let report = setup.report();
    let output = setup.run(
        &intake.url(),
        &[],
        &[
            bin(),
            "check",
            spec.to_str().unwrap(),
            "-s",
            "subj",
            "-a",
            "subject_root=root",
            "-d",
            "2026-07-01",
            "-o",
            report.to_str().unwrap(),
        ],
    );
    let (code, stdout, stderr) = parts(&output);
    // The check exits 2 (a FAIL and an ERROR line): verdicts, not a Job failure.
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("subj Runner Test Scope v2:"),
        "command output is streamed: {stdout}"
    );
    assert_token_not_leaked(&output);
    let received = intake.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.path, "/v1/runs/team-a/cloud-1/r-0001/report");
    assert_eq!(
        request.authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.content_type.as_deref(), Some("application/yaml"));
    assert_eq!(request.content_encoding.as_deref(), Some("gzip"));
    let file = std::fs::read(&report).unwrap();
    assert_eq!(request.body, file);
    let message = setup.termination_json();
    assert_eq!(message["delivered"], "report");
    assert_eq!(message["sha256"], sha256_hex(&file));
    assert_eq!(message["status"], 201);
    assert_eq!(message["bytes"], file.len());
}

#[test]
fn an_identical_report_already_stored_counts_as_delivered() {
    let setup = Setup::new();
    let intake = FakeIntake::start(vec![200.into()]);
    // Everything from environment variables, as a Job spec may set it.
    let command = setup.write_report_command();
    let output = Command::new(bin())
        .arg("run")
        .arg("--")
        .args(&command)
        .env("SCS_REPORT", setup.report())
        .env("SCS_INTAKE_URL", intake.url())
        .env("SCS_RUN_NAMESPACE", "team-a")
        .env("SCS_RUN_NAME", "cloud-1")
        .env("SCS_RUN_ID", "r-0002")
        .env("SCS_TOKEN_FILE", setup.path("token"))
        .env("SCS_TERMINATION_MESSAGE_PATH", setup.termination())
        .env("SCS_GZIP", "false")
        .output()
        .unwrap();
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("already stored"), "{stderr}");
    let received = intake.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v1/runs/team-a/cloud-1/r-0002/report");
    assert_eq!(received[0].content_encoding, None);
    assert_eq!(setup.termination_json()["status"], 200);
}

#[test]
fn a_conflicting_report_is_not_retried() {
    let setup = Setup::new();
    let intake = FakeIntake::start(vec![409.into()]);
    let output = setup.run(&intake.url(), &[], &strs(&setup.write_report_command()));
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, 7, "{stderr}");
    assert_eq!(intake.received().len(), 1);
    assert!(stderr.contains("409"), "{stderr}");
    let message = setup.termination_json();
    assert!(message["delivered"].is_null());
    assert!(message["error"].as_str().unwrap().contains("409"));
}

#[test]
fn a_report_too_large_is_refused_and_explained_by_a_failure_record() {
    let setup = Setup::new();
    let intake = FakeIntake::start(vec![413.into(), 201.into()]);
    let output = setup.run(&intake.url(), &[], &strs(&setup.write_report_command()));
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, 6, "{stderr}");
    let received = intake.received();
    assert_eq!(received.len(), 2, "413 is final; then the failure record");
    assert!(received[0].path.ends_with("/report"));
    assert!(received[1].path.ends_with("/failure"));
    let record: serde_json::Value = serde_json::from_slice(&received[1].body).unwrap();
    assert!(
        record["reason"].as_str().unwrap().contains("413"),
        "{record}"
    );
}

#[test]
fn refused_credentials_and_other_client_errors_are_final() {
    for status in [401, 403, 422, 404] {
        let setup = Setup::new();
        let intake = FakeIntake::start(vec![status.into()]);
        let output = setup.run(&intake.url(), &[], &strs(&setup.write_report_command()));
        let (code, _, stderr) = parts(&output);
        assert_eq!(code, 6, "{status}: {stderr}");
        let reports = intake
            .received()
            .iter()
            .filter(|r| r.path.ends_with("/report"))
            .count();
        assert_eq!(reports, 1, "{status} must not be retried");
        assert_token_not_leaked(&output);
    }
}

#[test]
fn transient_answers_are_retried_with_backoff() {
    let setup = Setup::new();
    let intake = FakeIntake::start(vec![
        503.into(),
        Scripted {
            status: 429,
            retry_after: Some(1),
        },
        500.into(),
        201.into(),
    ]);
    let started = Instant::now();
    let output = setup.run(&intake.url(), &[], &strs(&setup.write_report_command()));
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(intake.received().len(), 4);
    // Backoff: about 1 s + max(2 s, Retry-After 1 s) + 4 s, minus up to 20% jitter.
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(stderr.matches("retrying in").count(), 3, "{stderr}");
    let received = intake.received();
    assert!(
        received.windows(2).all(|w| w[0].body == w[1].body),
        "every retry sends the same report"
    );
}

#[test]
fn an_intake_that_is_down_and_comes_up_gets_the_report() {
    let setup = Setup::new();
    let addr = free_addr();
    let server = format!("http://{addr}");
    let command = setup.write_report_command();
    let wrapper = {
        let setup_report = setup.report();
        let token = setup.path("token");
        let termination = setup.termination();
        let mut args: Vec<String> = [
            "run",
            "--report",
            setup_report.to_str().unwrap(),
            "--server",
            &server,
            "--namespace",
            "ns",
            "--name",
            "n",
            "--run-id",
            "r",
            "--token-file",
            token.to_str().unwrap(),
            "--termination-message-path",
            termination.to_str().unwrap(),
            "--upload-timeout",
            "60s",
            "--connect-timeout",
            "1s",
            "--",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(command);
        std::process::Command::new(bin())
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    std::thread::sleep(Duration::from_millis(2500));
    let intake = FakeIntake::start_on(addr, vec![]);
    let output = wrapper.wait_with_output().unwrap();
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("retrying in"), "{stderr}");
    let received = intake.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v1/runs/ns/n/r/report");
}

#[test]
fn an_intake_that_stays_down_makes_the_wrapper_give_up_within_its_budget() {
    let setup = Setup::new();
    let server = format!("http://{}", free_addr());
    let started = Instant::now();
    let output = setup.run(
        &server,
        &["--upload-timeout", "3s"],
        &strs(&setup.write_report_command()),
    );
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, 8, "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(stderr.contains("gave up"), "{stderr}");
}

#[test]
fn a_missing_token_file_stops_before_the_command_runs() {
    let setup = Setup::new();
    let intake = FakeIntake::start(vec![]);
    let marker = setup.path("marker");
    let absent = setup.path("no-such-token");
    let report = setup.report();
    let output = Command::new(bin())
        .args([
            "run",
            "--report",
            report.to_str().unwrap(),
            "--server",
            &intake.url(),
            "--namespace",
            "ns",
            "--name",
            "n",
            "--run-id",
            "r",
        ])
        .arg("--token-file")
        .arg(&absent)
        .arg("--termination-message-path")
        .arg(setup.termination())
        .args(["--", "touch"])
        .arg(&marker)
        .output()
        .unwrap();
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("cannot read token file") && stderr.contains("no-such-token"),
        "{stderr}"
    );
    assert!(!marker.exists(), "the command must not run");
    assert!(intake.received().is_empty());
    assert!(
        setup.termination_json()["error"]
            .as_str()
            .unwrap()
            .contains("token")
    );
}

#[test]
fn no_report_sends_a_failure_record_with_the_last_output_lines() {
    let setup = Setup::new();
    let intake = FakeIntake::start(vec![]);
    // A stale report from an earlier attempt must not be sent.
    std::fs::copy(fixture("report.yaml"), setup.report()).unwrap();
    let script = "for i in $(seq 1 100); do echo line-$i; done; sleep 0.3; echo oops >&2; exit 5";
    let output = setup.run(
        &intake.url(),
        &["--tail-lines", "10"],
        &["sh", "-c", script],
    );
    let (code, stdout, stderr) = parts(&output);
    assert_eq!(code, 4, "{stderr}");
    assert!(stdout.contains("line-1\n") && stdout.contains("line-100\n"));
    let received = intake.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v1/runs/team-a/cloud-1/r-0001/failure");
    assert_eq!(
        received[0].content_type.as_deref(),
        Some("application/json")
    );
    let record: serde_json::Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(record["exit_code"], 5);
    assert!(record["signal"].is_null());
    assert_eq!(record["timed_out"], false);
    let reason = record["reason"].as_str().unwrap();
    assert!(
        reason.contains("exited with code 5 without writing the report"),
        "{reason}"
    );
    let tail: Vec<&str> = record["output_tail"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(tail.len(), 10);
    // Arrival order across the two pipes is not deterministic; both ends are in the tail.
    assert!(
        tail.contains(&"oops") && tail.contains(&"line-100"),
        "{tail:?}"
    );
    assert_eq!(record["output_lines_total"], 101);
    let message = setup.termination_json();
    assert_eq!(message["delivered"], "failure");
    assert_eq!(message["sha256"], sha256_hex(&received[0].body));
    assert!(stderr.contains("removed a stale report"), "{stderr}");
}

#[test]
fn failure_reasons_for_invalid_reports_missing_commands_and_timeouts() {
    let cases: [(&[&str], &str, &[&str]); 3] = [
        (
            &[],
            "is not a valid report",
            &["sh", "-c", "echo 'spec: [' > \"$0\"", "REPORT"],
        ),
        (&[], "could not be started", &["/nonexistent/check-command"]),
        (
            &["--command-timeout", "1s", "--kill-grace", "1s"],
            "timed out after 1s",
            &["sleep", "600"],
        ),
    ];
    for (extra, expected, command) in cases {
        let setup = Setup::new();
        let intake = FakeIntake::start(vec![]);
        let report = setup.report();
        let command: Vec<&str> = command
            .iter()
            .map(|a| {
                if *a == "REPORT" {
                    report.to_str().unwrap()
                } else {
                    a
                }
            })
            .collect();
        let started = Instant::now();
        let output = setup.run(&intake.url(), extra, &command);
        let (code, _, stderr) = parts(&output);
        assert_eq!(code, 4, "{expected}: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(20));
        let received = intake.received();
        assert_eq!(received.len(), 1, "{expected}");
        let record: serde_json::Value = serde_json::from_slice(&received[0].body).unwrap();
        let reason = record["reason"].as_str().unwrap();
        assert!(reason.contains(expected), "{reason}");
    }
}

#[test]
fn an_unwritable_termination_message_path_is_not_fatal() {
    let setup = Setup::new();
    let intake = FakeIntake::start(vec![]);
    let report = setup.report();
    let token = setup.path("token");
    let command = setup.write_report_command();
    let output = Command::new(bin())
        .args([
            "run",
            "--report",
            report.to_str().unwrap(),
            "--server",
            &intake.url(),
            "--namespace",
            "ns",
            "--name",
            "n",
            "--run-id",
            "r",
            "--token-file",
            token.to_str().unwrap(),
            "--termination-message-path",
            "/nonexistent-dir/termination-log",
            "--",
        ])
        .args(&command)
        .output()
        .unwrap();
    let (code, _, stderr) = parts(&output);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("cannot write the termination message"),
        "{stderr}"
    );
}
