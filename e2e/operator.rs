//! The CloudCertification controller end to end: the operator and the local Job executor run
//! in this process against the real API server; check Jobs run `scs-cert run -- scs-cert
//! check` with a fixture check script whose verdicts each test controls.

use crate::harness::{RequestCounter, TestNamespace, block_on, counting_client, env, kubectl_ok};
use crate::trial;
use k8s_openapi::api::authentication::v1::{BoundObjectReference, TokenRequest, TokenRequestSpec};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, ServiceAccount};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use libtest_mimic::Trial;
use scs_cert_operator::api::CloudCertification;
use scs_cert_operator::api::conditions;
use scs_cert_operator::controller::Settings;
use scs_cert_operator::controller::job::JobSettings;
use scs_cert_operator::local_executor::{self, ExecutorConfig};
use scs_cert_operator::operator::{OperatorOptions, run_until};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::oneshot;

/// The operator under its chart's least-privilege RBAC (reuses `World`).
#[path = "rbac.rs"]
pub mod rbac;

/// The IntegratorCertification controller with real CloudCertifications (reuses `World`).
#[path = "integrator.rs"]
pub mod integrator;

/// The certificate lifecycle (issue 6) with real runs (reuses `World`).
#[path = "certificate.rs"]
pub mod certificate;

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    vec![
        trial("operator::happy_path_reaches_compliant", happy_path),
        trial(
            "operator::failing_testcase_is_named",
            failing_testcase_is_named,
        ),
        trial(
            "operator::run_without_report_is_recorded",
            run_without_report,
        ),
        trial(
            "operator::forged_and_bad_uploads_change_nothing",
            forged_uploads,
        ),
        trial("operator::restart_mid_run_loses_nothing", restart_mid_run),
        trial(
            "operator::expiring_selection_runs_only_what_expires",
            expiring_selection,
        ),
        trial("operator::schedule_and_suspend", schedule_and_suspend),
        trial(
            "operator::delete_cleans_up_through_the_finalizer",
            delete_with_finalizer,
        ),
    ]
}

const IMAGE: &str = "scs-cert-operator-e2e";
const CHECK_IMAGE: &str = "scs-check-e2e";
const SCOPE_UUID: &str = "00000000-0000-4000-8000-0000000000e2";

/// The test scope: tc-a (year), tc-b (day) in v1 main; manual-x is a manual check.
const SCOPE: &str = r#"
uuid: 00000000-0000-4000-8000-0000000000e2
name: E2E scope
url: https://example.org/e2e-scope.yaml
variables:
- os_cloud
scripts:
- executable: ./check.sh
  args: "{os_cloud} {testcases}"
  testcases:
  - id: tc-a
    lifetime: year
    description: always checked
  - id: tc-b
    lifetime: day
- testcases:
  - id: manual-x
    lifetime: quarter
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
"#;

/// A directory of this test run (outside /tmp: the check pod mounts an emptyDir at /tmp and
/// the executor maps that prefix).
fn work_dir(name: &str) -> PathBuf {
    crate::harness::test_work_dir("e2e-operator", name)
}

/// Writes the check script; it prints `<id>: <verdict>` per requested id, taking verdicts
/// from `verdicts` (lines `id VERDICT`, default PASS), logs its arguments, and sleeps
/// `sleep` seconds when that file exists.
fn write_scripts(dir: &Path) {
    let script = format!(
        r#"#!/bin/sh
# args: os_cloud testcases...
echo "$@" >> "{dir}/invocations.log"
[ -f "{dir}/sleep" ] && sleep "$(cat "{dir}/sleep")"
shift
for id in "$@"; do
  verdict=$(awk -v id="$id" '$1 == id {{ print $2 }}' "{dir}/verdicts" 2>/dev/null)
  echo "$id: ${{verdict:-PASS}}"
done
"#,
        dir = dir.display()
    );
    let path = dir.join("check.sh");
    std::fs::write(&path, script).expect("write check.sh");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// The fake operator image: a root directory with `/usr/local/bin/scs-cert`.
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

/// One test's world: a namespace, the scope ConfigMap, scripts, operator and executor.
struct World {
    ns: TestNamespace,
    scripts: PathBuf,
    port: u16,
    /// API requests of the operator (the current instance).
    requests: std::sync::Arc<RequestCounter>,
    operator: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
    executor: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
    /// The operator's client when not the (counting) admin one; see `with_operator_client`.
    operator_client: Option<kube::Client>,
}

impl World {
    async fn new(prefix: &str) -> Self {
        Self::with_operator_client(prefix, |_| async { None }).await
    }

    /// Like `new`, but the operator runs with the client `client_for(namespace)` returns
    /// (e.g. one authenticated as the chart's ServiceAccount; see rbac.rs) instead of admin.
    async fn with_operator_client<F, Fut>(prefix: &str, client_for: F) -> Self
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = Option<kube::Client>>,
    {
        let ns = TestNamespace::create(prefix).await;
        let operator_client = client_for(ns.name.clone()).await;
        let scripts = work_dir(&ns.name);
        write_scripts(&scripts);
        let config_map: ConfigMap = serde_json::from_value(json!({
            "metadata": {"name": "e2e-scope"},
            "data": {"scope.yaml": SCOPE}
        }))
        .expect("scope ConfigMap");
        Api::<ConfigMap>::namespaced(env().client.clone(), &ns.name)
            .create(&PostParams::default(), &config_map)
            .await
            .expect("create scope ConfigMap");
        let port = free_port();
        let mut world = Self {
            ns,
            scripts,
            port,
            requests: Default::default(),
            operator: None,
            executor: None,
            operator_client,
        };
        world.start_operator().await;
        world.start_executor();
        world
    }

    fn settings(&self) -> Settings {
        Settings {
            job: JobSettings {
                operator_image: IMAGE.into(),
                operator_binary: "/usr/local/bin/scs-cert".into(),
                default_runner_image: CHECK_IMAGE.into(),
                scripts_dir: self.scripts.display().to_string(),
                intake_url: format!("http://127.0.0.1:{}", self.port),
                token_audience: "scs-cert-operator".into(),
                service_account: "scs-cert-check".into(),
            },
            max_report_bytes: 256 * 1024,
            ..Settings::default()
        }
    }

    async fn start_operator(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("bind intake port");
        let options = OperatorOptions {
            listen: listener.local_addr().expect("addr"),
            namespace: Some(self.ns.name.clone()),
            concurrency: 2,
            settings: self.settings(),
            leader_election: None,
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let client = match &self.operator_client {
            Some(client) => client.clone(),
            None => {
                let (client, requests) = counting_client().await;
                self.requests = requests;
                client
            }
        };
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

    async fn stop_operator(&mut self) {
        if let Some((stop, handle)) = self.operator.take() {
            let _ = stop.send(());
            let _ = tokio::time::timeout(Duration::from_secs(20), handle).await;
        }
    }

    fn start_executor(&mut self) {
        let mut config = ExecutorConfig::new(work_dir(&format!("{}-executor", self.ns.name)));
        config.namespace = Some(self.ns.name.clone());
        config
            .image_roots
            .insert(IMAGE.into(), operator_image_root());
        let (stop, stopped) = oneshot::channel::<()>();
        let client = env().client.clone();
        let handle = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(err) = local_executor::run(client, config, shutdown).await {
                eprintln!("executor stopped with error: {err}");
            }
        });
        self.executor = Some((stop, handle));
    }

    async fn shutdown(mut self) {
        self.stop_operator().await;
        if let Some((stop, handle)) = self.executor.take() {
            let _ = stop.send(());
            let _ = tokio::time::timeout(Duration::from_secs(20), handle).await;
        }
        self.ns.delete().await;
    }

    fn clouds(&self) -> Api<CloudCertification> {
        Api::namespaced(env().client.clone(), &self.ns.name)
    }

    fn set_verdicts(&self, verdicts: &[(&str, &str)]) {
        let text: String = verdicts
            .iter()
            .map(|(id, v)| format!("{id} {v}\n"))
            .collect();
        std::fs::write(self.scripts.join("verdicts"), text).expect("write verdicts");
    }

    fn invocations(&self) -> String {
        std::fs::read_to_string(self.scripts.join("invocations.log")).unwrap_or_default()
    }

    /// Creates a CloudCertification (`extra` is merged into its spec) with a run-now value.
    async fn create_cloud(&self, name: &str, extra: serde_json::Value, run_now: Option<&str>) {
        let mut spec = json!({
            "subject": name,
            "scope": {"configMap": {"name": "e2e-scope", "key": "scope.yaml"}},
            "target": {"variables": {"os_cloud": name}},
            // Far from now: scheduled runs never interfere unless a test wants them.
            "schedule": {"cron": "0 0 1 1 *", "timeZone": "UTC"},
            "runner": {"timeoutSeconds": 120, "attempts": 1}
        });
        merge(&mut spec, extra);
        let mut annotations = serde_json::Map::new();
        if let Some(value) = run_now {
            annotations.insert("certification.scs.community/run-now".into(), json!(value));
        }
        let cloud: CloudCertification = serde_json::from_value(json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "CloudCertification",
            "metadata": {"name": name, "annotations": annotations},
            "spec": spec
        }))
        .expect("cloud literal");
        self.clouds()
            .create(&PostParams::default(), &cloud)
            .await
            .expect("create CloudCertification");
    }

    async fn run_now(&self, name: &str, value: &str) {
        let patch =
            json!({"metadata": {"annotations": {"certification.scs.community/run-now": value}}});
        self.clouds()
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .expect("annotate run-now");
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
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "timed out after {secs} s waiting for {what}; status: {}",
                    serde_json::to_string_pretty(&cloud.status).unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    async fn jobs(&self) -> Vec<Job> {
        Api::<Job>::namespaced(env().client.clone(), &self.ns.name)
            .list(&ListParams::default())
            .await
            .expect("list Jobs")
            .items
    }

    async fn config_maps(&self, content: &str) -> Vec<ConfigMap> {
        Api::<ConfigMap>::namespaced(env().client.clone(), &self.ns.name)
            .list(
                &ListParams::default()
                    .labels(&format!("certification.scs.community/content={content}")),
            )
            .await
            .expect("list ConfigMaps")
            .items
    }
}

fn merge(base: &mut serde_json::Value, extra: serde_json::Value) {
    match (base, extra) {
        (serde_json::Value::Object(base), serde_json::Value::Object(extra)) => {
            for (key, value) in extra {
                merge(base.entry(key).or_insert(serde_json::Value::Null), value);
            }
        }
        (slot, value) => *slot = value,
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn ready(cloud: &CloudCertification) -> Option<(String, String, String)> {
    let status = cloud.status.as_ref()?;
    let c = conditions::find(&status.conditions, conditions::READY)?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

fn last_outcome(cloud: &CloudCertification) -> Option<String> {
    cloud.status.as_ref()?.last_run.as_ref()?.outcome.clone()
}

fn happy_path() {
    block_on(async {
        let world = World::new("op-happy").await;
        let started = std::time::Instant::now();
        world.create_cloud("happy", json!({}), Some("first")).await;
        // Latency from creating the resource to its Job existing.
        let job_latency = loop {
            if !world.jobs().await.is_empty() {
                break started.elapsed();
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no Job within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        eprintln!("e2e figure: resource created -> Job exists in {job_latency:?}");
        let cloud = world
            .wait_for("happy", 90, "Ready=True", |c| {
                ready(c).is_some_and(|(status, _, _)| status == "True")
            })
            .await;
        eprintln!(
            "e2e figure: resource created -> Ready=True in {:?}",
            started.elapsed()
        );
        let status = cloud.status.clone().expect("status");
        let (_, reason, message) = ready(&cloud).expect("ready");
        assert_eq!(reason, "Compliant");
        assert_eq!(message, "✅ v1: all 2 main testcases of v1 pass");
        assert_eq!(status.summary.as_deref(), Some("✅ v1"));
        assert_eq!(status.observed_generation, cloud.metadata.generation);
        let last = status.last_run.clone().expect("last run");
        assert_eq!(last.outcome.as_deref(), Some("ReportReceived"));
        assert_eq!(last.trigger, "Manual");
        let results: Vec<_> = status
            .results
            .iter()
            .map(|r| (r.testcase.as_str(), r.result.as_str()))
            .collect();
        assert_eq!(results, [("tc-a", "PASS"), ("tc-b", "PASS")]);
        assert_eq!(
            status.scope.as_ref().and_then(|s| s.uuid.as_deref()),
            Some(SCOPE_UUID)
        );
        // Exactly one Job, one stored report, the check got the variable and both ids.
        assert_eq!(world.jobs().await.len(), 1);
        assert_eq!(world.config_maps("report").await.len(), 1);
        assert_eq!(world.invocations().trim(), "happy tc-a tc-b");
        // The check pod got no API token and a restricted security context.
        let job = &world.jobs().await[0];
        let pod_spec = job
            .spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .expect("pod spec");
        assert_eq!(pod_spec.automount_service_account_token, Some(false));
        assert_eq!(
            pod_spec.service_account_name.as_deref(),
            Some("scs-cert-check")
        );
        let table = kubectl_ok(&["get", "ccert", "-n", &world.ns.name]);
        assert!(
            table.contains("True") && table.contains("✅ v1: all 2 main testcases"),
            "{table}"
        );

        // An idle resync writes nothing: the resourceVersion stays put.
        let version = cloud.resource_version();
        tokio::time::sleep(Duration::from_secs(3)).await;
        let again = world.clouds().get("happy").await.expect("get");
        assert_eq!(
            again.resource_version(),
            version,
            "no write without a change"
        );

        // One reconcile of the unchanged resource (triggered by touching its Job) makes no
        // API call: everything comes from the caches, and the status is not rewritten.
        let (reads, writes) = world.requests.snapshot();
        let touch = json!({"metadata": {"labels": {"e2e-touch": "1"}}});
        let job_name = world.jobs().await[0].name_any();
        Api::<Job>::namespaced(env().client.clone(), &world.ns.name)
            .patch(&job_name, &PatchParams::default(), &Patch::Merge(&touch))
            .await
            .expect("touch Job");
        tokio::time::sleep(Duration::from_secs(3)).await;
        let (reads_after, writes_after) = world.requests.snapshot();
        eprintln!(
            "e2e figure: idle reconcile of an unchanged resource: {} reads, {} writes",
            reads_after - reads,
            writes_after - writes
        );
        assert_eq!(
            writes_after - writes,
            0,
            "writes: {:?}",
            world
                .requests
                .write_log
                .lock()
                .map(|l| l.clone())
                .unwrap_or_default()
        );
        assert_eq!(reads_after - reads, 0, "reads come from the caches");
        assert_eq!(
            world
                .clouds()
                .get("happy")
                .await
                .expect("get")
                .resource_version(),
            version
        );

        // The same run-now value again starts nothing.
        world.run_now("happy", "first").await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(world.jobs().await.len(), 1);
        world.shutdown().await;
    });
}

fn failing_testcase_is_named() {
    block_on(async {
        let world = World::new("op-failing").await;
        world.set_verdicts(&[("tc-b", "FAIL")]);
        world.create_cloud("failing", json!({}), Some("go")).await;
        let cloud = world
            .wait_for("failing", 90, "a finished run", |c| {
                last_outcome(c).is_some()
            })
            .await;
        let (status, reason, message) = ready(&cloud).expect("ready");
        assert_eq!(
            (status.as_str(), reason.as_str()),
            ("False", "TestsFailing")
        );
        assert!(
            message.contains("1 of 2 main testcases of v1 failed: tc-b"),
            "{message}"
        );
        let compliant = conditions::find(
            &cloud.status.as_ref().expect("status").conditions,
            conditions::COMPLIANT,
        )
        .expect("Compliant condition");
        assert_eq!(compliant.status, "False");
        let table = kubectl_ok(&["get", "ccert", "-n", &world.ns.name]);
        assert!(table.contains("False") && table.contains("tc-b"), "{table}");
        world.shutdown().await;
    });
}

fn run_without_report() {
    block_on(async {
        let world = World::new("op-noreport").await;
        world
            .create_cloud(
                "noreport",
                json!({"runner": {"command": ["/bin/sh", "-c", "echo scope exploded >&2; exit 3"]}}),
                Some("go"),
            )
            .await;
        let cloud = world
            .wait_for("noreport", 90, "a finished run", |c| {
                last_outcome(c).is_some()
            })
            .await;
        let last = cloud
            .status
            .clone()
            .and_then(|s| s.last_run)
            .expect("last run");
        assert_eq!(last.outcome.as_deref(), Some("NoReport"));
        let message = last.message.unwrap_or_default();
        assert!(message.contains("the check Job failed"), "{message}");
        assert!(
            message.contains("the runner said"),
            "the runner's failure record is used: {message}"
        );
        let (status, reason, _) = ready(&cloud).expect("ready");
        assert_eq!((status.as_str(), reason.as_str()), ("False", "NoResults"));
        assert!(world.config_maps("report").await.is_empty());
        assert_eq!(world.config_maps("failure").await.len(), 1);

        // With a genuine token of that run (no report stored yet), malformed reports and
        // reports for another subject or scope are refused and nothing is stored.
        let ns = world.ns.name.clone();
        let pods = Api::<Pod>::namespaced(env().client.clone(), &ns)
            .list(&ListParams::default())
            .await
            .expect("pods")
            .items;
        let bound = token(&ns, "scs-cert-operator", pods.first()).await;
        let path = format!("/v1/runs/{ns}/noreport/{}/report", last.id);
        let valid = valid_report("noreport", SCOPE_UUID);
        let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
            ("not YAML", b"{{{: [".to_vec(), 422, "malformed report"),
            (
                "not a report",
                b"hello: world\n".to_vec(),
                422,
                "malformed report",
            ),
            (
                "two documents",
                format!("{valid}{valid}").into_bytes(),
                422,
                "exactly one report",
            ),
            ("not UTF-8", vec![0xff, 0xfe, 0x00], 422, "not UTF-8"),
            (
                "another subject",
                valid_report("someone-else", SCOPE_UUID).into_bytes(),
                422,
                "subject",
            ),
            (
                "another scope",
                valid_report("noreport", "11111111-1111-4111-8111-111111111111").into_bytes(),
                422,
                "scope",
            ),
        ];
        let mut failures = Vec::new();
        for (what, body, expected, needle) in cases {
            let (code, text) = upload(world.port, &path, &bound, body).await;
            if code != expected || !text.contains(needle) {
                failures.push(format!(
                    "{what}: HTTP {code} {text}, expected {expected} with {needle:?}"
                ));
            }
        }
        assert!(
            world.config_maps("report").await.is_empty(),
            "nothing stored"
        );
        let after = world.clouds().get("noreport").await.expect("get");
        assert_eq!(
            after.status.map(|s| s.results),
            Some(vec![]),
            "no results appeared"
        );
        let table = kubectl_ok(&["get", "ccert", "noreport", "-n", &ns]);
        assert!(
            table.contains("False") && table.contains("no results yet"),
            "{table}"
        );
        world.shutdown().await;
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    });
}

/// A token for the check ServiceAccount, optionally bound to a pod.
async fn token(namespace: &str, audience: &str, pod: Option<&Pod>) -> String {
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec![audience.to_owned()],
            expiration_seconds: Some(600),
            bound_object_ref: pod.map(|p| BoundObjectReference {
                api_version: Some("v1".into()),
                kind: Some("Pod".into()),
                name: p.metadata.name.clone(),
                uid: p.metadata.uid.clone(),
            }),
        },
        ..TokenRequest::default()
    };
    let response: TokenRequest = Api::<ServiceAccount>::namespaced(env().client.clone(), namespace)
        .create_subresource("token", "scs-cert-check", &PostParams::default(), &request)
        .await
        .expect("TokenRequest");
    response.status.map(|s| s.token).unwrap_or_default()
}

/// A well-formed one-document report in the upstream format.
fn valid_report(subject: &str, scope_uuid: &str) -> String {
    format!(
        "---
spec:
  uuid: {scope_uuid}
  name: E2E scope
  url: https://example.org/e2e-scope.yaml
checked_at: 2026-12-05 03:00:00.000000
reference_date: 2026-12-05
subject: {subject}
run:
  uuid: 5d6c0b9e-0000-4000-8000-{suffix:012x}
  argv: []
  assignment: {{}}
  sections: null
  forced_version: null
  forced_tests: null
  invocations: {{}}
",
        suffix = subject.len() * 7919 + scope_uuid.len()
    )
}

async fn upload(port: u16, path: &str, token: &str, body: Vec<u8>) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}{path}"))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("intake answers");
    let code = response.status().as_u16();
    (code, response.text().await.unwrap_or_default())
}

fn forged_uploads() {
    block_on(async {
        let world = World::new("op-forged").await;
        let ns = world.ns.name.clone();
        world.create_cloud("forged", json!({}), Some("go")).await;
        let cloud = world
            .wait_for("forged", 90, "Ready=True", |c| {
                ready(c).is_some_and(|r| r.0 == "True")
            })
            .await;
        let run_id = cloud
            .status
            .as_ref()
            .and_then(|s| s.last_run.as_ref())
            .map(|r| r.id.clone())
            .expect("run");
        let pods = Api::<Pod>::namespaced(env().client.clone(), &ns)
            .list(&ListParams::default())
            .await
            .expect("pods")
            .items;
        let pod = pods.first().expect("the run's pod is kept");
        let stored = world.config_maps("report").await;
        let report_text = stored[0]
            .data
            .as_ref()
            .and_then(|d| d.get("report.yaml"))
            .cloned()
            .expect("plain report");
        let report_path = format!("/v1/runs/{ns}/forged/{run_id}/report");
        let before = world.clouds().get("forged").await.expect("get").status;

        // (what, token, path, body, expected status)
        let bound = token(&ns, "scs-cert-operator", Some(pod)).await;
        let unbound = token(&ns, "scs-cert-operator", None).await;
        let wrong_audience = token(&ns, "someone-else", Some(pod)).await;
        let tampered = report_text.replace("tc-b: 1", "tc-b: -1");
        let cases: Vec<(&str, &str, String, Vec<u8>, u16)> = vec![
            (
                "no token",
                "",
                report_path.clone(),
                report_text.clone().into_bytes(),
                401,
            ),
            (
                "garbage token",
                "not-a-token",
                report_path.clone(),
                report_text.clone().into_bytes(),
                401,
            ),
            (
                "token for another audience",
                &wrong_audience,
                report_path.clone(),
                report_text.clone().into_bytes(),
                401,
            ),
            (
                "token not bound to a pod",
                &unbound,
                report_path.clone(),
                report_text.clone().into_bytes(),
                403,
            ),
            (
                "this run's token for another run",
                &bound,
                format!("/v1/runs/{ns}/forged/s209901010000/report"),
                report_text.clone().into_bytes(),
                403,
            ),
            (
                "oversized report",
                &bound,
                report_path.clone(),
                vec![b'#'; 300 * 1024],
                413,
            ),
            (
                "a different report for a finished run",
                &bound,
                report_path.clone(),
                tampered.into_bytes(),
                409,
            ),
            (
                "the identical report again",
                &bound,
                report_path.clone(),
                report_text.clone().into_bytes(),
                200,
            ),
        ];
        let mut failures = Vec::new();
        for (what, token, path, body, expected) in cases {
            let (code, text) = upload(world.port, &path, token, body).await;
            if code != expected {
                failures.push(format!("{what}: HTTP {code} ({text}), expected {expected}"));
            }
        }
        // Nothing changed: one stored report, same results.
        assert_eq!(world.config_maps("report").await.len(), 1);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = world.clouds().get("forged").await.expect("get").status;
        assert_eq!(
            after.as_ref().map(|s| &s.results),
            before.as_ref().map(|s| &s.results),
            "results untouched"
        );
        world.shutdown().await;
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    });
}

fn restart_mid_run() {
    block_on(async {
        let mut world = World::new("op-restart").await;
        std::fs::write(world.scripts.join("sleep"), "4").expect("sleep file");
        world.create_cloud("restart", json!({}), Some("go")).await;
        world
            .wait_for("restart", 60, "an active run", |c| {
                c.status
                    .as_ref()
                    .is_some_and(|s| s.active_run.as_ref().is_some_and(|r| r.job.is_some()))
            })
            .await;
        // Stop the operator while the check runs; the upload retries until it is back.
        world.stop_operator().await;
        tokio::time::sleep(Duration::from_secs(7)).await;
        world.start_operator().await;
        let cloud = world
            .wait_for("restart", 120, "Ready=True", |c| {
                ready(c).is_some_and(|r| r.0 == "True")
            })
            .await;
        let status = cloud.status.expect("status");
        assert_eq!(
            status.recent_runs.len(),
            1,
            "counted once: {:?}",
            status.recent_runs
        );
        assert_eq!(
            status.recent_runs[0].outcome.as_deref(),
            Some("ReportReceived")
        );
        assert_eq!(world.jobs().await.len(), 1, "no second Job");
        assert_eq!(
            world.config_maps("report").await.len(),
            1,
            "one stored report"
        );
        assert_eq!(world.invocations().lines().count(), 1, "the check ran once");
        world.shutdown().await;
    });
}

fn expiring_selection() {
    block_on(async {
        let world = World::new("op-expiring").await;
        world
            .create_cloud(
                "expiring",
                json!({"schedule": {"selection": "Expiring"}}),
                Some("one"),
            )
            .await;
        world
            .wait_for("expiring", 90, "first run", |c| last_outcome(c).is_some())
            .await;
        // tc-a (year) stays valid past the next run (next 1 January); tc-b (day) does not.
        world.run_now("expiring", "two").await;
        world
            .wait_for("expiring", 90, "second run", |c| {
                c.status.as_ref().is_some_and(|s| s.recent_runs.len() == 2)
            })
            .await;
        let invocations = world.invocations();
        let lines: Vec<&str> = invocations.lines().collect();
        assert_eq!(
            lines,
            ["expiring tc-a tc-b", "expiring tc-b"],
            "{invocations}"
        );
        let cloud = world.clouds().get("expiring").await.expect("get");
        let recent = &cloud.status.expect("status").recent_runs;
        assert_eq!(recent[0].selected_testcases, Some(1));
        world.shutdown().await;
    });
}

fn schedule_and_suspend() {
    block_on(async {
        let world = World::new("op-schedule").await;
        world
            .create_cloud(
                "scheduled",
                json!({"suspend": true, "schedule": {"cron": "* * * * *"}}),
                None,
            )
            .await;
        let cloud = world
            .wait_for("scheduled", 30, "a first status", |c| ready(c).is_some())
            .await;
        let status = cloud.status.expect("status");
        assert_eq!(status.next_run_at, None, "suspended: nothing planned");
        let checking =
            conditions::find(&status.conditions, conditions::CHECKING).expect("Checking");
        assert_eq!(checking.message, "no run scheduled");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(world.jobs().await.is_empty());

        let resume = json!({"spec": {"suspend": false}});
        world
            .clouds()
            .patch("scheduled", &PatchParams::default(), &Patch::Merge(&resume))
            .await
            .expect("resume");
        let cloud = world
            .wait_for("scheduled", 30, "nextRunAt", |c| {
                c.status.as_ref().is_some_and(|s| s.next_run_at.is_some())
            })
            .await;
        let next = cloud.status.and_then(|s| s.next_run_at).expect("next run");
        assert_eq!(next.as_second() % 60, 0, "on a minute boundary: {next}");
        let cloud = world
            .wait_for("scheduled", 90, "a scheduled run", |c| {
                c.status.as_ref().is_some_and(|s| {
                    s.last_run
                        .as_ref()
                        .is_some_and(|r| r.trigger == "Scheduled")
                })
            })
            .await;
        let last = cloud.status.and_then(|s| s.last_run).expect("last run");
        assert_eq!(last.scheduled_for, Some(next));
        world.shutdown().await;
    });
}

fn delete_with_finalizer() {
    block_on(async {
        let world = World::new("op-delete").await;
        world.create_cloud("doomed", json!({}), Some("go")).await;
        world
            .wait_for("doomed", 90, "a finished run", |c| {
                last_outcome(c).is_some()
            })
            .await;
        let cloud = world.clouds().get("doomed").await.expect("get");
        assert!(
            cloud
                .finalizers()
                .iter()
                .any(|f| f == "certification.scs.community/cleanup")
        );
        assert!(!world.jobs().await.is_empty());
        world
            .clouds()
            .delete("doomed", &DeleteParams::default())
            .await
            .expect("delete");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while world
            .clouds()
            .get_opt("doomed")
            .await
            .expect("get")
            .is_some()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the finalizer did not finish"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(world.jobs().await.is_empty(), "Jobs deleted");
        assert!(
            world.config_maps("report").await.is_empty(),
            "reports deleted"
        );
        assert!(
            world.config_maps("scope").await.is_empty(),
            "scope copies deleted"
        );
        world.shutdown().await;
    });
}
