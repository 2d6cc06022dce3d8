//! The certificate vocabulary: what is requested (spec), what was issued or refused (status),
//! and the states a certificate goes through.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a certificate comes about (mirrors `certificate.issuance`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum IssuanceMode {
    /// The certification body grants it; the official path.
    #[default]
    Manual,
    /// Self-assessment: the operator issues it when the version passes; never official.
    Automatic,
}

impl IssuanceMode {
    /// The spelling used in the resource.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "Manual",
            Self::Automatic => "Automatic",
        }
    }
}

/// The certification body's grant (mirrors `certificate.grant`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantDecision {
    /// When the certificate was granted; validity starts here.
    pub granted_at: Timestamp,
    /// Who granted it.
    pub granted_by: String,
    /// Reference to the decision (ticket, pull request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// The certification body's revocation (mirrors `certificate.revocation`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevocationDecision {
    /// When the revocation takes effect.
    pub revoked_at: Timestamp,
    /// Who revoked.
    pub revoked_by: String,
    /// Why; published on the revocation list.
    pub reason: String,
}

/// The certificate requested in the resource (mirrors `spec.certificate`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRequest {
    /// Scope version to be certified, e.g. `v5.1`.
    pub version: String,
    /// Who issues the certificate.
    #[serde(default)]
    pub issuance: IssuanceMode,
    /// The body's grant (needed for `Manual`; ignored for `Automatic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<GrantDecision>,
    /// The body's revocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<RevocationDecision>,
}

/// A certificate the operator issued. Recorded once, never re-dated; only a revocation and
/// the degradation markers are ever added to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuedCertificate {
    /// Deterministic id, `SCS-XXXX-XXXX-XXXX-XXXX` (official) or `SELF-...` (self-assessed).
    pub serial: String,
    /// Subject (cloud region or KaaS configuration) it covers.
    pub subject: String,
    /// Scope uuid it covers.
    pub scope: String,
    /// Scope version it covers.
    pub version: String,
    /// Issued by self-assessment (`Automatic`): never to be listed as official.
    pub self_assessed: bool,
    /// Start of validity: the grant's `grantedAt` (or the self-assessment instant).
    pub not_before: Timestamp,
    /// End of validity (first invalid instant): one year after `notBefore`.
    pub not_after: Timestamp,
    /// When the operator recorded it.
    pub issued_at: Timestamp,
    /// Who granted it (the operator itself for self-assessed certificates).
    pub granted_by: String,
    /// Reference to the grant decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The revocation, once it took effect; permanent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<RecordedRevocation>,
    /// Start of the current episode of failing tests while in force (rule 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degraded_since: Option<Timestamp>,
    /// End of the latest episode of failing tests while in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered_at: Option<Timestamp>,
}

/// A revocation as recorded on a certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRevocation {
    /// When it took effect.
    pub revoked_at: Timestamp,
    /// Who revoked.
    pub revoked_by: String,
    /// Why.
    pub reason: String,
    /// When the operator recorded it.
    pub recorded_at: Timestamp,
}

/// Why a grant was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum RefusalReason {
    /// The version does not exist in the scope spec.
    UnknownVersion,
    /// The version is neither effective nor warn on the grant date or the decision date.
    VersionNotCertifiable,
    /// Some testcases of the version's `main` target do not pass.
    MainTargetNotPassing,
    /// The spec revokes the grant before it was ever issued.
    RevokedBeforeIssuance,
    /// One year after `grantedAt` is beyond the supported calendar.
    GrantOutOfRange,
}

impl RefusalReason {
    /// CamelCase condition reason.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownVersion => "UnknownVersion",
            Self::VersionNotCertifiable => "VersionNotCertifiable",
            Self::MainTargetNotPassing => "MainTargetNotPassing",
            Self::RevokedBeforeIssuance => "RevokedBeforeIssuance",
            Self::GrantOutOfRange => "GrantOutOfRange",
        }
    }
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A grant the operator refused when it first saw it. Sticky: the same grant is not decided
/// again; a new grant (another `grantedAt` or version) is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantRefusal {
    /// The serial the certificate would have had (identifies the grant).
    pub serial: String,
    /// Requested version.
    pub version: String,
    /// The refused grant's `grantedAt`.
    pub granted_at: Timestamp,
    /// Why.
    pub reason: RefusalReason,
    /// What is missing, for humans.
    pub message: String,
    /// When the operator decided.
    pub decided_at: Timestamp,
}

/// What the status must remember about certificates of one resource.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateLedger {
    /// Every issued certificate still retained, in issuance order (current and past).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<IssuedCertificate>,
    /// The latest refused grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<GrantRefusal>,
}

/// State of an issued certificate at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum CertificateState {
    /// In force, before the renewal window.
    Valid,
    /// In force, inside the renewal window (`now >= renewalTime`).
    Expiring,
    /// Past `notAfter`.
    Expired,
    /// Revoked (takes precedence over expiry).
    Revoked,
}

impl CertificateState {
    /// The spelling used in status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "Valid",
            Self::Expiring => "Expiring",
            Self::Expired => "Expired",
            Self::Revoked => "Revoked",
        }
    }

    /// Valid or Expiring: the certificate certifies.
    pub fn in_force(self) -> bool {
        matches!(self, Self::Valid | Self::Expiring)
    }
}

impl fmt::Display for CertificateState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
