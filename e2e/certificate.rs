//! Certificate lifecycle (issue 6) end to end: grants, refusals, degradation with webhook
//! notifications and recovery, expiring and expired grants, revocation, manual checks, and no
//! duplicate notifications across an operator restart. Reuses the operator tests' `World`.

use super::*;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use k8s_openapi::api::core::v1::Secret;
use std::sync::{Arc, Mutex};

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "certificate::grant_on_a_passing_version_is_issued",
            grant_on_a_passing_version,
        ),
        trial(
            "certificate::grant_on_a_failing_version_is_refused",
            grant_on_a_failing_version,
        ),
        trial(
            "certificate::degraded_and_recovered_are_notified_once",
            degraded_and_recovered,
        ),
        trial(
            "certificate::grants_340_and_366_days_old_are_expiring_and_expired",
            expiring_and_expired,
        ),
        trial("certificate::revocation_is_final", revocation_is_final),
        trial(
            "certificate::manual_checks_count_and_overdue_ones_are_reported",
            manual_checks,
        ),
    ]
}

fn condition(cloud: &CloudCertification, type_: &str) -> Option<(String, String, String)> {
    let status = cloud.status.as_ref()?;
    let c = conditions::find(&status.conditions, type_)?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

fn certified(cloud: &CloudCertification) -> Option<(String, String, String)> {
    condition(cloud, "Certified")
}

fn ago(days: i64) -> jiff::Timestamp {
    jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * days)
}

fn grant(at: jiff::Timestamp) -> serde_json::Value {
    json!({"certificate": {"version": "v1", "grant": {
        "grantedAt": at.round(jiff::Unit::Second).expect("round").to_string(),
        "grantedBy": "SCS certification body",
        "reference": "https://example.org/decisions/42"
    }}})
}

/// Adds a ConfigMap `name` with the test scope, where `edit` rewrites its text.
async fn scope_variant(world: &World, name: &str, edit: impl Fn(&str) -> String) {
    let config_map: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": name},
        "data": {"scope.yaml": edit(SCOPE)}
    }))
    .expect("scope ConfigMap");
    Api::<ConfigMap>::namespaced(env().client.clone(), &world.ns.name)
        .create(&PostParams::default(), &config_map)
        .await
        .expect("create scope variant");
}

async fn event_reasons(world: &World, name: &str) -> Vec<String> {
    Api::<k8s_openapi::api::events::v1::Event>::namespaced(env().client.clone(), &world.ns.name)
        .list(&ListParams::default())
        .await
        .expect("list events")
        .items
        .into_iter()
        .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name))
        .filter_map(|e| e.reason)
        .collect()
}

fn grant_on_a_passing_version() {
    block_on(async {
        let world = World::new("cert-grant").await;
        let granted_at = ago(1);
        world
            .create_cloud("granted", grant(granted_at), Some("first"))
            .await;
        let cloud = world
            .wait_for("granted", 90, "Certified=True", |c| {
                certified(c).is_some_and(|(s, _, _)| s == "True")
            })
            .await;
        let (_, reason, message) = certified(&cloud).expect("Certified");
        assert_eq!(reason, "Certified");
        assert!(message.contains("v1"), "{message}");
        let status = cloud.status.clone().expect("status");
        let current = status.certificate.clone().expect("status.certificate");
        assert_eq!(current.state.as_deref(), Some("Valid"));
        assert!(
            current
                .serial
                .as_deref()
                .is_some_and(|s| s.starts_with("SCS-"))
        );
        let not_before = granted_at.round(jiff::Unit::Second).expect("round");
        assert_eq!(current.not_before, Some(not_before));
        let one_year = not_before
            .to_zoned(jiff::tz::TimeZone::UTC)
            .checked_add(jiff::Span::new().years(1))
            .expect("a year later")
            .timestamp();
        assert_eq!(current.not_after, Some(one_year));
        assert_eq!(
            current.granted_by.as_deref(),
            Some("SCS certification body")
        );
        assert_eq!(status.certificates.len(), 1);
        let (_, ready_reason, _) = ready(&cloud).expect("Ready");
        assert_eq!(ready_reason, "CertifiedAndCompliant");
        // `kubectl get -o wide` shows state and expiry at a glance.
        let table = kubectl_ok(&["get", "ccert", "-o", "wide", "-n", &world.ns.name]);
        let header = table.lines().next().unwrap_or_default();
        assert!(
            header.contains("CERTIFICATE") && header.contains("EXPIRES"),
            "{table}"
        );
        assert!(
            table.contains("Valid") && table.contains(&one_year.to_string()[..10]),
            "{table}"
        );
        // The run went into the 18-month history ConfigMap.
        let history = Api::<ConfigMap>::namespaced(env().client.clone(), &world.ns.name)
            .get("granted-history")
            .await
            .expect("history ConfigMap");
        let bytes = &history.binary_data.as_ref().expect("binaryData")["history.json.gz"];
        let entries = scs_cert_operator::controller::cloud::history::decode_history(&bytes.0)
            .expect("history decodes");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].results.len(), 2, "tc-a and tc-b");
        // The Issued event went out once.
        let reasons = event_reasons(&world, "granted").await;
        assert_eq!(
            reasons.iter().filter(|r| *r == "CertificateIssued").count(),
            1,
            "{reasons:?}"
        );
        world.shutdown().await;
    });
}

fn grant_on_a_failing_version() {
    block_on(async {
        let world = World::new("cert-refuse").await;
        world.set_verdicts(&[("tc-b", "FAIL")]);
        world
            .create_cloud("refused", grant(ago(1)), Some("first"))
            .await;
        let cloud = world
            .wait_for("refused", 90, "Certified=False after a run", |c| {
                // A decision taken before the scope loaded (ScopeUnavailable) is not the one
                // this test is about: wait for the first finished run.
                c.status.as_ref().is_some_and(|s| s.last_run.is_some())
                    && certified(c).is_some_and(|(s, r, _)| s == "False" && r != "AwaitingResults")
            })
            .await;
        let (_, reason, message) = certified(&cloud).expect("Certified");
        assert_eq!(reason, "MainTargetNotPassing", "{message}");
        assert!(
            message.contains("tc-b"),
            "the refusal names what fails: {message}"
        );
        let status = cloud.status.clone().expect("status");
        assert!(status.certificates.is_empty(), "nothing issued");
        assert_eq!(
            status.certificate.as_ref().and_then(|c| c.state.as_deref()),
            Some("Refused")
        );
        assert!(status.certificate_refusal.is_some());
        // Sticky: a later passing run does not back-date a certificate over the failure.
        world.set_verdicts(&[]);
        world.run_now("refused", "second").await;
        let cloud = world
            .wait_for("refused", 90, "Compliant after the second run", |c| {
                condition(c, "Compliant").is_some_and(|(s, _, _)| s == "True")
            })
            .await;
        assert_eq!(
            certified(&cloud).map(|c| c.1),
            Some("MainTargetNotPassing".to_owned())
        );
        world.shutdown().await;
    });
}

/// What the local webhook receiver saw: (headers, body, answered status).
pub(super) type Deliveries = Arc<Mutex<Vec<(HeaderMap, Bytes, u16)>>>;

/// A webhook receiver on loopback that answers 503 to the first `fail_first` requests (also
/// used by integrator.rs).
pub(super) async fn receiver(fail_first: usize) -> (String, Deliveries) {
    let seen: Deliveries = Arc::default();
    let state = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let state = state.clone();
            async move {
                let mut seen = state.lock().expect("lock");
                let status = if seen.len() < fail_first {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::OK
                };
                seen.push((headers, body, status.as_u16()));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let url = format!(
        "http://{}/hook?token=s3cr3t-url-token",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

/// Transition kinds delivered successfully (2xx), in order.
pub(super) fn delivered(seen: &Deliveries) -> Vec<String> {
    seen.lock()
        .expect("lock")
        .iter()
        .filter(|(_, _, status)| *status == 200)
        .map(|(headers, _, _)| {
            headers
                .get("x-scs-event")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

pub(super) async fn wait_delivered(seen: &Deliveries, kind: &str, secs: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !delivered(seen).iter().any(|k| k == kind) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {kind} delivered within {secs} s; delivered: {:?}",
            delivered(seen)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn degraded_and_recovered() {
    block_on(async {
        let mut world = World::new("cert-notify").await;
        // The first delivery fails: the notifier retries with backoff.
        let (url, seen) = receiver(1).await;
        let hmac_key = "hmac-key-for-e2e";
        let secret: Secret = serde_json::from_value(json!({
            "metadata": {"name": "hook"},
            "stringData": {"url": url, "key": hmac_key}
        }))
        .expect("secret");
        Api::<Secret>::namespaced(env().client.clone(), &world.ns.name)
            .create(&PostParams::default(), &secret)
            .await
            .expect("create webhook Secret");
        let mut spec = grant(ago(1));
        merge(
            &mut spec,
            json!({"notifications": {"webhooks": [{
                "name": "ops",
                "urlSecretRef": {"name": "hook", "key": "url"},
                "hmacSecretRef": {"name": "hook", "key": "key"}
            }]}}),
        );
        world.create_cloud("watched", spec, Some("first")).await;
        world
            .wait_for("watched", 90, "Certified=True", |c| {
                certified(c).is_some_and(|(s, _, _)| s == "True")
            })
            .await;
        wait_delivered(&seen, "Issued", 60).await;

        // A failing run after issuance: still certified, Ready False, Degraded notified.
        world.set_verdicts(&[("tc-b", "FAIL")]);
        world.run_now("watched", "second").await;
        let cloud = world
            .wait_for("watched", 90, "Ready=CertifiedButNotCompliant", |c| {
                ready(c).is_some_and(|(_, r, _)| r == "CertifiedButNotCompliant")
            })
            .await;
        assert_eq!(certified(&cloud).map(|c| c.0), Some("True".to_owned()));
        wait_delivered(&seen, "Degraded", 60).await;

        // Recovery is announced the same way.
        world.set_verdicts(&[]);
        world.run_now("watched", "third").await;
        world
            .wait_for("watched", 90, "Ready=CertifiedAndCompliant", |c| {
                ready(c).is_some_and(|(_, r, _)| r == "CertifiedAndCompliant")
            })
            .await;
        wait_delivered(&seen, "Recovered", 60).await;
        assert_eq!(delivered(&seen), ["Issued", "Degraded", "Recovered"]);
        {
            let seen = seen.lock().expect("lock");
            assert_eq!(seen[0].2, 503, "the first attempt failed and was retried");
            for (headers, body, _) in seen.iter() {
                let expected = format!(
                    "sha256={}",
                    scs_cert_operator::controller::notify::signature(hmac_key.as_bytes(), body)
                );
                assert_eq!(
                    headers
                        .get("x-scs-signature-256")
                        .and_then(|v| v.to_str().ok()),
                    Some(expected.as_str()),
                    "HMAC signature"
                );
                let text = String::from_utf8_lossy(body);
                assert!(
                    !text.contains("s3cr3t") && !text.contains(hmac_key),
                    "no credentials in the body: {text}"
                );
                let json: serde_json::Value = serde_json::from_slice(body).expect("JSON body");
                assert_eq!(json["resource"]["name"], "watched");
                assert_eq!(
                    headers.get("x-scs-delivery").and_then(|v| v.to_str().ok()),
                    json["id"].as_str()
                );
            }
        }
        let reasons = event_reasons(&world, "watched").await;
        for reason in [
            "CertificateIssued",
            "CertificateDegraded",
            "CertificateRecovered",
        ] {
            assert!(
                reasons.iter().any(|r| r == reason),
                "{reason} in {reasons:?}"
            );
        }
        assert!(
            reasons.iter().any(|r| r == "NotificationFailed"),
            "{reasons:?}"
        );
        let status_text =
            serde_json::to_string(&world.clouds().get("watched").await.expect("get").status)
                .expect("status json");
        assert!(!status_text.contains("s3cr3t"), "no URL in status");

        // A restart re-derives the same transitions and sends nothing again.
        let before = seen.lock().expect("lock").len();
        world.stop_operator().await;
        world.start_operator().await;
        world.run_now("watched", "fourth").await;
        world
            .wait_for("watched", 90, "fourth run recorded", |c| {
                c.status
                    .as_ref()
                    .and_then(|s| s.last_manual_trigger.as_deref())
                    == Some("fourth")
                    && c.status.as_ref().is_some_and(|s| s.active_run.is_none())
            })
            .await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(seen.lock().expect("lock").len(), before, "nothing resent");
        let reasons = event_reasons(&world, "watched").await;
        assert_eq!(
            reasons
                .iter()
                .filter(|r| *r == "CertificateDegraded")
                .count(),
            1,
            "{reasons:?}"
        );
        world.shutdown().await;
    });
}

fn expiring_and_expired() {
    block_on(async {
        let world = World::new("cert-age").await;
        // The scope's v1 must have been effective when the grants were made.
        scope_variant(&world, "old-scope", |s| {
            s.replace("2026-01-01", "2025-01-01")
        })
        .await;
        let old_scope = json!({"scope": {"configMap": {"name": "old-scope", "key": "scope.yaml"}}});
        for (name, days) in [("expiring", 340), ("expired", 366)] {
            let mut spec = grant(ago(days));
            merge(&mut spec, old_scope.clone());
            world.create_cloud(name, spec, Some("first")).await;
        }
        let expiring = world
            .wait_for("expiring", 90, "Certified=True", |c| {
                certified(c).is_some_and(|(s, _, _)| s == "True")
            })
            .await;
        let (_, reason, message) = certified(&expiring).expect("Certified");
        assert_eq!(reason, "CertificateExpiring", "{message}");
        let current = expiring
            .status
            .clone()
            .and_then(|s| s.certificate)
            .expect("certificate");
        assert_eq!(current.state.as_deref(), Some("Expiring"));
        assert!(
            current
                .renewal_time
                .is_some_and(|t| t <= jiff::Timestamp::now())
        );

        let expired = world
            .wait_for("expired", 90, "Certified=Expired", |c| {
                certified(c).is_some_and(|(_, r, _)| r == "Expired")
            })
            .await;
        assert_eq!(certified(&expired).map(|c| c.0), Some("False".to_owned()));
        let current = expired
            .status
            .clone()
            .and_then(|s| s.certificate)
            .expect("certificate");
        assert_eq!(current.state.as_deref(), Some("Expired"));
        // Compliance is separate from the certificate: the cloud still passes.
        assert_eq!(
            condition(&expired, "Compliant").map(|c| c.0),
            Some("True".to_owned())
        );
        world.shutdown().await;
    });
}

fn revocation_is_final() {
    block_on(async {
        let world = World::new("cert-revoke").await;
        let granted = grant(ago(2));
        world
            .create_cloud("revoked", granted.clone(), Some("first"))
            .await;
        let cloud = world
            .wait_for("revoked", 90, "Certified=True", |c| {
                certified(c).is_some_and(|(s, _, _)| s == "True")
            })
            .await;
        let serial = cloud
            .status
            .and_then(|s| s.certificate)
            .and_then(|c| c.serial);
        let revoked_at = jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .expect("round")
            - jiff::SignedDuration::from_secs(5);
        let patch = json!({"spec": {"certificate": {"revocation": {
            "revokedAt": revoked_at.to_string(),
            "revokedBy": "SCS certification body",
            "reason": "operator no longer meets SCS-0117"
        }}}});
        world
            .clouds()
            .patch("revoked", &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .expect("revoke");
        let cloud = world
            .wait_for("revoked", 60, "Certified=Revoked", |c| {
                certified(c).is_some_and(|(_, r, _)| r == "Revoked")
            })
            .await;
        let current = cloud
            .status
            .clone()
            .and_then(|s| s.certificate)
            .expect("certificate");
        assert_eq!(current.state.as_deref(), Some("Revoked"));
        assert_eq!(current.serial, serial);
        assert_eq!(current.revoked_at, Some(revoked_at));
        assert_eq!(
            current.revocation_reason.as_deref(),
            Some("operator no longer meets SCS-0117")
        );
        // Removing the revocation does not revive the certificate.
        let undo = json!({"spec": {"certificate": {"revocation": null}}});
        world
            .clouds()
            .patch("revoked", &PatchParams::default(), &Patch::Merge(&undo))
            .await
            .expect("remove revocation");
        let cloud = world
            .wait_for("revoked", 60, "the edit observed", |c| {
                c.status.as_ref().and_then(|s| s.observed_generation) == c.metadata.generation
            })
            .await;
        assert_eq!(certified(&cloud).map(|c| c.1), Some("Revoked".to_owned()));
        world.shutdown().await;
    });
}

fn manual_checks() {
    block_on(async {
        let world = World::new("cert-manual").await;
        // A scope whose main target includes the manual testcase.
        scope_variant(&world, "manual-scope", |s| {
            s.replace("main: [tc-a, tc-b]", "main: [tc-a, tc-b, manual-x]")
        })
        .await;
        let scope = json!({"scope": {"configMap": {"name": "manual-scope", "key": "scope.yaml"}}});
        let record = |days: i64| {
            json!({"testcase": "manual-x", "result": "PASS",
                   "checkedAt": ago(days).round(jiff::Unit::Second).expect("round").to_string(),
                   "checkedBy": "auditor@example.org", "evidence": "https://example.org/audit/7"})
        };
        // Fresh record: counts like an automated result, so the grant is issued.
        let mut fresh = grant(ago(1));
        merge(&mut fresh, scope.clone());
        merge(&mut fresh, json!({"manualChecks": [record(10)]}));
        world.create_cloud("fresh", fresh, Some("first")).await;
        // Overdue record (lifetime quarter: 200 days ago is past the end of the next quarter) and an
        // invalid one.
        let mut overdue = scope.clone();
        merge(
            &mut overdue,
            json!({"certificate": {"version": "v1"}, "manualChecks": [record(200),
                {"testcase": "tc-a", "result": "PASS", "checkedAt": "2026-11-01T00:00:00Z",
                 "checkedBy": "auditor@example.org"}]}),
        );
        world.create_cloud("overdue", overdue, Some("first")).await;

        let cloud = world
            .wait_for("fresh", 90, "Certified=True", |c| {
                certified(c).is_some_and(|(s, _, _)| s == "True")
            })
            .await;
        let results = cloud.status.clone().expect("status").results;
        assert!(
            results
                .iter()
                .any(|r| r.testcase == "manual-x" && r.result == "PASS"),
            "{results:?}"
        );
        assert_eq!(
            condition(&cloud, "ManualChecksDue").map(|c| c.0),
            Some("False".to_owned())
        );

        let cloud = world
            .wait_for("overdue", 90, "a run finished", |c| {
                c.status.as_ref().is_some_and(|s| s.last_run.is_some())
            })
            .await;
        let (status, reason, message) = condition(&cloud, "ManualChecksDue").expect("condition");
        assert_eq!(
            (status.as_str(), reason.as_str()),
            ("True", "InvalidManualChecks"),
            "{message}"
        );
        assert!(
            message.contains("manualChecks[1]") && message.contains("tc-a"),
            "{message}"
        );
        // Without the invalid record the overdue one is reported as due.
        let patch = json!({"spec": {"manualChecks": [record(200)]}});
        world
            .clouds()
            .patch("overdue", &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .expect("patch manual checks");
        let cloud = world
            .wait_for("overdue", 60, "ManualChecksDue", |c| {
                condition(c, "ManualChecksDue").is_some_and(|(_, r, _)| r == "ManualChecksDue")
            })
            .await;
        let (_, _, message) = condition(&cloud, "ManualChecksDue").expect("condition");
        assert!(message.contains("manual-x (due since"), "{message}");
        assert_eq!(
            condition(&cloud, "Compliant").map(|c| c.1),
            Some("ResultsMissing".to_owned()),
            "an expired manual check no longer counts"
        );
        world.shutdown().await;
    });
}
