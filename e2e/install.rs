//! Installing the product on the real API server: `helm install` of the chart (no `--wait`:
//! nothing runs Pods here), uninstall keeping the CRDs, and server-side dry runs of the
//! rendered chart, the kustomize install (`config/default`) and the samples, all in
//! namespaces enforcing the restricted Pod Security Standard (the API server warns about any
//! pod template that would violate it, and the tests refuse warnings).

use crate::harness::{TestNamespace, block_on, env, kubectl, kubectl_ok, repo_root};
use crate::trial;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::Api;
use libtest_mimic::Trial;
use std::path::PathBuf;
use std::process::{Command, Output};

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "install::helm_install_and_uninstall_keeps_crds",
            helm_install,
        ),
        trial(
            "install::rendered_chart_passes_server_side_dry_run",
            chart_dry_run,
        ),
        trial(
            "install::kustomize_install_passes_server_side_dry_run",
            kustomize_dry_run,
        ),
    ]
}

const CRDS: [&str; 2] = [
    "cloudcertifications.certification.scs.community",
    "integratorcertifications.certification.scs.community",
];

/// Runs helm against the test cluster; panics with its output when it fails.
fn helm_ok(args: &[&str]) -> Output {
    let out = Command::new(crate::harness::helm_binary())
        .args(args)
        .env("KUBECONFIG", &env().kubeconfig)
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
        .expect("run helm");
    assert!(
        out.status.success(),
        "helm {} failed:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn chart() -> String {
    repo_root()
        .join("charts/scs-cert-operator")
        .to_str()
        .expect("utf-8 path")
        .to_owned()
}

/// A test namespace enforcing the restricted Pod Security Standard.
async fn restricted_namespace(prefix: &str) -> TestNamespace {
    let ns = TestNamespace::create(prefix).await;
    kubectl_ok(&[
        "label",
        "namespace",
        &ns.name,
        "pod-security.kubernetes.io/enforce=restricted",
        "pod-security.kubernetes.io/warn=restricted",
    ]);
    ns
}

/// Fails on any warning of the API server (PodSecurity, deprecated APIs, unknown fields).
fn assert_no_warnings(what: &str, stderr: &[u8]) {
    let stderr = String::from_utf8_lossy(stderr);
    assert!(
        !stderr.to_lowercase().contains("warning"),
        "{what} drew warnings from the API server:\n{stderr}"
    );
}

/// Writes `text` to a file of this run and returns its path.
fn temp_file(name: &str, text: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-install");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join(format!("{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("write manifest");
    path.to_str().expect("utf-8").to_owned()
}

/// `kubectl apply --server-side --dry-run=server -f file` must succeed without warnings.
fn dry_run(what: &str, file: &str, namespace: Option<&str>) -> String {
    let mut args = vec![
        "apply",
        "--server-side",
        "--force-conflicts",
        "--dry-run=server",
        "-f",
        file,
    ];
    if let Some(ns) = namespace {
        args.extend(["-n", ns]);
    }
    let out = kubectl(&args);
    assert!(
        out.status.success(),
        "{what}: the API server refused the manifests:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_warnings(what, &out.stderr);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn helm_install() {
    block_on(async {
        let ns = restricted_namespace("helm").await;
        let release = format!("cert-{}", std::process::id());
        // The harness installed the CRDs without Helm; let this release adopt them, so that
        // uninstalling it shows `crds.keep` at work on the real objects.
        for crd in CRDS {
            kubectl_ok(&[
                "label",
                "--overwrite",
                "crd",
                crd,
                "app.kubernetes.io/managed-by=Helm",
            ]);
            kubectl_ok(&[
                "annotate",
                "--overwrite",
                "crd",
                crd,
                &format!("meta.helm.sh/release-name={release}"),
                &format!("meta.helm.sh/release-namespace={}", ns.name),
            ]);
        }
        let out = helm_ok(&["install", &release, &chart(), "--namespace", &ns.name]);
        assert_no_warnings("helm install", &out.stderr);
        let notes = String::from_utf8_lossy(&out.stdout);
        assert!(
            notes.contains("STATUS: deployed") && notes.contains("kubectl -n"),
            "helm install printed no NOTES:\n{notes}"
        );
        let fullname = format!("{release}-scs-cert-operator");
        for object in [
            format!("deployment/{fullname}"),
            format!("service/{fullname}"),
            format!("serviceaccount/{fullname}"),
        ] {
            kubectl_ok(&["get", "-n", &ns.name, &object]);
        }
        kubectl_ok(&["get", &format!("clusterrole/{fullname}")]);
        kubectl_ok(&["get", &format!("clusterrolebinding/{fullname}")]);
        let status = helm_ok(&["status", &release, "--namespace", &ns.name]);
        assert!(String::from_utf8_lossy(&status.stdout).contains("STATUS: deployed"));
        // An upgrade with changed values goes through too.
        helm_ok(&[
            "upgrade",
            &release,
            &chart(),
            "--namespace",
            &ns.name,
            "--set",
            "operator.maxConcurrentRuns=3",
        ]);
        let args = kubectl_ok(&[
            "get",
            "-n",
            &ns.name,
            &format!("deployment/{fullname}"),
            "-o",
            "jsonpath={.spec.template.spec.containers[0].args}",
        ]);
        assert!(args.contains("--max-concurrent-runs=3"), "{args}");

        let out = helm_ok(&["uninstall", &release, "--namespace", &ns.name]);
        let said = String::from_utf8_lossy(&out.stdout);
        let said_err = String::from_utf8_lossy(&out.stderr);
        assert!(
            format!("{said}{said_err}").contains("kept due to the resource policy"),
            "helm uninstall did not report the kept CRDs:\n{said}{said_err}"
        );
        let gone = kubectl(&["get", "-n", &ns.name, &format!("deployment/{fullname}")]);
        assert!(!gone.status.success(), "the Deployment outlived uninstall");
        let crds = Api::<CustomResourceDefinition>::all(env().client.clone());
        for crd in CRDS {
            let kept = crds.get_opt(crd).await.expect("get CRD");
            assert!(
                kept.is_some_and(|c| c.metadata.deletion_timestamp.is_none()),
                "CRD {crd} was not kept on uninstall"
            );
        }
        ns.delete().await;
    });
}

fn chart_dry_run() {
    block_on(async {
        let ns = restricted_namespace("chart-dry").await;
        let watched = restricted_namespace("chart-watched").await;
        let watch = format!("operator.watchNamespace={}", watched.name);
        for (name, sets) in [
            ("defaults", vec![]),
            (
                "options",
                vec![
                    "networkPolicy.enabled=true",
                    "networkPolicy.restrictEgress=true",
                    "networkPolicy.apiServerCIDR=10.0.0.1/32",
                    "ingress.enabled=true",
                    "ingress.className=nginx",
                    watch.as_str(),
                ],
            ),
        ] {
            let mut args: Vec<String> = ["template", "dry", &chart(), "--namespace", &ns.name]
                .map(str::to_owned)
                .into();
            for set in &sets {
                args.extend(["--set".to_owned(), (*set).to_owned()]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = helm_ok(&args);
            let file = temp_file(
                &format!("chart-{name}.yaml"),
                &String::from_utf8_lossy(&out.stdout),
            );
            let applied = dry_run(&format!("chart ({name})"), &file, None);
            for kind in [
                "customresourcedefinition",
                "deployment",
                "clusterrole",
                "service",
            ] {
                assert!(applied.contains(kind), "{kind} not applied:\n{applied}");
            }
            if name == "options" {
                for kind in ["networkpolicy", "ingress", "role.rbac", "rolebinding"] {
                    assert!(applied.contains(kind), "{kind} not applied:\n{applied}");
                }
            }
        }
        ns.delete().await;
        watched.delete().await;
    });
}

fn kustomize_dry_run() {
    block_on(async {
        // config/default installs into scs-cert-system; it must exist for a dry run of the
        // namespaced objects (a dry-run Namespace is not persisted).
        let namespace = std::fs::read_to_string(repo_root().join("config/default/namespace.yaml"))
            .expect("namespace.yaml");
        let file = temp_file("namespace.yaml", &namespace);
        kubectl_ok(&["apply", "--server-side", "-f", &file]);
        let rendered = kubectl_ok(&[
            "kustomize",
            repo_root().join("config/default").to_str().expect("utf-8"),
        ]);
        let file = temp_file("kustomize-default.yaml", &rendered);
        let applied = dry_run("config/default", &file, None);
        for object in [
            "namespace/scs-cert-system",
            "customresourcedefinition.apiextensions.k8s.io/cloudcertifications",
            "serviceaccount/scs-cert-operator",
            "clusterrole.rbac.authorization.k8s.io/scs-cert-operator",
            "clusterrolebinding.rbac.authorization.k8s.io/scs-cert-operator",
            "service/scs-cert-operator",
            "deployment.apps/scs-cert-operator",
        ] {
            assert!(applied.contains(object), "{object} missing:\n{applied}");
        }

        let ns = restricted_namespace("samples-k").await;
        let samples = kubectl_ok(&[
            "kustomize",
            repo_root().join("config/samples").to_str().expect("utf-8"),
        ]);
        let file = temp_file("kustomize-samples.yaml", &samples);
        let applied = dry_run("config/samples", &file, Some(&ns.name));
        for object in [
            "secret/regio-a-clouds",
            "secret/noris-1-35-kubeconfig",
            "cloudcertification.certification.scs.community/regio-a",
            "cloudcertification.certification.scs.community/noris-1-35",
            "integratorcertification.certification.scs.community/example-integrator",
        ] {
            assert!(applied.contains(object), "{object} missing:\n{applied}");
        }
        ns.delete().await;
    });
}
