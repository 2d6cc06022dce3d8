//! The IntegratorCertification controller end to end: the operator and the local Job
//! executor run in this process against the real API server (the `World` of operator.rs).
//! References point at real CloudCertifications whose status comes from real check runs of
//! an *SCS-compatible IaaS* (or KaaS) test scope, so compliance is never faked.
//!
//! Shown: Silver and Bronze from CloudCertification references (with the per-reference
//! explanation and the scoring policy), a reference turning non-compliant lowering the score
//! and raising `ContinuationAtRisk` with one event (woken by the cloud's watch, not a
//! timer), the same transition delivered once to a signed webhook and not again after an
//! operator restart, a v1 exception vote that passes and ones that fail on quorum, and clear
//! rejection messages for invalid input (CRD schema and CEL through kubectl, the vote
//! arithmetic through the status).

use super::World;
use super::certificate::{delivered, receiver, wait_delivered};
use crate::harness::{TestNamespace, block_on, env, kubectl, kubectl_ok};
use crate::trial;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::api::events::v1::Event;
use kube::ResourceExt;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use libtest_mimic::Trial;
use scs_cert_operator::api::conditions;
use scs_cert_operator::api::{CloudCertification, IntegratorCertification};
use serde_json::{Value, json};
use std::time::Duration;

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "integrator::silver_and_bronze_from_cloud_references",
            silver_and_bronze,
        ),
        trial(
            "integrator::failing_reference_raises_continuation_at_risk",
            continuation_at_risk,
        ),
        trial(
            "integrator::continuation_at_risk_is_notified_once_across_restarts",
            notified_once,
        ),
        trial("integrator::v1_vote_passes_or_fails_on_quorum", v1_votes),
        trial(
            "integrator::invalid_input_is_rejected_with_clear_messages",
            invalid_input,
        ),
    ]
}

const IAAS_UUID: &str = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";
const KAAS_UUID: &str = "1fffebe6-fd4b-44d3-a36c-fc58b4bb0180";

/// A test scope named like the official one of `layer`, with two yearly testcases whose
/// verdicts `icheck.sh` takes per cloud.
fn scope(layer: &str, uuid: &str) -> String {
    let id = layer.to_lowercase();
    format!(
        r#"
uuid: {uuid}
name: SCS-compatible {layer}
url: https://example.org/e2e-{id}.yaml
variables:
- os_cloud
scripts:
- executable: ./icheck.sh
  args: "{{os_cloud}} {{testcases}}"
  testcases:
  - id: {id}-a
    lifetime: year
  - id: {id}-b
    lifetime: year
modules:
- id: m1
  targets:
    main: [{id}-a, {id}-b]
versions:
- version: v5.1
  include: [m1]
  stabilized_at: 2024-01-01
timeline:
- date: 2024-01-01
  versions:
    v5.1: effective
"#
    )
}

/// Sets up the IaaS and KaaS scope ConfigMaps and the per-cloud check script in `world`.
async fn prepare(world: &World) {
    let script = format!(
        r#"#!/bin/sh
# args: os_cloud testcases...; verdicts from verdicts-<os_cloud> (lines `id VERDICT`)
cloud="$1"
shift
for id in "$@"; do
  verdict=$(awk -v id="$id" '$1 == id {{ print $2 }}' "{dir}/verdicts-$cloud" 2>/dev/null)
  echo "$id: ${{verdict:-PASS}}"
done
"#,
        dir = world.scripts.display()
    );
    let path = world.scripts.join("icheck.sh");
    std::fs::write(&path, script).expect("write icheck.sh");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let config_maps = Api::<ConfigMap>::namespaced(env().client.clone(), &world.ns.name);
    for (name, layer, uuid) in [
        ("iaas-scope", "IaaS", IAAS_UUID),
        ("kaas-scope", "KaaS", KAAS_UUID),
    ] {
        let config_map: ConfigMap = serde_json::from_value(json!({
            "metadata": {"name": name},
            "data": {"scope.yaml": scope(layer, uuid)}
        }))
        .expect("scope ConfigMap");
        config_maps
            .create(&PostParams::default(), &config_map)
            .await
            .expect("create scope ConfigMap");
    }
}

/// Creates a CloudCertification of the IaaS or KaaS test scope and runs its checks now.
async fn create_scoped_cloud(world: &World, name: &str, scope_config_map: &str) {
    world
        .create_cloud(
            name,
            json!({"scope": {"configMap": {"name": scope_config_map, "key": "scope.yaml"}}}),
            Some("first"),
        )
        .await;
}

/// Makes testcase `id` of cloud `name` fail (or pass again with `None`) from the next run.
fn set_failing(world: &World, name: &str, id: Option<&str>) {
    let path = world.scripts.join(format!("verdicts-{name}"));
    match id {
        Some(id) => std::fs::write(path, format!("{id} FAIL\n")).expect("write verdicts"),
        None => {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn compliant(cloud: &CloudCertification) -> Option<bool> {
    let status = cloud.status.as_ref()?;
    let c = conditions::find(&status.conditions, conditions::COMPLIANT)?;
    (status.observed_generation == cloud.metadata.generation).then_some(c.status == "True")
}

/// Today (UTC) minus `months` calendar months.
fn months_ago(months: i64) -> String {
    let today = Timestamp::now().to_zoned(TimeZone::UTC).date();
    today
        .checked_sub(Span::new().months(months))
        .expect("date in range")
        .to_string()
}

fn integrators(world: &World) -> Api<IntegratorCertification> {
    Api::namespaced(env().client.clone(), &world.ns.name)
}

async fn create_integrator(world: &World, name: &str, spec: Value) {
    let object: IntegratorCertification = serde_json::from_value(json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "IntegratorCertification",
        "metadata": {"name": name},
        "spec": spec
    }))
    .expect("integrator literal");
    integrators(world)
        .create(&PostParams::default(), &object)
        .await
        .unwrap_or_else(|e| panic!("create IntegratorCertification {name}: {e}"));
}

/// (status, reason, message) of condition `type_`.
fn condition(
    integrator: &IntegratorCertification,
    type_: &str,
) -> Option<(String, String, String)> {
    let status = integrator.status.as_ref()?;
    let c = conditions::find(&status.conditions, type_)?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

fn condition_is(integrator: &IntegratorCertification, type_: &str, status: &str) -> bool {
    condition(integrator, type_).is_some_and(|c| c.0 == status)
}

/// Waits until `check` accepts the integrator; panics with its status after `secs`.
async fn wait_integrator(
    world: &World,
    name: &str,
    secs: u64,
    what: &str,
    check: impl Fn(&IntegratorCertification) -> bool,
) -> IntegratorCertification {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let integrator = integrators(world).get(name).await.expect("get integrator");
        if check(&integrator) {
            return integrator;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {secs} s waiting for {name}: {what}; status: {}",
            serde_json::to_string_pretty(&integrator.status).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The operator's events about integrator `name`: (reason, type, note, series count).
async fn events_of(world: &World, name: &str) -> Vec<(String, String, String, i32)> {
    Api::<Event>::namespaced(env().client.clone(), &world.ns.name)
        .list(&ListParams::default())
        .await
        .expect("list events")
        .items
        .into_iter()
        .filter(|e| {
            e.regarding.as_ref().is_some_and(|r| {
                r.kind.as_deref() == Some("IntegratorCertification")
                    && r.name.as_deref() == Some(name)
            })
        })
        .map(|e| {
            (
                e.reason.unwrap_or_default(),
                e.type_.unwrap_or_default(),
                e.note.unwrap_or_default(),
                e.series.map_or(1, |s| s.count),
            )
        })
        .collect()
}

/// Waits until an event with `reason` about `name` exists; returns all of them.
async fn wait_event(world: &World, name: &str, reason: &str) -> Vec<(String, String, String, i32)> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let events = events_of(world, name).await;
        if events.iter().any(|e| e.0 == reason) {
            return events;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {reason} event about {name}: {events:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The number of `reason` events about `name`, a repeated event counted per occurrence.
fn occurrences(events: &[(String, String, String, i32)], reason: &str) -> i32 {
    events.iter().filter(|e| e.0 == reason).map(|e| e.3).sum()
}

fn silver_and_bronze() {
    block_on(async {
        let world = World::new("icert-tiers").await;
        prepare(&world).await;
        let ns = world.ns.name.clone();
        let attested_at = Timestamp::now() - Span::new().hours(24);

        // The integrators exist before their clouds: they are re-scored when the clouds
        // appear and turn compliant (watch), with nothing polling.
        create_integrator(
            &world,
            "silver",
            json!({
                "organization": "Silver Integrations GmbH",
                "layer": "IaaS",
                "tierRequested": "Silver",
                "references": [
                    {"name": "go-live-a", "kind": "BroughtIntoProduction", "since": months_ago(3),
                     "cloudCertificationRef": {"name": "regio-a"}},
                    {"name": "go-live-b", "kind": "BroughtIntoProduction", "since": months_ago(9),
                     "cloudCertificationRef": {"name": "regio-b", "namespace": ns}}
                ],
                "attestation": {"attestedBy": "SCS Forum", "attestedAt": attested_at.to_string(),
                                "decision": "Granted", "note": "e2e"}
            }),
        )
        .await;
        // DOMAIN 5.5 example 2, plus a KaaS cloud that does not count for IaaS (example 6).
        create_integrator(
            &world,
            "bronze",
            json!({
                "organization": "Bronze Partner AG",
                "layer": "IaaS",
                "references": [
                    {"name": "customer", "kind": "Managed", "since": months_ago(14),
                     "cloudCertificationRef": {"name": "regio-a"}},
                    {"name": "own-cloud", "kind": "PublicCloud", "since": months_ago(24),
                     "regions": 1, "availabilityZones": 2,
                     "cloudCertificationRef": {"name": "regio-b"}},
                    {"name": "own-kaas", "kind": "PublicCloud", "since": months_ago(24),
                     "cloudCertificationRef": {"name": "kaas-c"}}
                ]
            }),
        )
        .await;
        let unresolved = wait_integrator(&world, "silver", 30, "a first status", |i| {
            i.status.as_ref().is_some_and(|s| s.score.is_some())
        })
        .await;
        let status = unresolved.status.expect("status");
        assert_eq!(status.score, Some(0));
        assert!(
            status.references[0]
                .explanation
                .contains(&format!("CloudCertification {ns}/regio-a not found")),
            "{:?}",
            status.references[0]
        );

        let started = std::time::Instant::now();
        create_scoped_cloud(&world, "regio-a", "iaas-scope").await;
        create_scoped_cloud(&world, "regio-b", "iaas-scope").await;
        create_scoped_cloud(&world, "kaas-c", "kaas-scope").await;

        let silver = wait_integrator(&world, "silver", 120, "Silver and certified", |i| {
            i.status.as_ref().is_some_and(|s| s.score == Some(4))
                && condition_is(i, "Certified", "True")
        })
        .await;
        eprintln!(
            "e2e figure: clouds created -> integrator Silver and certified in {:?}",
            started.elapsed()
        );
        let status = silver.status.clone().expect("status");
        assert_eq!(status.tier.as_deref(), Some("Silver"));
        assert_eq!(status.observed_generation, silver.metadata.generation);
        let (_, reason, message) = condition(&silver, "Eligible").expect("Eligible");
        assert_eq!(reason, "Silver");
        assert_eq!(message, "4 points: Silver (IaaS); Silver requested");
        let (_, reason, message) = condition(&silver, "Certified").expect("Certified");
        assert_eq!(reason, "Granted");
        let certificate = status.certificate.clone().expect("certificate");
        assert_eq!(certificate.tier.as_deref(), Some("Silver"));
        assert_eq!(certificate.not_before, Some(attested_at));
        let not_after = attested_at
            .to_zoned(TimeZone::UTC)
            .checked_add(Span::new().years(1))
            .expect("one year")
            .timestamp();
        assert_eq!(certificate.not_after, Some(not_after));
        assert_eq!(
            message,
            format!("Silver IaaS integrator certificate valid until {not_after}")
        );
        assert_eq!(
            condition(&silver, "ContinuationAtRisk").map(|c| c.1),
            Some("ReferencesInPlace".to_owned())
        );
        assert_eq!(
            condition(&silver, "Ready").map(|c| c.0),
            Some("True".into())
        );
        assert!(status.next_tier.is_none(), "Silver is the top tier");
        for reference in &status.references {
            assert_eq!(reference.counted_points, 2, "{reference:?}");
            assert!(
                reference
                    .explanation
                    .starts_with("brought into production on"),
                "{reference:?}"
            );
        }

        // Every reference resolved: the two IaaS clouds compliant, the KaaS one of its layer.
        let bronze = wait_integrator(&world, "bronze", 120, "Bronze, all resolved", |i| {
            i.status.as_ref().is_some_and(|s| {
                s.score == Some(2)
                    && s.references.len() == 3
                    && s.references[1].explanation.starts_with("public IaaS cloud")
                    && s.references[2].explanation.contains("it would score")
            })
        })
        .await;
        let status = bronze.status.clone().expect("status");
        assert_eq!(status.tier.as_deref(), Some("Bronze"));
        let explanations: Vec<&str> = status
            .references
            .iter()
            .map(|r| r.explanation.as_str())
            .collect();
        assert_eq!(
            explanations[0],
            format!("managed for 14 months since {}: 2 points", months_ago(14))
        );
        assert_eq!(
            explanations[1],
            "public IaaS cloud, 1 region, 2 AZs: 0 points, needs >= 2 regions or >= 3 AZs"
        );
        assert_eq!(
            explanations[2],
            "KaaS environment, not counted for the IaaS certificate: 0 points (it would score \
             2 points towards KaaS)"
        );
        let (status_text, reason, message) = condition(&bronze, "Eligible").expect("Eligible");
        assert_eq!((status_text.as_str(), reason.as_str()), ("True", "Bronze"));
        assert!(
            message.starts_with("2 points: Bronze (IaaS); 2 more points for Silver: "),
            "{message}"
        );
        let next = status.next_tier.clone().expect("next tier");
        assert_eq!((next.tier.as_str(), next.missing_points), ("Silver", 2));
        assert_eq!(
            condition(&bronze, "Certified").map(|c| c.1),
            Some("AwaitingAttestation".to_owned())
        );
        assert!(status.certificate.is_none());

        // Scoring policy (DOMAIN 5.5 example 7), with attested external evidence.
        create_integrator(
            &world,
            "policy",
            json!({
                "organization": "Ambiguous KaaS GmbH",
                "layer": "KaaS",
                "references": [
                    {"name": "customer-kaas", "kind": "BroughtIntoProduction", "since": months_ago(7),
                     "evidence": {"reports": ["r-1"], "attested": true}},
                    {"name": "customer-kaas", "kind": "Managed", "since": months_ago(7),
                     "evidence": {"reports": ["r-1"], "attested": true}},
                    {"name": "public-kaas", "kind": "PublicCloud", "since": months_ago(6),
                     "evidence": {"documents": ["d-1"], "attested": true}}
                ]
            }),
        )
        .await;
        let policy = wait_integrator(&world, "policy", 30, "scored", |i| {
            i.status.as_ref().is_some_and(|s| s.score.is_some())
        })
        .await;
        let status = policy.status.clone().expect("status");
        assert_eq!(
            (status.score, status.tier.as_deref()),
            (Some(3), Some("Bronze"))
        );
        let applied = status.scoring_policy.expect("policy");
        assert_eq!(
            (
                applied.applied.as_str(),
                applied.alternative.as_str(),
                applied.alternative_score,
                applied.alternative_tier.as_deref()
            ),
            ("CountOnce", "CountBoth", 4, Some("Silver"))
        );
        let (_, _, message) = condition(&policy, "Eligible").expect("Eligible");
        assert!(
            message.ends_with("; CountBoth would give 4 points (Silver)"),
            "{message}"
        );
        assert!(
            status.references[1].explanation.contains(
                "same environment as 'customer-kaas' (brought into production), which scores it \
                 (CountOnce): counts 0"
            ),
            "{:?}",
            status.references[1]
        );

        // What `kubectl get icert -o wide` shows, and one event per transition.
        let table = kubectl_ok(&["get", "icert", "-n", &ns, "-o", "wide"]);
        let line = |name: &str| {
            table
                .lines()
                .find(|l| l.starts_with(name))
                .unwrap_or_default()
                .to_owned()
        };
        assert!(line("silver").contains("Silver"), "{table}");
        assert!(line("bronze").contains("Bronze"), "{table}");
        let events = wait_event(&world, "silver", "CertificateGranted").await;
        assert_eq!(occurrences(&events, "CertificateGranted"), 1, "{events:?}");
        let events = wait_event(&world, "bronze", "EligibilityChanged").await;
        assert!(
            events
                .iter()
                .any(|e| e.0 == "EligibilityChanged" && e.2.contains("-> Bronze")),
            "{events:?}"
        );
        world.shutdown().await;
    });
}

fn continuation_at_risk() {
    block_on(async {
        let world = World::new("icert-risk").await;
        prepare(&world).await;
        create_scoped_cloud(&world, "regio-a", "iaas-scope").await;
        create_scoped_cloud(&world, "regio-b", "iaas-scope").await;
        for name in ["regio-a", "regio-b"] {
            world
                .wait_for(name, 120, "Compliant=True", |c| compliant(c) == Some(true))
                .await;
        }
        let attested_at = Timestamp::now() - Span::new().hours(24);
        create_integrator(
            &world,
            "partner",
            json!({
                "organization": "Continuing Partner GmbH",
                "layer": "IaaS",
                "tierRequested": "Silver",
                "references": [
                    {"name": "go-live-a", "kind": "BroughtIntoProduction", "since": months_ago(2),
                     "cloudCertificationRef": {"name": "regio-a"}},
                    {"name": "go-live-b", "kind": "BroughtIntoProduction", "since": months_ago(4),
                     "cloudCertificationRef": {"name": "regio-b"}}
                ],
                "attestation": {"attestedBy": "SCS Forum", "attestedAt": attested_at.to_string(),
                                "decision": "Granted"}
            }),
        )
        .await;
        wait_integrator(&world, "partner", 30, "certified Silver", |i| {
            condition_is(i, "Certified", "True") && condition_is(i, "ContinuationAtRisk", "False")
        })
        .await;

        // regio-b starts failing. Nothing time-driven is due for months (the next review is
        // an hour away), so a prompt re-score can only come from the cloud's watch.
        set_failing(&world, "regio-b", Some("iaas-b"));
        world.run_now("regio-b", "fail").await;
        let failing = world
            .wait_for("regio-b", 120, "Compliant=False", |c| {
                compliant(c) == Some(false)
            })
            .await;
        let seen = std::time::Instant::now();
        let at_risk = wait_integrator(&world, "partner", 60, "ContinuationAtRisk=True", |i| {
            condition_is(i, "ContinuationAtRisk", "True")
        })
        .await;
        eprintln!(
            "e2e figure: cloud Compliant=False observed -> integrator ContinuationAtRisk=True \
             observed in {:?} (both polled every 200-300 ms)",
            seen.elapsed()
        );
        let compliant_message = conditions::find(
            &failing.status.as_ref().expect("status").conditions,
            conditions::COMPLIANT,
        )
        .map(|c| c.message.clone())
        .expect("Compliant");
        assert!(
            compliant_message.contains("iaas-b"),
            "the failing testcase is named: {compliant_message}"
        );
        let status = at_risk.status.clone().expect("status");
        assert_eq!(
            (status.score, status.tier.as_deref()),
            (Some(2), Some("Bronze"))
        );
        let (_, reason, message) =
            condition(&at_risk, "ContinuationAtRisk").expect("ContinuationAtRisk");
        assert_eq!(reason, "ScoreBelowGrantedTier");
        let ns = &world.ns.name;
        assert_eq!(
            message,
            format!(
                "2 points is below Silver (4 needed): 'go-live-b': 2 points at grant, now 0 points: \
                 compliance proof does not hold: CloudCertification {ns}/regio-b is not compliant: \
                 {compliant_message}: 0 points"
            )
        );
        // Not silently dropped: still certified, Ready says it is at risk.
        assert!(condition_is(&at_risk, "Certified", "True"));
        assert_eq!(
            condition(&at_risk, "Ready").map(|c| (c.0, c.1)),
            Some(("True".to_owned(), "ContinuationAtRisk".to_owned()))
        );
        let (_, reason, _) = condition(&at_risk, "Eligible").expect("Eligible");
        assert_eq!(reason, "BelowRequestedTier");
        let events = wait_event(&world, "partner", "ContinuationAtRisk").await;
        let risk: Vec<_> = events
            .iter()
            .filter(|e| e.0 == "ContinuationAtRisk")
            .collect();
        assert_eq!(risk.len(), 1, "{events:?}");
        assert_eq!(risk[0].1, "Warning");
        assert_eq!(risk[0].3, 1, "published once: {events:?}");
        assert!(risk[0].2.contains("'go-live-b'"), "{events:?}");
        // The event sink's delivery is recorded in status (written after the event).
        wait_integrator(&world, "partner", 30, "the event recorded as sent", |i| {
            sent_kinds(i, "events").contains(&"ContinuationAtRisk".to_owned())
        })
        .await;

        // A reconcile that changes nothing writes nothing: touching the object (no spec
        // change) wakes the controller, the status stays as it is.
        let writes_before = integrator_status_writes(&world, "partner");
        let touched = json!({"metadata": {"annotations": {"e2e/touch": "1"}}});
        integrators(&world)
            .patch("partner", &PatchParams::default(), &Patch::Merge(&touched))
            .await
            .expect("annotate");
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            integrator_status_writes(&world, "partner"),
            writes_before,
            "an unchanged assessment was written"
        );

        // regio-b passes again: the risk clears, once.
        set_failing(&world, "regio-b", None);
        world.run_now("regio-b", "pass").await;
        wait_integrator(&world, "partner", 120, "ContinuationAtRisk=False", |i| {
            condition_is(i, "ContinuationAtRisk", "False")
                && i.status.as_ref().is_some_and(|s| s.score == Some(4))
        })
        .await;
        let events = wait_event(&world, "partner", "ContinuationRestored").await;
        assert_eq!(
            occurrences(&events, "ContinuationRestored"),
            1,
            "{events:?}"
        );
        assert_eq!(occurrences(&events, "ContinuationAtRisk"), 1, "{events:?}");
        world.shutdown().await;
    });
}

/// Kinds of the transitions recorded in `status.notifications` as sent to `sink`, in order.
fn sent_kinds(integrator: &IntegratorCertification, sink: &str) -> Vec<String> {
    let Some(status) = integrator.status.as_ref() else {
        return Vec::new();
    };
    let sent = status.notifications.as_ref().map(|n| n.sent.as_slice());
    sent.unwrap_or_default()
        .iter()
        .filter(|s| s.sink == sink)
        .filter_map(|s| {
            status
                .transitions
                .iter()
                .find(|t| s.id.ends_with(&format!("/{}/{}", t.kind, t.at)))
                .map(|t| t.kind.clone())
        })
        .collect()
}

/// A Silver integrator with a webhook: the transitions reach the receiver signed, once each;
/// `ContinuationAtRisk` carries the id of the recorded transition; a restarted operator sends
/// nothing again and still delivers what comes next.
fn notified_once() {
    block_on(async {
        let mut world = World::new("icert-notify").await;
        prepare(&world).await;
        // The first delivery fails: retried with backoff and reported.
        let (url, seen) = receiver(1).await;
        let hmac_key = "integrator-hmac-key";
        let secret: Secret = serde_json::from_value(json!({
            "metadata": {"name": "hook"},
            "stringData": {"url": url, "key": hmac_key}
        }))
        .expect("secret");
        Api::<Secret>::namespaced(env().client.clone(), &world.ns.name)
            .create(&PostParams::default(), &secret)
            .await
            .expect("create webhook Secret");
        create_scoped_cloud(&world, "regio-a", "iaas-scope").await;
        create_scoped_cloud(&world, "regio-b", "iaas-scope").await;
        for name in ["regio-a", "regio-b"] {
            world
                .wait_for(name, 120, "Compliant=True", |c| compliant(c) == Some(true))
                .await;
        }
        let attested_at = Timestamp::now() - Span::new().hours(24);
        create_integrator(
            &world,
            "partner",
            json!({
                "organization": "Notified Partner GmbH",
                "layer": "IaaS",
                "tierRequested": "Silver",
                "references": [
                    {"name": "go-live-a", "kind": "BroughtIntoProduction", "since": months_ago(2),
                     "cloudCertificationRef": {"name": "regio-a"}},
                    {"name": "go-live-b", "kind": "BroughtIntoProduction", "since": months_ago(4),
                     "cloudCertificationRef": {"name": "regio-b"}}
                ],
                "attestation": {"attestedBy": "SCS Forum", "attestedAt": attested_at.to_string(),
                                "decision": "Granted"},
                "notifications": {"webhooks": [{
                    "name": "ops",
                    "urlSecretRef": {"name": "hook", "key": "url"},
                    "hmacSecretRef": {"name": "hook", "key": "key"}
                }]}
            }),
        )
        .await;
        wait_integrator(&world, "partner", 30, "certified Silver", |i| {
            condition_is(i, "Certified", "True") && condition_is(i, "ContinuationAtRisk", "False")
        })
        .await;
        wait_delivered(&seen, "CertificateGranted", 60).await;
        assert_eq!(delivered(&seen), ["Eligible", "CertificateGranted"]);

        // regio-b fails: the score drops below the granted tier.
        set_failing(&world, "regio-b", Some("iaas-b"));
        world.run_now("regio-b", "fail").await;
        let at_risk = wait_integrator(&world, "partner", 120, "ContinuationAtRisk=True", |i| {
            condition_is(i, "ContinuationAtRisk", "True")
        })
        .await;
        wait_delivered(&seen, "ContinuationAtRisk", 60).await;
        let expected = [
            "Eligible",
            "CertificateGranted",
            "EligibilityChanged",
            "ContinuationAtRisk",
        ];
        assert_eq!(delivered(&seen), expected);
        let ns = &world.ns.name;
        let since = conditions::find(
            &at_risk.status.as_ref().expect("status").conditions,
            "ContinuationAtRisk",
        )
        .map(|c| c.last_transition_time.0)
        .expect("ContinuationAtRisk");
        let risk_id = format!("{ns}/partner/ContinuationAtRisk/{since}");
        {
            let seen = seen.lock().expect("lock");
            assert_eq!(seen[0].2, 503, "the first attempt failed and was retried");
            for (headers, body, _) in seen.iter() {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let signature = format!(
                    "sha256={}",
                    scs_cert_operator::controller::notify::signature(hmac_key.as_bytes(), body)
                );
                assert_eq!(header("x-scs-signature-256"), signature, "HMAC signature");
                let text = String::from_utf8_lossy(body);
                assert!(
                    !text.contains("s3cr3t") && !text.contains(hmac_key),
                    "no credentials in the body: {text}"
                );
                let json: Value = serde_json::from_slice(body).expect("JSON body");
                assert_eq!(json["kind"], "IntegratorTransition", "{json}");
                assert_eq!(json["resource"]["name"], "partner");
                assert_eq!(json["transition"]["organization"], "Notified Partner GmbH");
                assert_eq!(json["transition"]["layer"], "IaaS");
                assert_eq!(header("x-scs-delivery"), json["id"].as_str().unwrap_or("-"));
                assert_eq!(
                    header("x-scs-event"),
                    json["transition"]["kind"].as_str().unwrap_or("-")
                );
            }
            let risk: Vec<Value> = seen
                .iter()
                .filter(|(_, _, status)| *status == 200)
                .map(|(_, body, _)| serde_json::from_slice(body).expect("JSON body"))
                .filter(|json: &Value| json["transition"]["kind"] == "ContinuationAtRisk")
                .collect();
            assert_eq!(risk.len(), 1, "delivered exactly once");
            assert_eq!(risk[0]["id"], risk_id.as_str());
            assert_eq!(risk[0]["transition"]["warning"], true);
            assert_eq!(risk[0]["transition"]["score"], 2);
            assert_eq!(risk[0]["transition"]["certificate"]["tier"], "Silver");
            let message = risk[0]["transition"]["message"]
                .as_str()
                .unwrap_or_default();
            assert!(
                message.starts_with("2 points is below Silver (4 needed): 'go-live-b'"),
                "{message}"
            );
        }
        // Both sinks are recorded in status; the event carries the same id.
        let recorded = wait_integrator(&world, "partner", 30, "deliveries recorded", |i| {
            sent_kinds(i, "webhook/ops") == expected && sent_kinds(i, "events") == expected
        })
        .await;
        let status_text = serde_json::to_string(&recorded.status).expect("status json");
        assert!(!status_text.contains("s3cr3t"), "no URL in status");
        let events = events_of(&world, "partner").await;
        let risk: Vec<_> = events
            .iter()
            .filter(|e| e.0 == "ContinuationAtRisk")
            .collect();
        assert_eq!(risk.len(), 1, "{events:?}");
        assert_eq!(risk[0].1, "Warning");
        assert!(risk[0].2.ends_with(&format!("[{risk_id}]")), "{events:?}");
        assert!(
            events.iter().any(|e| e.0 == "NotificationFailed"
                && e.2.starts_with("webhook/ops: receiver answered HTTP 503")
                && !e.2.contains("s3cr3t")),
            "{events:?}"
        );

        // A restart re-derives the same ids from status and sends nothing again, although
        // the integrator is re-scored (a run of regio-a wakes it).
        let before = seen.lock().expect("lock").len();
        world.stop_operator().await;
        world.start_operator().await;
        world.run_now("regio-a", "after-restart").await;
        world
            .wait_for("regio-a", 90, "the run after the restart", |c| {
                c.status.as_ref().is_some_and(|s| {
                    s.last_manual_trigger.as_deref() == Some("after-restart")
                        && s.active_run.is_none()
                })
            })
            .await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(seen.lock().expect("lock").len(), before, "nothing resent");
        let events = events_of(&world, "partner").await;
        assert_eq!(occurrences(&events, "ContinuationAtRisk"), 1, "{events:?}");
        assert_eq!(occurrences(&events, "CertificateGranted"), 1, "{events:?}");

        // The restarted operator delivers what comes next, once.
        set_failing(&world, "regio-b", None);
        world.run_now("regio-b", "pass").await;
        wait_delivered(&seen, "ContinuationRestored", 120).await;
        let restored = wait_integrator(&world, "partner", 30, "restoration recorded", |i| {
            sent_kinds(i, "webhook/ops").last().map(String::as_str) == Some("ContinuationRestored")
        })
        .await;
        assert_eq!(
            sent_kinds(&restored, "webhook/ops"),
            [
                "Eligible",
                "CertificateGranted",
                "EligibilityChanged",
                "ContinuationAtRisk",
                "EligibilityChanged",
                "ContinuationRestored"
            ]
        );
        assert_eq!(delivered(&seen), sent_kinds(&restored, "webhook/ops"));
        world.shutdown().await;
    });
}

/// Status writes of the operator to integrator `name` so far.
fn integrator_status_writes(world: &World, name: &str) -> usize {
    let suffix = format!("/integratorcertifications/{name}/status");
    world
        .requests
        .write_log
        .lock()
        .map(|log| log.iter().filter(|w| w.ends_with(&suffix)).count())
        .unwrap_or_default()
}

fn v1_votes() {
    block_on(async {
        let world = World::new("icert-v1").await;
        let attested_at = Timestamp::now() - Span::new().hours(24);
        let spec = |vote: Value| {
            json!({
                "organization": "Voted Integrator GmbH",
                "layer": "IaaS",
                "rules": "scs-0007-v1",
                // Criterion a needs two go-lives: one is not enough.
                "references": [
                    {"name": "only-go-live", "kind": "BroughtIntoProduction", "since": months_ago(2),
                     "evidence": {"reports": ["r-1"], "attested": true}}
                ],
                "v1Vote": vote,
                "attestation": {"attestedBy": "SCS Forum", "attestedAt": attested_at.to_string(),
                                "decision": "Granted"}
            })
        };
        // DOMAIN 5.1: 12 eligible, 9 present, 7 yes, 2 abstain: passes (quorum 8).
        create_integrator(
            &world,
            "passes",
            spec(json!({"eligible": 12, "present": 9, "yes": 7, "no": 0, "abstentions": 2})),
        )
        .await;
        // 7 present, all yes: fails (7 < 8).
        create_integrator(
            &world,
            "no-quorum",
            spec(json!({"eligible": 12, "present": 7, "yes": 7, "no": 0})),
        )
        .await;
        // The beneficiary is one of the 12: under the default setting (ExcludeFromBase) the
        // quorum is 8 of the other 11, so 7 present still fail.
        create_integrator(
            &world,
            "member",
            spec(json!({"eligible": 12, "present": 7, "yes": 7, "no": 0,
                        "applicantIsForumMember": true})),
        )
        .await;

        let passes = wait_integrator(&world, "passes", 30, "certified by the vote", |i| {
            condition_is(i, "Certified", "True")
        })
        .await;
        let (status, reason, message) = condition(&passes, "Eligible").expect("Eligible");
        assert_eq!(
            (status.as_str(), reason.as_str()),
            ("True", "ExceptionVote")
        );
        assert_eq!(
            message,
            "v1: no criterion met; exception vote passes: 7 yes, 2 abstaining, no votes \
             against; 9 present meets quorum 8 of 12"
        );
        let v1 = passes
            .status
            .as_ref()
            .and_then(|s| s.v1.clone())
            .expect("v1");
        assert_eq!(v1.verdict, "ExceptionVote");
        assert_eq!(
            v1.criteria[0],
            "a) not met: 1 environment brought into production in the last 12 months \
             ('only-go-live'), needs 2"
        );
        let certificate = passes
            .status
            .as_ref()
            .and_then(|s| s.certificate.clone())
            .expect("certificate");
        assert_eq!(
            certificate.tier.as_deref(),
            Some("Silver"),
            "v1 equals Silver"
        );

        for (name, vote) in [
            ("no-quorum", "fails: 7 present, quorum 8 of 12 not met"),
            (
                "member",
                "fails: 7 present, quorum 8 of 11 not met, beneficiary excluded from the base",
            ),
        ] {
            let failed = wait_integrator(&world, name, 30, "assessed", |i| {
                condition(i, "Eligible").is_some()
            })
            .await;
            let (status, reason, message) = condition(&failed, "Eligible").expect("Eligible");
            assert_eq!(
                (status.as_str(), reason.as_str()),
                ("False", "NoCriterionMet")
            );
            assert!(
                message.ends_with(&format!("exception vote {vote}")),
                "{message}"
            );
            let v1 = failed
                .status
                .as_ref()
                .and_then(|s| s.v1.clone())
                .expect("v1");
            assert_eq!(v1.vote.as_deref(), Some(vote));
            // The attestation granted it anyway: not certified, and said so.
            let (status, reason, message) = condition(&failed, "Certified").expect("Certified");
            assert_eq!(
                (status.as_str(), reason.as_str()),
                ("False", "TierNotSupported")
            );
            assert!(
                message.contains("supported no tier at grant time"),
                "{message}"
            );
            assert!(
                failed
                    .status
                    .as_ref()
                    .is_some_and(|s| s.certificate.is_none())
            );
            let events = wait_event(&world, name, "GrantNotSupported").await;
            assert_eq!(occurrences(&events, "GrantNotSupported"), 1, "{events:?}");
        }
        world.shutdown().await;
    });
}

/// `kubectl apply` of one IntegratorCertification; returns (accepted, stderr).
fn kubectl_apply(namespace: &str, object: &Value) -> (bool, String) {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-integrator");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let file = dir.join(format!(
        "{}-{}.json",
        namespace,
        object["metadata"]["name"].as_str().unwrap_or("x")
    ));
    std::fs::write(&file, object.to_string()).expect("write object");
    let out = kubectl(&[
        "apply",
        "-n",
        namespace,
        "-f",
        file.to_str().expect("utf-8 path"),
    ]);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn invalid_input() {
    let base = || {
        json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "IntegratorCertification",
            "metadata": {"name": "invalid"},
            "spec": {
                "organization": "Example GmbH",
                "layer": "IaaS",
                "references": [{"name": "a", "kind": "Managed", "since": "2026-01-01",
                                "evidence": {"attested": true}}]
            }
        })
    };
    let with = |path: &[&str], value: Value| {
        let mut object = base();
        let (last, parents) = path.split_last().expect("path");
        let mut cursor = &mut object["spec"];
        for key in parents {
            cursor = match key.parse::<usize>() {
                Ok(i) => &mut cursor[i],
                Err(_) => &mut cursor[*key],
            };
        }
        match (value.is_null(), last.parse::<usize>()) {
            (true, _) => {
                cursor.as_object_mut().map(|o| o.remove(*last));
            }
            (false, Ok(i)) => cursor[i] = value,
            (false, Err(_)) => cursor[*last] = value,
        }
        object
    };
    // (what is wrong, the object, what kubectl must say)
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "no organization",
            with(&["organization"], Value::Null),
            vec!["spec.organization", "Required value"],
        ),
        (
            "unknown layer",
            with(&["layer"], json!("PaaS")),
            vec![
                "spec.layer",
                "Unsupported value: \"PaaS\"",
                "\"IaaS\"",
                "\"KaaS\"",
            ],
        ),
        (
            "unknown reference kind",
            with(&["references", "0", "kind"], json!("Operated")),
            vec![
                "spec.references[0].kind",
                "Unsupported value: \"Operated\"",
                "\"BroughtIntoProduction\"",
                "\"Managed\"",
                "\"PublicCloud\"",
            ],
        ),
        (
            "impossible date",
            with(&["references", "0", "since"], json!("2026-02-30")),
            vec!["spec.references[0].since", "must be of type date"],
        ),
        (
            "both proofs",
            with(
                &["references", "0", "cloudCertificationRef"],
                json!({"name": "regio-a"}),
            ),
            vec!["each reference needs exactly one of cloudCertificationRef or evidence"],
        ),
        (
            "regions on a managed environment",
            with(&["references", "0", "regions"], json!(2)),
            vec!["regions and availabilityZones apply to PublicCloud references only"],
        ),
        (
            "negative availability zones",
            with(
                &["references", "0"],
                json!({"name": "p", "kind": "PublicCloud", "since": "2025-01-01",
                       "availabilityZones": -1, "evidence": {"attested": true}}),
            ),
            vec![
                "spec.references[0].availabilityZones",
                "should be greater than or equal to 0",
            ],
        ),
        (
            "share of an environment that is not joint",
            with(&["references", "0", "share"], json!("we did half")),
            vec!["share applies to joint references only (set joint: true)"],
        ),
        (
            "a vote under v2",
            with(
                &["v1Vote"],
                json!({"eligible": 12, "present": 9, "yes": 9, "no": 0}),
            ),
            vec!["v1Vote applies to rules scs-0007-v1 only (v2 has no exception vote)"],
        ),
        (
            "Bronze under v1",
            {
                let mut object = with(&["rules"], json!("scs-0007-v1"));
                object["spec"]["tierRequested"] = json!("Bronze");
                object
            },
            vec!["a v1 certificate is Silver: tierRequested Bronze needs rules scs-0007-v2"],
        ),
        (
            "more votes than voters present",
            {
                let mut object = with(&["rules"], json!("scs-0007-v1"));
                object["spec"]["v1Vote"] = json!({"eligible": 12, "present": 8, "yes": 8, "no": 1});
                object
            },
            vec!["v1Vote: yes + no + abstentions cannot exceed present"],
        ),
        (
            "unknown decision",
            with(
                &["attestation"],
                json!({"attestedBy": "Forum", "attestedAt": "2026-12-01T00:00:00Z",
                       "decision": "Maybe"}),
            ),
            vec!["spec.attestation.decision", "Unsupported value: \"Maybe\""],
        ),
    ];
    let ns = block_on(TestNamespace::create("icert-invalid"));
    let mut failures = Vec::new();
    for (what, object, expected) in cases {
        let (accepted, stderr) = kubectl_apply(&ns.name, &object);
        if accepted {
            failures.push(format!("{what}: accepted, expected a rejection"));
            continue;
        }
        for needle in expected {
            if !stderr.contains(needle) {
                failures.push(format!("{what}: {needle:?} not in {stderr:?}"));
            }
        }
    }
    assert!(
        block_on(
            Api::<IntegratorCertification>::namespaced(env().client.clone(), &ns.name)
                .get_opt("invalid")
        )
        .expect("get")
        .is_none(),
        "nothing was stored"
    );
    block_on(ns.delete());
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Vote counts the schema accepts but the standard does not: a member beneficiary is
    // never among those present, so 12 present of 12 eligible is impossible. The status says
    // so, with one warning event, and a corrected spec is assessed normally.
    block_on(async {
        let world = World::new("icert-invalid-vote").await;
        let mut object = base();
        object["spec"]["rules"] = json!("scs-0007-v1");
        object["spec"]["v1Vote"] = json!({"eligible": 12, "present": 12, "yes": 12, "no": 0,
                                           "applicantIsForumMember": true});
        create_integrator(&world, "member-vote", object["spec"].clone()).await;
        let invalid = wait_integrator(&world, "member-vote", 30, "Ready=False", |i| {
            condition_is(i, "Ready", "False")
        })
        .await;
        let (_, reason, message) = condition(&invalid, "Ready").expect("Ready");
        assert_eq!(reason, "InvalidSpec");
        assert_eq!(
            message,
            "invalid spec: v1Vote.present (12) exceeds the 11 eligible voters who can be present \
             (the beneficiary is never counted as present)"
        );
        assert_eq!(
            condition(&invalid, "Eligible").map(|c| c.0),
            Some("Unknown".to_owned())
        );
        assert!(invalid.status.as_ref().is_some_and(|s| s.score.is_none()));
        let events = wait_event(&world, "member-vote", "InvalidSpec").await;
        assert_eq!(occurrences(&events, "InvalidSpec"), 1, "{events:?}");

        let fixed = json!({"spec": {"v1Vote": {"present": 9, "yes": 9}}});
        integrators(&world)
            .patch(
                "member-vote",
                &PatchParams::default(),
                &Patch::Merge(&fixed),
            )
            .await
            .expect("fix the vote");
        let valid = wait_integrator(&world, "member-vote", 30, "assessed again", |i| {
            condition(i, "Eligible").is_some_and(|c| c.1 == "ExceptionVote")
        })
        .await;
        assert_eq!(
            valid.status.as_ref().and_then(|s| s.observed_generation),
            valid.metadata.generation
        );
        assert!(valid.resource_version().is_some());
        world.shutdown().await;
    });
}

/// Under the operator's own (chart) RBAC: an IntegratorCertification referencing the cloud
/// `cloud` gets its status (server-side apply of `integratorcertifications/status`) and its
/// `Eligible` event. Used by rbac.rs.
pub(super) async fn status_is_written(world: &World, cloud: &str) {
    create_integrator(
        world,
        "least-privilege",
        json!({
            "organization": "Least Privilege GmbH",
            "layer": "IaaS",
            "references": [
                {"name": "tested-here", "kind": "Managed", "since": months_ago(13),
                 "cloudCertificationRef": {"name": cloud}},
                {"name": "elsewhere", "kind": "Managed", "since": months_ago(13),
                 "evidence": {"reports": ["r-1"], "attested": true}}
            ]
        }),
    )
    .await;
    let integrator = wait_integrator(world, "least-privilege", 60, "Bronze", |i| {
        i.status
            .as_ref()
            .is_some_and(|s| s.score == Some(2) && s.observed_generation == Some(1))
    })
    .await;
    let status = integrator.status.expect("status");
    // The operator's test scope is neither SCS-compatible IaaS nor KaaS.
    assert!(
        status.references[0]
            .explanation
            .contains("which is neither SCS-compatible IaaS nor KaaS"),
        "{:?}",
        status.references[0]
    );
    wait_event(world, "least-privilege", "Eligible").await;
}
