//! The static release binary (`make release-binary`, the one the Dockerfile ships): it is
//! statically linked, reports the crate version, prints the committed CRDs and, given a
//! control plane (`KUBECONFIG`, as `make release-binary-test` provides), runs as the operator:
//! it connects over TLS, installs nothing itself, becomes ready and stops cleanly on SIGTERM.
//!
//! The build takes minutes (about 6 on 2 busy cores), so `make test` does not run it: these
//! tests skip with a message unless `SCS_RELEASE_BINARY_REQUIRED=1` (set by
//! `make release-binary-test`, right after building the binary).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn binary() -> Option<PathBuf> {
    // Only `make release-binary-test` (which builds first) runs these: a binary left over from
    // an older build would otherwise fail `make test` for the wrong reason.
    if std::env::var("SCS_RELEASE_BINARY_REQUIRED").as_deref() != Ok("1") {
        eprintln!("SKIPPED: run `make release-binary-test` to build and test the static binary");
        return None;
    }
    let path = std::env::var_os("SCS_RELEASE_BINARY").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release-binary/scs-cert"),
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "{} is missing; run `make release-binary`",
        path.display()
    );
    Some(path)
}

#[test]
fn release_binary_is_static_and_reports_its_version() {
    let Some(binary) = binary() else { return };
    let ldd = Command::new("ldd").arg(&binary).output().expect("run ldd");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&ldd.stdout),
        String::from_utf8_lossy(&ldd.stderr)
    );
    assert!(
        !text.contains("=>"),
        "{} is dynamically linked:\n{text}",
        binary.display()
    );
    let out = Command::new(&binary)
        .arg("--version")
        .output()
        .expect("run --version");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("scs-cert {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn release_binary_prints_the_committed_crds() {
    let Some(binary) = binary() else { return };
    let out = Command::new(&binary)
        .arg("crds")
        .output()
        .expect("run crds");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crds");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("crds/")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let committed: String = files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read CRD"))
        .collect();
    assert!(
        String::from_utf8_lossy(&out.stdout) == committed,
        "the release binary's `crds` differ from crds/ (stale build? run `make release-binary`)"
    );
}

#[test]
fn release_binary_runs_the_operator_against_a_real_api_server() {
    let Some(binary) = binary() else { return };
    let Some(kubeconfig) = std::env::var_os("KUBECONFIG").filter(|k| !k.is_empty()) else {
        eprintln!("SKIPPED: no KUBECONFIG (make release-binary-test starts a control plane)");
        return;
    };
    // The CRDs must exist for the caches to sync; `kubectl apply` of the binary's own output.
    let kubectl = std::env::var("SCS_KUBECTL").unwrap_or_else(|_| "kubectl".to_owned());
    let crds = Command::new(&binary).arg("crds").output().expect("crds");
    let mut apply = Command::new(&kubectl)
        .args(["apply", "--server-side", "-f", "-"])
        .env("KUBECONFIG", &kubeconfig)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("run kubectl");
    std::io::Write::write_all(apply.stdin.as_mut().expect("stdin"), &crds.stdout)
        .expect("pipe CRDs");
    drop(apply.stdin.take());
    assert!(
        apply.wait().expect("kubectl").success(),
        "kubectl apply of the CRDs failed"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut operator = Command::new(&binary)
        .args([
            "operator",
            &format!("--listen=127.0.0.1:{port}"),
            &format!("--intake-url=http://127.0.0.1:{port}"),
            "--namespace=default",
            "--log-format=json",
        ])
        .env("KUBECONFIG", &kubeconfig)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the operator");
    let deadline = Instant::now() + Duration::from_secs(60);
    let ready = loop {
        if let Some(status) = operator.try_wait().expect("poll operator") {
            let mut log = String::new();
            let _ =
                std::io::Read::read_to_string(operator.stderr.as_mut().expect("stderr"), &mut log);
            panic!("the operator exited early ({status}):\n{log}");
        }
        if http_status(port, "/readyz") == Some(200) {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(http_status(port, "/healthz"), Some(200));
    // SIGTERM: graceful shutdown, exit code 0.
    // SAFETY: kill(2) on the pid of the child this test started.
    unsafe {
        libc::kill(i32::try_from(operator.id()).expect("pid"), libc::SIGTERM);
    }
    let stopped = Instant::now();
    let status = loop {
        if let Some(status) = operator.try_wait().expect("poll operator") {
            break Some(status);
        }
        if stopped.elapsed() > Duration::from_secs(20) {
            let _ = operator.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut log = String::new();
    let _ = std::io::Read::read_to_string(operator.stderr.as_mut().expect("stderr"), &mut log);
    assert!(
        ready,
        "the operator did not become ready within 60 s:\n{log}"
    );
    assert!(
        status.is_some_and(|s| s.success()),
        "no clean exit on SIGTERM ({status:?}):\n{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.starts_with('{') && l.contains("caches synced")),
        "expected JSON log lines:\n{log}"
    );
}

/// The HTTP status of `GET path` on 127.0.0.1:port, or None when nothing answers.
fn http_status(port: u16, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}
