//! The `Certified` and `Ready` conditions a certificate dictates (rules 2-4), as plain triples
//! the controller turns into Kubernetes conditions.

use crate::certificate::issuance::GrantChange;
use crate::certificate::model::{CertificateState, GrantRefusal, IssuedCertificate};
use crate::certificate::revocation::RevocationOutcome;
use crate::certificate::validity::LifecycleOptions;

/// `Certified` True: a granted certificate is valid.
pub const CERTIFIED: &str = "Certified";
/// `Certified` True: a self-assessed certificate is valid.
pub const SELF_ASSESSED: &str = "SelfAssessed";
/// `Certified` True: inside the renewal window.
pub const CERTIFICATE_EXPIRING: &str = "CertificateExpiring";
/// `Certified` True: valid, but the spec's grant was edited.
pub const GRANT_CHANGED: &str = "GrantChanged";
/// `Certified` False: past `notAfter`.
pub const EXPIRED: &str = "Expired";
/// `Certified` False: revoked.
pub const REVOKED: &str = "Revoked";
/// `Certified` False: the resource requests no certificate.
pub const NOT_REQUESTED: &str = "NotRequested";
/// `Ready` True: certified and every `main` testcase passes.
pub const CERTIFIED_AND_COMPLIANT: &str = "CertifiedAndCompliant";
/// `Ready` False: certified, but tests fail (failures after issuance do not revoke).
pub const CERTIFIED_BUT_NOT_COMPLIANT: &str = "CertifiedButNotCompliant";

/// Status, reason and message of one condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionTriple {
    /// True or False.
    pub status: bool,
    /// CamelCase reason.
    pub reason: String,
    /// For humans.
    pub message: String,
}

impl ConditionTriple {
    /// A triple from parts.
    pub fn new(status: bool, reason: &str, message: String) -> Self {
        Self {
            status,
            reason: reason.to_owned(),
            message,
        }
    }
}

/// `certificate SCS-...` or `self-assessed certificate SELF-...`.
pub(crate) fn label(certificate: &IssuedCertificate) -> String {
    if certificate.self_assessed {
        format!("self-assessed certificate {}", certificate.serial)
    } else {
        format!("certificate {}", certificate.serial)
    }
}

/// `Certified` for the current certificate.
pub fn certified_for_certificate(
    certificate: &IssuedCertificate,
    state: CertificateState,
    options: &LifecycleOptions,
    grant_change: Option<&GrantChange>,
    revocation: &RevocationOutcome,
) -> ConditionTriple {
    let label = label(certificate);
    let version = &certificate.version;
    let renewal_time = certificate.renewal_time(options);
    let (status, mut reason, mut message) = match state {
        CertificateState::Valid => {
            let mut message = format!(
                "{label} for {version} is valid until {}",
                certificate.not_after
            );
            if certificate.self_assessed {
                message.push_str(" (self-assessment: not an official SCS certificate)");
            }
            let reason = if certificate.self_assessed {
                SELF_ASSESSED
            } else {
                CERTIFIED
            };
            (true, reason, message)
        }
        CertificateState::Expiring => {
            let renewal = if certificate.self_assessed {
                format!("a new self-assessed certificate is issued while {version} passes")
            } else {
                format!("a new grant dated on or after {renewal_time} renews it")
            };
            let message = format!(
                "{label} for {version} expires at {} (renewal window since {renewal_time}); \
                 {renewal}",
                certificate.not_after
            );
            (true, CERTIFICATE_EXPIRING, message)
        }
        CertificateState::Expired => {
            let mut message = format!("{label} for {version} expired at {}", certificate.not_after);
            if !certificate.self_assessed {
                message.push_str("; a new grant is needed");
            }
            (false, EXPIRED, message)
        }
        CertificateState::Revoked => {
            let message = match &certificate.revocation {
                Some(r) => format!(
                    "{label} for {version} was revoked at {} by {}: {}",
                    r.revoked_at, r.revoked_by, r.reason
                ),
                None => format!("{label} for {version} was revoked"),
            };
            (false, REVOKED, message)
        }
    };
    match grant_change {
        Some(GrantChange::Edited { granted_at }) => {
            let next = match &certificate.revocation {
                Some(r) => format!(
                    "editing dates does not revive a revoked certificate; a new grant must be \
                     dated after {}",
                    r.revoked_at
                ),
                None => format!(
                    "issued certificates are never re-dated; a new grant must be dated on or \
                     after {renewal_time}"
                ),
            };
            message.push_str(&format!(
                "; certificate.grant.grantedAt was changed to {granted_at}, but {} was issued \
                 for {}: {next}",
                certificate.serial, certificate.not_before
            ));
            if state.in_force() {
                reason = GRANT_CHANGED;
            }
        }
        Some(GrantChange::Removed) => message.push_str(
            "; the grant was removed from the spec, which revokes nothing (use \
             certificate.revocation)",
        ),
        None => {}
    }
    match revocation {
        RevocationOutcome::Scheduled { revoked_at } => {
            message.push_str(&format!("; revocation takes effect at {revoked_at}"));
        }
        RevocationOutcome::PredatesCertificate { revoked_at } => message.push_str(&format!(
            "; the revocation dated {revoked_at} predates this certificate and does not apply \
             to it"
        )),
        _ => {}
    }
    ConditionTriple::new(status, reason, message)
}

/// `Certified` for a refused grant.
pub fn certified_for_refusal(refusal: &GrantRefusal) -> ConditionTriple {
    ConditionTriple::new(
        false,
        refusal.reason.as_str(),
        format!(
            "the grant of {} for {} was refused at {}: {}; a new grant is needed",
            refusal.granted_at, refusal.version, refusal.decided_at, refusal.message
        ),
    )
}

/// `Ready` while a certificate is in force: True when compliant, else
/// `CertifiedButNotCompliant` (failures after issuance do not revoke).
pub fn ready_for_certificate(
    certificate: &IssuedCertificate,
    compliant: bool,
    compliance: &str,
) -> ConditionTriple {
    let label = label(certificate);
    if compliant {
        ConditionTriple::new(
            true,
            CERTIFIED_AND_COMPLIANT,
            format!(
                "{label} for {} is valid until {}; {compliance}",
                certificate.version, certificate.not_after
            ),
        )
    } else {
        ConditionTriple::new(
            false,
            CERTIFIED_BUT_NOT_COMPLIANT,
            format!(
                "{label} for {} stays valid until {} (failures do not revoke), but {compliance}",
                certificate.version, certificate.not_after
            ),
        )
    }
}
