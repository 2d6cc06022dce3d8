//! Reconcilers and what they share. Controllers are thin: observe (client and caches),
//! decide (pure `plan`), apply (client), write status with server-side apply.

pub mod cloud;
pub mod integrator;
pub mod job;
pub mod labels;
pub mod notify;
pub mod report_store;
pub mod scope_source;

use crate::api::CloudCertification;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::core::PartialObjectMeta;
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector::Store;
use std::sync::Arc;

/// Operator-wide settings (from flags).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Shapes of the check Jobs.
    pub job: job::JobSettings,
    /// At most this many check runs at once across all resources.
    pub max_concurrent_runs: usize,
    /// Finished Jobs kept per resource (older ones are deleted).
    pub finished_jobs_kept: usize,
    /// Stored reports kept per resource beyond those still supplying a current result.
    pub reports_kept: usize,
    /// Stored reports older than this are deleted unless they supply a current result
    /// (SCS-0004 asks for 18 months of history; compact history is kept elsewhere).
    pub report_max_age: std::time::Duration,
    /// Largest report body the intake accepts (bytes, before compression).
    pub max_report_bytes: usize,
    /// Public listing (issue 8): where and how it is published.
    pub listing: crate::listing::PublisherSettings,
    /// External report uploads (issue 11): account Secrets and rate limit.
    pub upload: crate::server::upload::UploadSettings,
    /// Integrator assessment choices where SCS-0007 is silent (issue 7).
    pub integrator: crate::integrator::AssessmentSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            job: job::JobSettings {
                operator_image: "ghcr.io/scs-cert-operator/scs-cert:latest".to_owned(),
                operator_binary: "/usr/local/bin/scs-cert".to_owned(),
                default_runner_image: "ghcr.io/sovereigncloudstack/scs-compliance-check:latest"
                    .to_owned(),
                scripts_dir: "/scs/Tests".to_owned(),
                intake_url: "http://scs-cert-operator.scs-cert-system.svc:8080".to_owned(),
                token_audience: "scs-cert-operator".to_owned(),
                service_account: "scs-cert-check".to_owned(),
            },
            max_concurrent_runs: 10,
            finished_jobs_kept: 3,
            reports_kept: 10,
            report_max_age: std::time::Duration::from_secs(548 * 24 * 3600),
            max_report_bytes: 8 * 1024 * 1024,
            listing: crate::listing::PublisherSettings::default(),
            upload: crate::server::upload::UploadSettings::default(),
            integrator: crate::integrator::AssessmentSettings::default(),
        }
    }
}

/// Read caches the reconcilers and the intake share (fed by reflectors).
#[derive(Clone)]
pub struct Caches {
    /// CloudCertifications.
    pub clouds: Store<CloudCertification>,
    /// Our Jobs (label-selected).
    pub jobs: Store<Job>,
    /// Our ConfigMaps (stored reports, failure records, scope copies; label-selected).
    pub owned_config_maps: Store<ConfigMap>,
    /// Metadata of every ConfigMap in the watched namespaces (to notice scope changes).
    pub config_map_meta: Store<PartialObjectMeta<ConfigMap>>,
    /// IntegratorCertifications (the public listing reads them).
    pub integrators: Store<crate::api::IntegratorCertification>,
    /// The public listing as last built (the listing publisher writes, the pages read).
    pub listing: crate::listing::SiteHandle,
}

/// Shared state of all reconcilers.
pub struct Context {
    /// Kubernetes client.
    pub client: kube::Client,
    /// HTTP client (scope URLs).
    pub http: reqwest::Client,
    /// Event recorder (one for all resources; repeated events are patched, not duplicated).
    pub recorder: Recorder,
    /// Settings.
    pub settings: Settings,
    /// Caches.
    pub caches: Caches,
    /// Loaded scope specs.
    pub scopes: scope_source::ScopeCache,
    /// Parsed stored reports by ConfigMap uid.
    pub reports: cloud::observe::ReportCache,
    /// Serialises "count active runs, then create a Job" across reconciles.
    pub run_slots: tokio::sync::Mutex<()>,
    /// Run counters, durations and the leader flag for `/metrics` (issue 9).
    pub metrics: crate::metrics::Metrics,
    /// Delivers certificate transitions (issue 6) and tracks the retry backoff.
    pub notifier: notify::Notifier,
}

impl Context {
    /// A context for `client` with `settings` and the given caches.
    pub fn new(client: kube::Client, settings: Settings, caches: Caches) -> Arc<Self> {
        let reporter = Reporter {
            controller: "scs-cert-operator".into(),
            instance: std::env::var("POD_NAME").ok(),
        };
        Arc::new(Self {
            recorder: Recorder::new(client.clone(), reporter),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            client,
            settings,
            caches,
            scopes: scope_source::ScopeCache::default(),
            reports: cloud::observe::ReportCache::default(),
            run_slots: tokio::sync::Mutex::new(()),
            metrics: crate::metrics::Metrics::default(),
            notifier: notify::Notifier::default(),
        })
    }
}
