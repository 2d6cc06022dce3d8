//! The Helm chart (`charts/scs-cert-operator`) and the kustomize install (`config/`):
//! CRD copies match `crds/`, `helm lint --strict` and `helm template` pass with the real helm
//! binary, the rendered Deployment starts `scs-cert operator` with flags the CLI accepts, the
//! values schema refuses wrong values, RBAC has no wildcards and no Secrets, and the kustomize
//! RBAC grants exactly what the chart grants.
//!
//! helm comes from `SCS_HELM`, `PATH`, or the control-plane tools cache
//! (`e2e/control-plane/build-tools.sh`). Without it the helm tests are skipped with a message,
//! except under CI (`CI=true`), where they fail.

use clap::Parser;
use scs_cert_operator::cli::operator::OperatorArgs;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chart_dir() -> PathBuf {
    repo().join("charts/scs-cert-operator")
}

/// The helm binary, or `None` (test skipped) when there is none outside CI.
fn helm() -> Option<&'static Path> {
    static HELM: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = HELM.get_or_init(|| {
        if let Some(path) = std::env::var_os("SCS_HELM") {
            return Some(PathBuf::from(path));
        }
        let on_path = Command::new("helm").arg("version").output();
        if on_path.is_ok_and(|o| o.status.success()) {
            return Some(PathBuf::from("helm"));
        }
        let script = repo().join("e2e/control-plane/build-tools.sh");
        let built = Command::new("bash").arg(&script).arg("--check").output();
        if built.is_ok_and(|o| o.status.success()) {
            let bin = Command::new("bash")
                .arg(&script)
                .arg("--print-bin")
                .output()
                .ok()?;
            let dir = String::from_utf8_lossy(&bin.stdout).trim().to_owned();
            let helm = PathBuf::from(dir).join("helm");
            if helm.exists() {
                return Some(helm);
            }
        }
        None
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "helm is not available (run `make tools`); CI must run the chart tests"
        );
        eprintln!("SKIPPED: helm is not available (set SCS_HELM or run `make tools`)");
    }
    found.as_deref()
}

/// Runs helm; returns (success, stdout, stderr).
fn run_helm(helm: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(helm)
        .args(args)
        // Never talk to a cluster: lint and template are client-side.
        .env("KUBECONFIG", "/dev/null")
        .env(
            "HELM_CACHE_HOME",
            std::env::temp_dir().join("scs-helm-cache"),
        )
        .env(
            "HELM_CONFIG_HOME",
            std::env::temp_dir().join("scs-helm-config"),
        )
        .env("HELM_DATA_HOME", std::env::temp_dir().join("scs-helm-data"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", helm.display()));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `helm template` with `--set` values; panics with helm's message on failure.
fn template(helm: &Path, sets: &[&str]) -> Vec<Value> {
    let chart = chart_dir();
    let mut args = vec![
        "template",
        "rel",
        chart.to_str().expect("utf-8 path"),
        "--namespace",
        "scs-system",
    ];
    for set in sets {
        args.extend(["--set", set]);
    }
    let (ok, stdout, stderr) = run_helm(helm, &args);
    assert!(ok, "helm template {sets:?} failed:\n{stderr}");
    documents(&stdout)
}

/// Every non-empty document of a YAML stream.
fn documents(text: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(text)
        .map(|doc| {
            serde::Deserialize::deserialize(doc)
                .unwrap_or_else(|e| panic!("rendered YAML does not parse: {e}"))
        })
        .filter(|doc: &Value| !doc.is_null())
        .collect()
}

fn kinds(docs: &[Value]) -> BTreeSet<String> {
    docs.iter()
        .filter_map(|d| d["kind"].as_str().map(str::to_owned))
        .collect()
}

fn find<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} rendered"))
}

#[test]
fn chart_crds_are_copies_of_crds_dir() {
    let source = repo().join("crds");
    let copies = chart_dir().join("files/crds");
    let names = |dir: &Path| -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    };
    let (expected, present) = (names(&source), names(&copies));
    let mut problems = Vec::new();
    for missing in expected.difference(&present) {
        problems.push(format!("{missing} is missing"));
    }
    for extra in present.difference(&expected) {
        problems.push(format!("{extra} is not in crds/"));
    }
    for name in expected.intersection(&present) {
        if std::fs::read(source.join(name)).ok() != std::fs::read(copies.join(name)).ok() {
            problems.push(format!("{name} differs from crds/{name}"));
        }
    }
    assert!(
        problems.is_empty(),
        "the chart's CRDs (charts/scs-cert-operator/files/crds/) have drifted from crds/:\n  {}\n\
         Run `make crds` and commit the result.",
        problems.join("\n  ")
    );
}

#[test]
fn kustomize_crds_are_copies_of_crds_dir() {
    let dir = repo().join("config/crd/bases");
    for entry in std::fs::read_dir(repo().join("crds")).expect("crds/") {
        let entry = entry.expect("dir entry");
        let copy = dir.join(entry.file_name());
        assert!(
            std::fs::read(entry.path()).ok() == std::fs::read(&copy).ok(),
            "{} differs from crds/{}; run `make crds` and commit the result",
            copy.display(),
            entry.file_name().to_string_lossy()
        );
    }
}

#[test]
fn helm_lint_strict_passes() {
    let Some(helm) = helm() else { return };
    let chart = chart_dir();
    for sets in [
        "",
        "serviceMonitor.enabled=true,prometheusRule.enabled=true,networkPolicy.enabled=true,ingress.enabled=true",
        "operator.watchNamespace=team-a,crds.enabled=false",
    ] {
        let mut args = vec!["lint", "--strict", chart.to_str().expect("utf-8")];
        if !sets.is_empty() {
            args.extend(["--set", sets]);
        }
        let (ok, stdout, stderr) = run_helm(helm, &args);
        assert!(ok, "helm lint --strict {sets} failed:\n{stdout}\n{stderr}");
    }
}

#[test]
fn default_install_renders_the_expected_objects() {
    let Some(helm) = helm() else { return };
    let docs = template(helm, &[]);
    let expected: BTreeSet<String> = [
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "Deployment",
        "Role",
        "RoleBinding",
        "Service",
        "ServiceAccount",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(kinds(&docs), expected);
    // Both CRDs, labelled, kept on uninstall by default.
    let crds: Vec<_> = docs
        .iter()
        .filter(|d| d["kind"] == "CustomResourceDefinition")
        .collect();
    assert_eq!(crds.len(), 2);
    for crd in crds {
        assert_eq!(
            crd["metadata"]["annotations"]["helm.sh/resource-policy"],
            "keep"
        );
        assert_eq!(
            crd["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "Helm"
        );
    }
    let service = find(&docs, "Service");
    assert_eq!(service["spec"]["ports"][0]["port"], 8080);
}

#[test]
fn rendered_crds_mean_the_same_as_crds_dir() {
    let Some(helm) = helm() else { return };
    let docs = template(helm, &[]);
    for entry in std::fs::read_dir(repo().join("crds")).expect("crds/") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read CRD");
        let mut source = documents(&text).remove(0);
        let name = source["metadata"]["name"].clone();
        let mut rendered = docs
            .iter()
            .find(|d| d["kind"] == "CustomResourceDefinition" && d["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("CRD {name} not rendered"))
            .clone();
        for doc in [&mut source, &mut rendered] {
            let meta = doc["metadata"].as_object_mut().expect("metadata");
            meta.remove("labels");
            meta.remove("annotations");
        }
        assert!(
            source == rendered,
            "the chart renders CRD {name} differently"
        );
    }
}

#[test]
fn crds_can_be_left_out_or_released_on_uninstall() {
    let Some(helm) = helm() else { return };
    let without = template(helm, &["crds.enabled=false"]);
    assert!(!kinds(&without).contains("CustomResourceDefinition"));
    let not_kept = template(helm, &["crds.keep=false"]);
    let crd = find(&not_kept, "CustomResourceDefinition");
    assert!(
        crd["metadata"]["annotations"].is_null(),
        "crds.keep=false must not set helm.sh/resource-policy: {crd:#}"
    );
}

/// Wraps the operator's flags so the test can parse the rendered command line with clap.
#[derive(Parser)]
struct OperatorCli {
    #[command(flatten)]
    args: OperatorArgs,
}

fn operator_container(docs: &[Value]) -> &Value {
    &find(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
}

fn parse_operator_args(container: &Value) -> OperatorArgs {
    let args: Vec<&str> = container["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("string arg"))
        .collect();
    assert_eq!(args.first(), Some(&"operator"), "args: {args:?}");
    let mut argv = vec!["scs-cert-operator"];
    argv.extend(&args[1..]);
    OperatorCli::try_parse_from(&argv)
        .unwrap_or_else(|e| panic!("the chart passes flags `scs-cert operator` refuses: {e}"))
        .args
}

#[test]
fn deployment_runs_the_operator_with_flags_from_values() {
    let Some(helm) = helm() else { return };
    let docs = template(helm, &[]);
    let container = operator_container(&docs);
    let parsed = parse_operator_args(container);
    assert_eq!(
        parsed.intake_url,
        "http://rel-scs-cert-operator.scs-system.svc:8080"
    );
    assert_eq!(parsed.operator_image, container["image"].as_str().unwrap());
    assert_eq!(
        parsed.operator_image,
        "ghcr.io/scs-cert-operator/scs-cert:0.1.0"
    );
    assert_eq!(parsed.max_concurrent_runs, 10);
    assert_eq!(parsed.log_format, "json");
    assert_eq!(parsed.namespace, None);
    assert_eq!(parsed.listen.port(), 8080);
    assert_eq!(parsed.listing_config_map, "scs-certification-listing");
    assert_eq!(parsed.listing_namespace.as_deref(), Some("scs-system"));
    assert_eq!(parsed.listing_title, "SCS certification status");
    assert_eq!(parsed.listing_base_url, None);

    let custom = template(
        helm,
        &[
            "operator.intakeUrl=https://intake.example.org/",
            "operator.maxConcurrentRuns=3",
            "operator.logFormat=text",
            "operator.watchNamespace=team-a",
            "image.digest=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "operator.checkImage=registry.example.org/check:1",
            "service.port=9090",
        ],
    );
    let container = operator_container(&custom);
    let parsed = parse_operator_args(container);
    assert_eq!(parsed.intake_url, "https://intake.example.org");
    assert_eq!(parsed.max_concurrent_runs, 3);
    assert_eq!(parsed.log_format, "text");
    assert_eq!(parsed.namespace.as_deref(), Some("team-a"));
    assert_eq!(parsed.runner_image, "registry.example.org/check:1");
    assert_eq!(parsed.listen.port(), 9090);
    assert!(parsed.operator_image.contains("@sha256:0123"));
    assert_eq!(parsed.operator_image, container["image"].as_str().unwrap());
}

#[test]
fn pods_run_restricted() {
    let Some(helm) = helm() else { return };
    let docs = template(helm, &[]);
    let pod = &find(&docs, "Deployment")["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    let security = &pod["containers"][0]["securityContext"];
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["runAsNonRoot"], true);
    assert_eq!(security["capabilities"]["drop"], serde_json::json!(["ALL"]));
    assert_eq!(security["seccompProfile"]["type"], "RuntimeDefault");
    let probes = &pod["containers"][0];
    assert_eq!(probes["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(probes["readinessProbe"]["httpGet"]["path"], "/readyz");
}

/// Every (apiGroup, resource, verb) a set of rules grants.
fn grants(rules: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for rule in rules.as_array().expect("rules") {
        let strings = |key: &str| -> Vec<String> {
            rule[key]
                .as_array()
                .unwrap_or_else(|| panic!("rule without {key}: {rule}"))
                .iter()
                .map(|v| v.as_str().expect("string").to_owned())
                .collect()
        };
        assert!(
            rule.get("resourceNames").is_none() && rule.get("nonResourceURLs").is_none(),
            "unexpected rule shape: {rule}"
        );
        for group in strings("apiGroups") {
            for resource in strings("resources") {
                for verb in strings("verbs") {
                    out.insert((group.clone(), resource.clone(), verb));
                }
            }
        }
    }
    out
}

fn assert_least_privilege(all: &BTreeSet<(String, String, String)>) {
    for (group, resource, verb) in all {
        assert!(
            !group.contains('*') && !resource.contains('*') && !verb.contains('*'),
            "wildcard in RBAC: {group}/{resource} {verb}"
        );
        assert_ne!(resource, "secrets", "the operator must not touch Secrets");
        assert!(
            !["escalate", "bind", "impersonate"].contains(&verb.as_str()),
            "privilege verb {verb} on {resource}"
        );
    }
}

#[test]
fn rbac_has_no_wildcards_no_secrets_and_is_namespaced_when_it_can_be() {
    let Some(helm) = helm() else { return };
    let docs = template(helm, &[]);
    let cluster = grants(&find(&docs, "ClusterRole")["rules"]);
    assert_least_privilege(&cluster);
    assert!(cluster.contains(&(
        "authentication.k8s.io".into(),
        "tokenreviews".into(),
        "create".into()
    )));
    let binding = find(&docs, "ClusterRoleBinding");
    assert_eq!(binding["subjects"][0]["name"], "rel-scs-cert-operator");
    assert_eq!(binding["subjects"][0]["namespace"], "scs-system");

    // With watchNamespace only TokenReview stays cluster-wide; the rest is a Role there.
    let scoped = template(helm, &["operator.watchNamespace=team-a"]);
    let cluster_only = grants(&find(&scoped, "ClusterRole")["rules"]);
    assert_eq!(
        cluster_only,
        [(
            "authentication.k8s.io".to_owned(),
            "tokenreviews".to_owned(),
            "create".to_owned()
        )]
        .into()
    );
    let role = scoped
        .iter()
        .find(|d| d["kind"] == "Role" && d["metadata"]["name"] == "rel-scs-cert-operator")
        .expect("the operator's Role");
    assert_eq!(role["metadata"]["namespace"], "team-a");
    let namespaced = grants(&role["rules"]);
    assert_least_privilege(&namespaced);
    let mut union = namespaced.clone();
    union.extend(cluster_only);
    assert_eq!(union, cluster, "namespaced mode grants something else");
    let binding = scoped
        .iter()
        .find(|d| d["kind"] == "RoleBinding" && d["metadata"]["name"] == "rel-scs-cert-operator")
        .expect("the operator's RoleBinding");
    assert_eq!(binding["metadata"]["namespace"], "team-a");

    // The listing ConfigMaps: writable only in the listing namespace, and only when published.
    let listing = docs
        .iter()
        .find(|d| d["kind"] == "Role" && d["metadata"]["name"] == "rel-scs-cert-operator-listing")
        .expect("the listing Role");
    assert_eq!(listing["metadata"]["namespace"], "scs-system");
    let listing = grants(&listing["rules"]);
    assert_least_privilege(&listing);
    assert!(
        listing
            .iter()
            .all(|(_, resource, _)| resource == "configmaps")
    );
    let memory_only = template(helm, &["listing.configMap="]);
    assert!(
        !memory_only.iter().any(
            |d| d["kind"] == "Role" && d["metadata"]["name"] == "rel-scs-cert-operator-listing"
        ),
        "no listing Role without a listing ConfigMap"
    );
}

#[test]
fn optional_objects_render_when_enabled() {
    let Some(helm) = helm() else { return };
    let docs = template(
        helm,
        &[
            "serviceMonitor.enabled=true",
            "prometheusRule.enabled=true",
            "networkPolicy.enabled=true",
            "ingress.enabled=true",
        ],
    );
    let present = kinds(&docs);
    for kind in [
        "ServiceMonitor",
        "PrometheusRule",
        "NetworkPolicy",
        "Ingress",
    ] {
        assert!(present.contains(kind), "{kind} missing: {present:?}");
    }
    let rules = &find(&docs, "PrometheusRule")["spec"]["groups"][0]["rules"];
    let alerts: BTreeSet<&str> = rules
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["alert"].as_str())
        .collect();
    assert_eq!(
        alerts,
        [
            "SCSCertOperatorDown",
            "SCSCertOperatorNoLeader",
            "SCSCertificateExpired",
            "SCSCertificateExpiringSoon",
            "SCSCertificationRunsFailing",
            "SCSCloudNotCompliant"
        ]
        .into()
    );
    let exprs: String = rules
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["expr"].as_str())
        .collect();
    for metric in [
        "scs_certificate_not_after_timestamp_seconds",
        "scs_certification_compliant",
        "scs_certification_ready",
        "scs_operator_leader",
    ] {
        assert!(exprs.contains(metric), "no alert uses {metric}");
    }
    let monitor = find(&docs, "ServiceMonitor");
    assert_eq!(monitor["spec"]["endpoints"][0]["path"], "/metrics");
    let ingress = find(&docs, "Ingress");
    assert_eq!(
        ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"],
        "rel-scs-cert-operator"
    );
    let policy = find(&docs, "NetworkPolicy");
    assert_eq!(
        policy["spec"]["policyTypes"],
        serde_json::json!(["Ingress"])
    );

    let egress = template(
        helm,
        &[
            "networkPolicy.enabled=true",
            "networkPolicy.restrictEgress=true",
            "networkPolicy.apiServerCIDR=10.0.0.1/32",
        ],
    );
    let policy = find(&egress, "NetworkPolicy");
    assert_eq!(
        policy["spec"]["policyTypes"],
        serde_json::json!(["Ingress", "Egress"])
    );
}

#[test]
fn the_values_schema_refuses_wrong_values() {
    let Some(helm) = helm() else { return };
    let chart = chart_dir();
    for (set, expected) in [
        (
            "replicaCount=2,leaderElection.enabled=false",
            "replicaCount",
        ),
        (
            "leaderElection.leaseDurationSeconds=1",
            "leaseDurationSeconds",
        ),
        ("operator.logFormat=xml", "logFormat"),
        ("crds.enable=true", "enable"),
        ("operator.maxConcurrentRuns=0", "maxConcurrentRuns"),
        ("operator.watchNamespace=Not_A_Namespace", "watchNamespace"),
        ("image.pullPolicy=Sometimes", "pullPolicy"),
        ("service.port=70000", "port"),
        ("prometheusRule.notReadyFor=six hours", "notReadyFor"),
        ("operator.intakeUrl=ftp://x", "intakeUrl"),
    ] {
        let (ok, _, stderr) = run_helm(
            helm,
            &[
                "template",
                "rel",
                chart.to_str().expect("utf-8"),
                "--set",
                set,
            ],
        );
        assert!(!ok, "helm accepted {set}");
        assert!(
            stderr.contains("schema") && stderr.contains(expected),
            "helm refused {set}, but without naming {expected}:\n{stderr}"
        );
    }
    let (ok, _, stderr) = run_helm(
        helm,
        &[
            "template",
            "rel",
            chart.to_str().expect("utf-8"),
            "--set",
            "networkPolicy.enabled=true,networkPolicy.restrictEgress=true",
        ],
    );
    assert!(
        !ok && stderr.contains("apiServerCIDR"),
        "restrictEgress without apiServerCIDR must fail: {stderr}"
    );
}

#[test]
fn kustomize_rbac_grants_exactly_what_the_chart_grants() {
    let Some(helm) = helm() else { return };
    let docs = template(helm, &[]);
    let chart = grants(&find(&docs, "ClusterRole")["rules"]);
    let text = std::fs::read_to_string(repo().join("config/rbac/role.yaml")).expect("role.yaml");
    let kustomize = documents(&text);
    let role = find(&kustomize, "ClusterRole");
    let kustomize = grants(&role["rules"]);
    assert_least_privilege(&kustomize);
    assert_eq!(
        kustomize, chart,
        "config/rbac/role.yaml and the chart's RBAC differ"
    );
    let listing = |docs: &[Value]| {
        grants(
            &docs
                .iter()
                .find(|d| {
                    d["kind"] == "Role"
                        && d["metadata"]["name"]
                            .as_str()
                            .is_some_and(|n| n.ends_with("scs-cert-operator-listing"))
                })
                .expect("listing Role")["rules"],
        )
    };
    let text = std::fs::read_to_string(repo().join("config/rbac/listing_role.yaml"))
        .expect("listing_role.yaml");
    assert_eq!(
        listing(&documents(&text)),
        listing(&docs),
        "config/rbac/listing_role.yaml and the chart's listing Role differ"
    );
}

/// The upload Role (issue 11): `list` on Secrets in the accounts namespace only, nothing else
/// on Secrets anywhere; kustomize grants the same; the Deployment names that namespace.
#[test]
fn upload_accounts_are_listable_in_one_namespace_only() {
    let Some(helm) = helm() else { return };
    let upload_role = |docs: &[Value]| -> Option<Value> {
        docs.iter()
            .find(|d| {
                d["kind"] == "Role"
                    && d["metadata"]["name"] == "rel-scs-cert-operator-upload-accounts"
            })
            .cloned()
    };
    let expected: BTreeSet<(String, String, String)> = [
        ("", "secrets", "list"),
        ("events.k8s.io", "events", "create"),
        ("events.k8s.io", "events", "patch"),
    ]
    .iter()
    .map(|(g, r, v)| ((*g).to_owned(), (*r).to_owned(), (*v).to_owned()))
    .collect();

    let docs = template(helm, &[]);
    let role = upload_role(&docs).expect("the upload Role");
    assert_eq!(role["metadata"]["namespace"], "scs-system");
    assert_eq!(grants(&role["rules"]), expected);
    let binding = docs
        .iter()
        .find(|d| {
            d["kind"] == "RoleBinding"
                && d["metadata"]["name"] == "rel-scs-cert-operator-upload-accounts"
        })
        .expect("the upload RoleBinding");
    assert_eq!(binding["subjects"][0]["name"], "rel-scs-cert-operator");
    assert_eq!(binding["subjects"][0]["namespace"], "scs-system");
    // Secrets nowhere else: not cluster-wide, not in the operator's or the listing Role.
    for doc in docs
        .iter()
        .filter(|d| d["kind"] == "ClusterRole" || d["kind"] == "Role")
    {
        let name = doc["metadata"]["name"].as_str().unwrap_or_default();
        if name != "rel-scs-cert-operator-upload-accounts"
            && name != "rel-scs-cert-operator-webhook-secrets"
        {
            assert_least_privilege(&grants(&doc["rules"]));
        }
    }
    let parsed = parse_operator_args(operator_container(&docs));
    assert_eq!(
        parsed.upload_accounts_namespace.as_deref(),
        Some("scs-system")
    );
    assert_eq!(parsed.upload_rate_per_minute, 6);

    let elsewhere = template(
        helm,
        &[
            "uploads.accountsNamespace=upload-accounts",
            "uploads.ratePerMinute=2",
        ],
    );
    let role = upload_role(&elsewhere).expect("the upload Role");
    assert_eq!(role["metadata"]["namespace"], "upload-accounts");
    let parsed = parse_operator_args(operator_container(&elsewhere));
    assert_eq!(
        parsed.upload_accounts_namespace.as_deref(),
        Some("upload-accounts")
    );
    assert_eq!(parsed.upload_rate_per_minute, 2);

    let disabled = template(helm, &["uploads.enabled=false"]);
    assert!(
        upload_role(&disabled).is_none(),
        "no Secret access without uploads"
    );
    let parsed = parse_operator_args(operator_container(&disabled));
    assert_eq!(parsed.upload_accounts_namespace.as_deref(), Some(""));

    let text = std::fs::read_to_string(repo().join("config/rbac/upload_role.yaml"))
        .expect("upload_role.yaml");
    let kustomize = documents(&text);
    let role = kustomize
        .iter()
        .find(|d| d["kind"] == "Role")
        .expect("kustomize upload Role");
    assert_eq!(
        grants(&role["rules"]),
        expected,
        "config/rbac/upload_role.yaml and the chart's upload Role differ"
    );
}

/// Webhook notifications (issue 6): `get` on Secrets and nothing else, in a role of its own
/// (ClusterRole, or a Role in operator.watchNamespace), off with notifications.webhookSecrets;
/// kustomize grants the same.
#[test]
fn webhook_secrets_role_grants_only_get_on_secrets() {
    let Some(helm) = helm() else { return };
    let webhook_role = |docs: &[Value], kind: &str| {
        docs.iter()
            .find(|d| {
                d["kind"] == kind
                    && d["metadata"]["name"] == "rel-scs-cert-operator-webhook-secrets"
            })
            .cloned()
    };
    let only_get: BTreeSet<(String, String, String)> =
        BTreeSet::from([(String::new(), "secrets".to_owned(), "get".to_owned())]);
    let docs = template(helm, &[]);
    let role = webhook_role(&docs, "ClusterRole").expect("webhook ClusterRole");
    assert_eq!(grants(&role["rules"]), only_get);
    let namespaced = template(helm, &["operator.watchNamespace=team-a"]);
    let role = webhook_role(&namespaced, "Role").expect("webhook Role");
    assert_eq!(role["metadata"]["namespace"], "team-a");
    assert!(webhook_role(&namespaced, "ClusterRole").is_none());
    let off = template(helm, &["notifications.webhookSecrets=false"]);
    assert!(webhook_role(&off, "ClusterRole").is_none() && webhook_role(&off, "Role").is_none());
    let text = std::fs::read_to_string(repo().join("config/rbac/webhook_role.yaml"))
        .expect("webhook_role.yaml");
    let kustomize = documents(&text);
    assert_eq!(grants(&find(&kustomize, "ClusterRole")["rules"]), only_get);
}

/// High availability (issue 9): leader election on by default with 2 replicas and a rolling
/// update; the Lease Role grants get/create/update on leases in the release namespace only
/// (also with operator.watchNamespace); kustomize grants the same; off means 1 replica,
/// Recreate, no flag and no Role.
#[test]
fn leader_election_is_on_and_its_lease_role_is_namespaced() {
    let Some(helm) = helm() else { return };
    let lease_role = |docs: &[Value]| -> Option<Value> {
        docs.iter()
            .find(|d| {
                d["kind"] == "Role"
                    && d["metadata"]["name"] == "rel-scs-cert-operator-leader-election"
            })
            .cloned()
    };
    let expected: BTreeSet<(String, String, String)> = ["get", "create", "update"]
        .iter()
        .map(|v| {
            (
                "coordination.k8s.io".to_owned(),
                "leases".to_owned(),
                (*v).to_owned(),
            )
        })
        .collect();
    for sets in [&[][..], &["operator.watchNamespace=team-a"][..]] {
        let docs = template(helm, sets);
        let role = lease_role(&docs).expect("the leader election Role");
        assert_eq!(role["metadata"]["namespace"], "scs-system");
        assert_eq!(grants(&role["rules"]), expected);
        let binding = docs
            .iter()
            .find(|d| {
                d["kind"] == "RoleBinding"
                    && d["metadata"]["name"] == "rel-scs-cert-operator-leader-election"
            })
            .expect("the leader election RoleBinding");
        assert_eq!(binding["subjects"][0]["name"], "rel-scs-cert-operator");
        // Leases nowhere else.
        for doc in docs
            .iter()
            .filter(|d| d["kind"] == "ClusterRole" || d["kind"] == "Role")
            .filter(|d| d["metadata"]["name"] != "rel-scs-cert-operator-leader-election")
        {
            assert!(
                !doc.to_string().contains("leases"),
                "leases granted elsewhere: {doc}"
            );
        }
        let deployment = find(&docs, "Deployment");
        assert_eq!(deployment["spec"]["replicas"], 2);
        assert_eq!(deployment["spec"]["strategy"]["type"], "RollingUpdate");
        let parsed = parse_operator_args(operator_container(&docs));
        assert!(parsed.leader_election);
        assert_eq!(parsed.lease_name, "rel-scs-cert-operator");
        assert_eq!(parsed.lease_namespace.as_deref(), Some("scs-system"));
        assert_eq!(
            (
                parsed.lease_duration_seconds,
                parsed.lease_renew_deadline_seconds,
                parsed.lease_retry_period_seconds
            ),
            (15, 10, 2)
        );
    }
    let single = template(helm, &["leaderElection.enabled=false", "replicaCount=1"]);
    assert!(lease_role(&single).is_none());
    let deployment = find(&single, "Deployment");
    assert_eq!(deployment["spec"]["strategy"]["type"], "Recreate");
    assert!(!parse_operator_args(operator_container(&single)).leader_election);

    let text = std::fs::read_to_string(repo().join("config/rbac/leader_election_role.yaml"))
        .expect("leader_election_role.yaml");
    let kustomize = documents(&text);
    assert_eq!(
        grants(&find(&kustomize, "Role")["rules"]),
        expected,
        "config/rbac/leader_election_role.yaml and the chart's Lease Role differ"
    );
}
