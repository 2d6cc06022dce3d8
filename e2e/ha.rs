//! High availability and observability on the real API server (issue 9):
//! - two `scs-cert operator --leader-election` processes; the leader is killed (SIGKILL) while
//!   a check run is in flight; the follower takes over within the lease protocol's bound, the
//!   run's report (uploaded through a stand-in for the Service, preferring the follower)
//!   lands exactly once (one Job, one stored report, one check invocation); `/metrics` of the
//!   new leader shows the resource's series, and after the resource is deleted none remain;
//!   SIGTERM then releases the Lease;
//! - the chart's leader election Role (rendered by helm) is all a replica needs to acquire,
//!   renew and release the Lease, and grants nothing beyond that namespace's Leases.

use crate::harness::{TestNamespace, block_on, env, kubectl_ok, repo_root};
use crate::trial;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, ServiceAccount};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config, ResourceExt};
use libtest_mimic::Trial;
use scs_cert_operator::api::CloudCertification;
use scs_cert_operator::leader::{LeaseSettings, elector, record};
use scs_cert_operator::local_executor::{self, ExecutorConfig};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "ha::killed_leader_is_replaced_and_the_run_in_flight_lands_once",
            failover,
        ),
        trial(
            "ha::chart_lease_role_is_enough_to_lead_and_nothing_more",
            lease_rbac,
        ),
    ]
}

const IMAGE: &str = "scs-cert-operator-e2e";
const CHECK_IMAGE: &str = "scs-check-e2e";
const LEASE: &str = "scs-cert-operator";
/// Lease timing of the test replicas (seconds): short, so failover is quick.
const LEASE_DURATION: u64 = 6;
const RENEW_DEADLINE: u64 = 4;
const RETRY_PERIOD: u64 = 1;
/// How long the check sleeps: the run is still in flight when the leader dies.
const CHECK_SECONDS: u64 = 5;

const SCOPE: &str = r#"
uuid: 00000000-0000-4000-8000-0000000000a9
name: HA scope
url: https://example.org/ha-scope.yaml
variables:
- os_cloud
scripts:
- executable: ./check.sh
  args: "{os_cloud} {testcases}"
  testcases:
  - id: tc-a
    lifetime: year
modules:
- id: m1
  targets:
    main: [tc-a]
versions:
- version: v1
  include: [m1]
  stabilized_at: 2026-01-01
timeline:
- date: 2026-01-01
  versions:
    v1: effective
"#;

/// A directory of this test run (outside /tmp: the executor maps that prefix).
fn work_dir(name: &str) -> PathBuf {
    crate::harness::test_work_dir("e2e-ha", name)
}

/// The check script: logs its invocation, sleeps [`CHECK_SECONDS`], passes every testcase.
fn write_check(dir: &Path) {
    let script = format!(
        "#!/bin/sh\necho \"$@\" >> \"{dir}/invocations.log\"\nsleep {CHECK_SECONDS}\nshift\nfor id in \"$@\"; do echo \"$id: PASS\"; done\n",
        dir = dir.display()
    );
    let path = dir.join("check.sh");
    std::fs::write(&path, script).expect("write check.sh");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// The fake operator image: `/usr/local/bin/scs-cert` is this build's binary.
fn operator_image_root() -> PathBuf {
    let root = work_dir("operator-image");
    let bin = root.join("usr/local/bin");
    std::fs::create_dir_all(&bin).expect("image dirs");
    let link = bin.join("scs-cert");
    if !link.exists() {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_scs-cert"), &link).expect("symlink");
    }
    root
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// An operator replica running as its own process.
struct Replica {
    name: &'static str,
    port: u16,
    child: Child,
    log: PathBuf,
}

impl Replica {
    fn start(name: &'static str, port: u16, namespace: &str, scripts: &Path, service: u16) -> Self {
        let log = work_dir("logs").join(format!("{namespace}-{name}.log"));
        let stderr = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_scs-cert"))
            .args([
                "operator".to_owned(),
                format!("--listen=127.0.0.1:{port}"),
                format!("--namespace={namespace}"),
                format!("--intake-url=http://127.0.0.1:{service}"),
                format!("--operator-image={IMAGE}"),
                format!("--runner-image={CHECK_IMAGE}"),
                format!("--scripts-dir={}", scripts.display()),
                "--leader-election".to_owned(),
                format!("--lease-name={LEASE}"),
                format!("--lease-namespace={namespace}"),
                format!("--lease-duration-seconds={LEASE_DURATION}"),
                format!("--lease-renew-deadline-seconds={RENEW_DEADLINE}"),
                format!("--lease-retry-period-seconds={RETRY_PERIOD}"),
                format!("--listing-namespace={namespace}"),
                "--listing-debounce-ms=200".to_owned(),
                "--log-format=json".to_owned(),
                "--log-level=info".to_owned(),
            ])
            .env("KUBECONFIG", &env().kubeconfig)
            .env("POD_NAME", name)
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("start the operator");
        Self {
            name,
            port,
            child,
            log,
        }
    }

    fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
        unsafe {
            libc::kill(i32::try_from(self.child.id()).expect("pid"), signal);
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn get(&self, path: &str) -> Option<(u16, String)> {
        let response = reqwest::get(format!("http://127.0.0.1:{}{path}", self.port))
            .await
            .ok()?;
        let code = response.status().as_u16();
        Some((code, response.text().await.ok()?))
    }

    async fn metrics(&self) -> String {
        match self.get("/metrics").await {
            Some((200, text)) => text,
            other => panic!("{} /metrics: {other:?}\n{}", self.name, self.log()),
        }
    }

    /// Waits for the exit status (after a signal).
    async fn wait_exit(&mut self) -> std::process::ExitStatus {
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().expect("poll") {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = self.child.kill();
        panic!("{} did not exit within 30 s:\n{}", self.name, self.log());
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A stand-in for the Service in front of the replicas: each connection goes to the first
/// backend that accepts it (a dead replica refuses, like an endpoint that left the Service).
fn start_service(backends: Vec<u16>) -> (u16, tokio::task::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind service");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    let task = tokio::spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                continue;
            };
            let backends = backends.clone();
            tokio::spawn(async move {
                for port in backends {
                    if let Ok(mut outbound) =
                        tokio::net::TcpStream::connect(("127.0.0.1", port)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        return;
                    }
                }
            });
        }
    });
    (port, task)
}

async fn lease_holder(namespace: &str) -> Option<String> {
    let lease = Api::<Lease>::namespaced(env().client.clone(), namespace)
        .get_opt(LEASE)
        .await
        .expect("read Lease")?;
    record::holder(&lease.spec?).map(str::to_owned)
}

/// Waits until the Lease holder satisfies `check`; panics after `secs`.
async fn wait_holder(namespace: &str, secs: u64, what: &str, check: impl Fn(Option<&str>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let holder = lease_holder(namespace).await;
        if check(holder.as_deref()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; holder {holder:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_ready(replica: &Replica) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some((200, _)) = replica.get("/readyz").await {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} not ready within 60 s:\n{}",
            replica.name,
            replica.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The lines of `text` that are samples of `metric` for the resource `namespace/name`.
fn series<'a>(text: &'a str, metric: &str, namespace: &str, name: &str) -> Vec<&'a str> {
    let who = format!("namespace=\"{namespace}\",name=\"{name}\"");
    text.lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")) && l.contains(&who))
        .collect()
}

fn failover() {
    block_on(async {
        let ns = TestNamespace::create("ha").await;
        let scripts = work_dir(&ns.name);
        write_check(&scripts);
        let scope: ConfigMap = serde_json::from_value(json!({
            "metadata": {"name": "ha-scope"}, "data": {"scope.yaml": SCOPE}
        }))
        .expect("scope ConfigMap");
        Api::<ConfigMap>::namespaced(env().client.clone(), &ns.name)
            .create(&PostParams::default(), &scope)
            .await
            .expect("create scope ConfigMap");

        // The check pods run as local processes (no kubelet here).
        let mut config = ExecutorConfig::new(work_dir(&format!("{}-executor", ns.name)));
        config.namespace = Some(ns.name.clone());
        config
            .image_roots
            .insert(IMAGE.into(), operator_image_root());
        let (stop_executor, executor_stopped) = tokio::sync::oneshot::channel::<()>();
        let executor = tokio::spawn(local_executor::run(env().client.clone(), config, async {
            let _ = executor_stopped.await;
        }));

        // Replica A starts first and leads; B follows. Uploads prefer B (the follower), so
        // the report reaches a replica that did not start the run.
        let (a_port, b_port) = (free_port(), free_port());
        let (service, service_task) = start_service(vec![b_port, a_port]);
        let mut a = Replica::start("ha-a", a_port, &ns.name, &scripts, service);
        wait_holder(&ns.name, 60, "ha-a to lead", |h| {
            h.is_some_and(|h| h.starts_with("ha-a_"))
        })
        .await;
        let mut b = Replica::start("ha-b", b_port, &ns.name, &scripts, service);
        wait_ready(&a).await;
        wait_ready(&b).await;
        // Every replica serves metrics and the listing; only one leads.
        assert!(
            a.metrics()
                .await
                .lines()
                .any(|l| l == "scs_operator_leader 1")
        );
        assert!(
            b.metrics()
                .await
                .lines()
                .any(|l| l == "scs_operator_leader 0")
        );
        // The follower builds the pages it serves (the first build follows the cache sync).
        let deadline = Instant::now() + Duration::from_secs(30);
        while b.get("/listing.json").await.map(|(code, _)| code) != Some(200) {
            assert!(
                Instant::now() < deadline,
                "no listing on the follower:\n{}",
                b.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }

        let clouds: Api<CloudCertification> = Api::namespaced(env().client.clone(), &ns.name);
        let cloud: CloudCertification = serde_json::from_value(json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "CloudCertification",
            "metadata": {"name": "ha-cloud",
                         "annotations": {"certification.scs.community/run-now": "once"}},
            "spec": {
                "subject": "ha-cloud",
                "scope": {"configMap": {"name": "ha-scope", "key": "scope.yaml"}},
                "target": {"variables": {"os_cloud": "ha-cloud"}},
                "schedule": {"cron": "0 0 1 1 *", "timeZone": "UTC"},
                "runner": {"timeoutSeconds": 120, "attempts": 1},
                "certificate": {"version": "v1", "issuance": "Automatic"}
            }
        }))
        .expect("cloud literal");
        clouds
            .create(&PostParams::default(), &cloud)
            .await
            .expect("create CloudCertification");

        // The run is in flight once the check script has started.
        let deadline = Instant::now() + Duration::from_secs(60);
        while !scripts.join("invocations.log").exists() {
            assert!(
                Instant::now() < deadline,
                "the check did not start within 60 s:\n{}",
                a.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let jobs: Api<Job> = Api::namespaced(env().client.clone(), &ns.name);
        assert_eq!(
            jobs.list(&ListParams::default())
                .await
                .expect("Jobs")
                .items
                .len(),
            1
        );

        // Kill the leader: no release, the Lease must expire.
        a.signal(libc::SIGKILL);
        let killed = Instant::now();
        let _ = a.wait_exit().await;
        wait_holder(&ns.name, 60, "ha-b to take over", |h| {
            h.is_some_and(|h| h.starts_with("ha-b_"))
        })
        .await;
        let failover = killed.elapsed();
        let bound = Duration::from_secs(LEASE_DURATION + 2 * RETRY_PERIOD);
        eprintln!(
            "e2e figure: leader killed -> follower leads in {failover:?} (lease {LEASE_DURATION} s, retry {RETRY_PERIOD} s; bound {bound:?})"
        );
        // The protocol's bound: the follower saw the last renewal at most a retry period
        // late, and tries again at most a retry period (+20 % jitter) after expiry. One more
        // retry period of slack for a busy machine.
        assert!(
            failover <= bound + Duration::from_secs(RETRY_PERIOD) + Duration::from_millis(500),
            "failover took {failover:?}:\n{}",
            b.log()
        );
        let took_over = Instant::now();

        let done = loop {
            let cloud = clouds.get("ha-cloud").await.expect("get cloud");
            let status = cloud.status.clone().unwrap_or_default();
            if status.last_run.as_ref().and_then(|r| r.outcome.as_deref()) == Some("ReportReceived")
                && status
                    .certificate
                    .as_ref()
                    .and_then(|c| c.not_after)
                    .is_some()
            {
                break cloud;
            }
            assert!(
                took_over.elapsed() < Duration::from_secs(120),
                "the run did not land within 120 s; status {}\n{}",
                serde_json::to_string_pretty(&status).unwrap_or_default(),
                b.log()
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        // Exactly once: one Job, one stored report, one check invocation, and the run that
        // finished is the run the killed leader started.
        let job_list = jobs.list(&ListParams::default()).await.expect("Jobs").items;
        assert_eq!(
            job_list.len(),
            1,
            "Jobs: {:?}",
            job_list
                .iter()
                .map(ResourceExt::name_any)
                .collect::<Vec<_>>()
        );
        let reports = Api::<ConfigMap>::namespaced(env().client.clone(), &ns.name)
            .list(&ListParams::default().labels("certification.scs.community/content=report"))
            .await
            .expect("reports")
            .items;
        assert_eq!(reports.len(), 1);
        let invocations = std::fs::read_to_string(scripts.join("invocations.log")).expect("log");
        assert_eq!(invocations.lines().count(), 1, "{invocations}");
        let run_id = job_list[0]
            .labels()
            .get("certification.scs.community/run-id")
            .cloned()
            .expect("run id label");
        let status = done.status.clone().expect("status");
        assert_eq!(status.last_run.as_ref().map(|r| r.id.clone()), Some(run_id));
        let stored_at = reports[0].creation_timestamp().expect("created").0;
        eprintln!(
            "e2e figure: report stored by {} ({} the takeover)",
            if b.log().contains("report intake") {
                "ha-b"
            } else {
                "?"
            },
            if stored_at
                < jiff::Timestamp::now()
                    - jiff::SignedDuration::try_from(took_over.elapsed()).unwrap_or_default()
            {
                "before"
            } else {
                "after"
            }
        );

        // Metrics of the new leader, computed from its caches.
        let text = b.metrics().await;
        assert!(text.lines().any(|l| l == "scs_operator_leader 1"), "{text}");
        for metric in [
            "scs_certificate_not_after_timestamp_seconds",
            "scs_certificate_not_before_timestamp_seconds",
            "scs_certification_compliant",
            "scs_certification_ready",
            "scs_certificate_state",
            "scs_certification_runs_total",
            "scs_certification_run_duration_seconds_count",
        ] {
            assert!(
                !series(&text, metric, &ns.name, "ha-cloud").is_empty(),
                "no {metric} series for ha-cloud:\n{text}"
            );
        }
        let not_after = status
            .certificate
            .as_ref()
            .and_then(|c| c.not_after)
            .expect("notAfter")
            .as_second();
        let line = series(
            &text,
            "scs_certificate_not_after_timestamp_seconds",
            &ns.name,
            "ha-cloud",
        )[0];
        assert!(line.ends_with(&format!(" {not_after}")), "{line}");
        assert!(
            series(&text, "scs_certification_compliant", &ns.name, "ha-cloud")[0].ends_with(" 1")
        );
        assert!(series(&text, "scs_certification_ready", &ns.name, "ha-cloud")[0].ends_with(" 1"));
        assert_eq!(
            series(&text, "scs_certification_runs_total", &ns.name, "ha-cloud"),
            [format!(
                "scs_certification_runs_total{{namespace=\"{}\",name=\"ha-cloud\",outcome=\"ReportReceived\"}} 1",
                ns.name
            )]
        );

        // Deleted resource: no series left (the finalizer runs on the new leader).
        clouds
            .delete("ha-cloud", &DeleteParams::default())
            .await
            .expect("delete cloud");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let gone = clouds.get_opt("ha-cloud").await.expect("get").is_none();
            let text = b.metrics().await;
            if gone && !text.contains("name=\"ha-cloud\"") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "series of the deleted resource remain (deleted: {gone}):\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }

        // SIGTERM: a clean exit that releases the Lease.
        b.signal(libc::SIGTERM);
        let status = b.wait_exit().await;
        assert!(status.success(), "exit {status:?}:\n{}", b.log());
        assert_eq!(lease_holder(&ns.name).await, None, "Lease not released");
        assert!(b.log().contains("Lease released"), "{}", b.log());

        service_task.abort();
        let _ = stop_executor.send(());
        let _ = tokio::time::timeout(Duration::from_secs(20), executor).await;
        ns.delete().await;
    });
}

/// A client for the test cluster that presents only a TokenRequest token of
/// `namespace/account`.
async fn service_account_client(namespace: &str, account: &str) -> Client {
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: Vec::new(),
            expiration_seconds: Some(3600),
            bound_object_ref: None,
        },
        ..TokenRequest::default()
    };
    let response: TokenRequest = Api::<ServiceAccount>::namespaced(env().client.clone(), namespace)
        .create_subresource("token", account, &PostParams::default(), &request)
        .await
        .unwrap_or_else(|e| panic!("TokenRequest for {namespace}/{account}: {e}"));
    let token = response.status.expect("token status").token;
    let mut kubeconfig = Kubeconfig::read_from(&env().kubeconfig).expect("kubeconfig");
    for named in &mut kubeconfig.auth_infos {
        named.auth_info =
            Some(serde_json::from_value(json!({ "token": token })).expect("token auth info"));
    }
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("client config");
    Client::try_from(config).expect("client")
}

/// Whether `user` may `verb` leases in `namespace` (SubjectAccessReview).
async fn may(user: &str, verb: &str, namespace: &str) -> bool {
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(user.to_owned()),
            groups: Some(vec![
                "system:serviceaccounts".to_owned(),
                "system:authenticated".to_owned(),
            ]),
            resource_attributes: Some(ResourceAttributes {
                group: Some("coordination.k8s.io".to_owned()),
                resource: Some("leases".to_owned()),
                verb: Some(verb.to_owned()),
                namespace: Some(namespace.to_owned()),
                ..ResourceAttributes::default()
            }),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    };
    Api::<SubjectAccessReview>::all(env().client.clone())
        .create(&PostParams::default(), &review)
        .await
        .expect("SubjectAccessReview")
        .status
        .is_some_and(|s| s.allowed)
}

fn lease_rbac() {
    block_on(async {
        let ns = TestNamespace::create("ha-rbac").await;
        let release = format!("ha{}", std::process::id());
        let out = Command::new(crate::harness::helm_binary())
            .args(["template", &release])
            .arg(repo_root().join("charts/scs-cert-operator"))
            .args(["--namespace", &ns.name])
            .args(["--show-only", "templates/serviceaccount.yaml"])
            .args(["--show-only", "templates/leader-election.yaml"])
            .output()
            .expect("run helm template");
        assert!(
            out.status.success(),
            "helm template failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let file = work_dir("rbac").join(format!("{}.yaml", ns.name));
        std::fs::write(&file, &out.stdout).expect("write rendered RBAC");
        kubectl_ok(&[
            "apply",
            "--server-side",
            "-f",
            file.to_str().expect("utf-8"),
        ]);
        let account = format!("{release}-scs-cert-operator");
        let user = format!("system:serviceaccount:{}:{account}", ns.name);

        // Exactly get/create/update on leases, in this namespace only.
        for verb in ["get", "create", "update"] {
            assert!(may(&user, verb, &ns.name).await, "{verb} denied");
            assert!(
                !may(&user, verb, "default").await,
                "{verb} allowed in default"
            );
        }
        for verb in ["list", "watch", "patch", "delete", "deletecollection"] {
            assert!(!may(&user, verb, &ns.name).await, "{verb} allowed");
        }

        // The elector with only that token: acquires (get, create), renews (update) and
        // releases (update).
        let client = service_account_client(&ns.name, &account).await;
        let settings = LeaseSettings {
            lease_duration: Duration::from_secs(LEASE_DURATION),
            renew_deadline: Duration::from_secs(RENEW_DEADLINE),
            retry_period: Duration::from_secs(RETRY_PERIOD),
            ..LeaseSettings::new(LEASE, &ns.name, "rbac-replica")
        };
        let (mut leadership, elector) = elector::start(client, settings);
        let acquired = tokio::time::timeout(Duration::from_secs(30), leadership.acquired()).await;
        assert_eq!(
            acquired.ok(),
            Some(true),
            "no leadership with the chart's Role"
        );
        let leases = Api::<Lease>::namespaced(env().client.clone(), &ns.name);
        let renewed = |lease: &Lease| lease.spec.as_ref().and_then(|s| s.renew_time.clone());
        let first = renewed(&leases.get(LEASE).await.expect("Lease"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while renewed(&leases.get(LEASE).await.expect("Lease")) == first {
            assert!(Instant::now() < deadline, "the Lease was never renewed");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(leadership.is_leader());
        elector.release().await;
        assert_eq!(lease_holder(&ns.name).await, None, "not released");
        ns.delete().await;
    });
}
