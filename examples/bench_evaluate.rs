//! Benchmark (not a test): evaluate 10,000 subjects against the full upstream IaaS spec.
//!
//! Run with `cargo run --release --example bench_evaluate [SUBJECTS]`. Each subject has four
//! daily reports with every testcase of every version; the mix is mostly PASS with some FAIL,
//! ABORT, missing and expired results. Timed: latest-valid selection, scope evaluation and the
//! badge for every subject (report generation is not timed). Also timed separately: parsing
//! the YAML of a sample of reports. Prints wall time, evaluations per second and peak RSS.

use jiff::{SignedDuration, Timestamp};
use scs_cert_operator::evaluation::evaluate_scope;
use scs_cert_operator::report::{
    Invocation, Report, ReportSpec, Run, parse_report_stream, write_report_stream,
};
use scs_cert_operator::results::{SelectionIndex, SelectionOptions, Verdict};
use scs_cert_operator::scope::{ScopeSpec, load_file};
use scs_cert_operator::test_support::upstream_fixture;
use std::collections::BTreeMap;
use std::time::Instant;

const REPORTS_PER_SUBJECT: usize = 4;
const PARSE_SAMPLE: usize = 1_000;

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn all_testcases(spec: &ScopeSpec) -> Vec<String> {
    let mut ids: Vec<String> = spec
        .versions
        .iter()
        .flat_map(|v| v.targets.values().flatten().cloned())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn make_reports(spec: &ScopeSpec, subjects: usize, now: Timestamp) -> Vec<Report> {
    let ids = all_testcases(spec);
    let mut rng = Rng(0x5eed_cafe_f00d_beef);
    let mut reports = Vec::with_capacity(subjects * REPORTS_PER_SUBJECT);
    for s in 0..subjects {
        let subject = format!("cloud-{s:05}");
        // 0..70 all pass; 70..80 one FAIL; 80..87 one ABORT; 87..93 one missing;
        // 93..100 stale (newest report three weeks old: everything expired)
        let kind = rng.below(100);
        let stale = kind >= 93;
        for r in 0..REPORTS_PER_SUBJECT {
            let days_back = r as i64 + if stale { 21 } else { 0 };
            let checked_at = now
                - SignedDuration::from_hours(24 * days_back + 2)
                - SignedDuration::from_secs(rng.below(3600) as i64);
            let victim = rng.below(ids.len() as u64) as usize;
            let mut results = indexmap::IndexMap::with_capacity(ids.len());
            for (i, id) in ids.iter().enumerate() {
                let verdict = match kind {
                    70..80 if i == victim => Some(Verdict::Fail),
                    80..87 if i == victim => Some(Verdict::Abort),
                    87..93 if i == victim => None,
                    // a little noise in older reports only
                    _ if r > 0 && rng.below(50) == 0 => Some(Verdict::Fail),
                    _ => Some(Verdict::Pass),
                };
                if let Some(verdict) = verdict {
                    results.insert(id.clone(), verdict);
                }
            }
            let invocation = Invocation {
                id: format!("{subject}-{r}-inv"),
                cmd: format!("./iaas/openstack_test.py -c {subject}"),
                results,
                ..Invocation::default()
            };
            reports.push(Report {
                spec: ReportSpec {
                    uuid: spec.uuid.clone().unwrap_or_default(),
                    name: spec.name.clone().unwrap_or_default(),
                    url: spec.url.clone().unwrap_or_default(),
                },
                checked_at,
                reference_date: Some(jiff::tz::TimeZone::UTC.to_datetime(checked_at).date()),
                subject: subject.clone(),
                run: Run {
                    uuid: format!("{s:08x}-0000-4000-8000-{r:012x}"),
                    invocations: [(invocation.id.clone(), invocation)].into_iter().collect(),
                    ..Run::default()
                },
                legacy_versions: None,
            });
        }
    }
    reports
}

/// CPU time of this thread in nanoseconds (first field of schedstat); the machine may be shared,
/// so wall time alone can overstate the cost.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// A `/proc/self/status` memory figure in KiB (`VmHWM` = peak RSS, `VmRSS` = current).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let subjects: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let spec = match load_file(upstream_fixture("scs-compatible-iaas.yaml")) {
        Ok(loaded) => loaded.spec,
        Err(error) => {
            eprintln!("cannot load the IaaS spec: {error}");
            std::process::exit(1);
        }
    };
    let now: Timestamp = "2025-09-09T12:00:00Z".parse().expect("constant");
    let date = jiff::tz::TimeZone::UTC.to_datetime(now).date();

    let generation = Instant::now();
    let reports = make_reports(&spec, subjects, now);
    let generation = generation.elapsed();

    let input_rss = status_kib("VmRSS:");
    let cpu_start = thread_cpu_ns();
    let start = Instant::now();
    // reports are generated grouped by subject; slice them instead of re-grouping
    let validity = spec.validity_at(date);
    let index = SelectionIndex::new(&spec);
    let mut badges: BTreeMap<String, usize> = BTreeMap::new();
    for chunk in reports.chunks(REPORTS_PER_SUBJECT) {
        let latest = index.latest_valid_results(chunk, now, SelectionOptions::default());
        let evaluation = evaluate_scope(&spec, &validity, &latest, false);
        *badges.entry(evaluation.summary()).or_default() += 1;
    }
    let elapsed = start.elapsed();
    let cpu = cpu_start
        .zip(thread_cpu_ns())
        .map(|(a, b)| (b - a) as f64 / 1e9);

    // The same work split in two phases, to see where the time goes.
    let phase = Instant::now();
    let selected: Vec<_> = reports
        .chunks(REPORTS_PER_SUBJECT)
        .map(|chunk| index.latest_valid_results(chunk, now, SelectionOptions::default()))
        .collect();
    let selection_time = phase.elapsed();
    let phase = Instant::now();
    let badge_bytes: usize = selected
        .iter()
        .map(|latest| {
            evaluate_scope(&spec, &validity, latest, false)
                .summary()
                .len()
        })
        .sum();
    let evaluation_time = phase.elapsed();
    drop(selected);

    let sample = &reports[..PARSE_SAMPLE.min(reports.len())];
    let yaml = write_report_stream(sample);
    let parse_start = Instant::now();
    let parsed = parse_report_stream(&yaml).expect("parses");
    let parse_elapsed = parse_start.elapsed();
    assert_eq!(parsed.len(), sample.len());

    let seconds = elapsed.as_secs_f64();
    println!(
        "spec: {} ({} testcases, {} versions), at {now}",
        spec.name.as_deref().unwrap_or("?"),
        spec.testcases.len(),
        spec.versions.len()
    );
    println!(
        "subjects: {subjects}, reports: {} ({} results), generated in {:.2?}",
        reports.len(),
        reports
            .iter()
            .map(|r| r
                .run
                .invocations
                .values()
                .map(|i| i.results.len())
                .sum::<usize>())
            .sum::<usize>(),
        generation
    );
    println!("evaluation wall time: {:.3} s", seconds);
    println!("evaluations per second: {:.0}", subjects as f64 / seconds);
    if let Some(cpu) = cpu {
        println!(
            "  CPU time of the evaluating thread: {cpu:.3} s = {:.0} evaluations per CPU second",
            subjects as f64 / cpu
        );
    }
    println!(
        "  split: selection {:.3} s, scope evaluation + badge {:.3} s ({badge_bytes} badge bytes)",
        selection_time.as_secs_f64(),
        evaluation_time.as_secs_f64()
    );
    println!(
        "report parsing: {} reports ({:.1} MiB YAML) in {:.3} s = {:.0} reports/s",
        sample.len(),
        yaml.len() as f64 / (1024.0 * 1024.0),
        parse_elapsed.as_secs_f64(),
        sample.len() as f64 / parse_elapsed.as_secs_f64()
    );
    match status_kib("VmHWM:") {
        Some(kib) => println!("peak RSS (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak RSS: unavailable (no /proc/self/status)"),
    }
    if let Some(kib) = input_rss {
        println!(
            "  of which the generated input (RSS before evaluating): {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    println!("badges:");
    for (badge, count) in &badges {
        println!("  {count:>6}  {badge}");
    }
}
