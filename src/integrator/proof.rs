//! Whether a reference's compliance proof holds now (DOMAIN 5.3, 5.4): the
//! [`ReferenceFacts`] the scoring needs, read from a CloudCertification's status or from the
//! evidence flag. Pure: the controller passes a lookup into its cache.
//!
//! A CloudCertification counts while its status, computed for its current spec, says
//! `Compliant=True` and names a passing version that is certifiable (effective or warn) at
//! the evaluation. It need not be certified (SCS-0007 w1: references need not be certified
//! under SCS-0004). Its layer comes from the scope: the official scope UUIDs of
//! SCS-compatible IaaS (scs-0501) and KaaS (scs-0502), else the scope name. External evidence
//! counts once the attestation body has accepted it; it is taken to be of the certificate's
//! layer, because it was submitted for this application.

use crate::api::CloudCertification;
use crate::api::cloud::ScopeStatus;
use crate::api::conditions::{COMPLIANT, find};

use super::model::{EnvironmentProof, IntegratorApplication, Layer, ReferenceFacts};

/// UUID of the scope *SCS-compatible IaaS* (scs-0501).
pub const IAAS_SCOPE_UUID: &str = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";
/// UUID of the scope *SCS-compatible KaaS* (scs-0502).
pub const KAAS_SCOPE_UUID: &str = "1fffebe6-fd4b-44d3-a36c-fc58b4bb0180";

/// The layer a scope certifies, by its UUID, else by its name (`SCS-compatible IaaS`,
/// `SCS-compatible KaaS`, case and surrounding spaces ignored); `None` for any other scope.
pub fn scope_layer(scope: &ScopeStatus) -> Option<Layer> {
    match scope.uuid.as_deref().map(str::trim) {
        Some(IAAS_SCOPE_UUID) => return Some(Layer::IaaS),
        Some(KAAS_SCOPE_UUID) => return Some(Layer::KaaS),
        _ => {}
    }
    let name = scope.name.as_deref()?.trim();
    if name.eq_ignore_ascii_case("SCS-compatible IaaS") {
        Some(Layer::IaaS)
    } else if name.eq_ignore_ascii_case("SCS-compatible KaaS") {
        Some(Layer::KaaS)
    } else {
        None
    }
}

/// The facts about the CloudCertification `namespace/name`, `cloud` being what the cache
/// holds under that name.
pub fn cloud_certification_facts(
    namespace: &str,
    name: &str,
    cloud: Option<&CloudCertification>,
) -> ReferenceFacts {
    let id = format!("CloudCertification {namespace}/{name}");
    let Some(cloud) = cloud else {
        return ReferenceFacts::failing(None, format!("{id} not found"));
    };
    let Some(status) = cloud.status.as_ref() else {
        return ReferenceFacts::failing(None, format!("{id} has not been evaluated yet"));
    };
    let scope = status.scope.as_ref();
    let layer = scope.and_then(scope_layer);
    if cloud.metadata.deletion_timestamp.is_some() {
        return ReferenceFacts::failing(layer, format!("{id} is being deleted"));
    }
    let scope_name = scope
        .and_then(|s| s.name.as_deref())
        .unwrap_or("unknown scope");
    if layer.is_none() {
        let reason = if scope.is_none() {
            format!("{id} has no scope loaded yet")
        } else {
            format!("{id} tests '{scope_name}', which is neither SCS-compatible IaaS nor KaaS")
        };
        return ReferenceFacts::failing(None, reason);
    }
    if let Some(generation) = cloud.metadata.generation
        && status.observed_generation != Some(generation)
    {
        return ReferenceFacts::failing(
            layer,
            format!(
                "{id} has not been evaluated for its current spec (generation {generation}) yet"
            ),
        );
    }
    match find(&status.conditions, COMPLIANT) {
        Some(c) if c.status == "True" => {}
        Some(c) => {
            return ReferenceFacts::failing(layer, format!("{id} is not compliant: {}", c.message));
        }
        None => {
            return ReferenceFacts::failing(layer, format!("{id} has no compliance verdict yet"));
        }
    }
    let passing = status
        .versions
        .iter()
        .find(|v| v.result == "PASS" && matches!(v.validity.as_str(), "effective" | "warn"));
    match passing {
        Some(version) => ReferenceFacts {
            layer,
            qualifies: true,
            reason: format!(
                "{id} is compliant with {scope_name} {} ({})",
                version.name, version.validity
            ),
        },
        None => ReferenceFacts::failing(
            layer,
            format!("{id} passes no currently valid version of {scope_name}"),
        ),
    }
}

/// The facts about external evidence for a certificate of `layer`.
pub fn evidence_facts(attested: bool, layer: Layer) -> ReferenceFacts {
    if attested {
        ReferenceFacts::qualifying(layer, "external evidence accepted by the attestation body")
    } else {
        ReferenceFacts::failing(
            Some(layer),
            "external evidence not yet accepted by the attestation body (evidence.attested)",
        )
    }
}

/// The facts for every reference of `application`, in order; `lookup(namespace, name)` reads
/// a CloudCertification from the cache.
pub fn reference_facts<C>(
    application: &IntegratorApplication,
    lookup: impl Fn(&str, &str) -> Option<C>,
) -> Vec<ReferenceFacts>
where
    C: AsRef<CloudCertification>,
{
    application
        .references
        .iter()
        .map(|reference| match &reference.proof {
            EnvironmentProof::CloudCertification { namespace, name } => {
                let cloud = lookup(namespace, name);
                cloud_certification_facts(namespace, name, cloud.as_ref().map(AsRef::as_ref))
            }
            EnvironmentProof::Evidence { attested } => evidence_facts(*attested, application.layer),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cloud(status: serde_json::Value) -> CloudCertification {
        let mut object = json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "CloudCertification",
            "metadata": {"name": "regio-a", "namespace": "partners", "generation": 2},
            "spec": {"subject": "regio-a", "scope": {"configMap": {"name": "s", "key": "k"}}}
        });
        if !status.is_null() {
            object["status"] = status;
        }
        serde_json::from_value(object).expect("cloud literal")
    }

    fn compliant_status(scope: serde_json::Value) -> serde_json::Value {
        json!({
            "observedGeneration": 2,
            "scope": scope,
            "conditions": [{"type": "Compliant", "status": "True", "reason": "Compliant",
                "message": "all 2 main testcases of v5.1 pass",
                "lastTransitionTime": "2026-12-01T00:00:00Z"}],
            "versions": [{"name": "v5.1", "validity": "effective", "result": "PASS"}]
        })
    }

    fn iaas() -> serde_json::Value {
        json!({"uuid": IAAS_SCOPE_UUID, "name": "SCS-compatible IaaS"})
    }

    #[test]
    fn scope_layer_by_uuid_then_name() {
        let scope = |uuid: Option<&str>, name: Option<&str>| ScopeStatus {
            uuid: uuid.map(str::to_owned),
            name: name.map(str::to_owned),
            sha256: None,
        };
        let cases = [
            (scope(Some(IAAS_SCOPE_UUID), None), Some(Layer::IaaS)),
            (
                scope(Some(KAAS_SCOPE_UUID), Some("renamed")),
                Some(Layer::KaaS),
            ),
            (scope(None, Some("SCS-compatible IaaS")), Some(Layer::IaaS)),
            (
                scope(Some("x"), Some(" scs-compatible kaas ")),
                Some(Layer::KaaS),
            ),
            (scope(Some("x"), Some("E2E scope")), None),
            (scope(None, None), None),
        ];
        for (scope, expected) in cases {
            assert_eq!(scope_layer(&scope), expected, "{scope:?}");
        }
    }

    /// (what, cloud, qualifies, layer, reason contains)
    type Case = (
        &'static str,
        Option<CloudCertification>,
        bool,
        Option<Layer>,
        &'static str,
    );

    #[test]
    fn cloud_facts_table() {
        let mut deleting = cloud(compliant_status(iaas()));
        deleting.metadata.deletion_timestamp =
            Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                "2026-12-01T00:00:00Z".parse().unwrap(),
            ));
        let mut failing = compliant_status(iaas());
        failing["conditions"][0]["status"] = json!("False");
        failing["conditions"][0]["message"] = json!("1 of 2 main testcases of v5.1 failed: tc-b");
        let mut stale = compliant_status(iaas());
        stale["observedGeneration"] = json!(1);
        let mut only_draft = compliant_status(iaas());
        only_draft["versions"] = json!([{"name": "v6", "validity": "draft", "result": "PASS"},
                                        {"name": "v5.1", "validity": "effective", "result": "FAIL"}]);
        let mut warn = compliant_status(iaas());
        warn["versions"] = json!([{"name": "v5", "validity": "warn", "result": "PASS"}]);
        let mut no_verdict = compliant_status(iaas());
        no_verdict["conditions"] = json!([]);
        let mut no_scope = compliant_status(iaas());
        no_scope.as_object_mut().unwrap().remove("scope");

        let cases: Vec<Case> = vec![
            ("missing", None, false, None, "partners/regio-a not found"),
            (
                "never evaluated",
                Some(cloud(json!(null))),
                false,
                None,
                "not been evaluated yet",
            ),
            (
                "no scope yet",
                Some(cloud(no_scope)),
                false,
                None,
                "no scope loaded yet",
            ),
            (
                "compliant IaaS",
                Some(cloud(compliant_status(iaas()))),
                true,
                Some(Layer::IaaS),
                "compliant with SCS-compatible IaaS v5.1 (effective)",
            ),
            (
                "compliant KaaS by name",
                Some(cloud(compliant_status(
                    json!({"name": "SCS-compatible KaaS"}),
                ))),
                true,
                Some(Layer::KaaS),
                "SCS-compatible KaaS v5.1",
            ),
            (
                "warn version",
                Some(cloud(warn)),
                true,
                Some(Layer::IaaS),
                "v5 (warn)",
            ),
            (
                "other scope",
                Some(cloud(compliant_status(
                    json!({"uuid": "x", "name": "E2E scope"}),
                ))),
                false,
                None,
                "tests 'E2E scope', which is neither SCS-compatible IaaS nor KaaS",
            ),
            (
                "not compliant",
                Some(cloud(failing)),
                false,
                Some(Layer::IaaS),
                "is not compliant: 1 of 2 main testcases of v5.1 failed: tc-b",
            ),
            (
                "stale status",
                Some(cloud(stale)),
                false,
                Some(Layer::IaaS),
                "not been evaluated for its current spec (generation 2)",
            ),
            (
                "passes a draft only",
                Some(cloud(only_draft)),
                false,
                Some(Layer::IaaS),
                "passes no currently valid version",
            ),
            (
                "no verdict",
                Some(cloud(no_verdict)),
                false,
                Some(Layer::IaaS),
                "no compliance verdict",
            ),
            (
                "being deleted",
                Some(deleting),
                false,
                Some(Layer::IaaS),
                "is being deleted",
            ),
        ];
        for (what, cloud, qualifies, layer, needle) in cases {
            let facts = cloud_certification_facts("partners", "regio-a", cloud.as_ref());
            assert_eq!(facts.qualifies, qualifies, "{what}: {facts:?}");
            assert_eq!(facts.layer, layer, "{what}: {facts:?}");
            assert!(facts.reason.contains(needle), "{what}: {:?}", facts.reason);
        }
    }

    #[test]
    fn evidence_counts_when_attested() {
        assert!(evidence_facts(true, Layer::KaaS).qualifies);
        let pending = evidence_facts(false, Layer::KaaS);
        assert!(!pending.qualifies);
        assert_eq!(pending.layer, Some(Layer::KaaS));
        assert!(pending.reason.contains("evidence.attested"));
    }

    #[test]
    fn facts_follow_the_references_and_resolve_through_the_lookup() {
        let spec: crate::api::IntegratorCertificationSpec = serde_json::from_value(json!({
            "organization": "Example GmbH",
            "layer": "IaaS",
            "references": [
                {"name": "a", "kind": "Managed", "since": "2025-01-01",
                 "cloudCertificationRef": {"name": "regio-a", "namespace": "partners"}},
                {"name": "b", "kind": "Managed", "since": "2025-01-01",
                 "cloudCertificationRef": {"name": "regio-b"}},
                {"name": "c", "kind": "Managed", "since": "2025-01-01",
                 "evidence": {"attested": true}}
            ]
        }))
        .expect("spec literal");
        let application = IntegratorApplication::from_spec(&spec, "integrators").expect("valid");
        let known = cloud(compliant_status(iaas()));
        let asked = std::cell::RefCell::new(Vec::new());
        let facts = reference_facts(&application, |namespace, name| {
            asked.borrow_mut().push(format!("{namespace}/{name}"));
            (namespace == "partners" && name == "regio-a")
                .then(|| std::sync::Arc::new(known.clone()))
        });
        assert_eq!(
            asked.into_inner(),
            ["partners/regio-a", "integrators/regio-b"]
        );
        let qualifies: Vec<bool> = facts.iter().map(|f| f.qualifies).collect();
        assert_eq!(qualifies, [true, false, true]);
        assert!(facts[1].reason.contains("integrators/regio-b not found"));
    }
}
