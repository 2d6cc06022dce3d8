//! Unit tests of the listing model, renderers and packing.

use crate::api::{CloudCertification, IntegratorCertification};
use crate::listing::build::{ListingOptions, build_listing, next_change};
use crate::listing::history::HistoryFeed;
use crate::listing::model::{
    CertificateState, Certification, IntegratorState, Listing, RunOutcome, ScopeResult, TestVerdict,
};
use crate::listing::pack::{PackOptions, pack, unpack};
use crate::listing::render::{html, json, markdown, svg};
use crate::listing::site::{Site, badge_key};
use jiff::Timestamp;
use serde_json::{Value, json};

const UUID: &str = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";
const NOW: &str = "2026-09-01T12:00:00Z";

fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp literal")
}

fn now() -> Timestamp {
    ts(NOW)
}

/// A CloudCertification with `spec` merged into a minimal spec and the given status.
fn cloud(name: &str, spec: Value, status: Value) -> CloudCertification {
    let mut full_spec = json!({
        "subject": name,
        "scope": {"url": "https://example.org/scope.yaml"},
        "target": {"variables": {"os_cloud": "SECRET-VARIABLE-VALUE"}}
    });
    if let (Some(base), Value::Object(extra)) = (full_spec.as_object_mut(), spec) {
        base.extend(extra);
    }
    serde_json::from_value(json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "CloudCertification",
        "metadata": {"name": name, "namespace": "ns", "uid": format!("uid-{name}"), "resourceVersion": "1"},
        "spec": full_spec,
        "status": status,
    }))
    .expect("cloud literal")
}

/// A status that evaluated `v1` with `result` and has one PASS result and one run.
fn status(summary: &str, result: &str, certificate: Value) -> Value {
    let mut status = json!({
        "scope": {"uuid": UUID, "name": "SCS-compatible IaaS"},
        "summary": summary,
        "bestPassedVersion": "v1",
        "versions": [{"name": "v1", "validity": "effective", "result": result}],
        "results": [{
            "testcase": "tc-a", "result": "PASS",
            "checkedAt": "2026-08-31T03:00:00Z", "expiresAt": "2026-09-14T00:00:00Z",
            "report": "11111111-1111-4111-8111-111111111111"
        }],
        "evaluatedAt": "2026-08-31T03:01:00Z",
        "lastRun": {"id": "r1", "trigger": "Scheduled", "finishedAt": "2026-08-31T03:01:00Z", "outcome": "ReportReceived"},
    });
    if !certificate.is_null() {
        status["certificate"] = certificate.clone();
        status["certificates"] = json!([certificate]);
    }
    status
}

fn certificate(state: &str, not_after: &str, self_assessed: bool) -> Value {
    json!({
        "serial": format!("SCS-{state}-{not_after}"),
        "version": "v1",
        "state": state,
        "selfAssessed": self_assessed,
        "grantedBy": "Forum SCS-Standards",
        "notBefore": "2025-09-01T00:00:00Z",
        "notAfter": not_after,
    })
}

fn integrator(org: &str, layer: &str, not_after: Option<&str>) -> IntegratorCertification {
    let mut status = json!({"score": 4, "tier": "Silver"});
    if let Some(end) = not_after {
        status["certificate"] =
            json!({"tier": "Silver", "notBefore": "2025-09-01T00:00:00Z", "notAfter": end});
    }
    serde_json::from_value(json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "IntegratorCertification",
        "metadata": {"name": org, "namespace": "ns"},
        "spec": {"organization": org, "layer": layer},
        "status": status,
    }))
    .expect("integrator literal")
}

fn build(clouds: &[CloudCertification], integrators: &[IntegratorCertification]) -> Listing {
    build_listing(
        clouds,
        integrators,
        &HistoryFeed::new(),
        &ListingOptions::default(),
        now(),
    )
}

fn entry<'a>(listing: &'a Listing, subject: &str) -> &'a crate::listing::model::CloudEntry {
    listing
        .clouds
        .iter()
        .find(|c| c.subject == subject)
        .unwrap_or_else(|| panic!("{subject} listed"))
}

#[test]
fn certification_classes_and_badges() {
    let listing = build(
        &[
            cloud(
                "official",
                json!({"displayName": "Official Cloud", "provider": "ACME"}),
                status(
                    "✅ v1",
                    "PASS",
                    certificate("Valid", "2026-12-01T00:00:00Z", false),
                ),
            ),
            cloud(
                "selfie",
                json!({}),
                status(
                    "✅ v1",
                    "PASS",
                    certificate("Valid", "2026-12-01T00:00:00Z", true),
                ),
            ),
            cloud("failing", json!({}), status("🛑 –", "FAIL", Value::Null)),
            cloud(
                "fresh",
                json!({}),
                json!({"scope": {"uuid": UUID, "name": "SCS-compatible IaaS"}, "summary": "🟧 v1",
                       "versions": [{"name": "v1", "validity": "effective", "result": "MISSING"}]}),
            ),
            // Not evaluated yet (no scope in status): not listed.
            cloud("unknown", json!({}), json!({})),
        ],
        &[],
    );
    let classes: Vec<_> = listing
        .clouds
        .iter()
        .map(|c| {
            (
                c.subject.as_str(),
                c.certification,
                c.result,
                c.badge.as_str(),
            )
        })
        .collect();
    assert_eq!(
        classes,
        [
            (
                "failing",
                Certification::NotCertified,
                ScopeResult::Fail,
                "🛑 –"
            ),
            (
                "fresh",
                Certification::NotCertified,
                ScopeResult::NoData,
                "🛑 –"
            ),
            (
                "official",
                Certification::Certified,
                ScopeResult::Pass,
                "✅ v1"
            ),
            (
                "selfie",
                Certification::SelfAssessed,
                ScopeResult::Pass,
                "✅ v1"
            ),
        ],
        "sorted by display name; a subject without results shows 🛑 – as in the table"
    );
    let official = entry(&listing, "official");
    assert_eq!(official.display_name, "Official Cloud");
    assert_eq!(official.provider.as_deref(), Some("ACME"));
    assert_eq!(official.links.detail, format!("detail/official/{UUID}"));
    assert_eq!(
        official.links.badge.as_deref(),
        Some(format!("badge/official/{UUID}.svg").as_str())
    );
    assert_eq!(official.passed_versions[0].name, "v1");
    assert_eq!(listing.scopes.len(), 1);
    // Never anything from spec.target.
    let text = String::from_utf8(json::listing_json(&listing).expect("json")).expect("utf-8");
    assert!(!text.contains("SECRET-VARIABLE-VALUE"));
}

#[test]
fn badge_is_computed_when_status_has_no_summary() {
    let mut st = status("", "FAIL", Value::Null);
    st["versions"] = json!([
        {"name": "next", "validity": "draft", "result": "PASS"},
        {"name": "v2", "validity": "effective", "result": "FAIL", "notPassing": ["tc-x"]},
        {"name": "v1", "validity": "deprecated", "result": "PASS"},
    ]);
    let listing = build(&[cloud("c", json!({}), st)], &[]);
    let c = entry(&listing, "c");
    assert_eq!(c.badge, "🛑 v1††");
    assert_eq!(c.result, ScopeResult::Pass);
    assert_eq!(c.passed_versions.len(), 1);
    assert_eq!(c.passed_versions[0].mark, "††");
}

#[test]
fn results_group_missing_expired_and_blocking() {
    let mut st = status("🛑 –", "FAIL", Value::Null);
    st["versions"] = json!([
        {"name": "v2", "validity": "effective", "result": "FAIL", "notPassing": ["tc-fail", "tc-never"]},
        {"name": "v1", "validity": "warn", "result": "FAIL", "notPassing": ["tc-fail"]},
    ]);
    st["results"] = json!([
        {"testcase": "tc-fail", "result": "FAIL", "checkedAt": "2026-08-31T00:00:00Z", "expiresAt": "2026-09-14T00:00:00Z"},
        {"testcase": "tc-old", "result": "PASS", "checkedAt": "2026-08-01T00:00:00Z", "expiresAt": "2026-09-01T00:00:00Z"},
        {"testcase": "tc-abort", "result": "ABORT", "checkedAt": "2026-08-31T00:00:00Z", "expiresAt": "2026-09-14T00:00:00Z"},
        {"testcase": "tc-odd", "result": "weird", "checkedAt": "2026-08-31T00:00:00Z", "expiresAt": "2026-09-14T00:00:00Z"},
    ]);
    let listing = build(&[cloud("c", json!({}), st)], &[]);
    let c = entry(&listing, "c");
    let results: Vec<_> = c
        .results
        .iter()
        .map(|r| (r.testcase.as_str(), r.result, r.blocks.join(",")))
        .collect();
    assert_eq!(
        results,
        [
            ("tc-abort", TestVerdict::Abort, String::new()),
            ("tc-fail", TestVerdict::Fail, "v2,v1".to_owned()),
            ("tc-never", TestVerdict::Missing, "v2".to_owned()),
            ("tc-odd", TestVerdict::Missing, String::new()),
            ("tc-old", TestVerdict::Missing, String::new()),
        ],
        "expired at now (expiresAt = now) and unknown verdicts are MISSING"
    );
    // The detail page groups FAIL, MISSING, ABORT, PASS in that order.
    let page = html::detail(&listing, c);
    let position = |verdict: &str| {
        page.find(&format!("data-verdict=\"{verdict}\""))
            .unwrap_or(usize::MAX)
    };
    assert!(position("fail") < position("missing"));
    assert!(position("missing") < position("abort"));
    assert_eq!(position("pass"), usize::MAX, "no PASS rows, no PASS table");
    assert!(page.contains("<th scope=\"col\">v2</th><th scope=\"col\">v1</th>"));
}

#[test]
fn retention_windows_of_certificates() {
    let listing = build(
        &[
            // Expired 2 months ago: still listed.
            cloud(
                "recent",
                json!({}),
                status(
                    "✅ v1",
                    "PASS",
                    certificate("Expired", "2026-07-01T00:00:00Z", false),
                ),
            ),
            // Expired 4 months ago: off the pages, still in the data.
            cloud(
                "older",
                json!({}),
                status(
                    "✅ v1",
                    "PASS",
                    certificate("Expired", "2026-05-01T00:00:00Z", false),
                ),
            ),
            // Expired 13 months ago: gone.
            cloud(
                "ancient",
                json!({}),
                status(
                    "✅ v1",
                    "PASS",
                    certificate("Expired", "2025-08-01T00:00:00Z", false),
                ),
            ),
            // Status still says Valid, but notAfter passed: Expired.
            cloud(
                "stale",
                json!({}),
                status(
                    "✅ v1",
                    "PASS",
                    certificate("Valid", "2026-08-15T00:00:00Z", false),
                ),
            ),
        ],
        &[],
    );
    let recent = entry(&listing, "recent");
    assert_eq!(
        recent.certificate.as_ref().map(|c| c.state),
        Some(CertificateState::Expired)
    );
    assert_eq!(recent.certification, Certification::NotCertified);
    assert_eq!(
        recent.certificates[0].listed_until,
        Some(ts("2026-10-01T00:00:00Z"))
    );
    let older = entry(&listing, "older");
    assert!(older.certificate.is_none());
    assert_eq!(older.certificates.len(), 1);
    assert!(!older.certificates[0].listed);
    assert_eq!(
        older.certificates[0].retained_until,
        Some(ts("2027-05-01T00:00:00Z"))
    );
    let ancient = entry(&listing, "ancient");
    assert!(ancient.certificate.is_none() && ancient.certificates.is_empty());
    let stale = entry(&listing, "stale");
    assert_eq!(
        stale.certificate.as_ref().map(|c| c.state),
        Some(CertificateState::Expired)
    );
    // Pages: the recent one shows its certificate, the older one none.
    let index = html::index(&listing);
    assert!(index.contains("v1, expired on 2026-07-01"));
    assert!(!index.contains("expired on 2026-05-01"));
    assert!(!html::detail(&listing, older).contains("SCS-Expired-2026-05-01"));
    assert!(json::listing_json(&listing).is_ok());
    // The next boundary: "recent" leaves the pages on 2026-10-01, before anything else.
    assert_eq!(
        next_change(&listing, now()),
        Some(ts("2026-09-14T00:00:00Z")),
        "the earliest: results expire on 09-14"
    );
}

#[test]
fn revocation_list_has_official_revoked_certificates_once() {
    let revoked = json!({
        "serial": "SCS-AAAA", "version": "v1", "state": "Revoked", "notBefore": "2026-01-01T00:00:00Z",
        "notAfter": "2027-01-01T00:00:00Z", "revokedAt": "2026-06-01T00:00:00Z",
        "revocationReason": "violated <terms>"
    });
    let mut st = status("✅ v1", "PASS", revoked.clone());
    // The same certificate in current and history, plus an older revoked one.
    st["certificates"] = json!([revoked, {
        "serial": "SCS-BBBB", "version": "v1", "state": "Revoked", "notBefore": "2025-01-01T00:00:00Z",
        "notAfter": "2026-01-01T00:00:00Z", "revokedAt": "2025-03-01T00:00:00Z"
    }]);
    let mut self_revoked = status(
        "✅ v1",
        "PASS",
        certificate("Revoked", "2027-01-01T00:00:00Z", true),
    );
    self_revoked["certificate"]["revokedAt"] = json!("2026-02-01T00:00:00Z");
    // Revocation dated in the past, state not yet updated: revoked.
    let mut pending_revocation = status(
        "✅ v1",
        "PASS",
        certificate("Valid", "2027-01-01T00:00:00Z", false),
    );
    pending_revocation["certificate"]["revokedAt"] = json!("2026-08-01T00:00:00Z");
    let listing = build(
        &[
            cloud("bad", json!({}), st),
            cloud("selfie", json!({}), self_revoked),
            cloud("late", json!({}), pending_revocation),
        ],
        &[],
    );
    let crl: Vec<_> = listing
        .revocations
        .iter()
        .map(|r| (r.serial.as_deref().unwrap_or(""), r.subject.as_str()))
        .collect();
    assert_eq!(
        crl,
        [
            ("SCS-BBBB", "bad"),
            ("SCS-AAAA", "bad"),
            ("SCS-Valid-2027-01-01T00:00:00Z", "late")
        ]
    );
    assert_eq!(
        entry(&listing, "bad").certification,
        Certification::NotCertified
    );
    let document: Value =
        serde_json::from_slice(&json::crl_json(&listing).expect("crl")).expect("crl parses");
    assert_eq!(document["schemaVersion"], 1);
    assert_eq!(document["revoked"][1]["reason"], "violated <terms>");
    let index = html::index(&listing);
    assert!(index.contains("violated &lt;terms&gt;"));
    assert!(svg::badge(&listing, entry(&listing, "bad")).contains("revoked v1"));
}

#[test]
fn group_rollup_is_the_worst_member() {
    let member = |name: &str, summary: &str, result: &str, group: &str| {
        cloud(
            name,
            json!({"group": group, "displayName": name}),
            status(summary, result, Value::Null),
        )
    };
    let no_data = |name: &str, group: &str| {
        cloud(
            name,
            json!({"group": group, "displayName": name}),
            json!({"scope": {"uuid": UUID, "name": "SCS-compatible IaaS"},
                   "versions": [{"name": "v1", "validity": "effective", "result": "MISSING"}]}),
        )
    };
    let listing = build(
        &[
            member("a1", "✅ v1", "PASS", "alpha"),
            member("a2", "✅* v1", "ABORT", "alpha"),
            no_data("a3", "alpha"),
            member("b1", "✅ v1", "PASS", "beta"),
            member("b2", "🟧 v1", "MISSING", "beta"),
            no_data("b3", "beta"),
            member("c1", "✅* v1", "ABORT", "gamma"),
            member("c2", "✅* v1", "ABORT", "gamma"),
        ],
        &[],
    );
    let groups: Vec<_> = listing
        .groups
        .iter()
        .map(|g| {
            (
                g.name.as_str(),
                g.badge.as_str(),
                g.worst.as_deref(),
                g.members.len(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("alpha", "🛑 –", Some("a3"), 3),
            ("beta", "🟧 v1", Some("b2"), 3),
            ("gamma", "✅* v1", Some("c1"), 2),
        ],
        "no data outranks ABORT and PASS; MISSING outranks no data; first on ties"
    );
    let page = html::group(&listing, &listing.groups[0]);
    assert!(page.contains("data-subject=\"a1\""));
    assert!(html::index(&listing).contains(&format!("href=\"group/alpha/{UUID}\"")));
}

#[test]
fn integrators_with_tier_validity_and_retention() {
    let listing = build(
        &[],
        &[
            integrator("Valid GmbH", "IaaS", Some("2027-03-01T00:00:00Z")),
            integrator("Recently Expired AG", "KaaS", Some("2026-07-01T00:00:00Z")),
            integrator("Long Expired", "IaaS", Some("2026-04-01T00:00:00Z")),
            integrator("Gone", "IaaS", Some("2025-06-01T00:00:00Z")),
            integrator("Applicant", "IaaS", None),
        ],
    );
    let rows: Vec<_> = listing
        .integrators
        .iter()
        .map(|i| (i.organization.as_str(), i.layer.as_str(), i.state, i.listed))
        .collect();
    assert_eq!(
        rows,
        [
            ("Long Expired", "IaaS", IntegratorState::Expired, false),
            ("Valid GmbH", "IaaS", IntegratorState::Valid, true),
            (
                "Recently Expired AG",
                "KaaS",
                IntegratorState::Expired,
                true
            ),
        ]
    );
    assert_eq!(listing.integrators[1].tier.as_deref(), Some("Silver"));
    let index = html::index(&listing);
    assert!(index.contains("Valid GmbH") && index.contains("Recently Expired AG"));
    assert!(!index.contains("Long Expired") && !index.contains("Applicant"));
}

#[test]
fn injection_attempts_render_as_text_everywhere() {
    let evil = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    let listing = build(
        &[cloud(
            "evil",
            json!({
                "displayName": evil,
                "provider": "</td></tr><script>x()</script>",
                "description": "[click](javascript:alert(3)) | <b>bold</b>",
                "group": "<g>",
                "healthMonitorUrl": "javascript:alert(4)"
            }),
            status(
                "✅ v1",
                "PASS",
                json!({"serial": "<serial>", "version": "v1\"><x", "state": "Valid",
                       "reference": "javascript:alert(5)", "notBefore": "2026-01-01T00:00:00Z",
                       "notAfter": "2027-01-01T00:00:00Z"}),
            ),
        )],
        &[integrator(
            "<i>Org</i>",
            "IaaS",
            Some("2027-01-01T00:00:00Z"),
        )],
    );
    let c = entry(&listing, "evil");
    assert_eq!(c.health_monitor_url, None, "only http(s) links");
    let pages = [
        html::index(&listing),
        html::detail(&listing, c),
        html::group(&listing, &listing.groups[0]),
        svg::badge(&listing, c),
        html::not_found(&listing, evil, 2),
    ];
    for page in &pages {
        for raw in [
            "<script",
            "<img src=x",
            "<b>",
            "<i>",
            "<g>",
            "<serial>",
            "<x",
            "href=\"javascript",
        ] {
            assert!(!page.contains(raw), "{raw} leaked into:\n{page}");
        }
    }
    assert!(pages[0].contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img"));
    let md = markdown::overview(&listing);
    for raw in ["<script", "<img", "](javascript", "<b>"] {
        assert!(!md.contains(raw), "{raw} leaked into Markdown:\n{md}");
    }
    assert!(md.contains(r"\| &lt;b&gt;") || !md.contains("| <b>"));
    // JSON keeps the text verbatim (it is data), and parses back.
    let bytes = json::listing_json(&listing).expect("json");
    let back: Listing = serde_json::from_slice(&bytes).expect("round trip");
    assert_eq!(back.clouds[0].display_name, evil);
}

#[test]
fn duplicates_and_odd_status_never_panic() {
    let odd = json!({
        "scope": {"uuid": UUID},
        "versions": [{"name": "v1", "validity": "sideways", "result": "???"}],
        "results": [],
        "lastRun": {"id": "r", "trigger": ""},
        "certificate": {"state": "Exploded"},
        "certificates": [{}, {"serial": ""}],
        "recentRuns": [{"id": "x", "trigger": "Manual"}]
    });
    let listing = build(
        &[
            cloud("dup", json!({}), status("✅ v1", "PASS", Value::Null)),
            cloud("dup", json!({}), odd.clone()),
            cloud("odd", json!({}), odd),
        ],
        &[],
    );
    assert_eq!(listing.clouds.len(), 2);
    assert_eq!(listing.warnings.len(), 1, "{:?}", listing.warnings);
    let odd = entry(&listing, "odd");
    assert_eq!(
        odd.scope.name, UUID,
        "the uuid stands in for a missing name"
    );
    assert_eq!(
        odd.certificate.as_ref().map(|c| c.state),
        Some(CertificateState::Unknown)
    );
    assert_eq!(odd.history.len(), 0, "runs without any time are dropped");
    let site = Site::render(listing).expect("renders");
    assert!(site.detail_html("odd", UUID).is_some());
}

#[test]
fn history_from_recent_runs_and_timeline() {
    let mut st = status("✅ v1", "PASS", Value::Null);
    st["recentRuns"] = json!([
        {"id": "r1", "trigger": "Scheduled", "finishedAt": "2026-08-31T03:01:00Z", "outcome": "ReportReceived"},
        {"id": "r0", "trigger": "Manual", "finishedAt": "2026-07-02T03:01:00Z", "outcome": "NoReport", "message": "pod said: token=abc"},
        {"id": "ancient", "trigger": "Manual", "finishedAt": "2024-01-01T00:00:00Z", "outcome": "ReportReceived"},
    ]);
    let listing = build(&[cloud("c", json!({}), st)], &[]);
    let c = entry(&listing, "c");
    let runs: Vec<_> = c
        .history
        .iter()
        .map(|p| (p.run.as_str(), p.outcome))
        .collect();
    assert_eq!(
        runs,
        [
            ("r1", RunOutcome::ReportReceived),
            ("r0", RunOutcome::NoReport)
        ],
        "lastRun and recentRuns merged by id; older than 18 months dropped"
    );
    let page = html::detail(&listing, c);
    assert_eq!(page.matches("<li class=\"t-").count(), 18, "18 month cells");
    assert!(page.contains("title=\"2026-08: 1 runs, 1 with a report\""));
    assert!(page.contains("title=\"2026-07: 1 runs, 0 with a report\""));
    assert!(
        !page.contains("token=abc"),
        "run messages are never published"
    );
}

#[test]
fn pages_are_self_contained_html() {
    let listing = build(
        &[cloud(
            "c",
            json!({"healthMonitorUrl": "https://health.example.org/c"}),
            status(
                "✅ v1",
                "PASS",
                certificate("Valid", "2026-12-01T00:00:00Z", false),
            ),
        )],
        &[],
    );
    let site = Site::render(listing).expect("renders");
    for page in [
        String::from_utf8(site.file("index.html").expect("index").bytes.clone()).expect("utf-8"),
        site.detail_html("c", UUID).expect("detail"),
    ] {
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(!page.contains("<script"), "no JavaScript");
        assert!(!page.contains("src=\"http"), "no external assets");
        assert!(!page.contains("<link"), "no external stylesheets");
        assert!(page.contains("<main id=\"main\">"));
    }
    let detail = site.detail_html("c", UUID).expect("detail");
    assert!(
        detail.contains("href=\"../../detail/c/"),
        "badge links to the status page"
    );
    assert!(detail.contains("href=\"https://health.example.org/c\""));
    let badge = site.badge("c", UUID).expect("badge");
    let text = String::from_utf8(badge.bytes.clone()).expect("svg");
    assert!(text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(text.contains(&format!("href=\"../../detail/c/{UUID}\"")));
    assert!(text.contains("certified v1"));
    assert!(site.file(&badge_key("c", UUID)).is_some());
}

#[test]
fn base_url_makes_badge_links_absolute() {
    let listing = build_listing(
        &[cloud("c", json!({}), status("✅ v1", "PASS", Value::Null))],
        &[],
        &HistoryFeed::new(),
        &ListingOptions {
            title: "T".into(),
            base_url: Some("https://listing.example.org".into()),
        },
        now(),
    );
    let badge = svg::badge(&listing, &listing.clouds[0]);
    assert!(badge.contains(&format!(
        "href=\"https://listing.example.org/detail/c/{UUID}\""
    )));
    let md = markdown::overview(&listing);
    assert!(md.contains(&format!("(<https://listing.example.org/detail/c/{UUID}>)")));
}

fn many_clouds(n: usize) -> Vec<CloudCertification> {
    (0..n)
        .map(|i| {
            let mut st = status(
                "✅ v1",
                "PASS",
                certificate("Valid", "2026-12-01T00:00:00Z", i % 2 == 0),
            );
            st["results"] = Value::Array(
                (0..20)
                    .map(|t| {
                        json!({"testcase": format!("scs-0{t:03}-testcase"), "result": "PASS",
                               "checkedAt": "2026-08-31T03:00:00Z", "expiresAt": "2026-09-14T00:00:00Z",
                               "report": format!("{i:08}-1111-4111-8111-111111111111")})
                    })
                    .collect(),
            );
            cloud(&format!("cloud-{i:05}"), json!({"provider": "P"}), st)
        })
        .collect()
}

#[test]
fn packing_splits_under_the_budget_and_round_trips() {
    let small = Site::render(build(&many_clouds(3), &[])).expect("site");
    let payloads = pack(&small, PackOptions::default()).expect("packs");
    assert_eq!(payloads.len(), 1);
    assert!(payloads[0].binary_data.is_empty(), "small files stay plain");
    assert!(payloads[0].data.contains_key("listing.json"));

    let site = Site::render(build(&many_clouds(600), &[])).expect("site");
    let options = PackOptions {
        plain_limit: 64 * 1024,
        budget: 128 * 1024,
    };
    let payloads = pack(&site, options).expect("packs");
    assert!(payloads.len() > 2, "{} payloads", payloads.len());
    for p in &payloads {
        let size: usize = p.data.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>()
            + p.binary_data
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        assert_eq!(size, p.size);
        assert!(p.size <= options.budget, "{} > {}", p.size, options.budget);
    }
    let files = unpack(&payloads).expect("unpacks");
    assert_eq!(files.len(), site.files.len());
    for (key, file) in &site.files {
        assert_eq!(files.get(key), Some(&file.bytes), "{key}");
    }
    // Same input, same payload hashes (writes are skipped).
    let again = pack(
        &Site::render(build(&many_clouds(600), &[])).expect("site"),
        options,
    )
    .expect("packs");
    let hashes = |p: &[crate::listing::pack::Payload]| {
        p.iter().map(|x| x.sha256.clone()).collect::<Vec<_>>()
    };
    assert_eq!(hashes(&payloads), hashes(&again));
}

#[test]
fn listing_json_round_trips_and_the_schema_is_committed() {
    let listing = build(
        &many_clouds(2),
        &[integrator("I", "KaaS", Some("2027-01-01T00:00:00Z"))],
    );
    let bytes = json::listing_json(&listing).expect("json");
    let back: Listing = serde_json::from_slice(&bytes).expect("parses");
    assert_eq!(back, listing);
    let value: Value = serde_json::from_slice(&bytes).expect("value");
    assert_eq!(value["schemaVersion"], 1);

    // docs/listing.schema.json is generated from the model; regenerate with
    // UPDATE_LISTING_SCHEMA=1 cargo test --lib listing::tests::listing_json_round_trips
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    for (file, schema) in [
        ("listing.schema.json", json::listing_schema()),
        ("crl.schema.json", json::crl_schema()),
    ] {
        let path = root.join(file);
        let text = format!(
            "{}\n",
            serde_json::to_string_pretty(&schema).expect("schema")
        );
        if std::env::var_os("UPDATE_LISTING_SCHEMA").is_some() {
            std::fs::write(&path, &text).expect("write schema");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{} is out of date; run UPDATE_LISTING_SCHEMA=1 cargo test --lib listing::tests",
            path.display()
        );
    }
}

#[test]
fn run_history_config_maps_feed_the_history_with_verdicts() {
    use crate::certificate::{RunHistoryEntry, RunSource};
    use crate::controller::cloud::history::encode_history;
    use crate::listing::publisher::history_feed;
    use crate::results::Verdict;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    let mut st = status("✅ v1", "PASS", Value::Null);
    st["recentRuns"] = json!([
        {"id": "r1", "trigger": "Scheduled", "finishedAt": "2026-08-31T03:01:00Z", "outcome": "ReportReceived"},
    ]);
    let c = cloud("c", json!({}), st);
    let entries = vec![
        RunHistoryEntry {
            run: "r1".into(),
            checked_at: ts("2026-08-31T03:00:30Z"),
            source: RunSource::Automated,
            results: BTreeMap::from([
                ("tc-a".into(), Verdict::Pass),
                ("tc-b".into(), Verdict::Fail),
            ]),
        },
        RunHistoryEntry {
            run: "r-old".into(),
            checked_at: ts("2025-12-01T03:00:00Z"),
            source: RunSource::Automated,
            results: BTreeMap::from([("tc-a".into(), Verdict::Pass)]),
        },
    ];
    let history: k8s_openapi::api::core::v1::ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "c-history", "labels": {
            "certification.scs.community/content": "history",
            "certification.scs.community/cloud-uid": "uid-c"}},
        "binaryData": {"history.json.gz": k8s_openapi::ByteString(encode_history(&entries).expect("encode"))}
    }))
    .expect("ConfigMap");
    let feed = history_feed(&[Arc::new(c.clone())], &[Arc::new(history)]);
    let listing = build_listing(&[c], &[], &feed, &ListingOptions::default(), now());
    let points: Vec<_> = entry(&listing, "c")
        .history
        .iter()
        .map(|p| {
            (
                p.run.as_str(),
                p.worst,
                p.counts.as_ref().map(|n| (n.pass, n.fail)),
            )
        })
        .collect();
    assert_eq!(
        points,
        [
            ("r1", Some(TestVerdict::Fail), Some((1, 1))),
            ("r-old", Some(TestVerdict::Pass), Some((1, 0))),
        ],
        "one point per run (store and status merged by run id), verdicts from the store"
    );
}
