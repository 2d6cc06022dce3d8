//! Least privilege, proven on the real API server:
//! - the operator runs with a token of its chart ServiceAccount (TokenRequest), bound by the
//!   chart's own rendered RBAC (`helm template` with the real helm binary), not as admin, and
//!   still takes a cloud to Ready=True, publishes its events and cleans up on deletion; once
//!   with the default cluster-wide RBAC, once with `operator.watchNamespace` (a Role);
//! - the check pods' identity (ServiceAccount `scs-cert-check`) can neither read Secrets nor
//!   write any resource the API server serves (SubjectAccessReview over discovery), and the
//!   only token its pods get (audience `scs-cert-operator`) is not accepted by the API at all.

use super::{World, ready};
use crate::harness::{block_on, env, kubectl_ok, repo_root};
use crate::trial;
use k8s_openapi::api::authentication::v1::{SelfSubjectReview, TokenRequest, TokenRequestSpec};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, ServiceAccount};
use k8s_openapi::api::events::v1::Event;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::{Discovery, Scope};
use kube::{Client, Config};
use libtest_mimic::Trial;
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "rbac::operator_with_chart_rbac_reaches_ready_and_cleans_up",
            cluster_wide,
        ),
        trial(
            "rbac::operator_with_namespaced_chart_rbac_reaches_ready",
            namespaced,
        ),
        trial(
            "rbac::listing_publisher_with_chart_rbac_writes_its_configmap",
            listing_publisher,
        ),
        trial(
            "rbac::check_pod_identity_cannot_read_secrets_or_write",
            check_identity,
        ),
    ]
}

static RELEASES: AtomicU32 = AtomicU32::new(0);

/// A release name unique in this run (ClusterRoles are cluster-wide).
fn release_name() -> String {
    format!(
        "rbac-{}-{}",
        std::process::id(),
        RELEASES.fetch_add(1, Ordering::SeqCst)
    )
}

/// Renders the chart's ServiceAccount and RBAC for `release` in `namespace` and applies them.
/// Returns the ServiceAccount name.
fn apply_chart_rbac(release: &str, namespace: &str, sets: &[String]) -> String {
    let chart = repo_root().join("charts/scs-cert-operator");
    let mut command = Command::new(crate::harness::helm_binary());
    command
        .args(["template", release])
        .arg(&chart)
        .args(["--namespace", namespace])
        .args(["--show-only", "templates/serviceaccount.yaml"])
        .args(["--show-only", "templates/rbac.yaml"]);
    for set in sets {
        command.args(["--set", set]);
    }
    let out = command.output().expect("run helm template");
    assert!(
        out.status.success(),
        "helm template failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rendered = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        rendered.contains("kind: ClusterRole") && !rendered.contains('*'),
        "unexpected RBAC:\n{rendered}"
    );
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-rbac");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let file = dir.join(format!("{release}.yaml"));
    std::fs::write(&file, &rendered).expect("write rendered RBAC");
    kubectl_ok(&[
        "apply",
        "--server-side",
        "-f",
        file.to_str().expect("utf-8"),
    ]);
    format!("{release}-scs-cert-operator")
}

/// A client authenticated only by a TokenRequest token of `namespace/account` (API audience).
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
    token_client(&token).await
}

/// A client for the test cluster that presents `token` and no other credential.
async fn token_client(token: &str) -> Client {
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

/// Asserts that `client` is `expected` (not admin) and cannot list Secrets.
async fn assert_identity(client: &Client, expected: &str) {
    let review: SelfSubjectReview = serde_json::from_value(json!({
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "SelfSubjectReview",
        "metadata": {}
    }))
    .expect("SelfSubjectReview literal");
    let answer = Api::<SelfSubjectReview>::all(client.clone())
        .create(&PostParams::default(), &review)
        .await
        .expect("SelfSubjectReview");
    let user = answer
        .status
        .and_then(|s| s.user_info)
        .and_then(|u| u.username)
        .unwrap_or_default();
    assert_eq!(user, expected, "the operator must not run as admin");
    let secrets = Api::<Secret>::all(client.clone())
        .list(&ListParams::default())
        .await;
    assert!(
        matches!(&secrets, Err(kube::Error::Api(status)) if status.code == 403),
        "the operator's identity can list Secrets: {secrets:?}"
    );
}

/// The main scenario with an operator that holds only the chart's permissions.
async fn ready_with_least_privilege(world: &World, name: &str) {
    world.create_cloud(name, json!({}), Some("first")).await;
    let cloud = world
        .wait_for(name, 120, "Ready=True under the chart's RBAC", |c| {
            ready(c).is_some_and(|(status, _, _)| status == "True")
        })
        .await;
    let (_, reason, _) = ready(&cloud).expect("Ready");
    assert_eq!(reason, "Compliant");
    // Events are best effort in the operator (a refused write is only logged), so check them.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let events = Api::<Event>::namespaced(env().client.clone(), &world.ns.name)
            .list(&ListParams::default())
            .await
            .expect("list events");
        let reasons: Vec<String> = events
            .items
            .iter()
            .filter(|e| e.reporting_controller.as_deref() == Some("scs-cert-operator"))
            .filter_map(|e| e.reason.clone())
            .collect();
        if reasons.iter().any(|r| r == "ReportReceived")
            && reasons.iter().any(|r| r == "RunStarted")
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the operator published no RunStarted/ReportReceived events: {reasons:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // IntegratorCertifications: status written and an event published (issue 7).
    super::integrator::status_is_written(world, name).await;
}

fn cluster_wide() {
    block_on(async {
        let operator_ns = crate::harness::TestNamespace::create("rbac-op").await;
        let operator_namespace = operator_ns.name.clone();
        let release = release_name();
        let world = World::with_operator_client("rbac-cw", |watched| async move {
            // The listing ConfigMap goes to the test namespace (World publishes it there).
            let account = apply_chart_rbac(
                &release,
                &operator_namespace,
                &[format!("listing.namespace={watched}")],
            );
            let client = service_account_client(&operator_namespace, &account).await;
            assert_identity(
                &client,
                &format!("system:serviceaccount:{operator_namespace}:{account}"),
            )
            .await;
            Some(client)
        })
        .await;
        ready_with_least_privilege(&world, "least").await;

        // Deletion: the finalizer's cleanup (deletecollection of Jobs, Pods, ConfigMaps) and
        // its removal (patch) work with the chart's permissions.
        assert!(!world.jobs().await.is_empty());
        world
            .clouds()
            .delete("least", &DeleteParams::default())
            .await
            .expect("delete");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while world
            .clouds()
            .get_opt("least")
            .await
            .expect("get")
            .is_some()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the finalizer did not finish under the chart's RBAC"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(world.jobs().await.is_empty(), "Jobs deleted");
        assert!(
            world.config_maps("report").await.is_empty(),
            "reports deleted"
        );
        world.shutdown().await;
        operator_ns.delete().await;
    });
}

fn namespaced() {
    block_on(async {
        let operator_ns = crate::harness::TestNamespace::create("rbac-opns").await;
        let operator_namespace = operator_ns.name.clone();
        let release = release_name();
        let world = World::with_operator_client("rbac-ns", |watched| async move {
            let account = apply_chart_rbac(
                &release,
                &operator_namespace,
                &[
                    format!("operator.watchNamespace={watched}"),
                    format!("listing.namespace={watched}"),
                ],
            );
            // Only TokenReview is cluster-wide; everything else is a Role in `watched`.
            let roles = kubectl_ok(&["get", "roles", "-n", &watched, "-o", "name"]);
            assert!(roles.contains(&account), "no Role in {watched}: {roles}");
            let client = service_account_client(&operator_namespace, &account).await;
            assert_identity(
                &client,
                &format!("system:serviceaccount:{operator_namespace}:{account}"),
            )
            .await;
            let elsewhere = Api::<Job>::namespaced(client.clone(), &operator_namespace)
                .list(&ListParams::default())
                .await;
            assert!(
                matches!(&elsewhere, Err(kube::Error::Api(s)) if s.code == 403),
                "namespaced RBAC must not reach other namespaces: {elsewhere:?}"
            );
            Some(client)
        })
        .await;
        ready_with_least_privilege(&world, "scoped").await;
        world.shutdown().await;
        operator_ns.delete().await;
    });
}

/// Verbs that change state.
const WRITE_VERBS: [&str; 5] = ["create", "update", "patch", "delete", "deletecollection"];

/// Review-style resources every authenticated user may create (bootstrap role
/// system:basic-user); they store nothing and only describe the caller itself.
const SELF_REVIEWS: [(&str, &str); 3] = [
    ("authorization.k8s.io", "selfsubjectaccessreviews"),
    ("authorization.k8s.io", "selfsubjectrulesreviews"),
    ("authentication.k8s.io", "selfsubjectreviews"),
];

async fn allowed(user: &str, groups: &[String], attributes: ResourceAttributes) -> bool {
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(user.to_owned()),
            groups: Some(groups.to_vec()),
            resource_attributes: Some(attributes),
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

fn check_identity() {
    block_on(async {
        let world = World::new("rbac-check").await;
        world.create_cloud("probe", json!({}), Some("go")).await;
        world
            .wait_for("probe", 120, "Ready=True", |c| {
                ready(c).is_some_and(|(status, _, _)| status == "True")
            })
            .await;
        let ns = world.ns.name.clone();

        // The check Job's pod runs as scs-cert-check, without an API token mounted.
        let jobs = world.jobs().await;
        let pod = jobs[0]
            .spec
            .as_ref()
            .and_then(|s| s.template.spec.clone())
            .expect("pod spec");
        assert_eq!(pod.service_account_name.as_deref(), Some("scs-cert-check"));
        assert_eq!(pod.automount_service_account_token, Some(false));

        // No RoleBinding or ClusterRoleBinding names it.
        let user = format!("system:serviceaccount:{ns}:scs-cert-check");
        for kind in ["rolebindings", "clusterrolebindings"] {
            let bindings: serde_json::Value =
                serde_json::from_str(&kubectl_ok(&["get", kind, "-A", "-o", "json"]))
                    .expect("binding list");
            for binding in bindings["items"].as_array().expect("items") {
                for subject in binding["subjects"].as_array().into_iter().flatten() {
                    assert!(
                        !(subject["kind"] == "ServiceAccount"
                            && subject["name"] == "scs-cert-check"),
                        "{kind} {} binds scs-cert-check",
                        binding["metadata"]["name"]
                    );
                }
            }
        }

        // SubjectAccessReview over every resource the API server serves.
        let groups = vec![
            "system:serviceaccounts".to_owned(),
            format!("system:serviceaccounts:{ns}"),
            "system:authenticated".to_owned(),
        ];
        let discovery = Discovery::new(env().client.clone())
            .run()
            .await
            .expect("discovery");
        let mut checks = Vec::new();
        for group in discovery.groups() {
            for (resource, capabilities) in group.recommended_resources() {
                let mut names = vec![(resource.plural.clone(), None::<String>)];
                for (sub, _) in &capabilities.subresources {
                    names.push((resource.plural.clone(), Some(sub.plural.clone())));
                }
                for (plural, subresource) in names {
                    let namespaces: Vec<Option<String>> = match capabilities.scope {
                        Scope::Namespaced => vec![Some(ns.clone()), None],
                        Scope::Cluster => vec![None],
                    };
                    for namespace in namespaces {
                        for verb in WRITE_VERBS {
                            if subresource.is_none()
                                && SELF_REVIEWS
                                    .contains(&(resource.group.as_str(), plural.as_str()))
                                && verb == "create"
                            {
                                continue;
                            }
                            checks.push(ResourceAttributes {
                                group: Some(resource.group.clone()),
                                resource: Some(plural.clone()),
                                subresource: subresource.clone(),
                                namespace: namespace.clone(),
                                verb: Some(verb.to_owned()),
                                ..ResourceAttributes::default()
                            });
                        }
                    }
                }
            }
        }
        for verb in ["get", "list", "watch"] {
            for namespace in [Some(ns.clone()), None] {
                checks.push(ResourceAttributes {
                    group: Some(String::new()),
                    resource: Some("secrets".into()),
                    namespace,
                    verb: Some(verb.to_owned()),
                    ..ResourceAttributes::default()
                });
            }
        }
        assert!(checks.len() > 300, "too few checks: {}", checks.len());
        let mut granted = Vec::new();
        for chunk in checks.chunks(32) {
            let answers = futures::future::join_all(
                chunk
                    .iter()
                    .map(|attributes| allowed(&user, &groups, attributes.clone())),
            )
            .await;
            for (attributes, allowed) in chunk.iter().zip(answers) {
                if allowed {
                    granted.push(format!(
                        "{} {}/{}{} in {:?}",
                        attributes.verb.as_deref().unwrap_or_default(),
                        attributes.group.as_deref().unwrap_or_default(),
                        attributes.resource.as_deref().unwrap_or_default(),
                        attributes
                            .subresource
                            .as_deref()
                            .map(|s| format!("/{s}"))
                            .unwrap_or_default(),
                        attributes.namespace
                    ));
                }
            }
        }
        eprintln!(
            "e2e figure: {} SubjectAccessReviews for {user}, {} allowed",
            checks.len(),
            granted.len()
        );
        assert!(
            granted.is_empty(),
            "the check pod identity may:\n  {}",
            granted.join("\n  ")
        );

        // The only token a check pod holds is for the intake's audience: the API refuses it.
        let request = TokenRequest {
            spec: TokenRequestSpec {
                audiences: vec!["scs-cert-operator".into()],
                expiration_seconds: Some(600),
                bound_object_ref: None,
            },
            ..TokenRequest::default()
        };
        let response: TokenRequest = Api::<ServiceAccount>::namespaced(env().client.clone(), &ns)
            .create_subresource("token", "scs-cert-check", &PostParams::default(), &request)
            .await
            .expect("TokenRequest");
        let token = response.status.expect("token").token;
        let client = token_client(&token).await;
        let refused = Api::<Secret>::namespaced(client, &ns)
            .list(&ListParams::default())
            .await;
        assert!(
            matches!(&refused, Err(kube::Error::Api(s)) if s.code == 401),
            "the intake-audience token must not authenticate to the API: {refused:?}"
        );
        world.shutdown().await;
    });
}

/// The public listing under the chart's RBAC: the IntegratorCertification/CloudCertification
/// caches (list, watch) and the listing ConfigMap (list, create, patch in the listing
/// namespace's Role). The publisher runs on its own here, fed by caches of the operator's
/// identity, as `src/operator.rs` wires it.
fn listing_publisher() {
    use futures::StreamExt;
    use kube::runtime::{WatchStreamExt, reflector, watcher};
    use scs_cert_operator::api::{CloudCertification, IntegratorCertification};
    use scs_cert_operator::listing::publisher::{self, PublisherSettings, Sources};
    block_on(async {
        let operator_ns = crate::harness::TestNamespace::create("rbac-lst-op").await;
        let ns = crate::harness::TestNamespace::create("rbac-lst").await;
        let release = release_name();
        let account = apply_chart_rbac(
            &release,
            &operator_ns.name,
            &[
                // The chart's default: the listing lives in the release namespace, where
                // only the listing Role grants anything.
                format!("operator.watchNamespace={}", ns.name),
            ],
        );
        let client = service_account_client(&operator_ns.name, &account).await;
        let cloud: CloudCertification = serde_json::from_value(json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "CloudCertification",
            "metadata": {"name": "listed"},
            "spec": {
                "subject": "listed-subject",
                "scope": {"configMap": {"name": "e2e-scope", "key": "scope.yaml"}},
                "schedule": {"cron": "0 0 1 1 *"}
            }
        }))
        .expect("cloud literal");
        Api::<CloudCertification>::namespaced(env().client.clone(), &ns.name)
            .create(&PostParams::default(), &cloud)
            .await
            .expect("create CloudCertification");

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
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let settings = PublisherSettings {
            config_map: Some((
                operator_ns.name.clone(),
                "scs-certification-listing".to_owned(),
            )),
            debounce: Duration::from_millis(200),
            min_interval: Duration::ZERO,
            ..PublisherSettings::default()
        };
        let tasks = [
            tokio::spawn(cloud_events.for_each(|_| async {})),
            tokio::spawn(integrator_events.for_each(|_| async {})),
            tokio::spawn(publisher::run(
                client,
                Sources {
                    clouds,
                    integrators,
                    history: None,
                },
                Default::default(),
                settings,
                async {
                    let _ = stopped.await;
                },
            )),
        ];
        // Within 25 s: without list/watch on IntegratorCertifications the publisher would
        // wait out its 30 s grace period for that cache first.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(25);
        loop {
            let listing = Api::<ConfigMap>::namespaced(env().client.clone(), &operator_ns.name)
                .get_opt("scs-certification-listing")
                .await
                .expect("get listing ConfigMap");
            // (A cloud never evaluated is not listed yet; the write itself is the point here.)
            if listing.is_some() {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the publisher wrote no listing ConfigMap with the chart's RBAC"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let _ = stop.send(());
        for task in tasks {
            task.abort();
        }
        ns.delete().await;
        operator_ns.delete().await;
    });
}
