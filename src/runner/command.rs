//! Running the wrapped check command for `scs-cert run`: its own process group, output
//! streamed to our stdout/stderr as it comes (the container log) while the last lines are
//! kept, an optional timeout, and SIGINT/SIGTERM forwarded to the group.

use crate::runner::output_tail::{OutputTail, Stream};
use crate::runner::process_group::{Interrupts, SIGKILL, SIGTERM, signal_group};
use std::ffi::OsString;
use std::io::Write as _;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::Instant;

/// After SIGKILL, how long to wait for pipes held open by escaped processes.
const PIPE_ABANDON_AFTER_KILL: Duration = Duration::from_secs(5);

/// How the wrapped command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandEnd {
    /// It could not be started.
    NotStarted(String),
    /// It exited with this code.
    Exited(i32),
    /// A signal ended it.
    Signalled(i32),
}

/// The outcome of running the command.
#[derive(Debug)]
pub struct CommandOutcome {
    /// How it ended.
    pub end: CommandEnd,
    /// Whether `--command-timeout` fired.
    pub timed_out: bool,
    /// A SIGINT/SIGTERM we received and forwarded.
    pub interrupted: Option<i32>,
    /// The last lines of its output.
    pub tail: OutputTail,
}

/// Limits for the command.
#[derive(Debug, Clone, Copy)]
pub struct CommandLimits {
    /// Kill the group after this long (`None`: no limit).
    pub timeout: Option<Duration>,
    /// Between SIGTERM and SIGKILL.
    pub kill_grace: Duration,
    /// Lines kept for the failure record.
    pub tail_lines: usize,
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

/// Runs `program args`, streaming its output, and waits for it (and its pipes) to finish.
pub async fn run_command(
    program: &OsString,
    args: &[OsString],
    limits: CommandLimits,
    interrupts: &mut Interrupts,
) -> CommandOutcome {
    let mut tail = OutputTail::new(limits.tail_lines);
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) => {
            return CommandOutcome {
                end: CommandEnd::NotStarted(format!(
                    "cannot start {}: {error}",
                    program.to_string_lossy()
                )),
                timed_out: false,
                interrupted: None,
                tail,
            };
        }
    };
    let pgid = child.id();
    let signal = |sig: i32| {
        if let Some(pgid) = pgid {
            let _ = signal_group(pgid, sig);
        }
    };
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let mut out_buf = vec![0u8; 64 * 1024];
    let mut err_buf = vec![0u8; 64 * 1024];
    let deadline = limits.timeout.map(|t| Instant::now() + t);
    let mut status = None;
    let mut wait_failed = None;
    let mut timed_out = false;
    let mut interrupted = None;
    let mut escalate_at: Option<Instant> = None;
    let mut killed = false;
    let mut abandon_at: Option<Instant> = None;
    while (status.is_none() && wait_failed.is_none()) || out.is_some() || err.is_some() {
        tokio::select! {
            read = read_some(&mut out, &mut out_buf) => match read {
                Ok(n) if n > 0 => {
                    let chunk = out_buf.get(..n).unwrap_or_default();
                    let mut stdout = std::io::stdout().lock();
                    let _ = stdout.write_all(chunk);
                    let _ = stdout.flush();
                    tail.push(Stream::Stdout, chunk);
                }
                _ => out = None,
            },
            read = read_some(&mut err, &mut err_buf) => match read {
                Ok(n) if n > 0 => {
                    let chunk = err_buf.get(..n).unwrap_or_default();
                    let _ = std::io::stderr().lock().write_all(chunk);
                    tail.push(Stream::Stderr, chunk);
                }
                _ => err = None,
            },
            waited = child.wait(), if status.is_none() && wait_failed.is_none() => match waited {
                Ok(exit) => status = Some(exit),
                Err(error) => wait_failed = Some(error.to_string()),
            },
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
    tail.finish();
    let end = match (status, wait_failed) {
        (Some(exit), _) => match (exit.code(), exit.signal()) {
            (Some(code), _) => CommandEnd::Exited(code),
            (None, Some(sig)) => CommandEnd::Signalled(sig),
            (None, None) => CommandEnd::Exited(-1),
        },
        (None, Some(error)) => {
            CommandEnd::NotStarted(format!("waiting for the command failed: {error}"))
        }
        (None, None) => CommandEnd::Exited(-1),
    };
    CommandOutcome {
        end,
        timed_out,
        interrupted,
        tail,
    }
}
