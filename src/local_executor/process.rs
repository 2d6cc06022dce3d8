//! Process supervision: one container is one local process in its own process group, with
//! stdout and stderr captured to a log file. Stopping a container signals the whole group,
//! so shells and their children go away together, like a container's processes do.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// Exit code of a container that could not be started (what container runtimes report).
pub const START_ERROR_EXIT_CODE: i32 = 128;
/// How long log readers may take to drain after the process group is gone.
const LOG_DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// What to run for one container, with paths already mapped to local ones.
#[derive(Debug, Clone)]
pub struct ProcessSpec {
    /// Program: an absolute path or a name looked up in the `PATH` of `env`.
    pub program: String,
    /// Arguments after the program.
    pub args: Vec<String>,
    /// The complete environment (nothing is inherited).
    pub env: Vec<(String, String)>,
    /// Working directory.
    pub working_dir: PathBuf,
    /// Where stdout and stderr go (created, or truncated).
    pub log_file: PathBuf,
    /// When set, each output line is also written to the executor's stderr with this
    /// prefix.
    pub echo_prefix: Option<String>,
}

/// Errors of starting a process.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The log file cannot be created.
    #[error("cannot create log file {path}: {source}")]
    LogFile {
        /// The log file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The program cannot be started (not found, not executable, bad working directory).
    #[error("cannot start {program:?} in {working_dir}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The working directory.
        working_dir: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Waiting for the process failed.
    #[error("cannot wait for process {pid}: {source}")]
    Wait {
        /// Process id.
        pid: i32,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessExit {
    /// Exit code, or 128 + signal number when a signal ended it (shell convention).
    pub exit_code: i32,
    /// The signal that ended it, if any.
    pub signal: Option<i32>,
}

impl ProcessExit {
    fn from_status(status: std::process::ExitStatus) -> Self {
        match (status.code(), status.signal()) {
            (Some(code), _) => Self {
                exit_code: code,
                signal: None,
            },
            (None, Some(signal)) => Self {
                exit_code: 128 + signal,
                signal: Some(signal),
            },
            // Neither a code nor a signal does not happen on Unix; report a failure.
            (None, None) => Self {
                exit_code: 1,
                signal: None,
            },
        }
    }
}

/// A started container process. Dropping it kills its process group.
pub struct RunningProcess {
    child: tokio::process::Child,
    /// Process group id (the leader's pid); `None` once the group was cleaned up.
    group: Option<i32>,
    log_readers: Vec<JoinHandle<()>>,
    exit: Option<ProcessExit>,
}

/// Starts a process in a new process group with captured output.
pub fn spawn(spec: &ProcessSpec) -> Result<RunningProcess, ProcessError> {
    let log = std::fs::File::create(&spec.log_file).map_err(|source| ProcessError::LogFile {
        path: spec.log_file.clone(),
        source,
    })?;
    let mut command = tokio::process::Command::new(&spec.program);
    command
        .args(&spec.args)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&spec.working_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Own process group: signals reach the container's whole process tree, and a
        // Ctrl-C meant for the executor does not reach the containers directly.
        .process_group(0);
    let mut child = command.spawn().map_err(|source| ProcessError::Spawn {
        program: spec.program.clone(),
        working_dir: spec.working_dir.clone(),
        source,
    })?;
    let group = child.id().and_then(|pid| i32::try_from(pid).ok());
    let log = Arc::new(Mutex::new(tokio::fs::File::from_std(log)));
    let mut log_readers = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        log_readers.push(tokio::spawn(copy_lines(
            stdout,
            log.clone(),
            spec.echo_prefix.clone(),
        )));
    }
    if let Some(stderr) = child.stderr.take() {
        log_readers.push(tokio::spawn(copy_lines(
            stderr,
            log,
            spec.echo_prefix.clone(),
        )));
    }
    Ok(RunningProcess {
        child,
        group,
        log_readers,
        exit: None,
    })
}

/// Copies output line by line into the log file (and, when asked, to stderr).
async fn copy_lines(
    stream: impl AsyncRead + Unpin,
    log: Arc<Mutex<tokio::fs::File>>,
    echo_prefix: Option<String>,
) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let mut file = log.lock().await;
                // A full disk must not stop the container; the log is best effort.
                let _ = file.write_all(&line).await;
                let _ = file.flush().await;
                drop(file);
                if let Some(prefix) = &echo_prefix {
                    let text = String::from_utf8_lossy(&line);
                    eprintln!("{prefix} {}", text.trim_end_matches(['\n', '\r']));
                }
            }
        }
    }
}

impl RunningProcess {
    /// Process id of the group leader.
    pub fn pid(&self) -> Option<i32> {
        self.group
    }

    /// Waits until the main process exits. Cancel-safe.
    pub async fn wait(&mut self) -> Result<ProcessExit, ProcessError> {
        if let Some(exit) = self.exit {
            return Ok(exit);
        }
        let status = self
            .child
            .wait()
            .await
            .map_err(|source| ProcessError::Wait {
                pid: self.group.unwrap_or_default(),
                source,
            })?;
        let exit = ProcessExit::from_status(status);
        self.exit = Some(exit);
        Ok(exit)
    }

    /// Stops the process group: SIGTERM, then SIGKILL after `grace`. Returns how the main
    /// process ended.
    pub async fn terminate(&mut self, grace: Duration) -> Result<ProcessExit, ProcessError> {
        self.signal_group(libc::SIGTERM);
        match tokio::time::timeout(grace, self.wait()).await {
            Ok(result) => {
                // The leader is gone; its children get no more time than it did.
                self.signal_group(libc::SIGKILL);
                result
            }
            Err(_) => {
                self.signal_group(libc::SIGKILL);
                self.wait().await
            }
        }
    }

    /// After the main process exited: kills what is left of its group (a container's
    /// processes end with it) and waits briefly until the output is in the log file.
    pub async fn finish(mut self) {
        self.signal_group(libc::SIGKILL);
        self.group = None;
        for reader in std::mem::take(&mut self.log_readers) {
            // A grandchild that escaped into another group may hold the pipe open.
            if tokio::time::timeout(LOG_DRAIN_TIMEOUT, reader)
                .await
                .is_err()
            {
                tracing::debug!("log reader still busy after the process group ended");
            }
        }
    }

    fn signal_group(&self, signal: i32) {
        if let Some(group) = self.group {
            // SAFETY: kill(2) with a negative pid only sends a signal to that process
            // group; it has no memory-safety preconditions.
            let result = unsafe { libc::kill(-group, signal) };
            if result != 0 {
                // ESRCH: the group is already gone, which is what we wanted.
                tracing::trace!(group, signal, "process group already gone");
            }
        }
    }
}

impl Drop for RunningProcess {
    fn drop(&mut self) {
        // Never leave a container's processes behind when the supervisor goes away
        // (executor shutdown, a worker ending on an API error).
        self.signal_group(libc::SIGKILL);
        for reader in &self.log_readers {
            reader.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, dir: &std::path::Path) -> ProcessSpec {
        ProcessSpec {
            program: "/bin/sh".to_owned(),
            args: vec!["-c".to_owned(), script.to_owned()],
            env: vec![("PATH".to_owned(), "/usr/bin:/bin".to_owned())],
            working_dir: dir.to_path_buf(),
            log_file: dir.join("log"),
            echo_prefix: None,
        }
    }

    #[tokio::test]
    async fn captures_output_and_exit_code() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut process =
            spawn(&sh("echo out; echo err >&2; pwd; exit 3", dir.path())).expect("spawn");
        let exit = process.wait().await.expect("wait");
        process.finish().await;
        assert_eq!(exit.exit_code, 3);
        let log = std::fs::read_to_string(dir.path().join("log")).expect("log");
        assert!(log.contains("out\n") && log.contains("err\n"), "{log}");
        assert!(log.contains(&dir.path().display().to_string()), "{log}");
    }

    #[tokio::test]
    async fn environment_is_only_what_was_given() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut spec = sh("echo \"[$HOME][$ONLY]\"", dir.path());
        spec.env.push(("ONLY".to_owned(), "me".to_owned()));
        let mut process = spawn(&spec).expect("spawn");
        process.wait().await.expect("wait");
        process.finish().await;
        let log = std::fs::read_to_string(dir.path().join("log")).expect("log");
        assert_eq!(log, "[][me]\n");
    }

    #[tokio::test]
    async fn terminate_kills_the_whole_group() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pid_file = dir.path().join("child.pid");
        let script = format!("sleep 300 & echo $! > {}; wait", pid_file.display());
        let mut process = spawn(&sh(&script, dir.path())).expect("spawn");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !pid_file.exists() && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let child_pid: i32 = std::fs::read_to_string(&pid_file)
            .expect("pid file")
            .trim()
            .parse()
            .expect("pid");
        let exit = process
            .terminate(Duration::from_secs(5))
            .await
            .expect("terminate");
        process.finish().await;
        assert_eq!(exit.signal, Some(libc::SIGTERM));
        assert_eq!(exit.exit_code, 128 + libc::SIGTERM);
        // The background child is gone too (or a zombie about to be reaped by init).
        tokio::time::sleep(Duration::from_millis(200)).await;
        let stat = std::fs::read_to_string(format!("/proc/{child_pid}/stat")).unwrap_or_default();
        assert!(
            stat.is_empty() || stat.contains(") Z"),
            "child still alive: {stat}"
        );
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut spec = sh("", dir.path());
        spec.program = "/nonexistent/program".to_owned();
        let result = runtime.block_on(async { spawn(&spec).map(|_| ()) });
        assert!(matches!(result, Err(ProcessError::Spawn { .. })));
    }
}
