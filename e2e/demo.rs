//! `make run` end to end: `hack/run.sh` starts its own control plane, the operator, the local
//! Job executor and the demo of `demo/`, exactly as a newcomer's `make run` does (only the
//! port and the run directory differ). The test waits for its "Ready" line, checks the served
//! listing and the `kubectl` tour of the README against it, presses Ctrl-C (SIGINT) and
//! checks that everything stopped; then `--until-ready` must reach the same state and exit 0
//! on its own.
//!
//! With `SCS_SCREENSHOT=path.png` (and Chromium installed) the served listing is also
//! photographed, e.g. `SCS_SCREENSHOT=$PWD/docs/img/listing.png`; without it nothing is
//! written outside `target/`.

use crate::harness::{block_on, repo_root};
use crate::trial;
use libtest_mimic::Trial;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    vec![trial(
        "demo::make_run_serves_every_state_and_stops_cleanly",
        make_run,
    )]
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// `hack/run.sh ARGS` with the test's scs-cert binary; stdout piped, stderr inherited (so a
/// failure's "What to do" shows up in the test output).
fn run_sh(dir: &Path, port: u16, extra: &[&str]) -> Child {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new("bash");
    // SAFETY: signal(2) is async-signal-safe. The e2e binary may have inherited SIGINT as
    // ignored (with-cluster.sh starts it in the background, where shells ignore SIGINT), and
    // bash cannot trap a signal ignored at entry: restore the default so the script sees the
    // Ctrl-C this test sends, as it does in a terminal.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    command
        .arg(repo_root().join("hack/run.sh"))
        .arg("--dir")
        .arg(dir)
        .arg("--port")
        .arg(port.to_string())
        .args(extra)
        .env("SCS_CERT", env!("CARGO_BIN_EXE_scs-cert"))
        // The demo has its own control plane; the e2e cluster must not leak in.
        .env_remove("KUBECONFIG")
        .current_dir(repo_root())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start hack/run.sh")
}

/// Forwards stdout lines of `child` (echoed to stderr for the test log).
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            eprintln!("run.sh | {line}");
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Reads lines until one contains `marker`; panics with everything seen when the script
/// ends first.
fn wait_for(lines: &mpsc::Receiver<String>, marker: &str, seen: &mut Vec<String>) {
    loop {
        match lines.recv() {
            Ok(line) => {
                let found = line.contains(marker);
                seen.push(line);
                if found {
                    return;
                }
            }
            Err(_) => panic!("hack/run.sh ended before {marker:?}:\n{}", seen.join("\n")),
        }
    }
}

fn kubectl(dir: &Path, args: &[&str]) -> String {
    let binary = std::env::var("SCS_KUBECTL").unwrap_or_else(|_| "kubectl".to_owned());
    let out = Command::new(binary)
        .args(args)
        .env("KUBECONFIG", dir.join("cp/kubeconfig"))
        .output()
        .expect("run kubectl");
    assert!(
        out.status.success(),
        "kubectl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn get(url: &str) -> String {
    let response = reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert!(
        response.status().is_success(),
        "GET {url}: {}",
        response.status()
    );
    response.text().await.expect("body")
}

/// The listing of the demo shows every state README and demo/README.md promise.
fn assert_demo_listing(listing: &Value) {
    let cloud = |subject: &str| {
        listing["clouds"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["subject"] == subject))
            .unwrap_or_else(|| panic!("{subject} in the listing: {listing:#}"))
    };
    let version = |c: &Value, name: &str| {
        c["versions"]
            .as_array()
            .and_then(|v| v.iter().find(|v| v["name"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("version {name} of {}", c["subject"]))
    };

    let local = cloud("local-kaas");
    assert_eq!(local["certification"], "selfAssessed", "{local:#}");
    assert_eq!(local["certificate"]["state"], "Valid");
    assert_eq!(version(local, "v1")["result"], "PASS");
    // v2 (draft) adds the version policy, which the local Kubernetes 1.34 fails (end of life
    // 2026-10-27 in the shipped EOL data).
    assert_eq!(version(local, "v2")["result"], "FAIL");

    let edge = cloud("edge-kaas");
    assert_eq!(edge["certification"], "notCertified", "{edge:#}");
    let v1 = version(edge, "v1");
    assert_eq!(v1["result"], "FAIL");
    assert!(v1.to_string().contains("node-distribution-check"), "{v1}");

    let certified = cloud("main-kaas");
    assert_eq!(certified["certification"], "certified", "{certified:#}");
    assert_eq!(certified["certificate"]["state"], "Valid");
    assert_eq!(certified["certificate"]["version"], "v1");

    let revoked = cloud("legacy-kaas");
    assert_eq!(revoked["certification"], "notCertified", "{revoked:#}");
    assert_eq!(revoked["certificate"]["state"], "Revoked");
    let revocations = listing["revocations"].to_string();
    assert!(revocations.contains("legacy-kaas"), "{revocations}");

    let integrator = listing["integrators"]
        .as_array()
        .and_then(|i| {
            i.iter()
                .find(|i| i["organization"] == "Demo Integrations GmbH")
        })
        .unwrap_or_else(|| panic!("the integrator in {listing:#}"));
    assert_eq!(integrator["listed"], true);
    assert_eq!(integrator["tier"], "Silver");
    assert_eq!(integrator["layer"], "KaaS");
}

/// Whether `pid` runs (a zombie waiting for init to reap it does not).
fn pid_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // "pid (comm) S ...": the state follows the last ')'.
            let state = stat.rsplit_once(')')?.1.trim_start().chars().next()?;
            Some(state != 'Z' && state != 'X')
        })
        .unwrap_or(false)
}

fn read_pid(path: PathBuf) -> u32 {
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .trim()
        .parse()
        .expect("pid")
}

fn make_run() {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("e2e-demo-{}", std::process::id()));
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");

    // 1. The interactive path: start, wait for "Ready", look around, Ctrl-C.
    let mut child = run_sh(&dir, port, &[]);
    let lines = lines_of(&mut child);
    let mut seen = Vec::new();
    wait_for(&lines, "==> Ready", &mut seen);
    let steps: Vec<&String> = seen.iter().filter(|l| l.starts_with('[')).collect();
    assert_eq!(steps.len(), 9, "numbered steps: {steps:#?}");
    assert!(
        seen.iter().any(|l| l.contains("4/4 runs finished")),
        "{seen:#?}"
    );

    let listing: Value =
        serde_json::from_str(&block_on(get(&format!("{url}/listing.json")))).expect("JSON");
    assert_demo_listing(&listing);
    let index = block_on(get(&format!("{url}/")));
    for name in [
        "Local control plane",
        "Edge KaaS (demo, failing)",
        "Main KaaS (demo, certified)",
        "Legacy KaaS (demo, revoked)",
        "Demo Integrations GmbH",
    ] {
        assert!(index.contains(name), "{name} on the index page");
    }

    // The README's tour, with the kubeconfig the Ready message names.
    let wide = kubectl(&dir, &["-n", "scs-demo", "get", "ccert", "-o", "wide"]);
    for text in [
        "SUBJECT",
        "CERTIFICATE",
        "main-kaas",
        "Valid",
        "Revoked",
        "edge-kaas",
    ] {
        assert!(wide.contains(text), "{text} in:\n{wide}");
    }
    let described = kubectl(&dir, &["-n", "scs-demo", "describe", "ccert", "demo-edge"]);
    assert!(described.contains("node-distribution-check"), "{described}");
    kubectl(
        &dir,
        &[
            "-n",
            "scs-demo",
            "wait",
            "--for=condition=Ready",
            "ccert/demo-certified",
            "--timeout=120s",
        ],
    );
    // The probes ran as the demo scope's scripts: their verdicts are the stored results.
    let results = kubectl(
        &dir,
        &[
            "-n",
            "scs-demo",
            "get",
            "ccert",
            "local-control-plane",
            "-o",
            "jsonpath={range .status.results[*]}{.testcase}={.result} {end}",
        ],
    );
    for expected in [
        "default-storage-class-check=PASS",
        "node-distribution-check=PASS",
        "version-policy-check=FAIL",
    ] {
        assert!(results.contains(expected), "{expected} in {results}");
    }

    if let Some(dom) = crate::listing::chromium()
        .map(|_| crate::listing::run_chromium(&format!("{url}/"), &["--dump-dom".into()]))
    {
        assert!(
            dom.contains("data-subject=\"main-kaas\""),
            "rendered DOM:\n{dom}"
        );
        if let Some(png) = std::env::var_os("SCS_SCREENSHOT").map(PathBuf::from) {
            if let Some(parent) = png.parent() {
                std::fs::create_dir_all(parent).expect("screenshot directory");
            }
            let _ = std::fs::remove_file(&png);
            crate::listing::run_chromium(
                &format!("{url}/"),
                &[
                    format!("--screenshot={}", png.display()),
                    "--window-size=1280,1120".into(),
                    "--hide-scrollbars".into(),
                ],
            );
            let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
            assert!(size > 10_000, "{} has {size} bytes", png.display());
            eprintln!("demo: screenshot {} ({size} bytes)", png.display());
        }
    }

    let pids = [
        read_pid(dir.join("operator.pid")),
        read_pid(dir.join("executor.pid")),
        read_pid(dir.join("cp/kube-apiserver.pid")),
        read_pid(dir.join("cp/etcd.pid")),
    ];
    // SAFETY: plain kill(2) on our own child.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0, "SIGINT to hack/run.sh");
    wait_for(&lines, "Stopped everything", &mut seen);
    let status = child.wait().expect("wait for hack/run.sh");
    assert!(status.success(), "Ctrl-C ends make run with 0: {status}");
    for pid in pids {
        assert!(!pid_alive(pid), "process {pid} still runs after Ctrl-C");
    }
    assert!(
        !dir.join("cp").exists(),
        "the control plane directory is removed"
    );
    assert!(port_is_free(port), "port {port} is free again");

    // 2. The non-interactive path: `--until-ready` stops on its own once ready.
    let mut child = run_sh(&dir, port, &["--until-ready"]);
    let lines = lines_of(&mut child);
    let mut seen = Vec::new();
    wait_for(&lines, "Stopped everything", &mut seen);
    let status = child.wait().expect("wait for hack/run.sh --until-ready");
    assert!(
        status.success(),
        "--until-ready exits 0: {status}\n{}",
        seen.join("\n")
    );
    assert!(seen.iter().any(|l| l.contains("==> Ready")));
    let snapshot = std::fs::read_to_string(dir.join("listing/listing.json")).expect("snapshot");
    assert_demo_listing(&serde_json::from_str(&snapshot).expect("snapshot JSON"));
    assert!(!dir.join("cp").exists() && port_is_free(port));
    let _ = std::fs::remove_dir_all(&dir);
}
