//! `scs-cert check` as a real process against fixture specs and real check scripts (shell
//! and python): every rule of DOMAIN 3.2-3.9 the driver reproduces, and the additions.

mod runner_support;

use runner_support::{bin, fixture, parts, process_alive, python_has_yaml, scs_cert};
use scs_cert_operator::report::parse_report_stream;
use scs_cert_operator::results::Verdict;
use serde_norway::{Mapping, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn keys(map: &Mapping) -> Vec<String> {
    map.keys()
        .map(|k| k.as_str().unwrap_or("<non-string>").to_string())
        .collect()
}

fn map<'a>(value: &'a Value, key: &str) -> &'a Mapping {
    value
        .get(key)
        .and_then(Value::as_mapping)
        .unwrap_or_else(|| panic!("{key} is not a mapping in {value:?}"))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .unwrap_or_else(|| panic!("not a sequence: {value:?}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("not a string: {v:?}"))
                .to_string()
        })
        .collect()
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with("---\n"),
        "explicit document start:\n{text}"
    );
    serde_norway::from_str(&text).unwrap()
}

fn invocations(report: &Value) -> Vec<&Value> {
    map(map_value(report, "run"), "invocations")
        .values()
        .collect()
}

fn map_value<'a>(value: &'a Value, key: &str) -> &'a Value {
    value.get(key).unwrap_or_else(|| panic!("no {key}"))
}

fn basic_args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "check",
        "-s",
        "subj",
        "spec.yaml",
        "-a",
        "subject_root=root",
        "-o",
        out,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn report_matches_domain_3_9_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.yaml");
    let out_text = out.to_str().unwrap();
    let before = jiff::Timestamp::now();
    // Options after the positional argument: GNU-style interleaving.
    let args = basic_args(out_text, &["-d", "2026-07-01"]);
    let (code, stdout, stderr) = parts(&scs_cert(&fixture("basic"), &args));
    let after = jiff::Timestamp::now();
    // 1 ERROR line + 1 FAIL, no critical (DOMAIN 3.8).
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("WARNING: ignoring invalid result id: not-requested"),
        "{stderr}"
    );

    let report = load(&out);
    let top = report.as_mapping().unwrap();
    assert_eq!(
        keys(top),
        ["spec", "checked_at", "reference_date", "subject", "run"]
    );
    let spec = map(&report, "spec");
    assert_eq!(keys(spec), ["uuid", "name", "url"]);
    assert_eq!(spec["uuid"], "6c2e2f51-1b0a-4d7e-9a65-0f3c1c0d5e11");
    assert_eq!(spec["name"], "Runner Test Scope");
    assert_eq!(spec["url"], "https://example.org/runner-test-scope.yaml");
    // Naive UTC timestamp with microseconds, taken after the scripts ran.
    let checked_at = report["checked_at"].as_str().unwrap();
    let shape = regex::Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$").unwrap();
    assert!(shape.is_match(checked_at), "{checked_at}");
    let checked: jiff::Timestamp = format!("{}Z", checked_at.replace(' ', "T"))
        .parse()
        .unwrap();
    assert!(
        before <= checked && checked <= after,
        "{checked} not in [{before}, {after}]"
    );
    assert_eq!(report["reference_date"], "2026-07-01");
    assert_eq!(report["subject"], "subj");

    let run = map(&report, "run");
    assert_eq!(
        keys(run),
        [
            "uuid",
            "argv",
            "assignment",
            "sections",
            "forced_version",
            "forced_tests",
            "invocations"
        ]
    );
    let run_uuid = uuid::Uuid::parse_str(run["uuid"].as_str().unwrap()).unwrap();
    assert_eq!(run_uuid.get_version_num(), 4);
    assert_eq!(strings(&run["argv"]), args[1..]);
    // Only the -a assignments; the spec default `mode: parallel` is not recorded.
    let assignment = run["assignment"].as_mapping().unwrap();
    assert_eq!(keys(assignment), ["subject_root"]);
    assert_eq!(assignment["subject_root"], "root");
    assert!(
        run["sections"].is_null()
            && run["forced_version"].is_null()
            && run["forced_tests"].is_null()
    );

    let invocations = invocations(&report);
    assert_eq!(
        invocations.len(),
        2,
        "one invocation per script with selected testcases"
    );
    let invocation_keys = [
        "id", "cmd", "results", "rc", "stdout", "stderr", "info", "warning", "error", "critical",
    ];
    for (key, invocation) in map(map_value(&report, "run"), "invocations") {
        assert_eq!(keys(invocation.as_mapping().unwrap()), invocation_keys);
        assert_eq!(key, &invocation["id"]);
        assert!(uuid::Uuid::parse_str(invocation["id"].as_str().unwrap()).is_ok());
    }
    let shell = invocations[0];
    assert_eq!(
        shell["cmd"],
        "CHECK_MODE=parallel CHECK_LITERAL={x} ./scripts/verdicts.sh -r root/data -m parallel {literal} tc-abort tc-fail tc-pass"
    );
    let results = shell["results"].as_mapping().unwrap();
    assert_eq!(keys(results), ["tc-abort", "tc-fail", "tc-pass"]);
    assert_eq!(results["tc-abort"], 0);
    assert_eq!(results["tc-fail"], -1);
    assert_eq!(results["tc-pass"], 1);
    assert_eq!(shell["rc"], 3);
    let spec_dir = fixture("basic");
    assert_eq!(
        strings(&shell["stdout"]),
        [
            "args -r root/data -m parallel {literal} tc-abort tc-fail tc-pass".to_string(),
            format!("cwd {}", spec_dir.display()),
            "env CHECK_MODE=parallel CHECK_LITERAL={x}".to_string(),
            "tc-abort: Abort".to_string(),
            "tc-fail :  fail ".to_string(),
            "tc-pass: PASS".to_string(),
            "not-requested: PASS".to_string(),
            "info: this line counts as info".to_string(),
        ]
    );
    assert_eq!(
        strings(&shell["stderr"]),
        [
            "ERROR: this line counts as error",
            "WARNING: this line counts as warning"
        ]
    );
    assert_eq!(
        (
            &shell["info"],
            &shell["warning"],
            &shell["error"],
            &shell["critical"]
        ),
        (
            &Value::from(1),
            &Value::from(1),
            &Value::from(1),
            &Value::from(0)
        )
    );
    let python = invocations[1];
    assert_eq!(python["cmd"], "./scripts/verdicts.py py-missing py-pass");
    assert_eq!(keys(python["results"].as_mapping().unwrap()), ["py-pass"]);
    assert_eq!(python["rc"], 0);
    assert_eq!(strings(&python["stdout"]), ["py-pass: PASS"]);
    assert_eq!(strings(&python["stderr"]), ["python done"]);

    // Our own parser reads it back as the same report.
    let parsed = parse_report_stream(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(parsed.len(), 1);
    let merged = parsed[0].testcase_results();
    assert_eq!(merged.get("tc-fail"), Some(&Verdict::Fail));
    assert_eq!(merged.get("py-missing"), None);

    // Console summary as upstream prints it.
    assert!(
        stdout.starts_with(
            "ERROR: this line counts as error\nWARNING: this line counts as warning\n"
        ),
        "{stdout}"
    );
    let summary = format!(
        "{}\nsubj Runner Test Scope v2:\n- main: FAIL (2 passed, 1 failed, 1 aborted, 1 missing)\n  - FAILED:\n    - tc-fail:\n      > A testcase that fails.\n      > https://example.org/tc-fail\n  - ABORTED:\n    - tc-abort:\n  - MISSING:\n    - py-missing:\n      > The script never reports this one.\n- preview: TENTATIVE pass (0 passed, 1 missing)\n  - MISSING:\n    - manual-check:\n      > Checked by hand.\nsubj Runner Test Scope v1:\n",
        "*".repeat(80)
    );
    assert!(stdout.contains(&summary), "{stdout}");
}

#[test]
fn report_loads_with_upstream_pyyaml_types() {
    if !python_has_yaml() {
        eprintln!("skipped: python3 with PyYAML is not available");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.yaml");
    let out_text = out.to_str().unwrap();
    // Values that YAML 1.1 would mistype if written plain.
    let args = basic_args(
        out_text,
        &[
            "-d",
            "2026-07-01",
            "-a",
            "flag=on",
            "-a",
            "when=2026-01-01",
            "-a",
            "eq==",
        ],
    );
    let (code, _, stderr) = parts(&scs_cert(&fixture("basic"), &args));
    assert_eq!(code, 2, "{stderr}");
    let check = r#"
import datetime, sys, yaml
with open(sys.argv[1]) as f:
    docs = list(yaml.safe_load_all(f))
assert len(docs) == 1, docs
r = docs[0]
assert list(r) == ['spec', 'checked_at', 'reference_date', 'subject', 'run'], list(r)
assert type(r['checked_at']) is datetime.datetime, type(r['checked_at'])
assert type(r['reference_date']) is datetime.date, type(r['reference_date'])
assert all(type(a) is str for a in r['run']['argv']), r['run']['argv']
assert r['run']['assignment'] == {'subject_root': 'root', 'flag': 'on', 'when': '2026-01-01', 'eq': '='}, r['run']['assignment']
for inv in r['run']['invocations'].values():
    assert all(type(l) is str for l in inv['stdout'] + inv['stderr'])
    assert all(v in (-1, 0, 1) for v in inv['results'].values())
print('ok')
"#;
    let output = Command::new("python3")
        .args(["-c", check, out_text])
        .output()
        .unwrap();
    let (code, stdout, stderr) = parts(&output);
    assert_eq!((code, stdout.trim()), (0, "ok"), "{stderr}");
}

#[test]
fn critical_only_counts_only_critical_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let args = basic_args(out.to_str().unwrap(), &["-C", "-d", "2026-07-01"]);
    assert_eq!(parts(&scs_cert(&fixture("basic"), &args)).0, 0);
}

#[test]
fn versions_follow_the_timeline_or_the_forced_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let out_text = out.to_str().unwrap();
    let basic = fixture("basic");
    // 2026-07-01: v2 (draft) and v1 (effective) are both explicit, both are checked.
    let (_, stdout, _) = parts(&scs_cert(
        &basic,
        &basic_args(out_text, &["-d", "2026-07-01"]),
    ));
    assert!(
        stdout.contains("subj Runner Test Scope v2:")
            && stdout.contains("subj Runner Test Scope v1:")
    );
    // 2026-03-01: only v1; the python testcases are in v2 only, so one invocation.
    let (code, stdout, _) = parts(&scs_cert(
        &basic,
        &basic_args(out_text, &["-d", "2026-03-01"]),
    ));
    assert_eq!(code, 2);
    assert!(
        !stdout.contains(" v2:") && stdout.contains(" v1:"),
        "{stdout}"
    );
    assert_eq!(invocations(&load(&out)).len(), 1);
    // -V forces a version regardless of the timeline.
    let (_, stdout, _) = parts(&scs_cert(
        &basic,
        &basic_args(out_text, &["-d", "2026-03-01", "-V", "v2"]),
    ));
    assert!(
        stdout.contains(" v2:") && !stdout.contains(" v1:"),
        "{stdout}"
    );
    let report = load(&out);
    assert_eq!(invocations(&report).len(), 2);
    assert_eq!(report["run"]["forced_version"], "v2");
    // Errors: unknown version, nothing explicit on the date; no report in either case.
    std::fs::remove_file(&out).unwrap();
    let (code, _, stderr) = parts(&scs_cert(&basic, &basic_args(out_text, &["-V", "v9"])));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("CRITICAL: Requested version 'v9' not found"),
        "{stderr}"
    );
    let (code, _, stderr) = parts(&scs_cert(
        &basic,
        &basic_args(out_text, &["-d", "2025-12-31"]),
    ));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("CRITICAL: No valid version found for 2025-12-31"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn sections_select_only_testcases_with_a_listed_section() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let args = basic_args(
        out.to_str().unwrap(),
        &["-d", "2026-07-01", "-S", " light , heavy"],
    );
    let (code, stdout, _) = parts(&scs_cert(&fixture("basic"), &args));
    let report = load(&out);
    let invocations = invocations(&report);
    // tc-pass and tc-fail have no section: never run with -S.
    assert_eq!(
        invocations[0]["cmd"]
            .as_str()
            .map(|c| c.ends_with("{literal} tc-abort")),
        Some(true)
    );
    assert_eq!(invocations[1]["cmd"], "./scripts/verdicts.py py-pass");
    assert_eq!(strings(&report["run"]["sections"]), ["light", "heavy"]);
    // The shell script still prints its ERROR line: exit 1, no FAIL among the selected.
    assert_eq!(code, 1);
    assert!(
        stdout.contains("subj Runner Test Scope [sections: light, heavy] v2:"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("MISSING"),
        "missing testcases are not itemised with a filter: {stdout}"
    );
    assert!(
        stdout.contains("- main: FAIL (1 passed, 1 aborted, 3 missing)"),
        "{stdout}"
    );
}

#[test]
fn tests_regex_matches_ids_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let out_text = out.to_str().unwrap();
    let basic = fixture("basic");
    let (_, stdout, _) = parts(&scs_cert(
        &basic,
        &basic_args(out_text, &["-d", "2026-07-01", "-t", "py-"]),
    ));
    let report = load(&out);
    assert_eq!(invocations(&report).len(), 1);
    assert_eq!(report["run"]["forced_tests"], "py-");
    assert!(stdout.contains("[tests: 'py-'] v2:"), "{stdout}");
    // "pass" occurs in ids but never at their start: nothing runs, exit 0.
    let (code, _, _) = parts(&scs_cert(
        &basic,
        &basic_args(out_text, &["-d", "2026-07-01", "-t", "pass"]),
    ));
    assert_eq!(code, 0);
    assert!(invocations(&load(&out)).is_empty());
    let (code, _, stderr) = parts(&scs_cert(&basic, &basic_args(out_text, &["-t", "("])));
    assert_eq!(code, 1);
    assert!(stderr.contains("invalid regex"), "{stderr}");
}

#[test]
fn missing_python_script_gives_exit_0_and_all_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let args = [
        "check",
        "launch/spec.yaml",
        "-s",
        "x",
        "-t",
        "py-absent",
        "-o",
        out.to_str().unwrap(),
    ];
    let (code, stdout, _) = parts(&scs_cert(&fixture(""), &args));
    assert_eq!(code, 0, "{stdout}");
    let report = load(&out);
    let invocation = invocations(&report)[0];
    assert_eq!(invocation["rc"], 2);
    assert!(invocation["results"].as_mapping().unwrap().is_empty());
    assert_eq!(invocation["critical"], 0);
    assert!(
        strings(&invocation["stderr"])
            .join("\n")
            .contains("can't open file"),
        "{invocation:?}"
    );
    // The script's stderr is echoed because rc != 0.
    assert!(stdout.contains("can't open file"), "{stdout}");
}

#[test]
fn launch_failures_record_rc_127_and_a_critical_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let out_text = out.to_str().unwrap();
    let launch = fixture("launch");
    let cases = [
        (
            "bin-absent",
            format!(
                "CRITICAL: [Errno 2] No such file or directory: '{}'",
                launch.join("absent-binary").display()
            ),
        ),
        (
            "remote",
            "CRITICAL: remote check_tool https://example.org/remote.sh not yet supported"
                .to_string(),
        ),
    ];
    for (tests, line) in cases {
        for critical_only in [false, true] {
            let mut args = vec!["check", "spec.yaml", "-s", "x", "-t", tests, "-o", out_text];
            if critical_only {
                args.push("-C");
            }
            let (code, _, _) = parts(&scs_cert(&launch, &args));
            assert_eq!(code, 1, "{tests} -C={critical_only}");
            let report = load(&out);
            let invocation = invocations(&report)[0];
            assert_eq!(invocation["rc"], 127);
            assert!(strings(&invocation["stdout"]).is_empty());
            assert_eq!(strings(&invocation["stderr"]), std::slice::from_ref(&line));
            assert_eq!(invocation["critical"], 1);
        }
    }
    // The interpreter itself is configurable; a missing one is a launch failure too.
    let args = [
        "check",
        "spec.yaml",
        "-s",
        "x",
        "-t",
        "py-",
        "-o",
        out_text,
        "--python",
        "/nonexistent/python",
    ];
    let (code, _, _) = parts(&scs_cert(&launch, &args));
    assert_eq!(code, 1);
    let report = load(&out);
    assert_eq!(
        strings(&invocations(&report)[0]["stderr"]),
        ["CRITICAL: [Errno 2] No such file or directory: '/nonexistent/python'"]
    );
}

#[test]
fn verdict_spellings_unrequested_ids_and_signal_counts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let args = ["check", "spec.yaml", "-s", "x", "-o", out.to_str().unwrap()];
    let (code, _, stderr) = parts(&scs_cert(&fixture("variants"), &args));
    // 1 critical + 1 error line + 1 FAIL.
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("WARNING: ignoring invalid result id: note: v-colon-id"),
        "{stderr}"
    );
    assert!(
        stderr.contains("WARNING: ignoring invalid result id: unknown-id"),
        "{stderr}"
    );
    let report = load(&out);
    let invocations = invocations(&report);
    let results = invocations[0]["results"].as_mapping().unwrap();
    assert_eq!(
        keys(results),
        ["v-lower", "v-spaces", "v-mixed", "v-last-wins"]
    );
    assert_eq!(results["v-lower"], 1);
    assert_eq!(results["v-spaces"], -1);
    assert_eq!(results["v-mixed"], 0);
    assert_eq!(results["v-last-wins"], 1, "the last occurrence wins");
    let counts: Vec<&Value> = ["info", "warning", "error", "critical"]
        .iter()
        .map(|k| &invocations[0][*k])
        .collect();
    assert_eq!(
        counts,
        [
            &Value::from(1),
            &Value::from(1),
            &Value::from(1),
            &Value::from(1)
        ]
    );
}

#[test]
fn output_that_is_not_utf8_is_kept_readable() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let args = [
        "check",
        "spec.yaml",
        "-s",
        "x",
        "-t",
        "utf",
        "-o",
        out.to_str().unwrap(),
    ];
    let (code, _, stderr) = parts(&scs_cert(&fixture("variants"), &args));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("not UTF-8"), "{stderr}");
    let report = load(&out);
    let invocation = invocations(&report)[0];
    assert_eq!(invocation["rc"], 0, "unlike upstream, the real rc is kept");
    assert_eq!(invocation["results"]["utf-pass"], 1);
    assert_eq!(
        strings(&invocation["stdout"]),
        ["latin1 caf\u{fffd} \u{fffd}\u{fffd}", "utf-pass: PASS"]
    );
    assert_eq!(
        strings(&invocation["stderr"]),
        ["stderr \u{fffd}\u{fffd} bytes"]
    );
}

fn hang_pids(pid_file: &Path) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(text) = std::fs::read_to_string(pid_file) {
            let pids: Vec<u32> = text
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect();
            if pids.len() == 2 {
                return pids;
            }
        }
        assert!(Instant::now() < deadline, "hang.sh did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_gone(pids: &[u32]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while pids.iter().any(|p| process_alive(*p)) {
        assert!(Instant::now() < deadline, "processes {pids:?} survived");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn script_timeout_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let pid_file = dir.path().join("pids");
    let pid_arg = format!("pid_file={}", pid_file.display());
    let args = [
        "check",
        "spec.yaml",
        "-s",
        "x",
        "-a",
        &pid_arg,
        "-o",
        out.to_str().unwrap(),
        "--script-timeout",
        "1s",
        "--kill-grace",
        "2s",
    ];
    let started = Instant::now();
    let (code, _, stderr) = parts(&scs_cert(&fixture("hang"), &args));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // The timeout's CRITICAL line counts: exit 1.
    assert_eq!(code, 1, "{stderr}");
    wait_gone(&hang_pids(&pid_file));
    let report = load(&out);
    let invocation = invocations(&report)[0];
    assert_eq!(invocation["rc"], -15, "killed by SIGTERM, Python style");
    assert_eq!(
        invocation["results"]["hang-early"], 1,
        "verdicts before the timeout are kept"
    );
    assert!(invocation["results"].get("hang-never").is_none());
    let stderr_lines = strings(&invocation["stderr"]);
    assert!(
        stderr_lines
            .iter()
            .any(|l| l.starts_with("CRITICAL: scs-cert check: script timed out after 1s")),
        "{stderr_lines:?}"
    );
    assert_eq!(invocation["critical"], 1);
}

#[test]
fn without_timeout_a_hanging_script_runs_until_the_driver_is_terminated() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let pid_file = dir.path().join("pids");
    let pid_arg = format!("pid_file={}", pid_file.display());
    let mut driver = Command::new(bin())
        .args([
            "check",
            "spec.yaml",
            "-s",
            "x",
            "-a",
            &pid_arg,
            "-o",
            out.to_str().unwrap(),
            "--kill-grace",
            "2s",
        ])
        .current_dir(fixture("hang"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pids = hang_pids(&pid_file);
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        driver.try_wait().unwrap().is_none(),
        "upstream has no timeout: still running"
    );
    // SIGTERM to the driver is forwarded to the script's process group.
    let driver_pid = libc::pid_t::try_from(driver.id()).unwrap();
    // SAFETY: plain kill(2) of our own child.
    assert_eq!(unsafe { libc::kill(driver_pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = driver.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = driver.kill();
            panic!("driver did not stop after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(143));
    wait_gone(&pids);
    assert!(!out.exists(), "no report after an interruption");
    let mut stderr = String::new();
    std::io::Read::read_to_string(driver.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(
        stderr.contains("CRITICAL: interrupted by SIGTERM"),
        "{stderr}"
    );
}

#[test]
fn ten_megabytes_of_output_are_capped_without_losing_verdicts_or_counts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let out_text = out.to_str().unwrap();
    let output = fixture("output");
    let started = Instant::now();
    let (code, _, stderr) = parts(&scs_cert(
        &output,
        &["check", "spec.yaml", "-s", "x", "-o", out_text],
    ));
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(code, 1, "one FAIL: {stderr}");
    let report = load(&out);
    let invocation = invocations(&report)[0];
    let results = invocation["results"].as_mapping().unwrap();
    assert_eq!(keys(results), ["big-early", "big-middle", "big-late"]);
    assert_eq!(invocation["warning"], 20_000, "counting sees every line");
    let stdout = strings(&invocation["stdout"]);
    assert!(stdout.len() <= 10_002, "{}", stdout.len());
    assert!(
        stdout.contains(&"big-middle: FAIL".to_string()),
        "verdict lines survive the cap"
    );
    assert!(
        stdout
            .iter()
            .any(|l| l.contains("left out") && l.contains("line(s)"))
    );
    assert_eq!(strings(&invocation["stderr"]).len(), 10_001);
    assert!(std::fs::metadata(&out).unwrap().len() < 3_000_000);

    // With the cap off, every line is kept, as upstream does.
    let (code, _, _) = parts(&scs_cert(
        &output,
        &[
            "check",
            "spec.yaml",
            "-s",
            "x",
            "-o",
            out_text,
            "--max-lines-per-stream",
            "0",
        ],
    ));
    assert_eq!(code, 1);
    let report = load(&out);
    let invocation = invocations(&report)[0];
    assert_eq!(strings(&invocation["stdout"]).len(), 100_000);
    assert_eq!(strings(&invocation["stderr"]).len(), 20_000);
}

#[test]
fn undefined_placeholder_stops_the_run_before_any_script() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("marker");
    let marker_arg = format!("marker={}", marker.display());
    let (code, _, stderr) = parts(&scs_cert(
        &fixture("templates"),
        &["check", "spec.yaml", "-s", "x", "-a", &marker_arg],
    ));
    assert_eq!(code, 1);
    assert!(
        stderr.contains(
            "CRITICAL: scripts[1] (./touch.sh): args: undefined placeholder '{undefined_thing}'"
        ),
        "{stderr}"
    );
    assert!(!marker.exists(), "the first script must not have run");
}

#[test]
fn assignment_errors_are_fatal() {
    let basic = fixture("basic");
    let (code, _, stderr) = parts(&scs_cert(
        &basic,
        &[
            "check",
            "spec.yaml",
            "-s",
            "x",
            "-a",
            "subject_root=a",
            "-a",
            "subject_root=b",
        ],
    ));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("CRITICAL: Double assignment for \"subject_root\""),
        "{stderr}"
    );
    let (code, _, stderr) = parts(&scs_cert(&basic, &["check", "spec.yaml", "-s", "x"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("CRITICAL: Missing variable assignments (via -a) for: subject_root"),
        "{stderr}"
    );
    let (code, _, stderr) = parts(&scs_cert(
        &basic,
        &["check", "spec.yaml", "-s", "x", "-a", "novalue"],
    ));
    assert_eq!(code, 1);
    assert!(stderr.contains("expected KEY=VALUE"), "{stderr}");
    let (code, _, stderr) = parts(&scs_cert(
        &basic,
        &["check", "spec.yaml", "-a", "subject_root=a"],
    ));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("CRITICAL: You need pass --subject=SUBJECT."),
        "{stderr}"
    );
    let (code, _, stderr) = parts(&scs_cert(
        &basic,
        &[
            "check",
            "spec.yaml",
            "-s",
            "x",
            "-a",
            "subject_root=a",
            "-d",
            "2026-13-01",
        ],
    ));
    assert_eq!(code, 1);
    assert!(stderr.contains("invalid date"), "{stderr}");
    let (code, _, stderr) = parts(&scs_cert(&basic, &["check", "absent.yaml", "-s", "x"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("absent.yaml"), "{stderr}");
}

#[test]
fn quiet_and_verbose_console_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let basic = fixture("basic");
    let (code, stdout, _) = parts(&scs_cert(
        &basic,
        &basic_args(out.to_str().unwrap(), &["-q", "-d", "2026-07-01"]),
    ));
    assert_eq!(code, 2);
    assert!(
        !stdout.contains("Runner Test Scope"),
        "no summary with -q: {stdout}"
    );
    assert!(
        stdout.contains("ERROR: this line counts as error"),
        "stderr of a failing script is still echoed"
    );
    let (_, stdout, _) = parts(&scs_cert(
        &basic,
        &basic_args(out.to_str().unwrap(), &["-v", "-d", "2026-07-01"]),
    ));
    assert!(
        stdout.contains("tc-pass: PASS\n"),
        "script stdout echoed with -v: {stdout}"
    );
    assert!(
        stdout.contains("python done\n"),
        "stderr echoed with -v: {stdout}"
    );
    assert!(stdout.contains("  - PASSED:\n    - tc-pass:"), "{stdout}");
    let (code, stdout, _) = parts(&scs_cert(&basic, &["check", "-h"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("--critical-only") && stdout.contains("--script-timeout"),
        "{stdout}"
    );
}

#[test]
fn scripts_dir_replaces_the_spec_directory() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("scope.yaml");
    std::fs::copy(fixture("basic/spec.yaml"), &spec).unwrap();
    let out = dir.path().join("r.yaml");
    let scripts = fixture("basic");
    let args = [
        "check",
        spec.to_str().unwrap(),
        "-s",
        "x",
        "-a",
        "subject_root=r",
        "-d",
        "2026-07-01",
        "--scripts-dir",
        scripts.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    let (code, _, stderr) = parts(&scs_cert(dir.path(), &args));
    assert_eq!(code, 2, "{stderr}");
    let report = load(&out);
    let stdout = strings(&invocations(&report)[0]["stdout"]);
    assert_eq!(stdout[1], format!("cwd {}", scripts.display()));
}

#[test]
fn real_upstream_iaas_spec_with_a_fake_openstack_script() {
    let spec = scs_cert_operator::test_support::upstream_fixture("scs-compatible-iaas.yaml");
    let scripts = tempfile::tempdir().unwrap();
    std::fs::create_dir(scripts.path().join("iaas")).unwrap();
    std::fs::write(
        scripts.path().join("iaas/openstack_test.py"),
        "import sys\nassert sys.argv[1:3] == ['-c', 'gx'], sys.argv\nfor tc in sys.argv[3:]:\n    print(f'{tc}: PASS')\n",
    )
    .unwrap();
    let out = scripts.path().join("r.yaml");
    let args = [
        "check",
        spec.to_str().unwrap(),
        "-s",
        "gx",
        "-a",
        "os_cloud=gx",
        "-d",
        "2026-07-01",
        "--scripts-dir",
        scripts.path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    let (code, stdout, stderr) = parts(&scs_cert(scripts.path(), &args));
    assert_eq!(code, 0, "{stderr}");
    // On 2026-07-01 `next` is a draft and v5.1 effective: both are checked (DOMAIN 1.9, 3.3).
    assert_eq!(
        stdout,
        "gx SCS-compatible IaaS next:\n- main: PASS (55 passed)\ngx SCS-compatible IaaS v5.1:\n- main: PASS (54 passed)\n"
    );
    let parsed = parse_report_stream(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let report = &parsed[0];
    assert_eq!(report.spec.name, "SCS-compatible IaaS");
    assert_eq!(
        report.run.invocations.len(),
        1,
        "the manual script never runs"
    );
    let invocation = report.run.invocations.values().next().unwrap();
    assert!(
        invocation
            .cmd
            .starts_with("./iaas/openstack_test.py -c gx scs-0100-"),
        "{}",
        invocation.cmd
    );
    // The union of both versions' targets (upstream also requests 57).
    assert_eq!(invocation.results.len(), 57);
    assert!(invocation.results.values().all(|v| *v == Verdict::Pass));
}

#[test]
fn getopt_conveniences_abbreviations_and_last_value_wins() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let args = [
        "check",
        "spec.yaml",
        "--subj",
        "first",
        "-s",
        "second",
        "-a",
        "subject_root=r",
        "-d",
        "2026-07-01",
        "--crit",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ];
    let (code, _, stderr) = parts(&scs_cert(&fixture("basic"), &args));
    assert_eq!(code, 0, "--crit is --critical-only: {stderr}");
    assert_eq!(load(&out)["subject"], "second");
}
