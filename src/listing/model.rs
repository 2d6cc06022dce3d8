//! The listing model: the content of `listing.json` (schema version [`SCHEMA_VERSION`]).
//!
//! Every page, badge and revocation list is rendered from this one value, so what the
//! ConfigMap holds and what the server shows cannot disagree. Field names are the JSON names
//! (camelCase); `docs/listing.md` documents them and `docs/listing.schema.json` is generated
//! from these types (a unit test keeps it in sync).

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the `listing.json` schema. Bump on any incompatible change (a removed or
/// retyped field); adding an optional field keeps the version.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole public listing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Listing {
    /// Schema version of this document ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Title of the listing pages.
    pub title: String,
    /// Public base URL of the pages, when configured (used for absolute badge links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Newest evaluation or run among all subjects: how fresh the data is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_updated_at: Option<Timestamp>,
    /// Scopes with at least one listed subject, by name.
    pub scopes: Vec<ScopeRef>,
    /// One entry per subject and scope, by scope name, display name, subject.
    pub clouds: Vec<CloudEntry>,
    /// Group rollups per group and scope (DOMAIN 2.6), by scope name, group name.
    pub groups: Vec<GroupEntry>,
    /// Certified integrators (SCS-0007) whose certificate is retained.
    pub integrators: Vec<IntegratorEntry>,
    /// Revoked official certificates (SCS-0004 item 7), by revocation time, serial.
    pub revocations: Vec<RevocationEntry>,
    /// Problems met while building (duplicates, unusable entries); never secrets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A certificate scope.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScopeRef {
    /// Scope UUID (the key in URLs).
    pub uuid: String,
    /// Scope name, e.g. `SCS-compatible IaaS` (the UUID when unknown).
    pub name: String,
}

/// Where the public table puts a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Certification {
    /// An official certificate is valid (or expiring) now.
    Certified,
    /// A self-assessed certificate is valid now; never an official one.
    SelfAssessed,
    /// No valid certificate (none requested, pending, refused, expired or revoked).
    NotCertified,
}

/// Scope-level result, worst first: the order of the group rollup (DOMAIN 2.6).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScopeResult {
    /// The deciding version fails.
    Fail,
    /// The deciding version misses results.
    Missing,
    /// No results at all (never run): ranks below ABORT and PASS in a group.
    NoData,
    /// The deciding version did not finish some testcase.
    Abort,
    /// The deciding version passes.
    Pass,
}

/// Verdict of one testcase or version; the order is the detail page's grouping
/// (FAIL, MISSING, ABORT, PASS).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TestVerdict {
    /// At least one proposition violated.
    Fail,
    /// No valid result (never checked, or expired).
    Missing,
    /// Did not finish (DNF, "inconclusive").
    Abort,
    /// Passed.
    Pass,
}

impl TestVerdict {
    /// Parses the status text (`PASS`, `ABORT`, `FAIL`, `MISSING`); anything else is MISSING,
    /// the verdict that claims nothing.
    pub fn parse(text: &str) -> TestVerdict {
        match text.trim().to_ascii_uppercase().as_str() {
            "PASS" => TestVerdict::Pass,
            "ABORT" | "DNF" => TestVerdict::Abort,
            "FAIL" => TestVerdict::Fail,
            _ => TestVerdict::Missing,
        }
    }

    /// Upper-case name.
    pub fn name(self) -> &'static str {
        match self {
            TestVerdict::Fail => "FAIL",
            TestVerdict::Missing => "MISSING",
            TestVerdict::Abort => "ABORT",
            TestVerdict::Pass => "PASS",
        }
    }
}

/// One subject tested against one scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CloudEntry {
    /// Subject name, e.g. `regio-a`.
    pub subject: String,
    /// The scope.
    pub scope: ScopeRef,
    /// Name shown in the listing (the subject when none is given).
    pub display_name: String,
    /// Organisation operating the cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Group for rollups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The cloud's health monitor (http or https only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_monitor_url: Option<String>,
    /// Summary badge text as in the upstream table, e.g. `✅ v5.1`; `🛑 –` without data.
    pub badge: String,
    /// The scope-level result.
    pub result: ScopeResult,
    /// The version that decided the verdict (the monitor's winner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_passed_version: Option<String>,
    /// Passed versions (PASS, ABORT or MISSING, as upstream) with their validity marks.
    pub passed_versions: Vec<PassedVersion>,
    /// Every explicitly valid version with its verdict, in spec order.
    pub versions: Vec<VersionEntry>,
    /// Latest result per testcase, by testcase id.
    pub results: Vec<ResultEntry>,
    /// Certified, self-assessed or not certified (the table section).
    pub certification: Certification,
    /// The current certificate while it is listed (until 3 months after `notAfter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateEntry>,
    /// Every retained certificate (until 12 months after `notAfter`), newest first.
    pub certificates: Vec<CertificateEntry>,
    /// Runs of the last 18 months, newest first.
    pub history: Vec<HistoryPoint>,
    /// When the status was last evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_at: Option<Timestamp>,
    /// Relative links to this entry's pages.
    pub links: Links,
}

/// Relative links of an entry (resolve against the listing's base).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Links {
    /// The status (detail) page.
    pub detail: String,
    /// The SVG badge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
}

/// A passed version with its validity mark.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PassedVersion {
    /// Version name.
    pub name: String,
    /// effective, warn, draft or deprecated.
    pub validity: String,
    /// `""` effective, `*` draft, `†` warn, `††` deprecated.
    pub mark: String,
}

/// One scope version's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionEntry {
    /// Version name.
    pub name: String,
    /// effective, warn, draft or deprecated.
    pub validity: String,
    /// Verdict of its `main` target.
    pub result: TestVerdict,
    /// Main testcases that are not PASS, worst first (bounded by the operator).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_passing: Vec<String>,
}

/// The latest result of one testcase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResultEntry {
    /// Testcase id.
    pub testcase: String,
    /// Verdict; MISSING when the result expired when the listing was built.
    pub result: TestVerdict,
    /// When it was checked (absent for a missing testcase never checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<Timestamp>,
    /// First instant it is no longer valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Run uuid of the report it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// Versions whose `main` target it keeps from passing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<String>,
}

/// State of a certificate when the listing was built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum CertificateState {
    /// Requested, not (yet) issued.
    Pending,
    /// The grant was refused (the version did not pass).
    Refused,
    /// Valid.
    Valid,
    /// Valid, inside the renewal window.
    Expiring,
    /// Past `notAfter`.
    Expired,
    /// Revoked by the certification body.
    Revoked,
    /// A state this listing does not know (newer operator).
    Unknown,
}

impl CertificateState {
    /// Parses the status text; unknown text gives [`CertificateState::Unknown`].
    pub fn parse(text: &str) -> CertificateState {
        match text {
            "Pending" => CertificateState::Pending,
            "Refused" => CertificateState::Refused,
            "Valid" => CertificateState::Valid,
            "Expiring" => CertificateState::Expiring,
            "Expired" => CertificateState::Expired,
            "Revoked" => CertificateState::Revoked,
            _ => CertificateState::Unknown,
        }
    }

    /// The name as written in status.
    pub fn name(self) -> &'static str {
        match self {
            CertificateState::Pending => "Pending",
            CertificateState::Refused => "Refused",
            CertificateState::Valid => "Valid",
            CertificateState::Expiring => "Expiring",
            CertificateState::Expired => "Expired",
            CertificateState::Revoked => "Revoked",
            CertificateState::Unknown => "Unknown",
        }
    }

    /// Valid or Expiring: the certificate holds now.
    pub fn is_valid(self) -> bool {
        matches!(self, CertificateState::Valid | CertificateState::Expiring)
    }
}

/// One certificate (current or past) of a subject and scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateEntry {
    /// Serial, e.g. `SCS-1A2B-...` (`SELF-...` when self-assessed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Certified scope version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// State when the listing was built (the status state, corrected for dates passed since the last evaluation).
    pub state: CertificateState,
    /// Self-assessed (`issuance: Automatic`): never an official certificate.
    pub self_assessed: bool,
    /// Who granted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<String>,
    /// Reference to the grant decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Start of validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<Timestamp>,
    /// End of validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<Timestamp>,
    /// Start of the renewal window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_time: Option<Timestamp>,
    /// When it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    /// Why it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    /// Shown on the pages until then (`notAfter` + 3 months; SCS-0004 item 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_until: Option<Timestamp>,
    /// Kept in the data until then (`notAfter` + 12 months).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retained_until: Option<Timestamp>,
    /// Whether the pages show it when the listing was built.
    pub listed: bool,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RunOutcome {
    /// A report was received and evaluated.
    ReportReceived,
    /// The run ended without a report (crash, timeout, deleted Job).
    NoReport,
    /// The run was skipped (e.g. suspended).
    Skipped,
    /// Still running or unknown.
    Unknown,
}

impl RunOutcome {
    /// Parses the status text.
    pub fn parse(text: Option<&str>) -> RunOutcome {
        match text {
            Some("ReportReceived") => RunOutcome::ReportReceived,
            Some("NoReport") => RunOutcome::NoReport,
            Some("Skipped") => RunOutcome::Skipped,
            _ => RunOutcome::Unknown,
        }
    }
}

/// One point of a subject's history (a run, or a run of a longer-term history store).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPoint {
    /// Run id (or report uuid).
    pub run: String,
    /// When it happened (finish, else start, else check time).
    pub at: Timestamp,
    /// Scheduled or Manual, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// How it ended.
    pub outcome: RunOutcome,
    /// Worst testcase verdict of the run, when the source knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst: Option<TestVerdict>,
    /// Testcases per verdict, when the source knows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<VerdictCounts>,
    /// Short note (why a run had no report), already public-safe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Testcases per verdict in one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerdictCounts {
    /// PASS.
    pub pass: u32,
    /// ABORT.
    pub abort: u32,
    /// FAIL.
    pub fail: u32,
}

/// The rollup of one group for one scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupEntry {
    /// Group name (the page key is `group-<name>`).
    pub name: String,
    /// The scope.
    pub scope: ScopeRef,
    /// The worst member's badge (`🛑 –` for an empty group or a member without data).
    pub badge: String,
    /// The worst member's result.
    pub result: ScopeResult,
    /// Subject of the worst member (first on ties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst: Option<String>,
    /// Members in listing order.
    pub members: Vec<GroupMember>,
    /// Relative link to the group page.
    pub links: Links,
}

/// One member of a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupMember {
    /// Subject.
    pub subject: String,
    /// Display name.
    pub display_name: String,
    /// Its badge.
    pub badge: String,
    /// Its result.
    pub result: ScopeResult,
}

/// State of an integrator certificate when the listing was built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum IntegratorState {
    /// Valid.
    Valid,
    /// Past `notAfter` (listed 3 more months).
    Expired,
    /// Dated in the future.
    NotYetValid,
}

/// A certified integrator (SCS-0007).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IntegratorEntry {
    /// Organisation.
    pub organization: String,
    /// IaaS or KaaS.
    pub layer: String,
    /// Granted tier (Silver, Bronze; absent under v1 rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Score (v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i32>,
    /// Start of validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<Timestamp>,
    /// End of validity.
    pub not_after: Timestamp,
    /// State when the listing was built.
    pub state: IntegratorState,
    /// Shown on the pages until then.
    pub listed_until: Timestamp,
    /// Kept in the data until then.
    pub retained_until: Timestamp,
    /// Whether the pages show it when the listing was built.
    pub listed: bool,
}

/// One entry of the certificate revocation list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevocationEntry {
    /// Serial of the revoked certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Subject.
    pub subject: String,
    /// Scope.
    pub scope: ScopeRef,
    /// Certified version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Original validity start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<Timestamp>,
    /// Original validity end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<Timestamp>,
    /// When it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The content of `crl.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevocationList {
    /// Schema version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Revoked official certificates.
    pub revoked: Vec<RevocationEntry>,
}
