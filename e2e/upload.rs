//! External report uploads end to end (issue 11): a cloud operator runs the checks outside
//! the cluster and uploads exactly as the upstream `scs-test-runner.py` does: the check tool
//! writes one report per subject, the reports are concatenated into one YAML stream, signed
//! with `ssh-keygen -Y sign -n report`, and sent with curl (`--data-binary @file.sig
//! --data-binary @file`, which joins them with `&`) to `POST /reports` with Basic auth.
//!
//! - `accepted_and_evaluated`: the operator runs under the chart's RBAC (watchNamespace mode
//!   plus the upload Role), so it reads the account Secret with `list` in the accounts
//!   namespace only; both External resources become Ready from the uploaded reports, no Job
//!   is created, the listing shows them, and a replay of the same upload is answered 409.
//! - `refused_uploads_change_nothing`: wrong content type, missing or wrong credentials,
//!   another account's key, a tampered body, a missing signature, a replayed run uuid, an
//!   oversized body, a subject the account may not upload for, a subject tested in-cluster,
//!   a report for another scope, an unclaimed subject, and a batch with one bad document are
//!   all refused; the stored reports and the status stay as they were; refusals are events.
//! - `the_rate_limit_applies_per_account`: beyond the burst an account gets 429.

use crate::harness::{TestNamespace, block_on, env, kubectl_ok, repo_root};
use crate::trial;
use argon2::password_hash::{PasswordHasher, SaltString};
use base64::Engine;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, ServiceAccount};
use k8s_openapi::api::events::v1::Event;
use kube::api::{Api, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use libtest_mimic::Trial;
use scs_cert_operator::api::CloudCertification;
use scs_cert_operator::api::conditions;
use scs_cert_operator::controller::Settings;
use scs_cert_operator::operator::{OperatorOptions, run_until};
use scs_cert_operator::server::upload::UploadSettings;
use scs_cert_operator::server::upload::rate_limit::Limit;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tokio::sync::oneshot;

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "upload::runner_upload_under_chart_rbac_is_accepted_and_evaluated",
            accepted_and_evaluated,
        ),
        trial(
            "upload::refused_uploads_change_nothing",
            refused_uploads_change_nothing,
        ),
        trial(
            "upload::the_rate_limit_applies_per_account",
            rate_limit_per_account,
        ),
    ]
}

const SCOPE_UUID: &str = "00000000-0000-4000-8000-0000000000f1";
const OTHER_SCOPE_UUID: &str = "00000000-0000-4000-8000-0000000000f2";

/// The test scope (tc-a, tc-b in v1 main), with `uuid` substituted.
fn scope_yaml(uuid: &str) -> String {
    format!(
        r#"uuid: {uuid}
name: Upload scope
url: https://example.org/upload-scope.yaml
variables:
- os_cloud
scripts:
- executable: ./check.sh
  args: "{{os_cloud}} {{testcases}}"
  testcases:
  - id: tc-a
    lifetime: year
  - id: tc-b
    lifetime: day
modules:
- id: m1
  targets:
    main: [tc-a, tc-b]
versions:
- version: v1
  include: [m1]
  stabilized_at: 2026-01-01
timeline:
- date: 2026-01-01
  versions:
    v1: effective
"#
    )
}

/// Largest report the operator accepts in these tests.
const MAX_REPORT: usize = 256 * 1024;

/// One test's site: the resources' namespace, the accounts namespace, a runner directory
/// (scope, check script, keys, reports) and the operator.
struct Site {
    clouds_ns: TestNamespace,
    accounts_ns: TestNamespace,
    dir: PathBuf,
    port: u16,
    operator: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
}

impl Site {
    /// Namespaces, scope ConfigMaps and runner files; the operator starts with `client` (or
    /// admin) and `limit`.
    async fn new<F, Fut>(prefix: &str, limit: Limit, client_for: F) -> Self
    where
        F: FnOnce(String, String) -> Fut,
        Fut: std::future::Future<Output = Option<Client>>,
    {
        let clouds_ns = TestNamespace::create(prefix).await;
        let accounts_ns = TestNamespace::create(&format!("{prefix}-acct")).await;
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("e2e-upload-{}", std::process::id()))
            .join(&clouds_ns.name);
        std::fs::create_dir_all(&dir).expect("runner dir");
        std::fs::write(dir.join("scope.yaml"), scope_yaml(SCOPE_UUID)).expect("scope file");
        let script = "#!/bin/sh\n# args: os_cloud testcases...\nshift\nfor id in \"$@\"; do echo \"$id: PASS\"; done\n";
        std::fs::write(dir.join("check.sh"), script).expect("check.sh");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("check.sh"), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        for (name, uuid) in [
            ("upload-scope", SCOPE_UUID),
            ("other-scope", OTHER_SCOPE_UUID),
        ] {
            let config_map: ConfigMap = serde_json::from_value(json!({
                "metadata": {"name": name},
                "data": {"scope.yaml": scope_yaml(uuid)}
            }))
            .expect("scope ConfigMap");
            Api::<ConfigMap>::namespaced(env().client.clone(), &clouds_ns.name)
                .create(&PostParams::default(), &config_map)
                .await
                .expect("create scope ConfigMap");
        }
        let client = client_for(clouds_ns.name.clone(), accounts_ns.name.clone()).await;
        let mut site = Self {
            clouds_ns,
            accounts_ns,
            dir,
            port: free_port(),
            operator: None,
        };
        site.start_operator(client, limit).await;
        site
    }

    async fn start_operator(&mut self, client: Option<Client>, limit: Limit) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("bind");
        let options = OperatorOptions {
            listen: listener.local_addr().expect("addr"),
            namespace: Some(self.clouds_ns.name.clone()),
            concurrency: 2,
            settings: Settings {
                max_report_bytes: MAX_REPORT,
                upload: UploadSettings {
                    accounts_namespace: Some(self.accounts_ns.name.clone()),
                    limit,
                },
                ..Settings::default()
            },
            leader_election: None,
        };
        let client = client.unwrap_or_else(|| env().client.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(err) = run_until(client, options, listener, shutdown).await {
                eprintln!("operator stopped with error: {err:#}");
            }
        });
        self.operator = Some((stop, handle));
    }

    async fn shutdown(mut self) {
        if let Some((stop, handle)) = self.operator.take() {
            let _ = stop.send(());
            let _ = tokio::time::timeout(Duration::from_secs(20), handle).await;
        }
        self.clouds_ns.delete().await;
        self.accounts_ns.delete().await;
    }

    fn clouds(&self) -> Api<CloudCertification> {
        Api::namespaced(env().client.clone(), &self.clouds_ns.name)
    }

    /// A CloudCertification of `subject` testing the scope in ConfigMap `scope`.
    async fn create_cloud(&self, name: &str, subject: &str, mode: &str, scope: &str) {
        let cloud: CloudCertification = serde_json::from_value(json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "CloudCertification",
            "metadata": {"name": name},
            "spec": {
                "subject": subject,
                "executionMode": mode,
                "scope": {"configMap": {"name": scope, "key": "scope.yaml"}},
                "target": {"variables": {"os_cloud": subject}},
                // Far from now: an in-cluster resource never runs during the test.
                "schedule": {"cron": "0 0 1 1 *", "timeZone": "UTC"}
            }
        }))
        .expect("cloud literal");
        self.clouds()
            .create(&PostParams::default(), &cloud)
            .await
            .expect("create CloudCertification");
    }

    /// Waits until `check` accepts the resource; panics with the last status after `secs`.
    async fn wait_for(
        &self,
        name: &str,
        secs: u64,
        what: &str,
        check: impl Fn(&CloudCertification) -> bool,
    ) -> CloudCertification {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let cloud = self
                .clouds()
                .get(name)
                .await
                .expect("get CloudCertification");
            if check(&cloud) {
                return cloud;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out after {secs} s waiting for {what}; status: {}",
                serde_json::to_string_pretty(&cloud.status).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Waits until the resource has evaluated its scope (so an upload can be matched to it).
    async fn wait_scope_loaded(&self, name: &str) {
        self.wait_for(name, 60, "the scope loaded", |c| {
            c.status
                .as_ref()
                .and_then(|s| s.scope.as_ref())
                .and_then(|s| s.uuid.as_ref())
                .is_some()
        })
        .await;
    }

    /// An account Secret in the accounts namespace.
    async fn create_account(
        &self,
        secret: &str,
        account: &str,
        api_key: &str,
        public_key_file: &Path,
        subjects: &str,
    ) {
        let public_key = std::fs::read_to_string(public_key_file).expect("public key");
        let object: Secret = serde_json::from_value(json!({
            "metadata": {
                "name": secret,
                "labels": {"certification.scs.community/upload-account": "true"}
            },
            "stringData": {
                "account": account,
                "apiKeyHash": api_key_hash(api_key),
                "publicKeys": public_key,
                "subjects": subjects
            }
        }))
        .expect("Secret literal");
        Api::<Secret>::namespaced(env().client.clone(), &self.accounts_ns.name)
            .create(&PostParams::default(), &object)
            .await
            .expect("create account Secret");
    }

    /// A new ssh-ed25519 key made by ssh-keygen; returns the private key path (`.pub` beside).
    fn keygen(&self, name: &str) -> PathBuf {
        let path = self.dir.join(name);
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(path.with_extension("pub"));
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(&path));
        path
    }

    /// Runs the check tool per subject and concatenates the reports byte-wise into `name`,
    /// as `scs-test-runner.py run` does; returns the stream's path.
    fn run_checks(&self, name: &str, subjects: &[&str]) -> PathBuf {
        let mut stream = Vec::new();
        for (i, subject) in subjects.iter().enumerate() {
            let report = self.dir.join(format!("report-{i}.yaml"));
            let out = Command::new(env!("CARGO_BIN_EXE_scs-cert"))
                .arg("check")
                .arg(self.dir.join("scope.yaml"))
                .args(["--debug", "-C", "-o"])
                .arg(&report)
                .args(["-s", subject, "-a", &format!("os_cloud={subject}")])
                .current_dir(&self.dir)
                .output()
                .expect("run scs-cert check");
            assert!(
                report.exists(),
                "the check wrote no report: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            stream.extend(std::fs::read(&report).expect("read report"));
        }
        let path = self.dir.join(name);
        std::fs::write(&path, stream).expect("write stream");
        path
    }

    /// `ssh-keygen -Y sign -f key -n report file`: writes `file.sig`.
    fn sign(&self, key: &Path, file: &Path) -> PathBuf {
        let sig = PathBuf::from(format!("{}.sig", file.display()));
        let _ = std::fs::remove_file(&sig);
        run(Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-f"])
            .arg(key)
            .args(["-n", "report"])
            .arg(file));
        sig
    }

    /// The runner's upload: curl with the signature and the report as two `--data-binary`
    /// parts. Returns (HTTP status, body, curl's exit code).
    fn curl(
        &self,
        parts: &[&Path],
        content_type: &str,
        auth: Option<(&str, &str)>,
    ) -> (u16, String, i32) {
        let out_file = self.dir.join("curl.out");
        let mut command = Command::new("curl");
        command
            .args(["--fail-with-body", "-sS", "-o"])
            .arg(&out_file)
            .args(["-w", "%{http_code}"]);
        for part in parts {
            command
                .arg("--data-binary")
                .arg(format!("@{}", part.display()));
        }
        command.args(["-H", &format!("Content-Type: {content_type}")]);
        if let Some((account, key)) = auth {
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{account}:{key}"));
            command.args(["-H", &format!("Authorization: Basic {token}")]);
        }
        command.arg(format!("http://127.0.0.1:{}/reports", self.port));
        let out = command.output().expect("run curl");
        let code = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        let body = std::fs::read_to_string(&out_file).unwrap_or_default();
        (code, body, out.status.code().unwrap_or(-1))
    }

    /// Stored reports (ConfigMaps with content=report) in the resources' namespace.
    async fn stored_reports(&self) -> Vec<ConfigMap> {
        Api::<ConfigMap>::namespaced(env().client.clone(), &self.clouds_ns.name)
            .list(&ListParams::default().labels("certification.scs.community/content=report"))
            .await
            .expect("list ConfigMaps")
            .items
    }

    /// (reason, regarding name, note) of the operator's events in `namespace`.
    async fn events(&self, namespace: &str) -> Vec<(String, String, String)> {
        Api::<Event>::namespaced(env().client.clone(), namespace)
            .list(&ListParams::default())
            .await
            .expect("list events")
            .items
            .into_iter()
            .filter(|e| e.reporting_controller.as_deref() == Some("scs-cert-operator"))
            .map(|e| {
                (
                    e.reason.unwrap_or_default(),
                    e.regarding.and_then(|r| r.name).unwrap_or_default(),
                    e.note.unwrap_or_default(),
                )
            })
            .collect()
    }
}

fn run(command: &mut Command) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An argon2id PHC string (small parameters: these tests build without optimisations).
fn api_key_hash(key: &str) -> String {
    let salt = SaltString::from_b64("ZTJlLXVwbG9hZC1zYWx0").expect("salt");
    let params = argon2::Params::new(1024, 1, 1, None).expect("params");
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(key.as_bytes(), &salt)
        .expect("hash")
        .to_string()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn condition(cloud: &CloudCertification, type_: &str) -> Option<(String, String, String)> {
    let c = conditions::find(&cloud.status.as_ref()?.conditions, type_)?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

/// The run uuid of the `n`-th (0-based) document of a report stream.
fn run_uuid(stream: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(stream).expect("stream");
    scs_cert_operator::report::parse_report_stream(&text).expect("stream parses")[n]
        .run
        .uuid
        .clone()
}

// --- the chart's RBAC (as e2e/rbac.rs applies it, plus templates/upload-rbac.yaml) ---

/// Applies the chart's ServiceAccount and RBAC for release `release` in the accounts
/// namespace (the release namespace), watching `watched`; returns a client with a token of
/// that ServiceAccount only.
async fn chart_rbac_client(release: &str, release_ns: &str, watched: &str) -> Client {
    let out = Command::new(crate::harness::helm_binary())
        .args(["template", release])
        .arg(repo_root().join("charts/scs-cert-operator"))
        .args(["--namespace", release_ns])
        .args(["--show-only", "templates/serviceaccount.yaml"])
        .args(["--show-only", "templates/rbac.yaml"])
        .args(["--show-only", "templates/upload-rbac.yaml"])
        .args(["--set", &format!("operator.watchNamespace={watched}")])
        .args(["--set", "listing.configMap="])
        .output()
        .expect("run helm template");
    assert!(
        out.status.success(),
        "helm template: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rendered = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        rendered.contains("upload-accounts"),
        "no upload Role rendered:\n{rendered}"
    );
    let file =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("e2e-upload-rbac-{release}.yaml"));
    std::fs::write(&file, &rendered).expect("write rendered RBAC");
    kubectl_ok(&[
        "apply",
        "--server-side",
        "-f",
        file.to_str().expect("utf-8"),
    ]);
    let account = format!("{release}-scs-cert-operator");
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: Vec::new(),
            expiration_seconds: Some(3600),
            bound_object_ref: None,
        },
        ..TokenRequest::default()
    };
    let response: TokenRequest =
        Api::<ServiceAccount>::namespaced(env().client.clone(), release_ns)
            .create_subresource("token", &account, &PostParams::default(), &request)
            .await
            .expect("TokenRequest");
    let token = response.status.expect("token").token;
    let mut kubeconfig = Kubeconfig::read_from(&env().kubeconfig).expect("kubeconfig");
    for named in &mut kubeconfig.auth_infos {
        named.auth_info =
            Some(serde_json::from_value(json!({ "token": token })).expect("auth info"));
    }
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("client config");
    Client::try_from(config).expect("client")
}

fn accepted_and_evaluated() {
    block_on(async {
        let release = format!("upl-{}", std::process::id());
        let site = Site::new("upl-ok", Limit::default(), |watched, accounts| {
            let release = release.clone();
            async move {
                let client = chart_rbac_client(&release, &accounts, &watched).await;
                // Least privilege: Secrets are listable in the accounts namespace only.
                let listable = |ns: Option<&str>| {
                    let api: Api<Secret> = match ns {
                        Some(ns) => Api::namespaced(client.clone(), ns),
                        None => Api::all(client.clone()),
                    };
                    async move {
                        api.list(
                            &ListParams::default()
                                .labels("certification.scs.community/upload-account=true"),
                        )
                        .await
                    }
                };
                assert!(
                    listable(Some(&accounts)).await.is_ok(),
                    "the upload Role grants list in {accounts}"
                );
                for refused in [Some(watched.as_str()), None] {
                    let answer = listable(refused).await;
                    assert!(
                        matches!(&answer, Err(kube::Error::Api(s)) if s.code == 403),
                        "Secrets must not be listable in {refused:?}: {answer:?}"
                    );
                }
                Some(client)
            }
        })
        .await;
        site.create_cloud("ext-a", "ext-a", "External", "upload-scope")
            .await;
        site.create_cloud("ext-b", "ext-b", "External", "upload-scope")
            .await;
        site.wait_scope_loaded("ext-a").await;
        site.wait_scope_loaded("ext-b").await;
        let waiting = site.clouds().get("ext-a").await.expect("get");
        let (_, reason, message) = condition(&waiting, conditions::READY).expect("Ready");
        assert_eq!(reason, "NoResults");
        assert!(
            message.contains("waiting for an uploaded report"),
            "{message}"
        );

        // The cloud operator's side: one key, one account delegated for both subjects.
        let key = site.keygen("runner-key");
        site.create_account(
            "upload-ops",
            "ops",
            "s3cret-api-key",
            &key.with_extension("pub"),
            "ext-a, ext-b",
        )
        .await;
        let stream = site.run_checks("report.yaml", &["ext-a", "ext-b"]);
        let sig = site.sign(&key, &stream);
        let started = std::time::Instant::now();
        let (code, body, exit) = site.curl(
            &[&sig, &stream],
            "application/x-signed-yaml",
            Some(("ops", "s3cret-api-key")),
        );
        assert_eq!(
            (code, body.as_str(), exit),
            (200, "", 0),
            "the runner's upload is accepted with an empty 200"
        );

        // Evaluated like an in-cluster report: Ready=True from the uploaded results.
        for (name, n) in [("ext-a", 0), ("ext-b", 1)] {
            let uuid = run_uuid(&stream, n);
            let cloud = site
                .wait_for(name, 60, "Ready=True from the upload", |c| {
                    condition(c, conditions::READY).is_some_and(|(s, _, _)| s == "True")
                })
                .await;
            if name == "ext-a" {
                eprintln!(
                    "e2e figure: upload accepted -> Ready=True in {:?}",
                    started.elapsed()
                );
            }
            let status = cloud.status.as_ref().expect("status");
            assert_eq!(status.results.len(), 2, "tc-a and tc-b");
            assert!(
                status
                    .results
                    .iter()
                    .all(|r| r.report.as_deref() == Some(uuid.as_str()))
            );
            assert_eq!(
                status.next_run_at, None,
                "External resources have no schedule"
            );
            let (checking, reason, message) =
                condition(&cloud, conditions::CHECKING).expect("Checking");
            assert_eq!(
                (checking.as_str(), reason.as_str()),
                ("False", "ExternalUploads")
            );
            assert!(
                message.contains("last report checked at") && message.contains(&uuid),
                "{message}"
            );
        }
        let jobs = Api::<Job>::namespaced(env().client.clone(), &site.clouds_ns.name)
            .list(&ListParams::default())
            .await
            .expect("list Jobs");
        assert!(jobs.items.is_empty(), "External resources start no Jobs");
        let stored = site.stored_reports().await;
        assert_eq!(stored.len(), 2, "one stored report per document");
        for cm in &stored {
            let annotations = cm.metadata.annotations.clone().unwrap_or_default();
            assert_eq!(
                annotations
                    .get("certification.scs.community/uploaded-by")
                    .map(String::as_str),
                Some("ops")
            );
        }
        // The same text as uploaded, document by document.
        let uploaded = std::fs::read_to_string(&stream).expect("stream");
        let a = stored
            .iter()
            .find(|cm| {
                cm.metadata
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("ext-a-"))
            })
            .expect("ext-a's report");
        let text = a
            .data
            .as_ref()
            .and_then(|d| d.get("report.yaml"))
            .expect("plain text");
        assert!(uploaded.starts_with(text.as_str()), "stored byte for byte");

        // The listing shows the uploaded results like any other (memory-only listing here).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let listing = reqwest::get(format!("http://127.0.0.1:{}/listing.json", site.port))
                .await
                .expect("listing answers")
                .text()
                .await
                .unwrap_or_default();
            if listing.contains("ext-a") && listing.contains("ext-b") {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the listing never showed the uploads: {listing}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }

        // Events under the chart's RBAC: ReportUploaded on each resource.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let events = site.events(&site.clouds_ns.name).await;
            let uploaded: Vec<&String> = events
                .iter()
                .filter(|e| e.0 == "ReportUploaded")
                .map(|e| &e.1)
                .collect();
            if uploaded.iter().any(|n| *n == "ext-a") && uploaded.iter().any(|n| *n == "ext-b") {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no ReportUploaded events: {events:?}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }

        // The runner uploading the same stream again: 409, nothing new, and curl fails.
        let (code, body, exit) = site.curl(
            &[&sig, &stream],
            "application/x-signed-yaml",
            Some(("ops", "s3cret-api-key")),
        );
        assert_eq!(code, 409, "{body}");
        assert!(body.contains("already present"), "{body}");
        assert_ne!(exit, 0, "curl --fail-with-body reports the refusal");
        assert_eq!(site.stored_reports().await.len(), 2);
        site.shutdown().await;
    });
}

fn refused_uploads_change_nothing() {
    block_on(async {
        let limit = Limit {
            burst: 40,
            per_minute: 40,
        };
        let site = Site::new("upl-no", limit, |_, _| async { None }).await;
        site.create_cloud("ext-a", "ext-a", "External", "upload-scope")
            .await;
        site.create_cloud("incl", "incl", "InCluster", "upload-scope")
            .await;
        site.create_cloud("ext-o", "ext-o", "External", "other-scope")
            .await;
        for name in ["ext-a", "incl", "ext-o"] {
            site.wait_scope_loaded(name).await;
        }
        let key = site.keygen("ops-key");
        let other_key = site.keygen("other-key");
        site.create_account(
            "upload-ops",
            "ops",
            "ops-key",
            &key.with_extension("pub"),
            "ext-a incl ext-o ghost",
        )
        .await;
        site.create_account(
            "upload-other",
            "other",
            "other-key",
            &other_key.with_extension("pub"),
            "ext-b",
        )
        .await;
        let yaml = "application/x-signed-yaml";
        let ops = Some(("ops", "ops-key"));

        // A first upload is accepted: the state every refusal must leave alone.
        let first = site.run_checks("first.yaml", &["ext-a"]);
        let first_sig = site.sign(&key, &first);
        let (code, body, _) = site.curl(&[&first_sig, &first], yaml, ops);
        assert_eq!(code, 200, "{body}");
        let before = site
            .wait_for("ext-a", 60, "Ready=True", |c| {
                condition(c, conditions::READY).is_some_and(|(s, _, _)| s == "True")
            })
            .await
            .status
            .expect("status");

        // The refusals. Reports are made fresh (new run uuids) unless the case is a replay.
        let fresh = site.run_checks("fresh.yaml", &["ext-a"]);
        let fresh_sig_by_other_key = site.sign(&other_key, &fresh);
        let tampered = site.run_checks("tampered.yaml", &["ext-a"]);
        let tampered_sig = site.sign(&key, &tampered);
        let text = std::fs::read_to_string(&tampered).expect("read");
        assert!(text.contains("tc-b: 1"), "{text}");
        std::fs::write(&tampered, text.replacen("tc-b: 1", "tc-b: -1", 1)).expect("tamper");
        let resigned_replay = site.dir.join("replay.yaml");
        std::fs::copy(&first, &resigned_replay).expect("copy");
        let resigned_sig = site.sign(&key, &resigned_replay);
        let oversized = site.dir.join("oversized.yaml");
        let mut big = std::fs::read(&first).expect("read");
        big.extend(format!("# {}\n", "x".repeat(MAX_REPORT + 32 * 1024)).into_bytes());
        std::fs::write(&oversized, big).expect("write");
        let oversized_sig = site.sign(&key, &oversized);
        let for_other = site.run_checks("for-other.yaml", &["ext-a"]);
        let for_other_sig = site.sign(&other_key, &for_other);
        let in_cluster = site.run_checks("in-cluster.yaml", &["incl"]);
        let in_cluster_sig = site.sign(&key, &in_cluster);
        // ext-o tests other-scope; the report is made with upload-scope's uuid.
        let other_scope = site.run_checks("other-scope.yaml", &["ext-o"]);
        let other_scope_sig = site.sign(&key, &other_scope);
        let ghost = site.run_checks("ghost.yaml", &["ghost"]);
        let ghost_sig = site.sign(&key, &ghost);
        let mixed = site.run_checks("mixed.yaml", &["ext-a", "incl"]);
        let mixed_sig = site.sign(&key, &mixed);
        let mixed_first_uuid = run_uuid(&mixed, 0);

        type Case<'a> = (
            &'a str,
            Vec<&'a Path>,
            &'a str,
            Option<(&'a str, &'a str)>,
            u16,
        );
        let cases: Vec<Case<'_>> = vec![
            (
                "wrong content type",
                vec![&first_sig, &fresh],
                "application/yaml",
                ops,
                415,
            ),
            ("no credentials", vec![&first_sig, &fresh], yaml, None, 401),
            (
                "unknown account",
                vec![&first_sig, &fresh],
                yaml,
                Some(("nobody", "ops-key")),
                401,
            ),
            (
                "wrong API key",
                vec![&first_sig, &fresh],
                yaml,
                Some(("ops", "other-key")),
                401,
            ),
            (
                "signed with another account's key",
                vec![&fresh_sig_by_other_key, &fresh],
                yaml,
                ops,
                401,
            ),
            (
                "tampered body",
                vec![&tampered_sig, &tampered],
                yaml,
                ops,
                401,
            ),
            ("no signature", vec![&fresh], yaml, ops, 401),
            (
                "replayed run uuid",
                vec![&first_sig, &first],
                yaml,
                ops,
                409,
            ),
            (
                "replayed run uuid, signed anew",
                vec![&resigned_sig, &resigned_replay],
                yaml,
                ops,
                409,
            ),
            (
                "oversized body",
                vec![&oversized_sig, &oversized],
                yaml,
                ops,
                413,
            ),
            (
                "subject not delegated to the account",
                vec![&for_other_sig, &for_other],
                yaml,
                Some(("other", "other-key")),
                401,
            ),
            (
                "subject tested in-cluster",
                vec![&in_cluster_sig, &in_cluster],
                yaml,
                ops,
                422,
            ),
            (
                "report for another scope",
                vec![&other_scope_sig, &other_scope],
                yaml,
                ops,
                422,
            ),
            (
                "subject no resource claims",
                vec![&ghost_sig, &ghost],
                yaml,
                ops,
                422,
            ),
            (
                "one bad document refuses the batch",
                vec![&mixed_sig, &mixed],
                yaml,
                ops,
                422,
            ),
        ];
        let mut failures = Vec::new();
        for (what, parts, content_type, auth, expected) in &cases {
            let (code, body, _) = site.curl(parts, content_type, *auth);
            eprintln!("e2e: {what}: HTTP {code} {body}");
            if code != *expected {
                failures.push(format!("{what}: HTTP {code} ({body}), expected {expected}"));
            }
        }

        // Nothing changed: one stored report, the same results; the batch's good document
        // was not kept either.
        let stored = site.stored_reports().await;
        assert_eq!(stored.len(), 1, "only the first upload is stored");
        assert!(
            !stored.iter().any(|cm| cm
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("certification.scs.community/report-uuid"))
                == Some(&mixed_first_uuid)),
            "all documents of an upload or none"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = site
            .clouds()
            .get("ext-a")
            .await
            .expect("get")
            .status
            .expect("status");
        assert_eq!(after.results, before.results, "results untouched");

        // Refusals after authentication are events: on the resource concerned, or on the
        // account's Secret when no resource is.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let on_clouds = site.events(&site.clouds_ns.name).await;
            let on_accounts = site.events(&site.accounts_ns.name).await;
            let refused = |events: &[(String, String, String)], name: &str, text: &str| {
                events.iter().any(|(reason, regarding, note)| {
                    reason == "UploadRefused" && regarding == name && note.contains(text)
                })
            };
            let ok = refused(&on_clouds, "incl", "tested in-cluster")
                && refused(&on_clouds, "ext-o", "for scope")
                && refused(&on_clouds, "ext-a", "already present")
                && refused(
                    &on_accounts,
                    "upload-ops",
                    "no CloudCertification claims subject \"ghost\"",
                )
                && refused(&on_accounts, "upload-other", "delegation problem");
            if ok {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "missing UploadRefused events: {on_clouds:?} / {on_accounts:?}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        site.shutdown().await;
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    });
}

fn rate_limit_per_account() {
    block_on(async {
        let limit = Limit {
            burst: 3,
            per_minute: 3,
        };
        let site = Site::new("upl-rl", limit, |_, _| async { None }).await;
        let key = site.keygen("rl-key");
        site.create_account("upload-rl", "rl", "rl-key", &key.with_extension("pub"), "")
            .await;
        let stream = site.dir.join("empty.yaml");
        std::fs::write(&stream, "").expect("write");
        let sig = site.sign(&key, &stream);
        let yaml = "application/x-signed-yaml";
        let mut codes = Vec::new();
        for _ in 0..4 {
            codes.push(
                site.curl(&[&sig, &stream], yaml, Some(("rl", "wrong-key")))
                    .0,
            );
        }
        assert_eq!(codes, [401, 401, 401, 429], "burst of 3, then 429");
        // The limit is per account: another name is not affected (and an empty, signed
        // upload of a real account is the monitor's 200 "empty reports").
        site.create_account(
            "upload-rl2",
            "rl2",
            "rl2-key",
            &key.with_extension("pub"),
            "",
        )
        .await;
        let (code, body, _) = site.curl(&[&sig, &stream], yaml, Some(("rl2", "rl2-key")));
        assert_eq!(code, 200, "{body}");
        assert!(body.contains("empty reports"), "{body}");
        site.shutdown().await;
    });
}
