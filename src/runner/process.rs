//! Running one script: its own process group, stdout and stderr captured concurrently, an
//! optional timeout that kills the whole group, and SIGINT/SIGTERM forwarded to the group.

use crate::runner::capture::StreamCapture;
use crate::runner::duration::format_duration;
use crate::runner::invocation::Launch;
use crate::runner::process_group::{
    Interrupts, SIGKILL, SIGTERM, python_style_rc, signal_group, signal_name,
};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::Instant;

/// After SIGKILL, how long to wait for pipes held open by escaped processes before giving up.
const PIPE_ABANDON_AFTER_KILL: Duration = Duration::from_secs(5);

/// Time limits for one script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Kill the script's process group after this long (`None`: wait forever, as upstream).
    pub timeout: Option<Duration>,
    /// Between SIGTERM and SIGKILL.
    pub kill_grace: Duration,
}

/// How a script ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finished {
    /// Return code, Python style (negative: killed by that signal).
    pub rc: i64,
    /// Whether the timeout fired.
    pub timed_out: bool,
    /// Whether the group had to be killed with SIGKILL.
    pub killed: bool,
    /// A SIGINT/SIGTERM received by the driver while the script ran (forwarded to it).
    pub interrupted: Option<i32>,
}

async fn read_some<R: AsyncRead + Unpin>(
    reader: &mut Option<R>,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    match reader {
        Some(reader) => reader.read(buf).await,
        None => std::future::pending().await,
    }
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A script that could not be run to its end.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The process could not be started (upstream: rc 127 and a CRITICAL line).
    #[error("{0}")]
    Spawn(std::io::Error),
    /// Waiting for the started process failed.
    #[error("{0}")]
    Wait(std::io::Error),
}

/// Runs `launch` in `cwd` with `env` added, feeding its output into the captures.
pub async fn run_captured(
    launch: &Launch,
    env: &[(String, String)],
    cwd: &Path,
    limits: Limits,
    stdout: &mut StreamCapture,
    stderr: &mut StreamCapture,
    interrupts: &mut Interrupts,
) -> Result<Finished, RunError> {
    let mut command = tokio::process::Command::new(&launch.program);
    command
        .args(&launch.args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(cwd)
        // Scripts are not interactive; a background group reading a terminal would stop.
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = command.spawn().map_err(RunError::Spawn)?;
    let pgid = child.id();
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let mut out_buf = vec![0u8; 64 * 1024];
    let mut err_buf = vec![0u8; 64 * 1024];
    let started = Instant::now();
    let deadline = limits.timeout.map(|t| started + t);
    let mut status = None;
    let mut timed_out = false;
    let mut interrupted = None;
    let mut escalate_at: Option<Instant> = None;
    let mut killed = false;
    let mut abandon_at: Option<Instant> = None;
    let signal = |sig: i32| {
        if let Some(pgid) = pgid {
            let _ = signal_group(pgid, sig);
        }
    };
    while status.is_none() || out.is_some() || err.is_some() {
        tokio::select! {
            read = read_some(&mut out, &mut out_buf) => match read {
                Ok(n) if n > 0 => stdout.push(out_buf.get(..n).unwrap_or_default()),
                _ => out = None,
            },
            read = read_some(&mut err, &mut err_buf) => match read {
                Ok(n) if n > 0 => stderr.push(err_buf.get(..n).unwrap_or_default()),
                _ => err = None,
            },
            waited = child.wait(), if status.is_none() => status = Some(waited.map_err(RunError::Wait)?),
            _ = sleep_until_opt(deadline), if !timed_out && interrupted.is_none() => {
                timed_out = true;
                signal(SIGTERM);
                escalate_at = Some(Instant::now() + limits.kill_grace);
            }
            _ = sleep_until_opt(escalate_at), if !killed => {
                killed = true;
                signal(SIGKILL);
                abandon_at = Some(Instant::now() + PIPE_ABANDON_AFTER_KILL);
            }
            _ = sleep_until_opt(abandon_at) => {
                // A process that left the group still holds the pipes; stop reading.
                out = None;
                err = None;
                abandon_at = None;
            }
            sig = interrupts.recv(), if interrupted.is_none() => {
                interrupted = Some(sig);
                signal(sig);
                if escalate_at.is_none() {
                    escalate_at = Some(Instant::now() + limits.kill_grace);
                }
            }
        }
    }
    stdout.finish();
    stderr.finish();
    let rc = status.map(python_style_rc).unwrap_or(-1);
    if timed_out {
        let limit = limits.timeout.map(format_duration).unwrap_or_default();
        let how = if killed {
            format!(
                "sent {} to its process group, then {} after {}",
                signal_name(SIGTERM),
                signal_name(SIGKILL),
                format_duration(limits.kill_grace)
            )
        } else {
            format!("sent {} to its process group", signal_name(SIGTERM))
        };
        stderr.push_own_line(&format!(
            "CRITICAL: scs-cert check: script timed out after {limit} (--script-timeout); {how}"
        ));
    }
    Ok(Finished {
        rc,
        timed_out,
        killed,
        interrupted,
    })
}
