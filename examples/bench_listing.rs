//! Benchmark of the public listing: 5,000 subjects (IaaS-like: 55 testcases, 3 versions,
//! 10 recent runs, certificates in every state, groups) and 20 integrators.
//!
//! Prints the build, render and packing times and the sizes of the published files and
//! ConfigMaps. Run with `cargo run --release --example bench_listing [-- <subjects>]`.

use jiff::Timestamp;
use scs_cert_operator::api::{CloudCertification, IntegratorCertification};
use scs_cert_operator::listing::history::HistoryFeed;
use scs_cert_operator::listing::pack::{PackOptions, pack};
use scs_cert_operator::listing::site::{INDEX_HTML, LISTING_JSON, LISTING_MD, Site};
use scs_cert_operator::listing::{ListingOptions, build_listing};
use serde_json::json;
use std::time::Instant;

const UUID: &str = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";

fn cloud(i: usize) -> CloudCertification {
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
    .expect("cloud literal")
}

fn integrator(i: usize) -> IntegratorCertification {
    serde_json::from_value(json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "IntegratorCertification",
        "metadata": {"name": format!("i-{i}"), "namespace": "bench"},
        "spec": {"organization": format!("Integrator {i} AG"), "layer": if i.is_multiple_of(2) { "IaaS" } else { "KaaS" }},
        "status": {"score": 4, "tier": "Silver",
                   "certificate": {"tier": "Silver", "notBefore": "2026-01-01T00:00:00Z",
                                   "notAfter": "2027-01-01T00:00:00Z"}}
    }))
    .expect("integrator literal")
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    let clouds: Vec<CloudCertification> = (0..n).map(cloud).collect();
    let integrators: Vec<IntegratorCertification> = (0..20).map(integrator).collect();
    let now: Timestamp = "2026-09-01T12:00:00Z".parse().expect("now");

    let started = Instant::now();
    let listing = build_listing(
        &clouds,
        &integrators,
        &HistoryFeed::new(),
        &ListingOptions::default(),
        now,
    );
    let build = started.elapsed();
    let (groups, revocations) = (listing.groups.len(), listing.revocations.len());

    let started = Instant::now();
    let site = Site::render(listing).expect("renders");
    let render = started.elapsed();

    let started = Instant::now();
    let payloads = pack(&site, PackOptions::default()).expect("packs");
    let packing = started.elapsed();

    let started = Instant::now();
    let subject = "provider1-region-1";
    let detail = site.detail_html(subject, UUID).expect("detail page");
    let detail_time = started.elapsed();

    let size = |key: &str| site.file(key).map_or(0, |f| f.bytes.len());
    let badges: usize = site
        .files
        .iter()
        .filter(|(k, _)| k.starts_with("badge--"))
        .map(|(_, f)| f.bytes.len())
        .sum();
    println!("subjects: {n}, groups: {groups}, integrators: 20, revocations: {revocations}");
    println!(
        "build: {:.1} ms, render: {:.1} ms, pack (gzip, split): {:.1} ms, one detail page: {:.2} ms",
        build.as_secs_f64() * 1e3,
        render.as_secs_f64() * 1e3,
        packing.as_secs_f64() * 1e3,
        detail_time.as_secs_f64() * 1e3
    );
    println!(
        "files: {}, total {:.1} MiB uncompressed: listing.json {:.1} MiB, index.html {:.1} MiB, \
         listing.md {:.1} MiB, badges {:.1} MiB ({} bytes each on average), detail page {} KiB",
        site.files.len(),
        site.total_bytes() as f64 / 1048576.0,
        size(LISTING_JSON) as f64 / 1048576.0,
        size(INDEX_HTML) as f64 / 1048576.0,
        size(LISTING_MD) as f64 / 1048576.0,
        badges as f64 / 1048576.0,
        badges / n.max(1),
        detail.len() / 1024
    );
    let largest = payloads.iter().map(|p| p.size).max().unwrap_or(0);
    let stored: usize = payloads.iter().map(|p| p.size).sum();
    println!(
        "ConfigMaps: {} (limit 1 MiB each; budget {} KiB), stored {:.1} MiB, largest payload {} KiB",
        payloads.len(),
        PackOptions::default().budget / 1024,
        stored as f64 / 1048576.0,
        largest / 1024
    );
    for (i, p) in payloads.iter().enumerate() {
        let gz: Vec<&String> = p.binary_data.keys().collect();
        println!(
            "  part {i}: {} KiB, {} plain keys, binary: {:?}",
            p.size / 1024,
            p.data.len(),
            gz
        );
    }
}
