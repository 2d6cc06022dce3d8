//! Synthetic resources for the scale benchmark (`examples/bench_listing.rs`) and the
//! 5,000-subject e2e test: realistic sizes, every certificate state, no I/O.

use crate::api::{CloudCertification, IntegratorCertification};
use serde_json::json;

/// Scope uuid of the synthetic subjects.
pub const UUID: &str = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";

/// Synthetic subject `i`: IaaS-like (55 testcases, 3 versions, 10 runs), every sixth
/// certificate state in turn, every seventh failing, 250 providers/groups.
pub fn cloud(i: usize) -> CloudCertification {
    let state = [
        "Valid", "Valid", "Expiring", "Expired", "Revoked", "Pending",
    ][i % 6];
    let failing = i.is_multiple_of(7);
    let results: Vec<_> = (0..55)
        .map(|t| {
            let result = if failing && t == 3 { "FAIL" } else { "PASS" };
            json!({"testcase": format!("scs-0{:03}-v1-some-testcase-name-{t}", 100 + t),
                   "result": result, "checkedAt": "2026-08-31T03:00:00Z",
                   "expiresAt": "2026-09-14T00:00:00Z",
                   "report": format!("{i:08x}-aaaa-4bbb-8ccc-{t:012x}")})
        })
        .collect();
    let runs: Vec<_> = (0..10)
        .map(|r| {
            json!({"id": format!("s{r}-{i}"), "trigger": "Scheduled",
                   "finishedAt": format!("2026-08-{:02}T03:01:00Z", 30 - r),
                   "outcome": if r == 4 { "NoReport" } else { "ReportReceived" }})
        })
        .collect();
    let certificate = json!({
        "serial": format!("SCS-{:04X}-{:04X}-0000-0000", i / 65536, i % 65536),
        "version": "v5.1", "state": state, "selfAssessed": i.is_multiple_of(5),
        "grantedBy": "Forum SCS-Standards", "notBefore": "2025-10-01T00:00:00Z",
        "notAfter": "2026-10-01T00:00:00Z", "renewalTime": "2026-09-01T00:00:00Z",
        "revokedAt": if state == "Revoked" { json!("2026-05-01T00:00:00Z") } else { json!(null) },
        "revocationReason": if state == "Revoked" { json!("audit failed") } else { json!(null) },
    });
    serde_json::from_value(json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "CloudCertification",
        "metadata": {"name": format!("cloud-{i}"), "namespace": "bench",
                     "uid": format!("uid-{i}"), "resourceVersion": "1"},
        "spec": {
            "subject": format!("provider{}-region-{i}", i % 250),
            "displayName": format!("Provider {} Region {i}", i % 250),
            "provider": format!("Provider {} GmbH", i % 250),
            "description": "A public OpenStack region with three availability zones.",
            "group": format!("provider{}", i % 250),
            "healthMonitorUrl": format!("https://health.provider{}.example/region-{i}", i % 250),
            "scope": {"url": "https://example.org/scs-compatible-iaas.yaml"}
        },
        "status": {
            "scope": {"uuid": UUID, "name": "SCS-compatible IaaS"},
            "summary": if failing { "🛑 –" } else { "✅ v5.1" },
            "bestPassedVersion": "v5.1",
            "versions": [
                {"name": "next", "validity": "draft", "result": "PASS"},
                {"name": "v5.1", "validity": "effective",
                 "result": if failing { "FAIL" } else { "PASS" },
                 "notPassing": if failing { json!(["scs-0103-v1-some-testcase-name-3"]) } else { json!([]) }},
                {"name": "v4", "validity": "deprecated", "result": "PASS"}
            ],
            "results": results,
            "evaluatedAt": "2026-08-31T03:01:00Z",
            "lastRun": runs[0].clone(),
            "recentRuns": runs,
            "certificate": certificate.clone(),
            "certificates": [certificate],
        }
    }))
    .unwrap_or_else(|e| panic!("synthetic cloud literal: {e}"))
}

/// Synthetic certified integrator `i` (Silver, IaaS or KaaS).
pub fn integrator(i: usize) -> IntegratorCertification {
    serde_json::from_value(json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "IntegratorCertification",
        "metadata": {"name": format!("i-{i}"), "namespace": "bench"},
        "spec": {"organization": format!("Integrator {i} AG"), "layer": if i.is_multiple_of(2) { "IaaS" } else { "KaaS" }},
        "status": {"score": 4, "tier": "Silver",
                   "certificate": {"tier": "Silver", "notBefore": "2026-01-01T00:00:00Z",
                                   "notAfter": "2027-01-01T00:00:00Z"}}
    }))
    .unwrap_or_else(|e| panic!("synthetic integrator literal: {e}"))
}
