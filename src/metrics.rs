//! Prometheus metrics (text exposition format 0.0.4), served on `/metrics`.
//!
//! Certificate and condition gauges are computed from the caches at scrape time, so a deleted
//! resource leaves no stale series and every replica (leader or not) reports the same values.
//! Run counters and durations are kept in memory by the leader's reconciler (they start at
//! zero in a new leader, which Prometheus treats as a counter reset); their series are only
//! exposed for resources still in the cache. Metric names follow cert-manager's conventions.

use crate::api::cloud::RunRecord;
use crate::api::conditions;
use crate::api::{CloudCertification, CloudCertificationStatus, IntegratorCertification};
use kube::ResourceExt;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Upper bounds (seconds) of the run duration histogram: check runs take minutes.
pub const RUN_DURATION_BUCKETS: [f64; 10] = [
    10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0,
];

/// Every value `status.certificate.state` takes (SCS-0004 lifecycle).
pub const CERTIFICATE_STATES: [&str; 6] = [
    "Pending", "Refused", "Valid", "Expiring", "Expired", "Revoked",
];

/// The operator's in-memory metrics (shared through the controller context).
#[derive(Default, Debug)]
pub struct Metrics {
    runs: Mutex<BTreeMap<String, RunSeries>>,
    leader: AtomicBool,
}

/// Run counters of one resource (by uid).
#[derive(Default, Debug, Clone)]
struct RunSeries {
    namespace: String,
    name: String,
    /// The last run counted: a retried reconcile never counts a run twice.
    last_counted: String,
    outcomes: BTreeMap<String, u64>,
    durations: Histogram,
}

/// A cumulative histogram over [`RUN_DURATION_BUCKETS`].
#[derive(Default, Debug, Clone)]
struct Histogram {
    buckets: [u64; RUN_DURATION_BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bucket, bound) in self.buckets.iter_mut().zip(RUN_DURATION_BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

/// The run `next` finished that `previous` did not know as finished: a new `lastRun` id
/// with `finishedAt`. Pure; the reconciler calls it after writing the new status.
pub fn finished_run<'a>(
    previous: &CloudCertificationStatus,
    next: &'a CloudCertificationStatus,
) -> Option<&'a RunRecord> {
    let run = next.last_run.as_ref()?;
    run.finished_at?;
    let known = previous
        .last_run
        .as_ref()
        .is_some_and(|old| old.id == run.id && old.finished_at.is_some());
    (!known).then_some(run)
}

impl Metrics {
    /// Counts the finished `run` of the resource `uid` once (outcome and duration).
    pub fn run_finished(&self, uid: &str, namespace: &str, name: &str, run: &RunRecord) {
        let Ok(mut runs) = self.runs.lock() else {
            return;
        };
        let series = runs.entry(uid.to_owned()).or_default();
        series.namespace = namespace.to_owned();
        series.name = name.to_owned();
        if series.last_counted == run.id {
            return;
        }
        series.last_counted = run.id.clone();
        let outcome = run.outcome.clone().unwrap_or_else(|| "Unknown".to_owned());
        *series.outcomes.entry(outcome).or_default() += 1;
        if let (Some(started), Some(finished)) = (run.started_at, run.finished_at) {
            let seconds = finished.duration_since(started).as_secs_f64().max(0.0);
            series.durations.observe(seconds);
        }
    }

    /// Records whether this replica leads.
    pub fn set_leader(&self, leading: bool) {
        self.leader.store(leading, Ordering::SeqCst);
    }

    /// The exposition text for the resources in the caches. Run series of resources no
    /// longer cached are dropped here for good.
    pub fn render(
        &self,
        clouds: &[std::sync::Arc<CloudCertification>],
        integrators: &[std::sync::Arc<IntegratorCertification>],
    ) -> String {
        let live: HashSet<String> = clouds.iter().filter_map(|c| c.uid()).collect();
        let runs: Vec<RunSeries> = match self.runs.lock() {
            Ok(mut runs) => {
                runs.retain(|uid, _| live.contains(uid));
                runs.values().cloned().collect()
            }
            Err(_) => Vec::new(),
        };
        render(&Snapshot {
            version: env!("CARGO_PKG_VERSION"),
            leader: self.leader.load(Ordering::SeqCst),
            clouds: clouds.iter().map(|c| c.as_ref()).collect(),
            integrators: integrators.iter().map(|i| i.as_ref()).collect(),
            runs,
        })
    }
}

/// Everything one scrape shows.
struct Snapshot<'a> {
    version: &'a str,
    leader: bool,
    clouds: Vec<&'a CloudCertification>,
    integrators: Vec<&'a IntegratorCertification>,
    runs: Vec<RunSeries>,
}

/// Escapes a label value (backslash, double quote, newline).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `{a="x",b="y"}` from label pairs.
fn labels(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

/// A metric family under construction: HELP and TYPE once, then its samples.
struct Family {
    text: String,
    samples: usize,
}

impl Family {
    fn new(name: &str, kind: &str, help: &str) -> Self {
        Self {
            text: format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"),
            samples: 0,
        }
    }
    fn sample(&mut self, name: &str, labels: &str, value: f64) {
        let _ = writeln!(self.text, "{name}{labels} {value}");
        self.samples += 1;
    }
    /// Appends the family to `out` (families without samples are left out).
    fn finish(self, out: &mut String) {
        if self.samples > 0 {
            out.push_str(&self.text);
        }
    }
}

fn condition_status<'a>(cloud: &'a CloudCertification, kind: &str) -> Option<&'a str> {
    let status = cloud.status.as_ref()?;
    conditions::find(&status.conditions, kind).map(|c| c.status.as_str())
}

fn render(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    let mut build = Family::new(
        "scs_operator_build_info",
        "gauge",
        "Version of the running scs-cert operator (always 1).",
    );
    build.sample(
        "scs_operator_build_info",
        &labels(&[("version", snapshot.version)]),
        1.0,
    );
    build.finish(&mut out);
    let mut leader = Family::new(
        "scs_operator_leader",
        "gauge",
        "1 when this replica is the leader (runs the controllers, publishes the listing), else 0.",
    );
    leader.sample(
        "scs_operator_leader",
        "",
        if snapshot.leader { 1.0 } else { 0.0 },
    );
    leader.finish(&mut out);

    let mut clouds = snapshot.clouds.clone();
    clouds.sort_by_key(|c| (c.namespace(), c.name_any()));
    let mut not_after = Family::new(
        "scs_certificate_not_after_timestamp_seconds",
        "gauge",
        "End of validity of the current certificate (status.certificate.notAfter), Unix seconds.",
    );
    let mut not_before = Family::new(
        "scs_certificate_not_before_timestamp_seconds",
        "gauge",
        "Start of validity of the current certificate (status.certificate.notBefore), Unix seconds.",
    );
    let mut state = Family::new(
        "scs_certificate_state",
        "gauge",
        "1 for the current certificate state (status.certificate.state), 0 for the others.",
    );
    let mut compliant = Family::new(
        "scs_certification_compliant",
        "gauge",
        "Compliant condition: 1 True, 0 False (absent while Unknown).",
    );
    let mut ready = Family::new(
        "scs_certification_ready",
        "gauge",
        "Ready condition: 1 True, 0 False or Unknown.",
    );
    let mut last_run = Family::new(
        "scs_certification_last_run_finished_timestamp_seconds",
        "gauge",
        "When the last check run finished (status.lastRun.finishedAt), Unix seconds.",
    );
    for cloud in &clouds {
        let status = cloud.status.clone().unwrap_or_default();
        let namespace = cloud.namespace().unwrap_or_default();
        let name = cloud.name_any();
        let scope = status
            .scope
            .as_ref()
            .and_then(|s| s.name.clone())
            .unwrap_or_default();
        let certificate = status.certificate.clone().unwrap_or_default();
        let version = certificate
            .version
            .clone()
            .or_else(|| cloud.spec.certificate.as_ref().map(|c| c.version.clone()))
            .unwrap_or_default();
        let base = [
            ("namespace", namespace.as_str()),
            ("name", name.as_str()),
            ("subject", cloud.spec.subject.as_str()),
            ("scope", scope.as_str()),
            ("version", version.as_str()),
        ];
        let base_labels = labels(&base);
        if let Some(t) = certificate.not_after {
            not_after.sample(
                "scs_certificate_not_after_timestamp_seconds",
                &base_labels,
                t.as_second() as f64,
            );
        }
        if let Some(t) = certificate.not_before {
            not_before.sample(
                "scs_certificate_not_before_timestamp_seconds",
                &base_labels,
                t.as_second() as f64,
            );
        }
        if let Some(current) = certificate.state.as_deref() {
            for candidate in CERTIFICATE_STATES {
                let mut pairs = base.to_vec();
                pairs.push(("state", candidate));
                let value = if candidate == current { 1.0 } else { 0.0 };
                state.sample("scs_certificate_state", &labels(&pairs), value);
            }
        }
        match condition_status(cloud, conditions::COMPLIANT) {
            Some("True") => compliant.sample("scs_certification_compliant", &base_labels, 1.0),
            Some("False") => compliant.sample("scs_certification_compliant", &base_labels, 0.0),
            _ => {}
        }
        if let Some(value) = condition_status(cloud, conditions::READY) {
            let value = if value == "True" { 1.0 } else { 0.0 };
            ready.sample("scs_certification_ready", &base_labels, value);
        }
        if let Some(t) = status.last_run.as_ref().and_then(|r| r.finished_at) {
            last_run.sample(
                "scs_certification_last_run_finished_timestamp_seconds",
                &labels(&[("namespace", &namespace), ("name", &name)]),
                t.as_second() as f64,
            );
        }
    }
    for family in [not_after, not_before, state, compliant, ready, last_run] {
        family.finish(&mut out);
    }

    let mut runs = snapshot.runs.clone();
    runs.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    let mut total = Family::new(
        "scs_certification_runs_total",
        "counter",
        "Check runs finished since this replica became the leader, by outcome.",
    );
    let mut duration = Family::new(
        "scs_certification_run_duration_seconds",
        "histogram",
        "Duration of finished check runs (startedAt to finishedAt).",
    );
    for series in &runs {
        let who = [
            ("namespace", series.namespace.as_str()),
            ("name", series.name.as_str()),
        ];
        for (outcome, count) in &series.outcomes {
            let mut pairs = who.to_vec();
            pairs.push(("outcome", outcome));
            total.sample(
                "scs_certification_runs_total",
                &labels(&pairs),
                *count as f64,
            );
        }
        if series.durations.count == 0 {
            continue;
        }
        for (count, bound) in series.durations.buckets.iter().zip(RUN_DURATION_BUCKETS) {
            let le = bound.to_string();
            let mut pairs = who.to_vec();
            pairs.push(("le", &le));
            duration.sample(
                "scs_certification_run_duration_seconds_bucket",
                &labels(&pairs),
                *count as f64,
            );
        }
        let mut pairs = who.to_vec();
        pairs.push(("le", "+Inf"));
        let count = series.durations.count as f64;
        duration.sample(
            "scs_certification_run_duration_seconds_bucket",
            &labels(&pairs),
            count,
        );
        duration.sample(
            "scs_certification_run_duration_seconds_sum",
            &labels(&who),
            series.durations.sum,
        );
        duration.sample(
            "scs_certification_run_duration_seconds_count",
            &labels(&who),
            count,
        );
    }
    total.finish(&mut out);
    duration.finish(&mut out);

    let mut integrators = snapshot.integrators.clone();
    integrators.sort_by_key(|i| (i.namespace(), i.name_any()));
    let mut score = Family::new(
        "scs_integrator_score",
        "gauge",
        "SCS-0007 score of an IntegratorCertification (status.score).",
    );
    let mut tier = Family::new(
        "scs_integrator_tier",
        "gauge",
        "1 for the tier the score reaches (status.tier).",
    );
    let mut integrator_not_after = Family::new(
        "scs_integrator_certificate_not_after_timestamp_seconds",
        "gauge",
        "End of validity of the integrator certificate, Unix seconds.",
    );
    for integrator in &integrators {
        let Some(status) = integrator.status.as_ref() else {
            continue;
        };
        let namespace = integrator.namespace().unwrap_or_default();
        let name = integrator.name_any();
        let layer = format!("{:?}", integrator.spec.layer);
        let base = [
            ("namespace", namespace.as_str()),
            ("name", name.as_str()),
            ("organization", integrator.spec.organization.as_str()),
            ("layer", layer.as_str()),
        ];
        if let Some(value) = status.score {
            score.sample("scs_integrator_score", &labels(&base), f64::from(value));
        }
        if let Some(reached) = status.tier.as_deref() {
            let mut pairs = base.to_vec();
            pairs.push(("tier", reached));
            tier.sample("scs_integrator_tier", &labels(&pairs), 1.0);
        }
        if let Some(certificate) = &status.certificate
            && let Some(t) = certificate.not_after
        {
            let granted = certificate.tier.clone().unwrap_or_default();
            let mut pairs = base.to_vec();
            pairs.push(("tier", &granted));
            integrator_not_after.sample(
                "scs_integrator_certificate_not_after_timestamp_seconds",
                &labels(&pairs),
                t.as_second() as f64,
            );
        }
    }
    for family in [score, tier, integrator_not_after] {
        family.finish(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Arc;

    fn cloud(name: &str, uid: &str, status: serde_json::Value) -> Arc<CloudCertification> {
        Arc::new(
            serde_json::from_value(json!({
                "apiVersion": "certification.scs.community/v1alpha1",
                "kind": "CloudCertification",
                "metadata": {"name": name, "namespace": "clouds", "uid": uid},
                "spec": {
                    "subject": format!("{name} \"cloud\""),
                    "scope": {"configMap": {"name": "scope", "key": "scope.yaml"}},
                    "schedule": {"cron": "0 0 * * *"},
                    "certificate": {"version": "v5"}
                },
                "status": status
            }))
            .expect("cloud literal"),
        )
    }

    fn condition(type_: &str, status: &str) -> serde_json::Value {
        json!({"type": type_, "status": status, "reason": "R", "message": "",
               "lastTransitionTime": "2026-01-01T00:00:00Z"})
    }

    fn run(id: &str, outcome: &str, seconds: i64) -> RunRecord {
        serde_json::from_value(json!({
            "id": id, "trigger": "Manual", "outcome": outcome,
            "startedAt": "2026-03-01T10:00:00Z",
            "finishedAt": jiff::Timestamp::from_second(1_772_359_200 + seconds).expect("t").to_string()
        }))
        .expect("run literal")
    }

    fn certified() -> Arc<CloudCertification> {
        cloud(
            "alpha",
            "uid-a",
            json!({
                "scope": {"name": "SCS-compatible IaaS"},
                "conditions": [condition("Ready", "True"), condition("Compliant", "True")],
                "certificate": {"version": "v4", "state": "Valid",
                                "notBefore": "2026-03-01T00:00:00Z",
                                "notAfter": "2027-03-01T00:00:00Z"},
                "lastRun": {"id": "r1", "trigger": "Manual", "finishedAt": "2026-03-01T10:05:00Z"}
            }),
        )
    }

    #[test]
    fn certificate_and_condition_gauges_come_from_the_cached_status() {
        let metrics = Metrics::default();
        metrics.set_leader(true);
        let text = metrics.render(&[certified()], &[]);
        let labels = r#"{namespace="clouds",name="alpha",subject="alpha \"cloud\"",scope="SCS-compatible IaaS",version="v4"}"#;
        for line in [
            "scs_operator_leader 1".to_owned(),
            format!("scs_operator_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION")),
            format!("scs_certificate_not_after_timestamp_seconds{labels} 1803859200"),
            format!("scs_certificate_not_before_timestamp_seconds{labels} 1772323200"),
            format!("scs_certification_compliant{labels} 1"),
            format!("scs_certification_ready{labels} 1"),
            "scs_certification_last_run_finished_timestamp_seconds{namespace=\"clouds\",name=\"alpha\"} 1772359500".to_owned(),
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        let state_lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("scs_certificate_state{"))
            .collect();
        assert_eq!(state_lines.len(), CERTIFICATE_STATES.len());
        assert!(
            state_lines
                .iter()
                .any(|l| l.ends_with(r#"state="Valid"} 1"#))
        );
        assert_eq!(state_lines.iter().filter(|l| l.ends_with(" 1")).count(), 1);
        assert!(text.contains("# TYPE scs_certificate_not_after_timestamp_seconds gauge\n"));
    }

    #[test]
    fn absent_fields_give_no_series_and_the_spec_version_fills_in() {
        let fresh = cloud(
            "beta",
            "uid-b",
            json!({"conditions": [condition("Ready", "Unknown"), condition("Compliant", "Unknown")]}),
        );
        let text = Metrics::default().render(&[fresh], &[]);
        assert!(!text.contains("scs_certificate_not_after"), "{text}");
        assert!(!text.contains("scs_certificate_state"), "{text}");
        assert!(!text.contains("scs_certification_compliant{"), "{text}");
        assert!(text.contains(r#"scs_certification_ready{namespace="clouds",name="beta",subject="beta \"cloud\"",scope="",version="v5"} 0"#), "{text}");
        assert!(text.contains("scs_operator_leader 0"));
    }

    #[test]
    fn runs_are_counted_once_and_only_for_cached_resources() {
        let metrics = Metrics::default();
        metrics.run_finished("uid-a", "clouds", "alpha", &run("r1", "ReportReceived", 90));
        metrics.run_finished("uid-a", "clouds", "alpha", &run("r1", "ReportReceived", 90));
        metrics.run_finished("uid-a", "clouds", "alpha", &run("r2", "NoReport", 4000));
        metrics.run_finished(
            "uid-gone",
            "clouds",
            "gone",
            &run("r1", "ReportReceived", 5),
        );
        let text = metrics.render(&[certified()], &[]);
        let who = r#"namespace="clouds",name="alpha""#;
        for line in [
            format!(r#"scs_certification_runs_total{{{who},outcome="ReportReceived"}} 1"#),
            format!(r#"scs_certification_runs_total{{{who},outcome="NoReport"}} 1"#),
            format!(r#"scs_certification_run_duration_seconds_bucket{{{who},le="60"}} 0"#),
            format!(r#"scs_certification_run_duration_seconds_bucket{{{who},le="120"}} 1"#),
            format!(r#"scs_certification_run_duration_seconds_bucket{{{who},le="3600"}} 1"#),
            format!(r#"scs_certification_run_duration_seconds_bucket{{{who},le="7200"}} 2"#),
            format!(r#"scs_certification_run_duration_seconds_bucket{{{who},le="+Inf"}} 2"#),
            format!(r#"scs_certification_run_duration_seconds_sum{{{who}}} 4090"#),
            format!(r#"scs_certification_run_duration_seconds_count{{{who}}} 2"#),
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        assert!(!text.contains(r#"name="gone""#), "{text}");
        assert!(text.contains("# TYPE scs_certification_runs_total counter\n"));
        assert!(text.contains("# TYPE scs_certification_run_duration_seconds histogram\n"));
        // The deleted resource's counters are gone for good, even if it came back cached.
        assert!(!metrics.runs.lock().expect("lock").contains_key("uid-gone"));
        // Nothing cached: no resource series at all, and the families are left out.
        let empty = metrics.render(&[], &[]);
        assert!(!empty.contains("scs_certification_"), "{empty}");
    }

    #[test]
    fn a_run_is_finished_once_when_last_run_changes() {
        let mut previous = CloudCertificationStatus::default();
        let mut next = CloudCertificationStatus {
            last_run: Some(run("r1", "ReportReceived", 60)),
            ..CloudCertificationStatus::default()
        };
        assert_eq!(
            finished_run(&previous, &next).map(|r| r.id.as_str()),
            Some("r1")
        );
        previous.last_run = next.last_run.clone();
        assert_eq!(finished_run(&previous, &next), None);
        next.last_run.as_mut().expect("run").finished_at = None;
        previous.last_run = None;
        assert_eq!(finished_run(&previous, &next), None, "not finished yet");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(labels(&[("a", "x\\y\"z\nw")]), r#"{a="x\\y\"z\nw"}"#);
    }

    #[test]
    fn integrator_score_tier_and_validity() {
        let integrator: IntegratorCertification = serde_json::from_value(json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "IntegratorCertification",
            "metadata": {"name": "acme", "namespace": "orgs"},
            "spec": {"organization": "ACME", "layer": "IaaS"},
            "status": {"score": 5, "tier": "Silver",
                       "certificate": {"tier": "Silver", "notAfter": "2027-01-01T00:00:00Z"}}
        }))
        .expect("integrator literal");
        let text = Metrics::default().render(&[], &[Arc::new(integrator)]);
        let base = r#"namespace="orgs",name="acme",organization="ACME",layer="IaaS""#;
        for line in [
            format!("scs_integrator_score{{{base}}} 5"),
            format!(r#"scs_integrator_tier{{{base},tier="Silver"}} 1"#),
            format!(
                r#"scs_integrator_certificate_not_after_timestamp_seconds{{{base},tier="Silver"}} 1798761600"#
            ),
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
    }
}
