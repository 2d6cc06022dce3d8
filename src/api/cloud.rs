//! `CloudCertification`: one subject (a cloud region or a KaaS configuration) tested against
//! one SCS certificate scope, with the certificate that may be granted for it.

// `printcolumn(type_ = ...)` repeats keys by design; clippy reads them as duplicates.
#![allow(clippy::duplicated_attributes)]

use super::common::SecretKeyMount;
/// Notification sink types, shared with IntegratorCertification (kept here for old paths).
pub use super::common::{Notifications, SecretKeyRef, Webhook};
use k8s_openapi::api::core::v1::{EnvVar, ResourceRequirements, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{CustomResource, KubeSchema};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Desired state of a CloudCertification: what is tested, how and how often, and the
/// certification body's decisions about it.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "certification.scs.community",
    version = "v1alpha1",
    kind = "CloudCertification",
    namespaced,
    status = "CloudCertificationStatus",
    shortname = "ccert",
    category = "scs",
    derive = "PartialEq",
    doc = "One cloud (an IaaS region or a KaaS configuration) tested against one SCS \
           certificate scope on a schedule, with the certificate granted for it.",
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status"
    ),
    printcolumn(
        name = "Status",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].message"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    ),
    printcolumn(
        name = "Subject",
        type_ = "string",
        json_path = ".spec.subject",
        priority = "1"
    ),
    printcolumn(
        name = "Scope",
        type_ = "string",
        json_path = ".status.scope.name",
        priority = "1"
    ),
    printcolumn(
        name = "Version",
        type_ = "string",
        json_path = ".status.certificate.version",
        priority = "1"
    ),
    printcolumn(
        name = "Certificate",
        type_ = "string",
        json_path = ".status.certificate.state",
        priority = "1"
    ),
    printcolumn(
        name = "Expires",
        type_ = "string",
        json_path = ".status.certificate.notAfter",
        priority = "1"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct CloudCertificationSpec {
    /// Subject name used in reports and the public listing, e.g. `regio-a` or `noris-1.35`.
    /// Letters, digits, `_`, `-` and `.`; at most 63 characters.
    #[schemars(length(min = 1, max = 63))]
    #[x_kube(validation = Rule::new("self.matches('^[A-Za-z0-9][A-Za-z0-9_.-]*$')")
        .message("subject must start with a letter or digit and contain only letters, digits, '_', '-' and '.'"))]
    pub subject: String,

    /// Human-readable name of the cloud shown in the listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 256))]
    pub display_name: Option<String>,

    /// Organisation operating the cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 256))]
    pub provider: Option<String>,

    /// Free-text description shown in the listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 4096))]
    pub description: Option<String>,

    /// Optional group (e.g. all regions of one provider) for group rollups in the listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 63))]
    pub group: Option<String>,

    /// Link to the cloud's health monitor, shown in the listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048))]
    #[x_kube(validation = Rule::new("self.startsWith('https://') || self.startsWith('http://')").message("healthMonitorUrl must be an http(s) URL"))]
    pub health_monitor_url: Option<String>,

    /// Where the scope spec (the SCS scope YAML) comes from.
    pub scope: ScopeSource,

    /// The cloud under test: credentials and variable assignments for the checks.
    #[serde(default)]
    pub target: TestTarget,

    /// When checks run and which testcases each run selects.
    #[serde(default)]
    pub schedule: Schedule,

    /// The check Job: image, command and limits.
    #[serde(default)]
    pub runner: Runner,

    /// Pause scheduling of new runs without deleting anything.
    #[serde(default)]
    pub suspend: bool,

    /// Who runs the checks (issue 11): `InCluster` (default) runs them as Jobs here;
    /// `External` starts no Jobs: the cloud operator runs the official suite and uploads
    /// signed reports to `POST /reports` (docs/external-uploads.md).
    #[serde(default)]
    pub execution_mode: ExecutionMode,

    /// The certificate (SCS-0004) for one version of the scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateSpec>,

    /// Records of manual testcases (scripts without executable), SCS-0004 item 3. They count
    /// like automated results, with lifetime `quarter` unless the testcase declares one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 256))]
    pub manual_checks: Vec<ManualCheckRecord>,

    /// Where certificate transitions (issued, degraded, recovered, expiring, expired,
    /// revoked, manual checks due) are announced, SCS-0004 item 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<Notifications>,
}

/// One manual check, recorded by the person who did it.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ManualCheckRecord {
    /// Id of a manual testcase of the scope, e.g. `scs-0118-v1-taxonomy-of-failsafe-levels`.
    #[schemars(length(min = 1, max = 253))]
    pub testcase: String,
    /// The outcome.
    pub result: ManualResult,
    /// When the check was done (RFC 3339); its lifetime counts from here.
    pub checked_at: jiff::Timestamp,
    /// Who did the check.
    #[schemars(length(min = 1, max = 256))]
    pub checked_by: String,
    /// Where the evidence is (document, ticket, pull request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub evidence: Option<String>,
}

/// Outcome of a manual check.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum ManualResult {
    /// The requirement is met.
    #[default]
    #[serde(rename = "PASS")]
    Pass,
    /// The requirement is not met.
    #[serde(rename = "FAIL")]
    Fail,
    /// The check could not be done.
    #[serde(rename = "ABORT")]
    Abort,
}

impl ManualResult {
    /// The spelling of reports (`PASS`, `FAIL`, `ABORT`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Abort => "ABORT",
        }
    }
}

/// Source of the scope spec: exactly one of `configMap` or `url`.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
#[x_kube(
    validation = Rule::new("has(self.configMap) != has(self.url)")
        .message("scope needs exactly one of configMap or url"),
    validation = Rule::new("!has(self.sha256) || has(self.url)")
        .message("scope.sha256 pins a scope fetched from scope.url; it needs url")
)]
pub struct ScopeSource {
    /// Scope spec stored in a ConfigMap key in the resource's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<ConfigMapKey>,

    /// HTTPS URL of the scope spec, e.g. the raw upstream `scs-compatible-iaas.yaml` at a
    /// pinned commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048))]
    #[x_kube(validation = Rule::new("self.startsWith('https://')").message("scope.url must be an https:// URL"))]
    pub url: Option<String>,

    /// Expected SHA-256 (hex) of the document at `url`; a different digest is an error,
    /// never a silent switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 64))]
    #[x_kube(validation = Rule::new("self.matches('^[0-9a-f]{64}$')").message("scope.sha256 must be 64 lowercase hex digits"))]
    pub sha256: Option<String>,

    /// Test exactly this scope version, ignoring the timeline (like the check tool's `-V`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A key of a ConfigMap in the resource's namespace.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapKey {
    /// Name of the ConfigMap.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Key holding the scope YAML.
    #[schemars(length(min = 1, max = 253))]
    pub key: String,
}

/// The environment under test.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct TestTarget {
    /// Secret with the credentials the checks need (clouds.yaml, secure.yaml, kubeconfig),
    /// mounted read-only into the check Job. Its values never appear in status, events,
    /// logs or the listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<SecretKeyMount>,

    /// Variable assignments for the scope's scripts (the check tool's `-a NAME=VALUE`),
    /// e.g. `os_cloud: regio-a`. Not for secrets: values are recorded in reports.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, String>,
}

/// When checks run.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// Cron expression (minute hour day-of-month month day-of-week); default daily at 03:00.
    #[serde(default = "default_cron")]
    #[schemars(length(min = 9, max = 128))]
    pub cron: String,

    /// IANA time zone the cron expression is read in; default UTC.
    #[serde(default = "default_time_zone")]
    #[schemars(length(min = 1, max = 64))]
    pub time_zone: String,

    /// Which testcases a scheduled run selects.
    #[serde(default)]
    pub selection: Selection,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            cron: default_cron(),
            time_zone: default_time_zone(),
            selection: Selection::default(),
        }
    }
}

fn default_cron() -> String {
    "0 3 * * *".to_owned()
}

fn default_time_zone() -> String {
    "UTC".to_owned()
}

/// Testcase selection policy of a scheduled run.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum Selection {
    /// Every automated testcase of the tested versions, every run.
    #[default]
    All,
    /// Only testcases whose result is missing or expires before the next scheduled run.
    Expiring,
}

/// The check Job.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Runner {
    /// Container image with the check scripts; default: the official pinned SCS image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,

    /// Command overriding the default check command.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,

    /// Arguments overriding the default check arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,

    /// Wall-clock limit of one run in seconds (the Job's activeDeadlineSeconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 60, max = 86400))]
    pub timeout_seconds: Option<i64>,

    /// Pod attempts per run before the run counts as failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5))]
    pub attempts: Option<i32>,

    /// Directory of the check scripts inside the image (executables of the scope spec are
    /// resolved relative to it); default: the operator's `--scripts-dir`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    #[x_kube(validation = Rule::new("self.startsWith('/')").message("runner.workingDir must be an absolute path"))]
    pub working_dir: Option<String>,

    /// Compute resources of the check container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,

    /// ServiceAccount of the check pod (default: the operator's check account, which has
    /// no permissions). Its tokens are only used for the report upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253))]
    pub service_account_name: Option<String>,

    /// Node selector of the check pod.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,

    /// Tolerations of the check pod.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 32))]
    pub tolerations: Vec<Toleration>,

    /// Extra environment variables of the check container (e.g. proxy settings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64))]
    pub env: Vec<EnvVar>,
}

/// The certificate requested for one scope version (SCS-0004).
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSpec {
    /// Scope version to be certified, e.g. `v5.1`.
    #[schemars(length(min = 1, max = 64))]
    pub version: String,

    /// Who issues the certificate.
    #[serde(default)]
    pub issuance: Issuance,

    /// The certification body's grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<Grant>,

    /// The certification body's revocation; a revoked certificate is never revived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<Revocation>,

    /// Days before `notAfter` at which the certificate counts as expiring (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 365))]
    pub renewal_window_days: Option<u32>,
}

/// How a certificate comes about.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum Issuance {
    /// The certification body grants it (`grant`); the official path.
    #[default]
    Manual,
    /// Self-assessment: issued when the version passes; always listed as self-assessed.
    Automatic,
}

/// The certification body's grant of a certificate.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// When the certificate was granted (RFC 3339); validity is one year from here.
    pub granted_at: jiff::Timestamp,
    /// Who granted it (person or body).
    #[schemars(length(min = 1, max = 256))]
    pub granted_by: String,
    /// Reference to the decision, e.g. a ticket or pull request URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub reference: Option<String>,
}

/// A revocation decision.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Revocation {
    /// When the certificate was revoked (RFC 3339).
    pub revoked_at: jiff::Timestamp,
    /// Who revoked it.
    #[schemars(length(min = 1, max = 256))]
    pub revoked_by: String,
    /// Why it was revoked; published on the revocation list.
    #[schemars(length(min = 1, max = 4096))]
    pub reason: String,
}

/// Observed state of a CloudCertification, written only by the operator.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct CloudCertificationStatus {
    /// Generation of the spec this status was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,

    /// Conditions keyed by type: Ready, Compliant, Certified, Checking.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["type".into()]))]
    pub conditions: Vec<Condition>,

    /// The scope spec in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeStatus>,

    /// The summary badge text, e.g. `✅ v5.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,

    /// The version that decided the scope verdict (the monitor's winner), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_passed_version: Option<String>,

    /// Verdict of every explicitly valid version at the last evaluation, in spec order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["name".into()]))]
    pub versions: Vec<VersionVerdict>,

    /// The latest still-valid result per testcase, with its expiry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["testcase".into()]))]
    pub results: Vec<TestcaseResult>,

    /// When the latest evaluation was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_at: Option<jiff::Timestamp>,

    /// The next planned run (absent while suspended or when the schedule never fires).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_run_at: Option<jiff::Timestamp>,

    /// The schedule slot of the latest scheduled run: the anchor of the schedule, so a
    /// restart neither re-fires nor skips runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scheduled_time: Option<jiff::Timestamp>,

    /// The value of the run-now annotation that was last acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_manual_trigger: Option<String>,

    /// The run in progress, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_run: Option<RunRecord>,

    /// The latest finished run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<RunRecord>,

    /// Recent finished runs, newest first (bounded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(merge_strategy = ListMerge::Atomic)]
    pub recent_runs: Vec<RunRecord>,

    /// The current certificate, if one is requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateStatus>,

    /// Every certificate issued for this resource, newest first (current and past, kept
    /// 12 months after expiry). Recorded once and never re-dated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(merge_strategy = ListMerge::Atomic)]
    pub certificates: Vec<CertificateStatus>,

    /// The latest grant the operator refused when it first saw it (sticky for that grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_refusal: Option<crate::certificate::GrantRefusal>,

    /// Notifications delivered, per sink, so none is sent twice (also across restarts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<crate::certificate::NotificationLog>,
}

/// Verdict of one scope version.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct VersionVerdict {
    /// Version name, e.g. `v5.1`.
    pub name: String,
    /// Validity at the evaluation time: effective, warn, draft or deprecated.
    pub validity: String,
    /// PASS, ABORT, FAIL or MISSING (the verdict of the `main` target).
    pub result: String,
    /// Testcases of `main` that are not PASS, worst first (bounded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_passing: Vec<String>,
}

/// The current result of one testcase.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct TestcaseResult {
    /// Testcase id.
    pub testcase: String,
    /// PASS, ABORT or FAIL.
    pub result: String,
    /// When it was checked.
    pub checked_at: jiff::Timestamp,
    /// First instant it is no longer valid.
    pub expires_at: jiff::Timestamp,
    /// Run uuid of the report it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}

/// One check run.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    /// Run id (also a label on the Job and the stored report).
    pub id: String,
    /// Why it ran: Scheduled or Manual.
    pub trigger: String,
    /// Name of the Job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// Schedule slot this run belongs to (scheduled runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<jiff::Timestamp>,
    /// When the Job was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<jiff::Timestamp>,
    /// When the run ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<jiff::Timestamp>,
    /// ReportReceived, NoReport or Skipped; absent while running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Why the run ended that way, for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Name of the ConfigMap holding the stored report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// SHA-256 of the scope spec the run used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_sha256: Option<String>,
    /// Number of testcases the run selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_testcases: Option<i32>,
}

/// The scope spec in use, as loaded.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ScopeStatus {
    /// Scope UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Scope name, e.g. `SCS-compatible IaaS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// SHA-256 of the scope YAML in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// State of the current certificate (SCS-0004).
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct CertificateStatus {
    /// Serial of the certificate: stable for its whole life, new for every new grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Certified scope version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Pending, Refused, Valid, Expiring, Expired or Revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Issued by self-assessment (`issuance: Automatic`), never an official certificate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub self_assessed: bool,
    /// Who granted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<String>,
    /// Reference to the grant decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Start of validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<jiff::Timestamp>,
    /// End of validity (one year after the grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<jiff::Timestamp>,
    /// Start of the renewal window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_time: Option<jiff::Timestamp>,
    /// When it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<jiff::Timestamp>,
    /// Why it was revoked (published on the revocation list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    /// Who revoked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
    /// When the operator recorded the revocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_recorded_at: Option<jiff::Timestamp>,
    /// Subject the certificate covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Scope uuid the certificate covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// When the operator issued (recorded) it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<jiff::Timestamp>,
    /// Start of the current episode of failing tests while certified (certificate stays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degraded_since: Option<jiff::Timestamp>,
    /// End of the latest episode of failing tests while certified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered_at: Option<jiff::Timestamp>,
    /// Why there is no certificate yet (state Pending or Refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

// --- external uploads (issue 11) ---

/// Who runs the checks of a CloudCertification.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum ExecutionMode {
    /// The operator runs the checks as Kubernetes Jobs on the schedule.
    #[default]
    InCluster,
    /// No Jobs: the cloud operator runs the suite and uploads signed reports (`POST /reports`).
    External,
}
