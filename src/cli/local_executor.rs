//! `scs-cert local-executor`: plays kubelet + job controller for the operator's Jobs on a
//! control plane without nodes (tests and `make run`). Not for production clusters.

use crate::local_executor::job_status::BackoffPolicy;
use crate::local_executor::{self, DEFAULT_MAX_PARALLEL, DEFAULT_SELECTOR, ExecutorConfig};
use clap::Args;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `scs-cert local-executor`.
#[derive(Args, Debug)]
pub struct LocalExecutorArgs {
    /// Kubeconfig file (default: the standard client configuration, KUBECONFIG or
    /// ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Only run Jobs of this namespace (default: all namespaces).
    #[arg(long, short = 'n')]
    pub namespace: Option<String>,
    /// Label selector of the Jobs to run.
    #[arg(long, short = 'l', default_value = DEFAULT_SELECTOR)]
    pub selector: String,
    /// Map a container image to a local directory playing its root filesystem
    /// (repeatable): IMAGE=DIR.
    #[arg(long = "image-root", value_name = "IMAGE=DIR", value_parser = parse_image_root)]
    pub image_roots: Vec<(String, PathBuf)>,
    /// Directory for per-pod volumes, logs and termination messages (default: a new
    /// directory under the system temp dir, kept after exit).
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Jobs run at the same time.
    #[arg(long, default_value_t = DEFAULT_MAX_PARALLEL)]
    pub max_parallel: usize,
    /// Also print container output to stderr, prefixed with [namespace/pod/container].
    #[arg(long)]
    pub echo_logs: bool,
    /// Delay after the first failed pod of a Job; it doubles per failure up to 6 minutes.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub backoff_seconds: u64,
}

/// Parses `IMAGE=DIR`; the directory must exist (it is made absolute).
fn parse_image_root(value: &str) -> Result<(String, PathBuf), String> {
    let (image, dir) = value
        .split_once('=')
        .filter(|(image, dir)| !image.is_empty() && !dir.is_empty())
        .ok_or_else(|| format!("expected IMAGE=DIR, got {value:?}"))?;
    let dir = std::fs::canonicalize(dir).map_err(|e| format!("image root {dir}: {e}"))?;
    if !dir.is_dir() {
        return Err(format!("image root {} is not a directory", dir.display()));
    }
    Ok((image.to_owned(), dir))
}

/// Runs `scs-cert local-executor`.
pub fn run(args: &LocalExecutorArgs) -> ExitCode {
    // Another entry point (tests) may have installed a subscriber already.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("scs-cert local-executor: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_async(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("scs-cert local-executor: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run_async(args: &LocalExecutorArgs) -> Result<(), String> {
    let client = client(args.kubeconfig.as_ref()).await?;
    let work_dir = args.work_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("scs-cert-local-executor-{}", std::process::id()))
    });
    let mut config = ExecutorConfig::new(work_dir);
    config.namespace = args.namespace.clone();
    config.selector = args.selector.clone();
    config.image_roots = args.image_roots.iter().cloned().collect::<BTreeMap<_, _>>();
    config.max_parallel = args.max_parallel.max(1);
    config.echo_logs = args.echo_logs;
    config.backoff = BackoffPolicy {
        base: Duration::from_secs(args.backoff_seconds),
        ..BackoffPolicy::default()
    };
    local_executor::run(client, config, shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

async fn client(kubeconfig: Option<&PathBuf>) -> Result<Client, String> {
    let config = match kubeconfig {
        Some(path) => {
            let file = Kubeconfig::read_from(path)
                .map_err(|e| format!("cannot read kubeconfig {}: {e}", path.display()))?;
            Config::from_custom_kubeconfig(file, &KubeConfigOptions::default())
                .await
                .map_err(|e| format!("kubeconfig {}: {e}", path.display()))?
        }
        None => Config::infer()
            .await
            .map_err(|e| format!("no Kubernetes client configuration: {e}"))?,
    };
    Client::try_from(config).map_err(|e| format!("cannot build a Kubernetes client: {e}"))
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown_signal() {
    let mut terminate =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(err) => {
                tracing::warn!(%err, "cannot listen for SIGTERM; only Ctrl-C stops the executor");
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
    tokio::select! {
        _ = terminate.recv() => tracing::info!("SIGTERM: shutting down"),
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: shutting down"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_root_arguments() {
        let dir = tempfile::tempdir().expect("temp dir");
        let arg = format!("registry.example/check:v1={}", dir.path().display());
        let (image, path) = parse_image_root(&arg).expect("valid");
        assert_eq!(image, "registry.example/check:v1");
        assert_eq!(path, std::fs::canonicalize(dir.path()).expect("canonical"));
        for bad in ["no-equals", "=dir", "image=", "image=/nonexistent/dir"] {
            assert!(parse_image_root(bad).is_err(), "{bad}");
        }
    }
}
