//! The CRDs on a real API server: they install, the samples are accepted and listed with
//! the printer columns, invalid objects are rejected with readable messages, and the status
//! subresource takes server-side-apply patches with observedGeneration.

use crate::harness::{TestNamespace, block_on, env, kubectl, kubectl_ok, repo_root};
use crate::trial;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::ApiResource;
use kube::{Resource, ResourceExt};
use libtest_mimic::Trial;
use scs_cert_operator::api::{CloudCertification, FIELD_MANAGER, IntegratorCertification};
use serde_json::{Value, json};
use std::time::Duration;

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "crds::are_established_with_names_and_columns",
            are_established,
        ),
        trial("crds::samples_are_accepted_and_listed", samples_are_listed),
        trial(
            "crds::invalid_objects_are_rejected_with_readable_messages",
            invalid_objects_are_rejected,
        ),
        trial(
            "crds::omitted_fields_get_their_defaults",
            omitted_fields_get_defaults,
        ),
        trial(
            "crds::status_subresource_takes_ssa_with_observed_generation",
            status_takes_ssa,
        ),
    ]
}

/// Applies the committed `crds/*.yaml` (what users install) and waits until Established.
pub async fn install_crds() -> Result<(), String> {
    let api = Api::<CustomResourceDefinition>::all(env().client.clone());
    let dir = repo_root().join("crds");
    let mut names = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let crd: CustomResourceDefinition =
            serde_norway::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = crd.name_any();
        api.patch(
            &name,
            &PatchParams::apply("scs-cert-e2e").force(),
            &Patch::Apply(&crd),
        )
        .await
        .map_err(|e| format!("apply {name}: {e}"))?;
        names.push(name);
    }
    for name in names {
        wait_established(&api, &name).await?;
    }
    Ok(())
}

async fn wait_established(api: &Api<CustomResourceDefinition>, name: &str) -> Result<(), String> {
    for _ in 0..150 {
        let crd = api.get(name).await.map_err(|e| e.to_string())?;
        let established = crd
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| {
                cs.iter()
                    .any(|c| c.type_ == "Established" && c.status == "True")
            });
        if established {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(format!("CRD {name} did not become Established within 30 s"))
}

fn are_established() {
    block_on(async {
        let api = Api::<CustomResourceDefinition>::all(env().client.clone());
        for (name, short, kind) in [
            (
                "cloudcertifications.certification.scs.community",
                "ccert",
                "CloudCertification",
            ),
            (
                "integratorcertifications.certification.scs.community",
                "icert",
                "IntegratorCertification",
            ),
        ] {
            let crd = api.get(name).await.expect("CRD exists");
            let status = crd.status.expect("CRD has status");
            let conditions = status.conditions.unwrap_or_default();
            for wanted in ["Established", "NamesAccepted"] {
                assert!(
                    conditions
                        .iter()
                        .any(|c| c.type_ == wanted && c.status == "True"),
                    "{name}: condition {wanted} is not True: {conditions:?}"
                );
            }
            let names = status.accepted_names.expect("accepted names");
            assert_eq!(names.kind, kind);
            assert_eq!(names.short_names, Some(vec![short.to_owned()]));
            assert_eq!(names.categories, Some(vec!["scs".to_owned()]));
        }
    });
}

fn samples_are_listed() {
    let ns = block_on(TestNamespace::create("samples"));
    let samples = repo_root().join("config/samples");
    let samples = samples.to_str().expect("utf-8 path");
    kubectl_ok(&["apply", "--server-side", "-n", &ns.name, "-f", samples]);

    let table = kubectl_ok(&["get", "ccert,icert", "-n", &ns.name]);
    for expected in [
        "READY",
        "STATUS",
        "AGE",
        "cloudcertification.certification.scs.community/regio-a",
        "cloudcertification.certification.scs.community/noris-1-35",
        "integratorcertification.certification.scs.community/example-integrator",
    ] {
        assert!(
            table.contains(expected),
            "missing {expected:?} in:\n{table}"
        );
    }
    let wide = kubectl_ok(&["get", "ccert", "-n", &ns.name, "-o", "wide"]);
    let header = wide.lines().next().unwrap_or_default();
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        columns,
        [
            "NAME",
            "READY",
            "STATUS",
            "AGE",
            "SUBJECT",
            "SCOPE",
            "VERSION",
            "CERTIFICATE",
            "EXPIRES"
        ],
        "wide columns of ccert:\n{wide}"
    );
    assert!(wide.contains("noris-1.35"), "subject column shown:\n{wide}");
    let wide = kubectl_ok(&["get", "icert", "-n", &ns.name, "-o", "wide"]);
    for expected in ["ORGANIZATION", "LAYER", "TIER", "EXPIRES", "IaaS"] {
        assert!(wide.contains(expected), "missing {expected:?} in:\n{wide}");
    }
    // The category groups both kinds.
    let by_category = kubectl_ok(&["get", "scs", "-n", &ns.name, "-o", "name"]);
    assert_eq!(
        by_category.lines().count(),
        4,
        "kubectl get scs:\n{by_category}"
    );
    block_on(ns.delete());
}

fn valid_cloud() -> Value {
    json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "CloudCertification",
        "metadata": {"name": "cloud"},
        "spec": {
            "subject": "regio-a",
            "scope": {"configMap": {"name": "scope", "key": "scope.yaml"}},
            "certificate": {"version": "v5.1", "grant": {
                "grantedAt": "2026-09-01T10:00:00Z", "grantedBy": "Forum SCS-Standards"}}
        }
    })
}

fn valid_integrator() -> Value {
    json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "IntegratorCertification",
        "metadata": {"name": "integrator"},
        "spec": {
            "organization": "Example GmbH",
            "layer": "IaaS",
            "references": [{"name": "a", "kind": "Managed", "since": "2026-01-01",
                             "evidence": {"reports": ["r1"]}}]
        }
    })
}

/// Sets `value` at a `/`-separated path (creating objects), or removes the key when `None`.
fn edit(mut object: Value, path: &str, value: Option<Value>) -> Value {
    let (parents, last) = path.rsplit_once('/').unwrap_or(("", path));
    let mut cursor = &mut object;
    for key in parents.split('/').filter(|k| !k.is_empty()) {
        cursor = match key.parse::<usize>() {
            Ok(i) => &mut cursor[i],
            Err(_) => &mut cursor[key],
        };
    }
    match value {
        Some(v) => cursor[last] = v,
        None => {
            cursor.as_object_mut().map(|o| o.remove(last));
        }
    }
    object
}

fn invalid_objects_are_rejected() {
    let cloud = valid_cloud;
    let integ = valid_integrator;
    // (what is wrong, the object, what the user must read in the error)
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "missing required field",
            edit(cloud(), "spec/subject", None),
            vec!["spec.subject", "Required value"],
        ),
        (
            "wrong enum value",
            edit(
                cloud(),
                "spec/schedule",
                Some(json!({"selection": "Sometimes"})),
            ),
            vec![
                "spec.schedule.selection",
                "Unsupported value",
                "\"All\"",
                "\"Expiring\"",
            ],
        ),
        (
            "malformed timestamp",
            edit(
                cloud(),
                "spec/certificate/grant/grantedAt",
                Some(json!("next tuesday")),
            ),
            vec!["spec.certificate.grant.grantedAt", "date-time"],
        ),
        (
            "malformed date",
            edit(
                integ(),
                "spec/references/0/since",
                Some(json!("2026-13-01")),
            ),
            vec!["spec.references[0].since", "date"],
        ),
        (
            "two scope sources",
            edit(
                cloud(),
                "spec/scope/url",
                Some(json!("https://example.org/scope.yaml")),
            ),
            vec!["spec.scope", "scope needs exactly one of configMap or url"],
        ),
        (
            "plain-http scope URL",
            edit(
                cloud(),
                "spec/scope",
                Some(json!({"url": "http://example.org/scope.yaml"})),
            ),
            vec!["spec.scope.url", "scope.url must be an https:// URL"],
        ),
        (
            "subject with a space",
            edit(cloud(), "spec/subject", Some(json!("regio a"))),
            vec!["spec.subject", "only letters, digits"],
        ),
        (
            "runner timeout below the minimum",
            edit(cloud(), "spec/runner", Some(json!({"timeoutSeconds": 5}))),
            vec![
                "spec.runner.timeoutSeconds",
                "should be greater than or equal to 60",
            ],
        ),
        (
            "reference with neither proof",
            edit(integ(), "spec/references/0/evidence", None),
            vec!["each reference needs exactly one of cloudCertificationRef or evidence"],
        ),
        (
            "wrong layer",
            edit(integ(), "spec/layer", Some(json!("PaaS"))),
            vec!["spec.layer", "Unsupported value", "\"IaaS\"", "\"KaaS\""],
        ),
        (
            "vote with more present than eligible",
            edit(
                integ(),
                "spec/v1Vote",
                Some(json!({"eligible": 12, "present": 13, "yes": 13, "no": 0})),
            ),
            vec!["v1Vote.present cannot exceed v1Vote.eligible"],
        ),
    ];
    let ns = block_on(TestNamespace::create("invalid"));
    let mut failures = Vec::new();
    for (what, object, expected) in cases {
        let kind = object["kind"].as_str().unwrap_or_default().to_owned();
        let resource = if kind == "CloudCertification" {
            ApiResource::erase::<CloudCertification>(&())
        } else {
            ApiResource::erase::<IntegratorCertification>(&())
        };
        let api: Api<DynamicObject> =
            Api::namespaced_with(env().client.clone(), &ns.name, &resource);
        let object: DynamicObject = serde_json::from_value(object).expect("object literal");
        match block_on(api.create(&PostParams::default(), &object)) {
            Ok(_) => failures.push(format!("{what}: accepted, expected a rejection")),
            Err(kube::Error::Api(status)) => {
                let message = status.message.clone();
                if status.code != 422 {
                    failures.push(format!("{what}: HTTP {} ({message})", status.code));
                }
                for needle in expected {
                    if !message.contains(needle) {
                        failures.push(format!("{what}: {needle:?} not in {message:?}"));
                    }
                }
            }
            Err(other) => failures.push(format!("{what}: unexpected error {other}")),
        }
    }
    // What a kubectl user sees: the same message on stderr, non-zero exit.
    let bad = serde_json::to_string(&edit(valid_cloud(), "spec/subject", None)).expect("json");
    let path = std::env::temp_dir().join(format!("e2e-invalid-{}.json", std::process::id()));
    std::fs::write(&path, bad).expect("write temp file");
    let out = kubectl(&["apply", "-n", &ns.name, "-f", path.to_str().expect("utf-8")]);
    let _ = std::fs::remove_file(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() || !stderr.contains("spec.subject: Required value") {
        failures.push(format!("kubectl apply of an invalid object: {stderr}"));
    }
    block_on(ns.delete());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn omitted_fields_get_defaults() {
    block_on(async {
        let ns = TestNamespace::create("defaults").await;
        let api: Api<CloudCertification> = Api::namespaced(env().client.clone(), &ns.name);
        let minimal: CloudCertification = serde_json::from_value(json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "CloudCertification",
            "metadata": {"name": "minimal"},
            "spec": {"subject": "minimal", "scope": {"configMap": {"name": "s", "key": "k"}}}
        }))
        .expect("minimal object");
        let created = api
            .create(&PostParams::default(), &minimal)
            .await
            .expect("minimal object is accepted");
        let schedule = &created.spec.schedule;
        assert_eq!(schedule.cron, "0 3 * * *");
        assert_eq!(schedule.time_zone, "UTC");
        assert!(!created.spec.suspend);
        ns.delete().await;
    });
}

fn status_takes_ssa() {
    block_on(async {
        let ns = TestNamespace::create("status").await;
        let api: Api<CloudCertification> = Api::namespaced(env().client.clone(), &ns.name);
        let object: CloudCertification =
            serde_json::from_value(valid_cloud()).expect("valid object");
        let created = api
            .create(&PostParams::default(), &object)
            .await
            .expect("create");
        let generation = created.meta().generation.expect("generation is set");

        let status_patch = |reason: &str, message: &str| {
            json!({
                "apiVersion": "certification.scs.community/v1alpha1",
                "kind": "CloudCertification",
                "status": {
                    "observedGeneration": generation,
                    "summary": "✅ v5.1",
                    "conditions": [{
                        "type": "Ready", "status": "True", "reason": reason,
                        "message": message, "observedGeneration": generation,
                        "lastTransitionTime": "2026-12-05T10:00:00Z"
                    }]
                }
            })
        };
        let params = PatchParams::apply(FIELD_MANAGER).force();
        let patched = api
            .patch_status(
                "cloud",
                &params,
                &Patch::Apply(status_patch("Compliant", "v5.1 passes")),
            )
            .await
            .expect("status SSA patch is accepted");
        let status = patched.status.clone().expect("status written");
        assert_eq!(status.observed_generation, Some(generation));
        assert_eq!(status.conditions[0].observed_generation, Some(generation));
        assert_eq!(
            patched.spec, created.spec,
            "a status patch never touches spec"
        );
        let managers: Vec<_> = patched
            .meta()
            .managed_fields
            .iter()
            .flatten()
            .filter(|m| m.subresource.as_deref() == Some("status"))
            .filter_map(|m| m.manager.clone())
            .collect();
        assert_eq!(managers, [FIELD_MANAGER]);

        // kubectl shows the Ready condition in the default columns.
        let table = kubectl_ok(&["get", "ccert", "cloud", "-n", &ns.name]);
        assert!(
            table.contains("True") && table.contains("v5.1 passes"),
            "{table}"
        );
        // kubectl wait works on the condition.
        kubectl_ok(&[
            "wait",
            "-n",
            &ns.name,
            "ccert/cloud",
            "--for=condition=Ready",
            "--timeout=10s",
        ]);

        // Status sent to the main resource is ignored (subresource semantics).
        let mut sneaky = status_patch("Forged", "written via the main resource");
        sneaky["spec"] = created.spec.clone().into_json();
        let _ = api
            .patch(
                "cloud",
                &PatchParams::apply("someone-else"),
                &Patch::Apply(sneaky),
            )
            .await;
        let after = api.get("cloud").await.expect("get");
        let ready = &after.status.expect("status").conditions[0];
        assert_eq!(ready.reason, "Compliant");
        ns.delete().await;
    });
}

/// JSON form of a spec, for building raw patches.
trait IntoJson {
    fn into_json(self) -> Value;
}

impl<T: serde::Serialize> IntoJson for T {
    fn into_json(self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
