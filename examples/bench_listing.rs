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
use scs_cert_operator::listing::synthetic::{UUID, cloud, integrator};
use scs_cert_operator::listing::{ListingOptions, build_listing};
use std::time::Instant;

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
