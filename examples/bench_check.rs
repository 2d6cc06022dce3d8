//! Benchmark of `scs-cert check` (not a test): a spec with 100 no-op testcases in 10 shell
//! scripts; prints the wall time and the peak RSS of the driver process.
//!
//! `cargo run --release --example bench_check [-- ITERATIONS]`
//!
//! Peak RSS is reported twice: `VmHWM` read from `/proc/<pid>/status` while the driver runs
//! (the driver alone; sampled, so a lower bound) and `ru_maxrss` from `wait4` (the driver, or
//! one of the scripts it waited for if that was larger). Set `SCS_UPSTREAM_CHECK` to the path
//! of upstream `scs-compliance-check.py` to measure it on the same spec for comparison.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SCRIPTS: usize = 10;
const TESTCASES_PER_SCRIPT: usize = 10;

fn write_spec(dir: &Path) -> std::io::Result<PathBuf> {
    let script = dir.join("noop.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nfor tc in \"$@\"; do echo \"$tc: PASS\"; done\n",
    )?;
    let mut perms = std::fs::metadata(&script)?.permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&script, perms)?;
    let mut spec = String::from(
        "uuid: 00000000-0000-4000-8000-00000000beef\nname: Benchmark\nurl: https://example.org/bench.yaml\nscripts:\n",
    );
    let mut ids = Vec::new();
    for s in 0..SCRIPTS {
        spec.push_str("  - executable: ./noop.sh\n    args: \"{testcases}\"\n    testcases:\n");
        for t in 0..TESTCASES_PER_SCRIPT {
            let id = format!("bench-{s:02}-{t:02}");
            spec.push_str(&format!("      - id: {id}\n"));
            ids.push(id);
        }
    }
    spec.push_str(&format!(
        "modules:\n  - id: m\n    targets:\n      main: [{}]\nversions:\n  - version: v1\n    include: [m]\ntimeline:\n  - date: 2020-01-01\n    versions:\n      v1: effective\n",
        ids.join(", ")
    ));
    let path = dir.join("bench.yaml");
    std::fs::write(&path, spec)?;
    Ok(path)
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Sample {
    wall: Duration,
    exit: i32,
    hwm_kib: u64,
    maxrss_kib: i64,
}

fn measure(program: &Path, args: &[&str]) -> std::io::Result<Sample> {
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let pid = child.id();
    let pid_t = libc::pid_t::try_from(pid).map_err(std::io::Error::other)?;
    let mut hwm_kib = 0;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        if let Some(hwm) = vm_hwm_kib(pid) {
            hwm_kib = hwm_kib.max(hwm);
        }
        // SAFETY: pid is our own child; status and usage are valid out-pointers.
        let done = unsafe { libc::wait4(pid_t, &mut status, libc::WNOHANG, &mut usage) };
        if done == pid_t {
            break;
        }
        if done < 0 {
            return Err(std::io::Error::last_os_error());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let wall = started.elapsed();
    let exit = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok(Sample {
        wall,
        exit,
        hwm_kib,
        maxrss_kib: usage.ru_maxrss,
    })
}

fn report(label: &str, samples: &[Sample]) {
    let mut walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
    walls.sort();
    let median = walls[walls.len() / 2];
    let min = walls[0];
    let max = walls[walls.len() - 1];
    let hwm = samples.iter().map(|s| s.hwm_kib).max().unwrap_or(0);
    let maxrss = samples.iter().map(|s| s.maxrss_kib).max().unwrap_or(0);
    let exits: Vec<i32> = samples.iter().map(|s| s.exit).collect();
    println!(
        "{label}: {} runs, wall median {:.1} ms (min {:.1}, max {:.1}); peak RSS: VmHWM {:.1} MiB, ru_maxrss {:.1} MiB; exit codes {:?}",
        samples.len(),
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        hwm as f64 / 1024.0,
        maxrss as f64 / 1024.0,
        exits
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iterations: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(&cargo)
        .args(["build", "--release", "--quiet", "--bin", "scs-cert"])
        .status()?;
    if !built.success() {
        return Err("cargo build --release --bin scs-cert failed".into());
    }
    let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/scs-cert");
    let dir = tempfile::tempdir()?;
    let spec = write_spec(dir.path())?;
    let report_path = dir.path().join("report.yaml");
    let spec_arg = spec.to_string_lossy().into_owned();
    let report_arg = report_path.to_string_lossy().into_owned();
    let args = [
        "check",
        spec_arg.as_str(),
        "-s",
        "bench",
        "-o",
        report_arg.as_str(),
    ];
    println!(
        "spec: {} testcases in {SCRIPTS} scripts ({}); binary: {}",
        SCRIPTS * TESTCASES_PER_SCRIPT,
        spec.display(),
        binary.display()
    );
    std::io::stdout().flush()?;
    measure(&binary, &args)?; // warm-up (page cache)
    let samples = (0..iterations)
        .map(|_| measure(&binary, &args))
        .collect::<Result<Vec<_>, _>>()?;
    let written = std::fs::read_to_string(&report_path)?;
    let passes = written.matches(": 1\n").count();
    report("scs-cert check", &samples);
    println!("report: {} bytes, {passes} PASS results", written.len());
    if let Ok(upstream) = std::env::var("SCS_UPSTREAM_CHECK") {
        let python = Path::new("python3");
        let up_args = [
            upstream.as_str(),
            spec_arg.as_str(),
            "-s",
            "bench",
            "-o",
            report_arg.as_str(),
        ];
        let samples = (0..iterations)
            .map(|_| measure(python, &up_args))
            .collect::<Result<Vec<_>, _>>()?;
        report("upstream scs-compliance-check.py", &samples);
    }
    Ok(())
}
