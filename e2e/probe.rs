//! The native KaaS probes (`scs-cert probe kaas ...`) run as the real binary against the real
//! API server, with prepared objects: the server's own version against EOL and release data
//! written relative to now, Node objects with topology labels (the API accepts Nodes
//! without a kubelet), and StorageClasses. Each asserts the verdict line the check driver
//! parses and the message that explains it. The probes authenticate with a token of the
//! read-only ServiceAccount of `demo/10-probe-rbac.yaml`, which proves those rules suffice.

use crate::harness::{block_on, env, kubectl_ok, repo_root};
use crate::trial;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Node, ServiceAccount};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::config::Kubeconfig;
use libtest_mimic::Trial;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "probe::version_policy_against_the_api_server_version",
            version_policy,
        ),
        trial(
            "probe::node_distribution_from_node_labels",
            node_distribution,
        ),
        trial(
            "probe::default_storage_class_from_storage_classes",
            default_storage_class,
        ),
    ]
}

/// Label on every object these tests create (cleanup of earlier, interrupted runs).
const E2E_LABEL: &str = "probe-e2e.scs.community/set";

/// A directory of this test run.
fn work_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("e2e-probe-{}", std::process::id()))
        .join(name);
    std::fs::create_dir_all(&dir).expect("work dir");
    dir
}

/// What one probe run printed.
#[derive(Debug)]
struct ProbeRun {
    /// The last stdout line (the verdict line).
    verdict: String,
    /// The findings.
    stderr: String,
    /// Exit code.
    code: i32,
}

impl ProbeRun {
    fn assert(&self, verdict: &str, text: &str) {
        assert_eq!(self.verdict, verdict, "{self:#?}");
        assert!(self.stderr.contains(text), "{text:?} in {self:#?}");
        let expected_code = if verdict.ends_with(": ABORT") { 1 } else { 0 };
        assert_eq!(self.code, expected_code, "{self:#?}");
    }
}

fn probe(args: &[&str]) -> ProbeRun {
    let output = Command::new(env!("CARGO_BIN_EXE_scs-cert"))
        .args(["probe", "kaas"])
        .args(args)
        .output()
        .expect("run scs-cert probe");
    let stdout = String::from_utf8_lossy(&output.stdout);
    ProbeRun {
        verdict: stdout.lines().last().unwrap_or_default().to_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

/// A kubeconfig for the test cluster authenticated only by a token of the demo's
/// read-only probe ServiceAccount (demo/00-namespace.yaml, demo/10-probe-rbac.yaml).
fn probe_kubeconfig(dir: &Path) -> PathBuf {
    for file in ["demo/00-namespace.yaml", "demo/10-probe-rbac.yaml"] {
        let path = repo_root().join(file);
        kubectl_ok(&["apply", "--server-side", "-f", &path.display().to_string()]);
    }
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: Vec::new(),
            expiration_seconds: Some(3600),
            bound_object_ref: None,
        },
        ..TokenRequest::default()
    };
    let response: TokenRequest = block_on(
        Api::<ServiceAccount>::namespaced(env().client.clone(), "scs-demo").create_subresource(
            "token",
            "scs-kaas-probe",
            &PostParams::default(),
            &request,
        ),
    )
    .expect("TokenRequest for scs-demo/scs-kaas-probe");
    let token = response.status.expect("token status").token;
    let mut kubeconfig = Kubeconfig::read_from(&env().kubeconfig).expect("kubeconfig");
    for named in &mut kubeconfig.auth_infos {
        named.auth_info =
            Some(serde_json::from_value(json!({ "token": token })).expect("token auth info"));
    }
    let path = dir.join("probe-kubeconfig.yaml");
    std::fs::write(
        &path,
        serde_norway::to_string(&kubeconfig).expect("kubeconfig YAML"),
    )
    .expect("write kubeconfig");
    path
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write data file");
    path.display().to_string()
}

fn day(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d").to_string()
}

fn version_policy() {
    let dir = work_dir("version-policy");
    let kubeconfig = probe_kubeconfig(&dir);
    let kubeconfig = kubeconfig.display().to_string();
    let info = block_on(env().client.apiserver_version()).expect("GET /version");
    let version = info.git_version.trim_start_matches('v').to_owned();
    let parts: Vec<u32> = version
        .split(['.', '+', '-'])
        .take(3)
        .map(|p| p.parse().expect("numeric version"))
        .collect();
    let (major, minor, patch) = (parts[0], parts[1], parts[2]);
    let now = Timestamp::now();
    let days = |n: i64| now + SignedDuration::from_hours(24 * n);

    // EOL data: the server's branch supported for a year, or ended yesterday; two newer
    // branches supported either way, so the data itself is current.
    let eol = |own_branch_ends: Timestamp| {
        format!(
            "- branch: '{major}.{}'\n  end-of-life: '{}'\n- branch: '{major}.{}'\n  end-of-life: '{}'\n\
             - branch: '{major}.{minor}'\n  end-of-life: '{}'\n",
            minor + 2,
            day(days(500)),
            minor + 1,
            day(days(400)),
            day(own_branch_ends)
        )
    };
    let supported = write(&dir, "eol-supported.yml", &eol(days(365)));
    let ended = write(&dir, "eol-ended.yml", &eol(days(-1)));
    let outdated = write(
        &dir,
        "eol-outdated.yml",
        &format!(
            "- branch: '{major}.{minor}'\n  end-of-life: '{}'\n",
            day(days(365))
        ),
    );
    // Releases in the GitHub API format: the running version, then one newer patch.
    let releases = |newer_days_ago: i64| {
        serde_json::to_string_pretty(&json!([
            {"tag_name": format!("v{major}.{minor}.{}", patch + 1),
             "published_at": days(-newer_days_ago).to_string(), "draft": false, "prerelease": false},
            {"tag_name": format!("v{major}.{minor}.{}-rc.0", patch + 2),
             "published_at": days(-1).to_string(), "draft": false, "prerelease": true},
            {"tag_name": format!("v{major}.{minor}.{patch}"),
             "published_at": days(-90).to_string(), "draft": false, "prerelease": false},
        ]))
        .expect("release JSON")
    };
    let fresh = write(&dir, "releases-fresh.json", &releases(3));
    let overdue = write(&dir, "releases-overdue.json", &releases(40));
    let cves = write(
        &dir,
        "cves.yaml",
        &format!(
            "- id: CVE-2099-0001\n  affected:\n  - version: '{major}.{minor}.0'\n    lessThan: '{major}.{minor}.{}'\n",
            patch + 1
        ),
    );
    let run = |extra: &[&str]| {
        let mut args = vec!["version-policy", "--kubeconfig", &kubeconfig];
        args.extend_from_slice(extra);
        probe(&args)
    };

    run(&["--eol-data", &supported, "--releases", &fresh]).assert(
        "version-policy-check: PASS",
        &format!(
            "{major}.{minor}.{} was released on {} (3 days ago)",
            patch + 1,
            day(days(-3))
        ),
    );
    run(&["--eol-data", &ended, "--releases", &fresh]).assert(
        "version-policy-check: FAIL",
        &format!(
            "Kubernetes {major}.{minor} reached its end of life on {}",
            day(days(-1))
        ),
    );
    run(&["--eol-data", &supported, "--releases", &overdue]).assert(
        "version-policy-check: FAIL",
        &format!(
            "the cluster runs {version}, but {major}.{minor}.{} was released",
            patch + 1
        ),
    );
    run(&[
        "--eol-data",
        &supported,
        "--releases",
        &fresh,
        "--critical-cves",
        &cves,
    ])
    .assert(
        "version-policy-check: PASS",
        "recommends the update within 2 days",
    );
    run(&["--eol-data", &outdated, "--releases", &fresh])
        .assert("version-policy-check: ABORT", "the EOL data is outdated");
    run(&["--eol-data", &supported]).assert("version-policy-check: ABORT", "no release data");
    run(&[
        "--eol-data",
        &supported,
        "--releases",
        &fresh,
        "--testcase",
        "scs-0210-v2",
    ])
    .assert("scs-0210-v2: PASS", "inside the update window");

    // An unreachable API server aborts, and the message says what failed.
    let mut unreachable = Kubeconfig::read_from(&env().kubeconfig).expect("kubeconfig");
    for cluster in &mut unreachable.clusters {
        if let Some(c) = cluster.cluster.as_mut() {
            c.server = Some("https://127.0.0.1:1".into());
        }
    }
    let unreachable = write(
        &dir,
        "unreachable.yaml",
        &serde_norway::to_string(&unreachable).expect("kubeconfig YAML"),
    );
    probe(&["version-policy", "-k", &unreachable, "--releases", &fresh]).assert(
        "version-policy-check: ABORT",
        "cannot read the cluster version",
    );
}

/// A Node with topology labels, tagged with this test's set label.
fn node(name: &str, set: &str, control: bool, zone: &str, host: Option<&str>) -> Node {
    let mut labels = json!({
        E2E_LABEL: set,
        "topology.kubernetes.io/region": "demo-region",
        "topology.kubernetes.io/zone": zone,
        "kubernetes.io/hostname": name,
    });
    if let Some(host) = host {
        labels["topology.scs.community/host-id"] = json!(host);
    }
    if control {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
    }
    serde_json::from_value(json!({"metadata": {"name": name, "labels": labels}})).expect("node")
}

async fn create_nodes(nodes: &[Node]) {
    let api: Api<Node> = Api::all(env().client.clone());
    for node in nodes {
        api.create(&PostParams::default(), node)
            .await
            .unwrap_or_else(|e| panic!("create node {:?}: {e}", node.metadata.name));
    }
}

async fn delete_labelled<K>(selector: &str)
where
    K: kube::Resource<Scope = kube::core::ClusterResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    let api: Api<K> = Api::all(env().client.clone());
    let _ = api
        .delete_collection(
            &DeleteParams::default(),
            &ListParams::default().labels(selector),
        )
        .await;
}

fn node_distribution() {
    let dir = work_dir("node-distribution");
    let kubeconfig = probe_kubeconfig(&dir).display().to_string();
    let run_id = format!("{}", std::process::id());
    let set = |case: &str| format!("{run_id}-{case}");
    let name = |case: &str, n: &str| format!("probe-{run_id}-{case}-{n}");

    // Three zones, a control-plane node and a worker in each: PASS.
    let spread = set("spread");
    let mut nodes = Vec::new();
    for zone in ["zone-a", "zone-b", "zone-c"] {
        let host = format!("host-{zone}");
        nodes.push(node(
            &name("spread", &format!("cp-{zone}")),
            &spread,
            true,
            zone,
            Some(&host),
        ));
        nodes.push(node(
            &name("spread", &format!("w-{zone}")),
            &spread,
            false,
            zone,
            Some(&format!("{host}-2")),
        ));
    }
    // The whole control plane on one host in one zone, workers in two zones: FAIL.
    let single = set("single-zone");
    nodes.extend([
        node(
            &name("single-zone", "cp-1"),
            &single,
            true,
            "zone-a",
            Some("host-1"),
        ),
        node(
            &name("single-zone", "cp-2"),
            &single,
            true,
            "zone-a",
            Some("host-1"),
        ),
        node(
            &name("single-zone", "w-1"),
            &single,
            false,
            "zone-a",
            Some("host-2"),
        ),
        node(
            &name("single-zone", "w-2"),
            &single,
            false,
            "zone-b",
            Some("host-3"),
        ),
    ]);
    // Spread, but one node lacks the SCS host label: FAIL.
    let unlabelled = set("unlabelled");
    nodes.extend([
        node(
            &name("unlabelled", "cp-a"),
            &unlabelled,
            true,
            "zone-a",
            Some("host-1"),
        ),
        node(
            &name("unlabelled", "cp-b"),
            &unlabelled,
            true,
            "zone-b",
            None,
        ),
    ]);
    block_on(create_nodes(&nodes));

    let selector = |set: &str| format!("{E2E_LABEL}={set}");
    let run = |set: &str| probe(&["node-distribution", "-k", &kubeconfig, "-l", &selector(set)]);
    run(&spread).assert(
        "node-distribution-check: PASS",
        "the 3 control-plane nodes are distributed over 3 zones",
    );
    run(&single).assert(
        "node-distribution-check: FAIL",
        "failure zone(s) without a control-plane node: zone-b",
    );
    assert!(
        run(&single)
            .stderr
            .contains("the 2 control-plane nodes share one region, zone and host")
    );
    run(&unlabelled).assert(
        "node-distribution-check: FAIL",
        &format!(
            "1 of 2 nodes lack the label topology.scs.community/host-id ({})",
            name("unlabelled", "cp-b")
        ),
    );
    run(&set("nothing")).assert("node-distribution-check: FAIL", "the cluster has 0 node(s)");

    block_on(delete_labelled::<Node>(&format!(
        "{E2E_LABEL} in ({spread},{single},{unlabelled})"
    )));
}

fn storage_class(name: &str, provisioner: &str, default: Option<&str>) -> StorageClass {
    let mut metadata = json!({"name": name, "labels": {E2E_LABEL: "storage"}});
    if let Some(value) = default {
        metadata["annotations"] = json!({"storageclass.kubernetes.io/is-default-class": value});
    }
    serde_json::from_value(json!({"metadata": metadata, "provisioner": provisioner}))
        .expect("storage class")
}

/// StorageClasses are cluster-wide and the probe reads all of them, so this one test owns
/// them: its cases run one after another, each with exactly its own objects.
fn default_storage_class() {
    let dir = work_dir("storage-class");
    let kubeconfig = probe_kubeconfig(&dir).display().to_string();
    let api: Api<StorageClass> = Api::all(env().client.clone());
    let selector = format!("{E2E_LABEL}=storage");
    let reset = |classes: Vec<StorageClass>| {
        block_on(async {
            delete_labelled::<StorageClass>(&selector).await;
            for class in &classes {
                api.create(&PostParams::default(), class)
                    .await
                    .expect("create StorageClass");
            }
            let present = api.list(&ListParams::default()).await.expect("list");
            assert_eq!(
                present.items.len(),
                classes.len(),
                "only this test's StorageClasses"
            );
        })
    };
    let run = || probe(&["default-storage-class", "--kubeconfig", &kubeconfig]);

    reset(vec![]);
    run().assert(
        "default-storage-class-check: FAIL",
        "no default StorageClass among 0 StorageClass(es)",
    );
    reset(vec![
        storage_class("e2e-network", "cinder.csi.openstack.org", Some("true")),
        storage_class("e2e-other", "cinder.csi.openstack.org", Some("false")),
    ]);
    run().assert(
        "default-storage-class-check: PASS",
        "default StorageClass e2e-network (provisioner cinder.csi.openstack.org)",
    );
    reset(vec![
        storage_class("e2e-network", "cinder.csi.openstack.org", Some("true")),
        storage_class("e2e-second", "ceph.rbd.csi.ceph.com", Some("true")),
    ]);
    run().assert(
        "default-storage-class-check: FAIL",
        "2 StorageClasses are marked default (e2e-network, e2e-second)",
    );
    reset(vec![storage_class(
        "e2e-local",
        "kubernetes.io/no-provisioner",
        Some("true"),
    )]);
    run().assert(
        "default-storage-class-check: FAIL",
        "has provisioner kubernetes.io/no-provisioner",
    );
    reset(vec![storage_class(
        "e2e-local-path",
        "rancher.io/local-path",
        Some("true"),
    )]);
    run().assert("default-storage-class-check: FAIL", "node-local storage");
    reset(vec![]);
}
