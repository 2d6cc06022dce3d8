//! The e2e harness: one real control plane per test run (started here, or reused from
//! `KUBECONFIG`), a shared kube client and tokio runtime, a namespace per test, and kubectl.

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Root of the repository (where Cargo.toml lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A control plane this run either started (and stops on drop) or borrowed.
pub struct ControlPlane {
    /// State directory of a control plane we started; `None` when reusing one.
    started_dir: Option<PathBuf>,
    /// Admin kubeconfig.
    pub kubeconfig: PathBuf,
}

impl ControlPlane {
    /// Reuses the cluster named by `KUBECONFIG` (only a loopback one, unless
    /// `SCS_E2E_ALLOW_REMOTE=1`, so a stray KUBECONFIG never points tests at a real cluster),
    /// or starts a fresh one with `e2e/control-plane/start.sh`.
    pub fn start_or_reuse() -> Result<Self, String> {
        if let Some(path) = std::env::var_os("KUBECONFIG").filter(|p| !p.is_empty()) {
            let path = PathBuf::from(path);
            ensure_loopback(&path)?;
            eprintln!("e2e: reusing the cluster of KUBECONFIG={}", path.display());
            return Ok(Self {
                started_dir: None,
                kubeconfig: path,
            });
        }
        let dir = std::env::temp_dir().join(format!("scs-cert-e2e-{}", std::process::id()));
        let script = repo_root().join("e2e/control-plane/start.sh");
        eprintln!("e2e: starting a control plane in {}", dir.display());
        let status = Command::new("bash")
            .arg(&script)
            .arg(&dir)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        let plane = Self {
            started_dir: Some(dir.clone()),
            kubeconfig: dir.join("kubeconfig"),
        };
        if !status.success() {
            return Err(format!(
                "{} failed ({status}); build the tools first with `make tools`",
                script.display()
            ));
        }
        Ok(plane)
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        if let Some(dir) = &self.started_dir {
            let script = repo_root().join("e2e/control-plane/stop.sh");
            let _ = Command::new("bash").arg(script).arg(dir).status();
        }
    }
}

fn ensure_loopback(kubeconfig: &Path) -> Result<(), String> {
    if std::env::var("SCS_E2E_ALLOW_REMOTE").as_deref() == Ok("1") {
        return Ok(());
    }
    let config = Kubeconfig::read_from(kubeconfig)
        .map_err(|e| format!("cannot read KUBECONFIG {}: {e}", kubeconfig.display()))?;
    let context_name = config.current_context.clone().unwrap_or_default();
    let cluster_name = config
        .contexts
        .iter()
        .find(|c| c.name == context_name)
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone())
        .unwrap_or_default();
    let server = config
        .clusters
        .iter()
        .find(|c| c.name == cluster_name)
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .unwrap_or_default();
    let host = server
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    if ["127.", "localhost", "[::1]"]
        .iter()
        .any(|p| host.starts_with(p))
    {
        Ok(())
    } else {
        Err(format!(
            "KUBECONFIG points at {server}, not at a loopback test cluster; e2e tests create \
             namespaces and CRDs, so they refuse. Unset KUBECONFIG to start a local control \
             plane, or set SCS_E2E_ALLOW_REMOTE=1 if you really mean it."
        ))
    }
}

/// Everything a test needs, shared by all tests of one run.
pub struct TestEnv {
    /// Tokio runtime all async test bodies run on.
    pub runtime: tokio::runtime::Runtime,
    /// Admin client for the test cluster.
    pub client: Client,
    /// Admin kubeconfig of the test cluster.
    pub kubeconfig: PathBuf,
}

static ENV: OnceLock<TestEnv> = OnceLock::new();

/// Builds the shared environment for the given control plane; call once from main.
pub fn init(plane: &ControlPlane) -> Result<&'static TestEnv, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let kubeconfig = plane.kubeconfig.clone();
    let client = runtime.block_on(async {
        let config = Kubeconfig::read_from(&kubeconfig).map_err(|e| e.to_string())?;
        let config = Config::from_custom_kubeconfig(config, &KubeConfigOptions::default())
            .await
            .map_err(|e| e.to_string())?;
        Client::try_from(config).map_err(|e| e.to_string())
    })?;
    Ok(ENV.get_or_init(|| TestEnv {
        runtime,
        client,
        kubeconfig,
    }))
}

/// The shared environment (after [`init`]).
pub fn env() -> &'static TestEnv {
    ENV.get().expect("harness::init ran in main")
}

/// Runs an async test body on the shared runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    env().runtime.block_on(future)
}

/// A namespace of one test. Namespaces never finish deleting without a
/// kube-controller-manager, so names are unique per run and per test.
pub struct TestNamespace {
    /// Namespace name.
    pub name: String,
}

static NAMESPACE_COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestNamespace {
    /// Creates `e2e-<prefix>-<pid>-<n>`.
    pub async fn create(prefix: &str) -> Self {
        let n = NAMESPACE_COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("e2e-{prefix}-{}-{n}", std::process::id());
        let ns: Namespace = serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "labels": {"scs-cert-operator/e2e": "true"}}
        }))
        .expect("namespace literal");
        Api::<Namespace>::all(env().client.clone())
            .create(&PostParams::default(), &ns)
            .await
            .unwrap_or_else(|e| panic!("create namespace {name}: {e}"));
        Self { name }
    }

    /// Deletes the namespace (it stays Terminating on a control plane without controllers).
    pub async fn delete(self) {
        let _ = Api::<Namespace>::all(env().client.clone())
            .delete(&self.name, &DeleteParams::default())
            .await;
    }
}

/// The kubectl binary: `SCS_KUBECTL`, else `kubectl` on PATH.
fn kubectl_binary() -> String {
    std::env::var("SCS_KUBECTL").unwrap_or_else(|_| "kubectl".to_owned())
}

/// Runs kubectl against the test cluster; returns its output whatever the exit code.
pub fn kubectl(args: &[&str]) -> Output {
    Command::new(kubectl_binary())
        .args(args)
        .env("KUBECONFIG", &env().kubeconfig)
        .output()
        .unwrap_or_else(|e| panic!("cannot run kubectl: {e}"))
}

/// Runs kubectl and returns stdout; panics with stderr when it fails.
pub fn kubectl_ok(args: &[&str]) -> String {
    let out = kubectl(args);
    assert!(
        out.status.success(),
        "kubectl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Counts the API requests a client makes, split into reads (GET) and writes (the rest).
#[derive(Default, Debug)]
pub struct RequestCounter {
    /// GET requests (including watch requests).
    pub reads: std::sync::atomic::AtomicUsize,
    /// POST, PUT, PATCH and DELETE requests.
    pub writes: std::sync::atomic::AtomicUsize,
    /// Method and path of every write, for failure messages.
    pub write_log: std::sync::Mutex<Vec<String>>,
}

impl RequestCounter {
    /// (reads, writes) so far.
    pub fn snapshot(&self) -> (usize, usize) {
        (
            self.reads.load(Ordering::SeqCst),
            self.writes.load(Ordering::SeqCst),
        )
    }
}

/// Tower layer feeding a [`RequestCounter`].
#[derive(Clone)]
struct CountingLayer(std::sync::Arc<RequestCounter>);

impl<S> tower::Layer<S> for CountingLayer {
    type Service = CountingService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        CountingService {
            inner,
            counter: self.0.clone(),
        }
    }
}

/// The service of [`CountingLayer`].
#[derive(Clone)]
struct CountingService<S> {
    inner: S,
    counter: std::sync::Arc<RequestCounter>,
}

impl<S, B> tower::Service<http::Request<B>> for CountingService<S>
where
    S: tower::Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if request.method() == http::Method::GET {
            self.counter.reads.fetch_add(1, Ordering::SeqCst);
        } else {
            self.counter.writes.fetch_add(1, Ordering::SeqCst);
            if let Ok(mut log) = self.counter.write_log.lock() {
                log.push(format!("{} {}", request.method(), request.uri().path()));
            }
        }
        self.inner.call(request)
    }
}

/// A client for the test cluster whose requests are counted.
pub async fn counting_client() -> (Client, std::sync::Arc<RequestCounter>) {
    let counter = std::sync::Arc::new(RequestCounter::default());
    let config = Kubeconfig::read_from(&env().kubeconfig).expect("kubeconfig");
    let config = Config::from_custom_kubeconfig(config, &KubeConfigOptions::default())
        .await
        .expect("client config");
    let client = kube::client::ClientBuilder::try_from(config)
        .expect("client builder")
        .with_layer(&CountingLayer(counter.clone()))
        .build();
    (client, counter)
}

/// A fresh directory for one test's files (`<prefix>-<pid>/<name>`). Never under `/tmp`:
/// check pods mount an emptyDir at `/tmp`, which the local executor maps, so scripts there
/// would be hidden from the pod (this matters when the clone itself lives under `/tmp`).
pub fn test_work_dir(prefix: &str, name: &str) -> PathBuf {
    let target_tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let base = if target_tmp.starts_with("/tmp") {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/var/tmp"))
            .join(".cache/scs-cert-operator/e2e-work")
    } else {
        target_tmp
    };
    let dir = base
        .join(format!("{prefix}-{}", std::process::id()))
        .join(name);
    std::fs::create_dir_all(&dir).expect("work dir");
    dir
}

/// The helm binary: `SCS_HELM`, else `helm` on PATH, else the one built by
/// `e2e/control-plane/build-tools.sh`.
pub fn helm_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("SCS_HELM") {
        return PathBuf::from(path);
    }
    if std::process::Command::new("helm")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return PathBuf::from("helm");
    }
    let out = std::process::Command::new("bash")
        .arg(repo_root().join("e2e/control-plane/build-tools.sh"))
        .arg("--print-bin")
        .output()
        .expect("run build-tools.sh --print-bin");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("helm")
}
