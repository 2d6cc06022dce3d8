//! Revocation (rule 4): recorded on the certificate once it takes effect, permanently, and
//! published on the revocation list.

use crate::certificate::model::{IssuedCertificate, RecordedRevocation, RevocationDecision};
use crate::certificate::validity::whole_seconds;
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the spec's revocation did to the current certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevocationOutcome {
    /// No revocation in the spec and none recorded.
    NotRevoked,
    /// Recorded now.
    Recorded,
    /// Recorded earlier; later edits or removal of the spec's revocation change nothing.
    AlreadyRecorded,
    /// Dated in the future: recorded once `revokedAt` has come.
    Scheduled {
        /// When it takes effect.
        revoked_at: Timestamp,
    },
    /// Dated before this certificate's `notBefore`: it concerns an earlier certificate.
    PredatesCertificate {
        /// The spec's `revokedAt`.
        revoked_at: Timestamp,
    },
}

/// Applies the spec's revocation to `certificate`: recorded when
/// `notBefore <= revokedAt <= now` and nothing is recorded yet.
pub fn apply_revocation(
    certificate: &mut IssuedCertificate,
    revocation: Option<&RevocationDecision>,
    now: Timestamp,
) -> RevocationOutcome {
    if certificate.revocation.is_some() {
        return RevocationOutcome::AlreadyRecorded;
    }
    let Some(revocation) = revocation else {
        return RevocationOutcome::NotRevoked;
    };
    if revocation.revoked_at < certificate.not_before {
        return RevocationOutcome::PredatesCertificate {
            revoked_at: revocation.revoked_at,
        };
    }
    if revocation.revoked_at > now {
        return RevocationOutcome::Scheduled {
            revoked_at: revocation.revoked_at,
        };
    }
    certificate.revocation = Some(RecordedRevocation {
        revoked_at: revocation.revoked_at,
        revoked_by: revocation.revoked_by.clone(),
        reason: revocation.reason.clone(),
        recorded_at: whole_seconds(now),
    });
    RevocationOutcome::Recorded
}

/// One entry of the certificate revocation list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevocationEntry {
    /// Serial of the revoked certificate.
    pub serial: String,
    /// Its subject.
    pub subject: String,
    /// Its scope uuid.
    pub scope: String,
    /// Its scope version.
    pub version: String,
    /// Its original validity start.
    pub not_before: Timestamp,
    /// Its original validity end.
    pub not_after: Timestamp,
    /// When it was revoked.
    pub revoked_at: Timestamp,
    /// Who revoked it.
    pub revoked_by: String,
    /// Why.
    pub reason: String,
}

/// The revocation list entries of `certificates`: official (granted) certificates only, since
/// a self-assessed certificate was never official; ordered by `revokedAt`, then serial.
pub fn revocation_list(certificates: &[IssuedCertificate]) -> Vec<RevocationEntry> {
    let mut entries: Vec<RevocationEntry> = certificates
        .iter()
        .filter(|c| !c.self_assessed)
        .filter_map(|c| {
            let revocation = c.revocation.as_ref()?;
            Some(RevocationEntry {
                serial: c.serial.clone(),
                subject: c.subject.clone(),
                scope: c.scope.clone(),
                version: c.version.clone(),
                not_before: c.not_before,
                not_after: c.not_after,
                revoked_at: revocation.revoked_at,
                revoked_by: revocation.revoked_by.clone(),
                reason: revocation.reason.clone(),
            })
        })
        .collect();
    entries.sort_by(|a, b| {
        a.revoked_at
            .cmp(&b.revoked_at)
            .then_with(|| a.serial.cmp(&b.serial))
    });
    entries
}
