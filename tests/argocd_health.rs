//! The Argo CD health checks (`config/argocd/*.lua`) run in Lua 5.1 (Argo CD uses gopher-lua,
//! a Lua 5.1 implementation) against sample objects. The objects go through the CRD types
//! first, so the scripts see the field names the operator really writes; and the
//! `argocd-cm` patch users apply must embed exactly these scripts.

use mlua::serde::SerializeOptions;
use mlua::{Lua, LuaSerdeExt, Table};
use scs_cert_operator::api::{CloudCertification, IntegratorCertification};
use serde_json::{Value, json};
use std::path::PathBuf;

fn argocd_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config/argocd")
}

fn script(name: &str) -> String {
    std::fs::read_to_string(argocd_dir().join(name))
        .unwrap_or_else(|e| panic!("config/argocd/{name}: {e}"))
}

/// Runs a health script with `obj` bound like Argo CD does; returns (status, message).
fn health(script: &str, object: &Value) -> (String, String) {
    let lua = Lua::new();
    // JSON null becomes nil, as for Argo CD's unstructured objects (absent fields).
    let options = SerializeOptions::new()
        .serialize_none_to_null(false)
        .serialize_unit_to_null(false);
    let obj = lua.to_value_with(object, options).expect("object to Lua");
    lua.globals().set("obj", obj).expect("set obj");
    let hs: Table = lua.load(script).eval().expect("health script runs");
    let status: String = hs.get("status").expect("hs.status");
    let message: String = hs.get("message").unwrap_or_default();
    assert!(
        [
            "Healthy",
            "Progressing",
            "Degraded",
            "Suspended",
            "Missing",
            "Unknown"
        ]
        .contains(&status.as_str()),
        "not an Argo CD health status: {status}"
    );
    (status, message)
}

fn condition(type_: &str, status: &str, reason: &str, message: &str, generation: i64) -> Value {
    json!({
        "type": type_, "status": status, "reason": reason, "message": message,
        "observedGeneration": generation, "lastTransitionTime": "2026-12-01T00:00:00Z"
    })
}

/// A CloudCertification as the API server returns it, through the CRD types.
fn cloud(generation: i64, suspend: bool, conditions: Option<Vec<Value>>) -> Value {
    let mut object = json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "CloudCertification",
        "metadata": {"name": "regio-a", "namespace": "clouds", "generation": generation},
        "spec": {
            "subject": "regio-a",
            "scope": {"configMap": {"name": "scs-compatible-iaas", "key": "scope.yaml"}},
            "schedule": {"cron": "0 3 * * *"},
            "suspend": suspend
        }
    });
    if let Some(conditions) = conditions {
        object["status"] = json!({ "conditions": conditions });
    }
    let typed: CloudCertification =
        serde_json::from_value(object).expect("a valid CloudCertification");
    serde_json::to_value(typed).expect("serialise")
}

fn integrator(generation: i64, conditions: Option<Vec<Value>>) -> Value {
    let mut object = json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "IntegratorCertification",
        "metadata": {"name": "example", "namespace": "integrators", "generation": generation},
        "spec": {
            "organization": "Example Integrations GmbH",
            "layer": "IaaS",
            "references": []
        }
    });
    if let Some(conditions) = conditions {
        object["status"] = json!({ "conditions": conditions });
    }
    let typed: IntegratorCertification =
        serde_json::from_value(object).expect("a valid IntegratorCertification");
    serde_json::to_value(typed).expect("serialise")
}

#[test]
fn cloud_certification_health() {
    let lua = script("cloudcertification-health.lua");
    let cases = [
        (
            "new resource, no status yet",
            cloud(1, false, None),
            "Progressing",
            "Waiting for the operator",
        ),
        (
            "compliant",
            cloud(
                2,
                false,
                Some(vec![
                    condition(
                        "Ready",
                        "True",
                        "Compliant",
                        "✅ v5.1: all 12 main testcases pass",
                        2,
                    ),
                    condition("Checking", "False", "Idle", "next run at 03:00", 2),
                ]),
            ),
            "Healthy",
            "✅ v5.1: all 12 main testcases pass",
        ),
        (
            "spec changed, not yet observed",
            cloud(
                3,
                false,
                Some(vec![condition("Ready", "True", "Compliant", "ok", 2)]),
            ),
            "Progressing",
            "generation 3",
        ),
        (
            "failing testcases",
            cloud(
                1,
                false,
                Some(vec![condition(
                    "Ready",
                    "False",
                    "TestsFailing",
                    "❌ scs-0101-entropy-avail fails",
                    1,
                )]),
            ),
            "Degraded",
            "scs-0101-entropy-avail",
        ),
        (
            "configuration error",
            cloud(
                1,
                false,
                Some(vec![condition(
                    "Ready",
                    "False",
                    "InvalidScope",
                    "versions[0].include: unknown module m9",
                    1,
                )]),
            ),
            "Degraded",
            "unknown module",
        ),
        (
            "first run in progress",
            cloud(
                1,
                false,
                Some(vec![
                    condition("Ready", "False", "NoResults", "no results yet", 1),
                    condition("Checking", "True", "RunActive", "run 1 started", 1),
                ]),
            ),
            "Progressing",
            "Checking: run 1 started",
        ),
        (
            "unknown verdict",
            cloud(
                1,
                false,
                Some(vec![condition("Ready", "Unknown", "Evaluating", "", 1)]),
            ),
            "Progressing",
            "Evaluating",
        ),
        (
            "suspended",
            cloud(
                1,
                true,
                Some(vec![condition("Ready", "True", "Compliant", "✅ v5.1", 1)]),
            ),
            "Suspended",
            "✅ v5.1",
        ),
    ];
    for (name, object, expected, fragment) in cases {
        let (status, message) = health(&lua, &object);
        assert_eq!(status, expected, "{name}: {message}");
        assert!(
            message.contains(fragment),
            "{name}: message {message:?} lacks {fragment:?}"
        );
    }
}

#[test]
fn integrator_certification_health() {
    let lua = script("integratorcertification-health.lua");
    let cases = [
        (
            "not scored yet",
            integrator(1, None),
            "Progressing",
            "Waiting",
        ),
        (
            "certified Silver",
            integrator(
                1,
                Some(vec![
                    condition("Ready", "True", "Certified", "Silver until 2027-09-01", 1),
                    condition("ContinuationAtRisk", "False", "ScoreHolds", "", 1),
                ]),
            ),
            "Healthy",
            "Silver",
        ),
        (
            "continuation at risk",
            integrator(
                1,
                Some(vec![
                    condition("Ready", "True", "Certified", "Silver", 1),
                    condition(
                        "ContinuationAtRisk",
                        "True",
                        "ScoreBelowTier",
                        "score 2 < 4 for Silver",
                        1,
                    ),
                ]),
            ),
            "Degraded",
            "score 2 < 4",
        ),
        (
            "not eligible",
            integrator(
                1,
                Some(vec![condition(
                    "Ready",
                    "False",
                    "NotEligible",
                    "2 more points for Bronze",
                    1,
                )]),
            ),
            "Degraded",
            "2 more points",
        ),
        (
            "stale",
            integrator(
                4,
                Some(vec![condition("Ready", "True", "Certified", "Bronze", 3)]),
            ),
            "Progressing",
            "generation 4",
        ),
    ];
    for (name, object, expected, fragment) in cases {
        let (status, message) = health(&lua, &object);
        assert_eq!(status, expected, "{name}: {message}");
        assert!(
            message.contains(fragment),
            "{name}: message {message:?} lacks {fragment:?}"
        );
    }
}

#[test]
fn argocd_cm_patch_embeds_the_scripts() {
    let patch: Value = serde_norway::from_str(
        &std::fs::read_to_string(argocd_dir().join("argocd-cm-patch.yaml"))
            .expect("argocd-cm-patch.yaml"),
    )
    .expect("patch parses");
    for (kind, file) in [
        ("CloudCertification", "cloudcertification-health.lua"),
        (
            "IntegratorCertification",
            "integratorcertification-health.lua",
        ),
    ] {
        let key = format!("resource.customizations.health.certification.scs.community_{kind}");
        assert_eq!(
            patch["data"][&key].as_str(),
            Some(script(file).as_str()),
            "argocd-cm-patch.yaml: {key} differs from config/argocd/{file}"
        );
    }
}
