//! The issuance decision (rule 1): a grant becomes a certificate only if, when the operator
//! first sees it, the version exists, is certifiable and its `main` target passes. Issued
//! certificates are never re-dated; refusals are remembered per grant.

use crate::certificate::facts::VersionFacts;
use crate::certificate::model::{
    CertificateLedger, CertificateRequest, CertificateState, GrantDecision, GrantRefusal,
    IssuanceMode, IssuedCertificate, RefusalReason,
};
use crate::certificate::serial::certificate_serial;
use crate::certificate::validity::{LifecycleOptions, validity_end, whole_seconds};
use jiff::Timestamp;
use std::fmt;

/// `grantedBy` of self-assessed certificates.
pub const SELF_ASSESSMENT_ISSUER: &str = "scs-cert-operator (self-assessment)";

/// Everything the decision looks at.
#[derive(Clone, Copy, Debug)]
pub struct IssuanceContext<'a> {
    /// Subject of the resource.
    pub subject: &'a str,
    /// Scope uuid (or another stable scope id when the spec has none).
    pub scope: &'a str,
    /// The requested certificate.
    pub request: &'a CertificateRequest,
    /// Facts about the requested version now; `None` when the scope spec is unavailable.
    pub facts: Option<&'a VersionFacts>,
    /// What the status remembers.
    pub ledger: &'a CertificateLedger,
    /// Renewal window.
    pub options: &'a LifecycleOptions,
    /// Now.
    pub now: Timestamp,
    /// A check run is in progress or none has finished yet: a new grant whose `main` target
    /// only lacks results (nothing failed or aborted) waits instead of being refused.
    pub results_pending: bool,
}

/// How the spec's grant differs from the certificate it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantChange {
    /// `grantedAt` was edited; the certificate keeps its dates.
    Edited {
        /// The edited `grantedAt`.
        granted_at: Timestamp,
    },
    /// The grant was removed; that revokes nothing.
    Removed,
}

/// Why no decision can be taken (yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PendingReason {
    /// `Manual` issuance without a grant.
    AwaitingGrant,
    /// The grant is dated in the future.
    GrantNotYetEffective,
    /// The scope spec could not be loaded.
    ScopeUnavailable,
    /// No `main` testcase has a valid result yet.
    AwaitingResults,
    /// Self-assessment: the version does not qualify now (retried on every assessment).
    NotIssuable(RefusalReason),
    /// Self-assessment: a revocation in the spec blocks issuance.
    RevocationPresent,
}

impl PendingReason {
    /// CamelCase condition reason.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingGrant => "AwaitingGrant",
            Self::GrantNotYetEffective => "GrantNotYetEffective",
            Self::ScopeUnavailable => "ScopeUnavailable",
            Self::AwaitingResults => "AwaitingResults",
            Self::NotIssuable(reason) => reason.as_str(),
            Self::RevocationPresent => "RevocationPresent",
        }
    }
}

impl fmt::Display for PendingReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of [`decide_issuance`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IssuanceDecision {
    /// A new certificate: append it to the ledger.
    Issued(Box<IssuedCertificate>),
    /// The grant is refused now: record the refusal.
    Refused(GrantRefusal),
    /// The grant was refused before; nothing new.
    StillRefused(GrantRefusal),
    /// The request is answered by `ledger.certificates[index]`.
    Unchanged {
        /// Index into the `ledger.certificates` of the context.
        index: usize,
        /// Set when the spec's grant no longer matches that certificate.
        grant_change: Option<GrantChange>,
    },
    /// Nothing to decide yet.
    Pending {
        /// Why.
        reason: PendingReason,
        /// What is missing, for humans.
        message: String,
    },
}

/// Decides what the request means given the facts and the recorded history.
///
/// Manual issuance, with the spec's grant `(version, grantedAt)`:
/// 1. a recorded certificate with the grant's serial answers it (`Unchanged`);
/// 2. else, if the latest recorded certificate for the version is revoked and the grant is
///    dated at or before the revocation, or it is not revoked and the grant is dated before
///    its renewal time, the grant was edited (`Unchanged` + [`GrantChange::Edited`]);
/// 3. else it is a new grant: a recorded refusal of it stands (`StillRefused`); a future
///    grant waits; a spec revocation at or after `grantedAt` refuses it; otherwise the facts
///    decide (unknown version / not certifiable on the grant date or today / `main` not
///    passing: `Refused`; nothing tested yet: `Pending`; else `Issued`).
///
/// Without a grant, the latest certificate for the version stays current (removing a grant
/// revokes nothing). Self-assessment issues whenever no certificate is valid outside its
/// renewal window, no revocation is in the spec and the facts qualify.
pub fn decide_issuance(ctx: &IssuanceContext<'_>) -> IssuanceDecision {
    match ctx.request.issuance {
        IssuanceMode::Manual => decide_granted(ctx),
        IssuanceMode::Automatic => decide_self_assessed(ctx),
    }
}

/// What the facts allow.
enum FactsCheck {
    Issuable,
    Wait(PendingReason, String),
    Refuse(RefusalReason, String),
}

fn check_facts(facts: Option<&VersionFacts>, results_pending: bool) -> FactsCheck {
    let Some(facts) = facts else {
        return FactsCheck::Wait(
            PendingReason::ScopeUnavailable,
            "the scope spec is not available; the decision waits for it".to_owned(),
        );
    };
    let known = match facts {
        VersionFacts::UnknownVersion { version } => {
            return FactsCheck::Refuse(
                RefusalReason::UnknownVersion,
                format!("version {version} does not exist in the scope spec"),
            );
        }
        VersionFacts::Known(known) => known,
    };
    let version = &known.version;
    for dated in known
        .validity_at_grant
        .iter()
        .chain(std::iter::once(&known.validity_now))
    {
        if !dated.validity.is_certifiable() {
            return FactsCheck::Refuse(
                RefusalReason::VersionNotCertifiable,
                format!(
                    "version {version} is not certifiable on {} ({})",
                    dated.date, dated.validity
                ),
            );
        }
    }
    let only_missing = known.main.failing.is_empty()
        && known.main.aborted.is_empty()
        && !known.main.missing.is_empty();
    if results_pending && only_missing && !known.main.nothing_tested() {
        return FactsCheck::Wait(
            PendingReason::AwaitingResults,
            format!(
                "waiting for the check run: {} of {} main testcases of {version} have no result yet",
                known.main.missing.len(),
                known.main.total
            ),
        );
    }
    if known.main.nothing_tested() {
        return FactsCheck::Wait(
            PendingReason::AwaitingResults,
            format!(
                "no valid results yet for the {} main testcases of {version}",
                known.main.total
            ),
        );
    }
    if !known.main.passes() {
        return FactsCheck::Refuse(
            RefusalReason::MainTargetNotPassing,
            known.main.describe(version),
        );
    }
    FactsCheck::Issuable
}

/// Index of the latest recorded certificate for this subject, scope, version and mode.
fn latest_index(ctx: &IssuanceContext<'_>, mode: IssuanceMode) -> Option<usize> {
    let self_assessed = mode == IssuanceMode::Automatic;
    ctx.ledger
        .certificates
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.subject == ctx.subject
                && c.scope == ctx.scope
                && c.version == ctx.request.version
                && c.self_assessed == self_assessed
        })
        .max_by_key(|(index, c)| (c.not_before, *index))
        .map(|(index, _)| index)
}

fn decide_granted(ctx: &IssuanceContext<'_>) -> IssuanceDecision {
    let version = &ctx.request.version;
    let Some(grant) = &ctx.request.grant else {
        return match latest_index(ctx, IssuanceMode::Manual) {
            Some(index) => IssuanceDecision::Unchanged {
                index,
                grant_change: Some(GrantChange::Removed),
            },
            None => IssuanceDecision::Pending {
                reason: PendingReason::AwaitingGrant,
                message: format!(
                    "no grant for {version} yet: Manual issuance needs certificate.grant from \
                     the certification body"
                ),
            },
        };
    };
    let granted_at = grant.granted_at;
    let serial = certificate_serial(
        ctx.subject,
        ctx.scope,
        version,
        granted_at,
        IssuanceMode::Manual,
    );
    let certificates = &ctx.ledger.certificates;
    if let Some(index) = certificates.iter().position(|c| c.serial == serial) {
        return IssuanceDecision::Unchanged {
            index,
            grant_change: None,
        };
    }
    if let Some(index) = latest_index(ctx, IssuanceMode::Manual) {
        let latest = &certificates[index];
        let edited = match &latest.revocation {
            // a grant dated before the revocation cannot be a grant after it
            Some(revocation) => granted_at <= revocation.revoked_at,
            // a renewal grant is dated inside the renewal window or later
            None => granted_at < latest.renewal_time(ctx.options),
        };
        if edited {
            return IssuanceDecision::Unchanged {
                index,
                grant_change: Some(GrantChange::Edited { granted_at }),
            };
        }
    }
    if let Some(refusal) = &ctx.ledger.refusal
        && refusal.serial == serial
    {
        return IssuanceDecision::StillRefused(refusal.clone());
    }
    if granted_at > ctx.now {
        return IssuanceDecision::Pending {
            reason: PendingReason::GrantNotYetEffective,
            message: format!(
                "the grant for {version} is dated {granted_at}, in the future; it is decided then"
            ),
        };
    }
    let refuse = |reason: RefusalReason, message: String| {
        IssuanceDecision::Refused(GrantRefusal {
            serial: serial.clone(),
            version: version.clone(),
            granted_at,
            reason,
            message,
            decided_at: whole_seconds(ctx.now),
        })
    };
    if let Some(revocation) = &ctx.request.revocation
        && revocation.revoked_at >= granted_at
        && revocation.revoked_at <= ctx.now
    {
        return refuse(
            RefusalReason::RevokedBeforeIssuance,
            format!(
                "the grant was revoked at {} by {} before a certificate was issued: {}",
                revocation.revoked_at, revocation.revoked_by, revocation.reason
            ),
        );
    }
    match check_facts(ctx.facts, ctx.results_pending) {
        FactsCheck::Wait(reason, message) => IssuanceDecision::Pending { reason, message },
        FactsCheck::Refuse(reason, message) => refuse(reason, message),
        FactsCheck::Issuable => match issue(ctx, serial.clone(), granted_at, grant, false) {
            Some(certificate) => IssuanceDecision::Issued(Box::new(certificate)),
            None => refuse(
                RefusalReason::GrantOutOfRange,
                format!("one year after {granted_at} is beyond the supported calendar"),
            ),
        },
    }
}

fn decide_self_assessed(ctx: &IssuanceContext<'_>) -> IssuanceDecision {
    let latest = latest_index(ctx, IssuanceMode::Automatic);
    if let Some(index) = latest
        && ctx.ledger.certificates[index].state_at(ctx.now, ctx.options) == CertificateState::Valid
    {
        return IssuanceDecision::Unchanged {
            index,
            grant_change: None,
        };
    }
    // Expiring, expired, revoked or none: a new one if the version qualifies, else the latest
    // recorded one stays current.
    let keep_latest = |pending: IssuanceDecision| match latest {
        Some(index) => IssuanceDecision::Unchanged {
            index,
            grant_change: None,
        },
        None => pending,
    };
    if let Some(revocation) = &ctx.request.revocation {
        return keep_latest(IssuanceDecision::Pending {
            reason: PendingReason::RevocationPresent,
            message: format!(
                "certificate.revocation is set (revoked at {} by {}): no self-assessed \
                 certificate is issued while it is present",
                revocation.revoked_at, revocation.revoked_by
            ),
        });
    }
    match check_facts(ctx.facts, ctx.results_pending) {
        FactsCheck::Wait(reason, message) => {
            keep_latest(IssuanceDecision::Pending { reason, message })
        }
        FactsCheck::Refuse(reason, message) => keep_latest(IssuanceDecision::Pending {
            reason: PendingReason::NotIssuable(reason),
            message,
        }),
        FactsCheck::Issuable => {
            let not_before = whole_seconds(ctx.now);
            let serial = certificate_serial(
                ctx.subject,
                ctx.scope,
                &ctx.request.version,
                not_before,
                IssuanceMode::Automatic,
            );
            let grant = GrantDecision {
                granted_at: not_before,
                granted_by: SELF_ASSESSMENT_ISSUER.to_owned(),
                reference: None,
            };
            match issue(ctx, serial, not_before, &grant, true) {
                Some(certificate) => IssuanceDecision::Issued(Box::new(certificate)),
                None => keep_latest(IssuanceDecision::Pending {
                    reason: PendingReason::NotIssuable(RefusalReason::GrantOutOfRange),
                    message: format!(
                        "one year after {not_before} is beyond the supported calendar"
                    ),
                }),
            }
        }
    }
}

/// The new certificate; `None` when its end is beyond the calendar.
fn issue(
    ctx: &IssuanceContext<'_>,
    serial: String,
    not_before: Timestamp,
    grant: &GrantDecision,
    self_assessed: bool,
) -> Option<IssuedCertificate> {
    Some(IssuedCertificate {
        serial,
        subject: ctx.subject.to_owned(),
        scope: ctx.scope.to_owned(),
        version: ctx.request.version.clone(),
        self_assessed,
        not_before,
        not_after: validity_end(not_before)?,
        issued_at: whole_seconds(ctx.now),
        granted_by: grant.granted_by.clone(),
        reference: grant.reference.clone(),
        revocation: None,
        degraded_since: None,
        recovered_at: None,
    })
}
