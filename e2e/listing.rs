//! The public listing end to end (issue 8), against the real API server:
//!
//! - `states`: CloudCertifications and IntegratorCertifications whose status holds every
//!   certificate state (certified, failing, expired, long expired, revoked, self-assessed,
//!   an injection attempt, a group; two integrators) are published by the listing publisher
//!   into split ConfigMaps and served by the listing routes; the test reads both back.
//! - `operator`: the whole operator in-process (with the local Job executor) runs real checks
//!   for a passing and a failing cloud and publishes them.
//! - `browser`: the served pages load in headless Chromium; assertions on the rendered DOM,
//!   screenshots under `target/listing-e2e/`. Skipped (with a message) only when chromium is
//!   missing and `CI` is unset.

use crate::harness::{TestNamespace, block_on, env};
use crate::trial;
use futures::StreamExt;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use libtest_mimic::Trial;
use scs_cert_operator::api::{CloudCertification, IntegratorCertification};
use scs_cert_operator::controller::Settings;
use scs_cert_operator::controller::job::JobSettings;
use scs_cert_operator::listing::pack::{PackOptions, Payload, unpack};
use scs_cert_operator::listing::publisher::{self, LISTING_LABEL, PublisherSettings, Sources};
use scs_cert_operator::listing::{ListingOptions, SiteHandle};
use scs_cert_operator::local_executor::{self, ExecutorConfig};
use scs_cert_operator::operator::{OperatorOptions, run_until};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::oneshot;

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    let browser = trial("listing::browser_renders_the_pages", browser);
    let browser = match chromium() {
        Some(_) => browser,
        None if std::env::var_os("CI").is_some() => browser,
        None => {
            eprintln!(
                "listing::browser_renders_the_pages: SKIPPED: chromium is not installed \
                 (apt-get install -y chromium, or set SCS_CHROMIUM); in CI this test fails instead"
            );
            browser.with_ignored_flag(true)
        }
    };
    vec![
        trial("listing::states_publish_to_configmaps_and_pages", states),
        trial("listing::operator_publishes_real_runs", operator_runs),
        trial(
            "listing::five_thousand_subjects_fit_the_config_map_limits",
            five_thousand,
        ),
        browser,
    ]
}

const UUID: &str = "00000000-0000-4000-8000-00000000115e";
const EVIL: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>";
const LISTING: &str = "scs-listing";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn at(days: i64) -> String {
    (Timestamp::now() + SignedDuration::from_hours(24 * days))
        .round(jiff::Unit::Second)
        .expect("round")
        .to_string()
}

/// A status with v1 evaluated to `result` (tc-b failing when FAIL) and an optional certificate.
fn status(result: &str, certificate: Option<Value>) -> Value {
    let failing = result == "FAIL";
    let mut status = json!({
        "scope": {"uuid": UUID, "name": "E2E IaaS"},
        "summary": if failing { "🛑 –" } else { "✅ v1" },
        "bestPassedVersion": if failing { Value::Null } else { json!("v1") },
        "versions": [{"name": "v1", "validity": "effective", "result": result,
                      "notPassing": if failing { json!(["tc-b"]) } else { json!([]) }}],
        "results": [
            {"testcase": "tc-a", "result": "PASS", "checkedAt": at(-1), "expiresAt": at(10),
             "report": "aaaaaaaa-0000-4000-8000-000000000001"},
            {"testcase": "tc-b", "result": if failing { "FAIL" } else { "PASS" },
             "checkedAt": at(-1), "expiresAt": at(10)}
        ],
        "evaluatedAt": at(-1),
        "lastRun": {"id": "run-1", "trigger": "Scheduled", "finishedAt": at(-1), "outcome": "ReportReceived"},
        "recentRuns": [
            {"id": "run-1", "trigger": "Scheduled", "finishedAt": at(-1), "outcome": "ReportReceived"},
            {"id": "run-0", "trigger": "Manual", "finishedAt": at(-40), "outcome": "NoReport"}
        ]
    });
    if let Some(c) = certificate {
        status["certificate"] = c.clone();
        status["certificates"] = json!([c]);
    }
    status
}

fn cert(serial: &str, state: &str, not_after_days: i64, self_assessed: bool) -> Value {
    let mut c = json!({
        "serial": serial, "version": "v1", "state": state, "selfAssessed": self_assessed,
        "notBefore": at(not_after_days - 365), "notAfter": at(not_after_days),
    });
    if !self_assessed {
        c["grantedBy"] = json!("Forum SCS-Standards");
        c["reference"] = json!("https://example.org/decisions/1");
    }
    c
}

/// Creates the fixture resources of every state in `ns` (status through the subresource).
async fn create_states(ns: &str) {
    let clouds: Api<CloudCertification> = Api::namespaced(env().client.clone(), ns);
    let mut revoked = cert("SCS-E2E0-0000-0000-0005", "Revoked", 200, false);
    revoked["revokedAt"] = json!(at(-10));
    revoked["revocationReason"] = json!("key compromise");
    let fixtures = [
        (
            "certified",
            json!({"displayName": "Certified Cloud", "provider": "ACME", "group": "acme",
                   "healthMonitorUrl": "https://health.example.org/certified"}),
            status(
                "PASS",
                Some(cert("SCS-E2E0-0000-0000-0001", "Valid", 300, false)),
            ),
        ),
        (
            "failing",
            json!({"displayName": "Failing Cloud"}),
            status("FAIL", None),
        ),
        (
            "expired",
            json!({"displayName": "Expired Cloud"}),
            status(
                "PASS",
                Some(cert("SCS-E2E0-0000-0000-0003", "Expired", -30, false)),
            ),
        ),
        (
            "long-expired",
            json!({"displayName": "Long Expired Cloud"}),
            status(
                "PASS",
                Some(cert("SCS-E2E0-0000-0000-0004", "Expired", -120, false)),
            ),
        ),
        (
            "revoked",
            json!({"displayName": "Revoked Cloud"}),
            status("PASS", Some(revoked)),
        ),
        (
            "self",
            json!({"displayName": "Self-assessed Cloud"}),
            status(
                "PASS",
                Some(cert("SELF-E2E0-0000-0000-0006", "Valid", 300, true)),
            ),
        ),
        (
            "evil",
            json!({"displayName": EVIL, "description": "<b>bold</b> [x](javascript:alert(2))",
                   "group": "acme"}),
            status("FAIL", None),
        ),
    ];
    for (name, extra, st) in fixtures {
        let mut spec = json!({
            "subject": name,
            "scope": {"url": "https://example.org/e2e-scope.yaml"},
            "target": {"variables": {"os_cloud": "do-not-publish-me"}}
        });
        if let (Some(base), Value::Object(extra)) = (spec.as_object_mut(), extra) {
            base.extend(extra);
        }
        let cloud: CloudCertification = serde_json::from_value(json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "CloudCertification",
            "metadata": {"name": name},
            "spec": spec
        }))
        .expect("cloud literal");
        clouds
            .create(&PostParams::default(), &cloud)
            .await
            .unwrap_or_else(|e| panic!("create {name}: {e}"));
        clouds
            .patch_status(
                name,
                &PatchParams::default(),
                &Patch::Merge(&json!({ "status": st })),
            )
            .await
            .unwrap_or_else(|e| panic!("status of {name}: {e}"));
    }
    let integrators: Api<IntegratorCertification> = Api::namespaced(env().client.clone(), ns);
    for (name, org, layer, tier, certified) in [
        ("silver", "Silver Integrator GmbH", "IaaS", "Silver", true),
        ("bronze", "Bronze KaaS AG", "KaaS", "Bronze", true),
        ("applicant", "Applicant Ltd", "IaaS", "Bronze", false),
    ] {
        let object: IntegratorCertification = serde_json::from_value(json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "IntegratorCertification",
            "metadata": {"name": name},
            "spec": {"organization": org, "layer": layer}
        }))
        .expect("integrator literal");
        integrators
            .create(&PostParams::default(), &object)
            .await
            .unwrap_or_else(|e| panic!("create {name}: {e}"));
        let mut st = json!({"score": if tier == "Silver" { 4 } else { 2 }, "tier": tier});
        if certified {
            st["certificate"] = json!({"tier": tier, "notBefore": at(-20), "notAfter": at(345)});
        }
        integrators
            .patch_status(
                name,
                &PatchParams::default(),
                &Patch::Merge(&json!({ "status": st })),
            )
            .await
            .unwrap_or_else(|e| panic!("status of {name}: {e}"));
    }
}

/// The listing publisher and pages for one namespace, without the controllers.
struct Publisher {
    ns: TestNamespace,
    port: u16,
    stop: Option<oneshot::Sender<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Publisher {
    async fn start(prefix: &str) -> Self {
        let ns = TestNamespace::create(prefix).await;
        create_states(&ns.name).await;
        let client = env().client.clone();
        let (clouds, clouds_writer) = reflector::store();
        let cloud_events = reflector::reflector(
            clouds_writer,
            watcher(
                Api::<CloudCertification>::namespaced(client.clone(), &ns.name),
                watcher::Config::default(),
            ),
        )
        .default_backoff();
        let (integrators, integrators_writer) = reflector::store();
        let integrator_events = reflector::reflector(
            integrators_writer,
            watcher(
                Api::<IntegratorCertification>::namespaced(client.clone(), &ns.name),
                watcher::Config::default(),
            ),
        )
        .default_backoff();
        let handle = SiteHandle::default();
        let (stop, stopped) = oneshot::channel::<()>();
        let stopped = futures::FutureExt::shared(async {
            let _ = stopped.await;
        });
        let settings = PublisherSettings {
            config_map: Some((ns.name.clone(), LISTING.to_owned())),
            debounce: Duration::from_millis(500),
            min_interval: Duration::ZERO,
            options: ListingOptions {
                title: "E2E certification listing".into(),
                base_url: None,
            },
            // Small limits, so even this small listing is gzipped and split.
            pack: PackOptions {
                plain_limit: 2 * 1024,
                budget: 4 * 1024,
            },
            leader: None,
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let app = scs_cert_operator::server::listing::routes(handle.clone());
        let server_stop = stopped.clone();
        let tasks = vec![
            tokio::spawn(cloud_events.for_each(|_| async {})),
            tokio::spawn(integrator_events.for_each(|_| async {})),
            tokio::spawn(publisher::run(
                client,
                Sources {
                    clouds,
                    integrators,
                    history: None,
                },
                handle,
                settings,
                stopped,
            )),
            tokio::spawn(async move {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(server_stop)
                    .await;
            }),
        ];
        Self {
            ns,
            port,
            stop: Some(stop),
            tasks,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        for task in self.tasks.drain(..) {
            task.abort();
        }
        self.ns.delete().await;
    }
}

/// The listing ConfigMaps of `ns` (by name).
async fn listing_config_maps(ns: &str) -> BTreeMap<String, ConfigMap> {
    Api::<ConfigMap>::namespaced(env().client.clone(), ns)
        .list(&ListParams::default().labels(&format!("{LISTING_LABEL}={LISTING}")))
        .await
        .expect("list listing ConfigMaps")
        .items
        .into_iter()
        .map(|cm| (cm.metadata.name.clone().unwrap_or_default(), cm))
        .collect()
}

/// The files stored in the listing ConfigMaps, reassembled as a consumer would.
fn stored_files(config_maps: &BTreeMap<String, ConfigMap>) -> BTreeMap<String, Vec<u8>> {
    let payloads: Vec<Payload> = config_maps
        .values()
        .map(|cm| Payload {
            data: cm.data.clone().unwrap_or_default(),
            binary_data: cm
                .binary_data
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.0))
                .collect(),
            ..Payload::default()
        })
        .collect();
    unpack(&payloads).expect("stored listing unpacks")
}

/// Waits until the stored `listing.json` satisfies `check`; returns it.
async fn wait_stored(ns: &str, secs: u64, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let files = stored_files(&listing_config_maps(ns).await);
        let listing = files
            .get("listing.json")
            .and_then(|b| serde_json::from_slice::<Value>(b).ok());
        if let Some(listing) = listing.filter(|l| check(l)) {
            return listing;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {secs} s waiting for {what}; stored files: {:?}",
            files.keys().collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn cloud<'a>(listing: &'a Value, subject: &str) -> &'a Value {
    listing["clouds"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["subject"] == subject))
        .unwrap_or_else(|| panic!("{subject} in listing.json"))
}

async fn get_text(url: &str) -> (u16, String) {
    let response = reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

fn states() {
    block_on(async {
        let world = Publisher::start("listing-states").await;
        let ns = world.ns.name.clone();
        let listing = wait_stored(&ns, 60, "all seven clouds and two integrators", |l| {
            l["clouds"].as_array().is_some_and(|c| c.len() == 7)
                && l["integrators"].as_array().is_some_and(|i| i.len() == 2)
        })
        .await;
        assert_eq!(listing["schemaVersion"], 1);
        let summary = |subject: &str| {
            let c = cloud(&listing, subject);
            (
                c["certification"].as_str().unwrap_or("").to_owned(),
                c["badge"].as_str().unwrap_or("").to_owned(),
                c["certificate"]["state"].as_str().unwrap_or("-").to_owned(),
            )
        };
        let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
        assert_eq!(summary("certified"), s("certified", "✅ v1", "Valid"));
        assert_eq!(summary("failing"), s("notCertified", "🛑 –", "-"));
        assert_eq!(summary("expired"), s("notCertified", "✅ v1", "Expired"));
        assert_eq!(
            summary("long-expired"),
            s("notCertified", "✅ v1", "-"),
            "expired 4 months ago: off the pages"
        );
        assert_eq!(
            cloud(&listing, "long-expired")["certificates"][0]["listed"],
            false,
            "but its data is kept"
        );
        assert_eq!(summary("revoked"), s("notCertified", "✅ v1", "Revoked"));
        assert_eq!(summary("self"), s("selfAssessed", "✅ v1", "Valid"));
        assert_eq!(cloud(&listing, "evil")["displayName"], EVIL);
        let group = &listing["groups"][0];
        assert_eq!(group["name"], "acme");
        assert_eq!(group["worst"], "evil");
        assert_eq!(group["badge"], "🛑 –");
        let orgs: Vec<_> = listing["integrators"]
            .as_array()
            .map(|i| i.iter().map(|i| i["organization"].clone()).collect())
            .unwrap_or_default();
        assert_eq!(
            orgs,
            [json!("Silver Integrator GmbH"), json!("Bronze KaaS AG")]
        );
        let text = listing.to_string();
        assert!(
            !text.contains("do-not-publish-me"),
            "spec.target never leaks"
        );

        // Split and compressed under the (small) budget, reassembled by the manifest rules.
        let config_maps = listing_config_maps(&ns).await;
        eprintln!(
            "e2e figure: 7 clouds, 2 integrators stored in {} ConfigMaps at a 4 KiB budget",
            config_maps.len()
        );
        assert!(config_maps.len() > 1, "split into numbered ConfigMaps");
        let primary = &config_maps[LISTING];
        let annotations = primary.metadata.annotations.clone().unwrap_or_default();
        assert_eq!(
            annotations
                .get(publisher::PARTS_ANNOTATION)
                .map(String::as_str),
            Some(config_maps.len().to_string().as_str())
        );
        let files = stored_files(&config_maps);
        for key in ["index.html", "listing.json", "listing.md", "crl.json"] {
            assert!(files.contains_key(key), "{key} stored");
        }
        assert_eq!(files.keys().filter(|k| k.starts_with("badge--")).count(), 7);

        // The pages serve what was published.
        let (code, served) = get_text(&world.url("/listing.json")).await;
        assert_eq!(code, 200);
        assert_eq!(served.as_bytes(), files["listing.json"].as_slice());
        let (code, crl) = get_text(&world.url("/crl.json")).await;
        assert_eq!(code, 200);
        let crl: Value = serde_json::from_str(&crl).expect("crl.json");
        assert_eq!(crl["revoked"][0]["serial"], "SCS-E2E0-0000-0000-0005");
        assert_eq!(crl["revoked"][0]["reason"], "key compromise");
        assert_eq!(crl["revoked"].as_array().map(Vec::len), Some(1));
        let (code, index) = get_text(&world.url("/")).await;
        assert_eq!(code, 200);
        assert!(index.contains(&format!("href=\"detail/certified/{UUID}\"")));
        assert!(!index.contains("<script") && !index.contains("<img src=x"));
        assert!(index.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        let (code, detail) = get_text(&world.url(&format!("/detail/revoked/{UUID}"))).await;
        assert_eq!(code, 200);
        assert!(
            detail.contains("key compromise")
                && detail.contains("data-certificate-state=\"revoked\"")
        );
        let (code, badge) = get_text(&world.url(&format!("/badge/self/{UUID}.svg"))).await;
        assert_eq!(code, 200);
        assert!(badge.contains("self-assessed v1"));
        let (code, _) = get_text(&world.url("/detail/nobody/x")).await;
        assert_eq!(code, 404);

        // Nothing changed: nothing is written.
        let versions = |cms: &BTreeMap<String, ConfigMap>| {
            cms.iter()
                .map(|(n, cm)| (n.clone(), cm.metadata.resource_version.clone()))
                .collect::<Vec<_>>()
        };
        let before = versions(&config_maps);
        // A status change that the listing does not show (a run starting) rebuilds, but
        // writes nothing either.
        Api::<CloudCertification>::namespaced(env().client.clone(), &ns)
            .patch_status(
                "failing",
                &PatchParams::default(),
                &Patch::Merge(&json!({"status": {"nextRunAt": at(1)}})),
            )
            .await
            .expect("touch status");
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            before,
            versions(&listing_config_maps(&ns).await),
            "no write without a change"
        );

        // A real change is published.
        Api::<CloudCertification>::namespaced(env().client.clone(), &ns)
            .patch_status(
                "failing",
                &PatchParams::default(),
                &Patch::Merge(&json!({"status": status("PASS", None)})),
            )
            .await
            .expect("failing passes");
        wait_stored(&ns, 30, "failing to pass", |l| {
            cloud(l, "failing")["badge"] == "✅ v1"
        })
        .await;
        world.shutdown().await;
    });
}

// ---- the whole operator with real check runs ----

/// The test scope: tc-a, tc-b in v1 main.
const SCOPE: &str = r#"
uuid: 00000000-0000-4000-8000-00000000115f
name: E2E listing scope
url: https://example.org/e2e-listing-scope.yaml
variables:
- os_cloud
scripts:
- executable: ./check.sh
  args: "{os_cloud} {testcases}"
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
"#;

fn work_dir(name: &str) -> PathBuf {
    crate::harness::test_work_dir("e2e-listing", name)
}

/// A check script: `<id>: FAIL` for the subject `failing`'s tc-b, PASS otherwise.
fn write_script(dir: &Path) {
    let script = "#!/bin/sh\ncloud=$1\nshift\nfor id in \"$@\"; do\n  if [ \"$cloud\" = failing ] && [ \"$id\" = tc-b ]; then echo \"$id: FAIL\"; else echo \"$id: PASS\"; fi\ndone\n";
    let path = dir.join("check.sh");
    std::fs::write(&path, script).expect("write check.sh");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

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

fn operator_runs() {
    // RUST_LOG=scs_cert_operator=debug shows the operator's log when debugging this test.
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
    block_on(async {
        let ns = TestNamespace::create("listing-op").await;
        let scripts = work_dir(&ns.name);
        write_script(&scripts);
        let scope_cm: ConfigMap = serde_json::from_value(json!({
            "metadata": {"name": "scope"}, "data": {"scope.yaml": SCOPE}
        }))
        .expect("scope ConfigMap");
        Api::<ConfigMap>::namespaced(env().client.clone(), &ns.name)
            .create(&PostParams::default(), &scope_cm)
            .await
            .expect("create scope");
        let port = free_port();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind");
        let settings = Settings {
            job: JobSettings {
                operator_image: "scs-cert-operator-e2e".into(),
                operator_binary: "/usr/local/bin/scs-cert".into(),
                default_runner_image: "scs-check-e2e".into(),
                scripts_dir: scripts.display().to_string(),
                intake_url: format!("http://127.0.0.1:{port}"),
                token_audience: "scs-cert-operator".into(),
                service_account: "scs-cert-check".into(),
            },
            listing: PublisherSettings {
                config_map: Some((ns.name.clone(), LISTING.to_owned())),
                debounce: Duration::from_millis(500),
                min_interval: Duration::ZERO,
                ..PublisherSettings::default()
            },
            ..Settings::default()
        };
        let options = OperatorOptions {
            listen: listener.local_addr().expect("addr"),
            namespace: Some(ns.name.clone()),
            concurrency: 2,
            settings,
            leader_election: None,
        };
        let (stop_operator, operator_stopped) = oneshot::channel::<()>();
        let operator = tokio::spawn(run_until(env().client.clone(), options, listener, async {
            let _ = operator_stopped.await;
        }));
        let mut config = ExecutorConfig::new(work_dir(&format!("{}-executor", ns.name)));
        config.namespace = Some(ns.name.clone());
        config
            .image_roots
            .insert("scs-cert-operator-e2e".into(), operator_image_root());
        let (stop_executor, executor_stopped) = oneshot::channel::<()>();
        let executor = tokio::spawn(local_executor::run(env().client.clone(), config, async {
            let _ = executor_stopped.await;
        }));

        let clouds: Api<CloudCertification> = Api::namespaced(env().client.clone(), &ns.name);
        for (name, display) in [("passing", EVIL), ("failing", "Failing Cloud")] {
            let cloud: CloudCertification = serde_json::from_value(json!({
                "apiVersion": "certification.scs.community/v1alpha1",
                "kind": "CloudCertification",
                "metadata": {"name": name,
                             "annotations": {"certification.scs.community/run-now": "first"}},
                "spec": {
                    "subject": name,
                    "displayName": display,
                    "group": "both",
                    "scope": {"configMap": {"name": "scope", "key": "scope.yaml"}},
                    "target": {"variables": {"os_cloud": name}},
                    "schedule": {"cron": "0 0 1 1 *", "timeZone": "UTC"},
                    "runner": {"timeoutSeconds": 120, "attempts": 1},
                    "certificate": {"version": "v1", "issuance": "Automatic"}
                }
            }))
            .expect("cloud literal");
            clouds
                .create(&PostParams::default(), &cloud)
                .await
                .expect("create cloud");
        }
        let listing = wait_stored(&ns.name, 120, "both clouds evaluated", |l| {
            l["clouds"].as_array().is_some_and(|c| {
                c.len() == 2
                    && c.iter()
                        .all(|c| c["history"].as_array().is_some_and(|h| !h.is_empty()))
            })
        })
        .await;
        let passing = cloud(&listing, "passing");
        let failing = cloud(&listing, "failing");
        assert_eq!(passing["badge"], "✅ v1");
        assert_eq!(passing["result"], "PASS");
        assert_eq!(failing["badge"], "🛑 –");
        assert_eq!(failing["result"], "FAIL");
        let failed: Vec<_> = failing["results"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter(|r| r["result"] == "FAIL")
                    .map(|r| r["testcase"].clone())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(failed, [json!("tc-b")]);
        assert_eq!(listing["groups"][0]["worst"], "failing");
        // Certificate states appear once the certificate lifecycle writes them to status.
        eprintln!(
            "e2e figure: operator listing certificate states: passing={} failing={}",
            passing["certificate"]["state"], failing["certificate"]["state"]
        );

        // The operator's own server serves the pages.
        let base = format!("http://127.0.0.1:{port}");
        let (code, index) = get_text(&format!("{base}/")).await;
        assert_eq!(code, 200);
        assert!(
            index.contains("data-subject=\"passing\"")
                && index.contains("data-subject=\"failing\"")
        );
        assert!(!index.contains("<script"));
        let scope = passing["scope"]["uuid"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (code, detail) = get_text(&format!("{base}/detail/failing/{scope}")).await;
        assert_eq!(code, 200);
        assert!(detail.contains("data-verdict=\"fail\"") && detail.contains("tc-b"));
        let (code, badge) = get_text(&format!("{base}/badge/passing/{scope}.svg")).await;
        assert_eq!(code, 200);
        assert!(badge.starts_with("<svg"));
        // The redacted public view of the failing run's report.
        let report = failing["results"]
            .as_array()
            .and_then(|r| r.iter().find_map(|r| r["report"].as_str()))
            .expect("a result names its report")
            .to_owned();
        assert!(detail.contains(&format!("href=\"../../report/{report}#tc-b\"")));
        let (code, page) = get_text(&format!("{base}/report/{report}")).await;
        assert_eq!(code, 200, "{page}");
        assert!(
            page.contains("<li id=\"tc-b\"><code>tc-b</code>: FAIL</li>"),
            "{page}"
        );
        assert!(page.contains("tc-b: FAIL"));
        let (code, _) = get_text(&format!(
            "{base}/report/00000000-0000-4000-8000-000000000000"
        ))
        .await;
        assert_eq!(code, 404);

        let _ = stop_operator.send(());
        let _ = stop_executor.send(());
        let _ = tokio::time::timeout(Duration::from_secs(20), operator).await;
        let _ = tokio::time::timeout(Duration::from_secs(20), executor).await;
        ns.delete().await;
    });
}

// ---- headless Chromium ----

/// The chromium binary: `SCS_CHROMIUM`, else `chromium` or `chromium-browser` on PATH.
pub(crate) fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SCS_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| [dir.join("chromium"), dir.join("chromium-browser")])
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `url` with `extra` flags; returns stdout.
pub(crate) fn run_chromium(url: &str, extra: &[String]) -> String {
    let binary = chromium().unwrap_or_else(|| {
        panic!("chromium is not installed (CI is set, so this fails): apt-get install -y chromium")
    });
    let profile = tempfile::tempdir().expect("profile dir");
    let mut command = std::process::Command::new("timeout");
    command
        .arg("120")
        .arg(&binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url);
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
    assert!(
        output.status.success(),
        "chromium failed ({}) on {url}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn browser() {
    let world = block_on(Publisher::start("listing-browser"));
    let ns = world.ns.name.clone();
    block_on(wait_stored(&ns, 60, "the listing", |l| {
        l["clouds"].as_array().is_some_and(|c| c.len() == 7)
    }));
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/listing-e2e");
    std::fs::create_dir_all(&artifacts).expect("artifact dir");

    let index_url = world.url("/");
    let dom = run_chromium(&index_url, &["--dump-dom".into()]);
    // Rows per section, badges linked to the status pages.
    let section = |name: &str| {
        let start = dom
            .find(&format!("data-certification=\"{name}\""))
            .unwrap_or_else(|| panic!("{name} table in the DOM:\n{dom}"));
        let end = dom[start..]
            .find("</table>")
            .map_or(dom.len(), |e| start + e);
        dom[start..end].to_owned()
    };
    let certified = section("certified");
    assert!(certified.contains("data-subject=\"certified\""));
    assert!(certified.contains(&format!("href=\"detail/certified/{UUID}\"")));
    assert!(certified.contains("✅ v1"));
    assert!(section("self-assessed").contains("data-subject=\"self\""));
    let not_certified = section("not-certified");
    for subject in ["failing", "expired", "revoked", "long-expired", "evil"] {
        assert!(
            not_certified.contains(&format!("data-subject=\"{subject}\"")),
            "{subject} not certified"
        );
    }
    assert!(dom.contains("Silver Integrator GmbH") && dom.contains("Bronze KaaS AG"));
    assert!(!dom.contains("Applicant Ltd"));
    assert!(dom.contains("SCS-E2E0-0000-0000-0005"), "revocation list");
    // The injection attempt is text: no element was created from it.
    assert!(!dom.contains("<script") && !dom.contains("<img src=\"x\""));
    assert!(dom.contains("&lt;script&gt;alert('x')&lt;/script&gt;"));

    let detail_url = world.url(&format!("/detail/evil/{UUID}"));
    let detail = run_chromium(&detail_url, &["--dump-dom".into()]);
    assert!(detail.contains("<h1>&lt;script&gt;"));
    assert!(!detail.contains("<b>bold</b>"));
    assert!(detail.contains("data-verdict=\"fail\"") && detail.contains("data-testcase=\"tc-b\""));
    let certified_url = world.url(&format!("/detail/certified/{UUID}"));
    let certified_dom = run_chromium(&certified_url, &["--dump-dom".into()]);
    assert!(certified_dom.contains("data-certificate-state=\"valid\""));
    assert!(certified_dom.contains(&format!("src=\"../../badge/certified/{UUID}.svg\"")));
    assert!(certified_dom.contains("<ol class=\"timeline\""));

    for (name, url) in [("index", &index_url), ("detail-certified", &certified_url)] {
        let png = artifacts.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&png);
        run_chromium(
            url,
            &[
                format!("--screenshot={}", png.display()),
                "--window-size=1280,1800".into(),
                "--hide-scrollbars".into(),
            ],
        );
        let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "{} has {size} bytes", png.display());
        eprintln!("e2e artifact: {} ({size} bytes)", png.display());
    }
    block_on(world.shutdown());
}

// ---- scale: 5,000 subjects through the real API server ----

fn five_thousand() {
    use scs_cert_operator::listing::history::HistoryFeed;
    use scs_cert_operator::listing::site::Site;
    use scs_cert_operator::listing::synthetic;
    block_on(async {
        let ns = TestNamespace::create("listing-5k").await;
        let clouds: Vec<CloudCertification> = (0..5000).map(synthetic::cloud).collect();
        let integrators: Vec<IntegratorCertification> =
            (0..20).map(synthetic::integrator).collect();
        let started = std::time::Instant::now();
        let site = tokio::task::spawn_blocking(move || {
            let listing = scs_cert_operator::listing::build_listing(
                &clouds,
                &integrators,
                &HistoryFeed::new(),
                &ListingOptions::default(),
                Timestamp::now(),
            );
            Site::render(listing).expect("renders")
        })
        .await
        .expect("build task");
        let built = started.elapsed();
        let started = std::time::Instant::now();
        let stats = publisher::publish_once(
            env().client.clone(),
            &ns.name,
            LISTING,
            &site,
            PackOptions::default(),
        )
        .await
        .expect("the API server accepts every part");
        let written = started.elapsed();
        let config_maps = listing_config_maps(&ns.name).await;
        assert_eq!(config_maps.len(), stats.parts);
        assert!(
            stats.parts > 1,
            "5,000 subjects need more than one ConfigMap"
        );
        let mut largest = 0;
        for cm in config_maps.values() {
            let size: usize = cm
                .data
                .iter()
                .flatten()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
                + cm.binary_data
                    .iter()
                    .flatten()
                    .map(|(k, v)| k.len() + v.0.len())
                    .sum::<usize>();
            assert!(size < 1024 * 1024, "a ConfigMap holds {size} bytes");
            largest = largest.max(size);
        }
        let files = stored_files(&config_maps);
        assert_eq!(files.len(), site.files.len());
        for (key, file) in &site.files {
            assert!(files.get(key) == Some(&file.bytes), "{key} round trips");
        }
        eprintln!(
            "e2e figure: 5,000 subjects: {} files, {:.1} MiB uncompressed, built and rendered in \
             {built:?} (debug build), written as {} ConfigMaps (largest {} KiB) in {written:?}",
            site.files.len(),
            site.total_bytes() as f64 / 1048576.0,
            stats.parts,
            largest / 1024
        );
        // The same site again: nothing is written.
        let again = publisher::publish_once(
            env().client.clone(),
            &ns.name,
            LISTING,
            &site,
            PackOptions::default(),
        )
        .await
        .expect("second publish");
        assert_eq!(again.written, 0);
        assert_eq!(again.deleted, 0);
        ns.delete().await;
    });
}
