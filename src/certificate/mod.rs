//! The certificate lifecycle of SCS-0004 (DOMAIN section 4, issue 6): grant, validity,
//! degradation, revocation, manual checks, history and notification dedup. Pure: no kube
//! client, no I/O, no clock (`now` is always a parameter).
//!
//! # How the controller uses it (per reconcile)
//!
//! 1. Convert `spec.certificate` into a [`CertificateRequest`], and `spec.manualChecks` into
//!    [`ManualCheck`]s; read the [`CertificateLedger`] and [`NotificationLog`] from status.
//! 2. [`validate_manual_checks`] (errors carry the record index; the valid records are in the
//!    error too), then [`merge_manual_results`] into the `LatestResults` of the stored reports.
//! 3. [`VersionFacts::assess`] (spec, request, merged results, now) and [`due_manual_checks`]
//!    for the requested version.
//! 4. [`assess`] with a [`CertificateInput`] and [`LifecycleOptions`]: write
//!    [`CertificateAssessment::ledger`] and [`CertificateAssessment::current`] into status,
//!    set `Certified` from [`CertificateAssessment::certified`] and, when present, `Ready` from
//!    [`CertificateAssessment::ready`]; requeue no later than
//!    [`CertificateAssessment::next_change`]. **Persist the status before notifying.**
//! 5. For every sink: [`NotificationLog::pending`] of [`CertificateAssessment::transitions`],
//!    deliver (with [`Transition::id`] as idempotency key / event name), then
//!    [`NotificationLog::record_sent`] per success, [`NotificationLog::prune`], persist.
//!    A crash between delivery and recording resends once (at-least-once, receivers dedup by
//!    id); nothing derivable is lost, because transitions are re-derived from recorded facts.
//! 6. History store: [`record_run`] a [`RunHistoryEntry`] per report / manual check, which also
//!    prunes to 18 months. The listing uses [`IssuedCertificate::listed_at`],
//!    [`IssuedCertificate::retained_at`] and [`CertificateAssessment::revocation_list`].
//!
//! # Rules as implemented
//!
//! - **Issuance** ([`decide_issuance`]): a new grant is issued only if the version exists, is
//!   certifiable (effective or warn) on the grant's UTC date *and* on the decision date, and
//!   every `main` testcase passes. A refusal is recorded and sticky for that grant (identified
//!   by its would-be serial): the decision is taken when the operator first sees the grant, so
//!   a later pass never back-dates a certificate over a failing period; the body issues a new
//!   grant. Exceptions that only wait: grant dated in the future (`GrantNotYetEffective`), no
//!   scope spec (`ScopeUnavailable`), no `main` testcase tested at all (`AwaitingResults`, e.g.
//!   a new resource before its first run).
//! - **Never re-dated**: a grant that matches no recorded certificate is an *edit* of the
//!   latest recorded one for the version when it is dated before that certificate's renewal
//!   time (not revoked) or at/before its revocation (revoked): reported as `GrantChanged`, dates
//!   unchanged. Otherwise it is a *new grant* (renewal inside the window, after expiry, or after
//!   a revocation): a new certificate with a new serial, decided afresh. A grant dated inside
//!   the renewal window of the current certificate renews it early (the new one is current).
//!   Removing the grant revokes nothing.
//! - **Validity**: `notBefore = grantedAt`, `notAfter` = the same UTC wall-clock time one
//!   calendar year later; **February 29 maps to February 28** (`2028-02-29T10:00Z ->
//!   2029-02-28T10:00Z`), so a certificate never lasts more than 365 days across a leap day.
//!   The scope version's own expiry plays no role. Validity is `[notBefore, notAfter)`.
//! - **Renewal window**: default 30 days (exact 24-hour days), configurable 0..=365 days;
//!   `renewalTime = notAfter - window`; `Expiring` from `renewalTime` inclusive, `Expired` from
//!   `notAfter` inclusive; `Revoked` takes precedence over both.
//! - **Failures after issuance** never revoke: `Certified` stays True, `Ready` turns False
//!   (`CertifiedButNotCompliant`); the episode start and the recovery are recorded on the
//!   certificate (`degradedSince`, `recoveredAt`) so `Degraded`/`Recovered` have stable
//!   instants. A certified version that vanished from the scope spec counts as not compliant.
//! - **Revocation** is recorded on the current certificate once `notBefore <= revokedAt <=
//!   now`; afterwards edits or removal of `certificate.revocation` change nothing, and so does
//!   editing `grantedAt` to a date at or before `revokedAt`. A revocation dated before the
//!   certificate concerns an earlier one and is ignored (with a note); a spec revocation dated
//!   at or after a new grant refuses it (`RevokedBeforeIssuance`). The revocation list carries
//!   official certificates only.
//! - **Self-assessment** (`Automatic`): `notBefore` = the assessment instant, serial `SELF-…`,
//!   `selfAssessed: true`; a new one is issued whenever none is valid outside its renewal
//!   window and the version qualifies; nothing is issued while `certificate.revocation` is set;
//!   `grant` is ignored.
//! - **Serial**: `SCS-XXXX-XXXX-XXXX-XXXX` (`SELF-` for self-assessed), the first 64 bits of
//!   SHA-256 over subject, scope uuid, version, mode and `notBefore` (nanoseconds).
//! - **Manual checks**: lifetime `quarter` unless the testcase declares another; the resolved
//!   spec cannot distinguish `lifetime: week` from an absent lifetime, so `week` counts as
//!   undeclared. A check is due when its latest record expired (or it was never checked);
//!   `ManualChecksDue` fires once per distinct due instant.
//! - **Retention**: listed while `now < notAfter + 3 months`, retained while `now < notAfter +
//!   12 months` (calendar months, UTC, day clamped; revocation does not shorten either); the
//!   ledger drops certificates past retention except the latest per (subject, scope, version,
//!   mode), which edits are judged against. Run history keeps entries checked at or after
//!   `now - 18 months`.
//! - **Transitions** have ids `<serial>/<kind>/<instant>`: Issued at `issuedAt`, Refused at
//!   the decision, GrantChanged at the edited `grantedAt`, Expiring at `renewalTime`, Expired
//!   at `notAfter`, Revoked at `revokedAt`, Degraded/Recovered at the recorded marker,
//!   ManualChecksDue at the due instant. Only transitions of the current certificate (or the
//!   current refusal) are derived; recorded instants are whole seconds.

mod conditions;
mod facts;
mod history;
mod issuance;
mod lifecycle;
mod manual_checks;
mod model;
mod notifications;
mod revocation;
mod serial;
mod transitions;
mod validity;

pub use conditions::{
    CERTIFICATE_EXPIRING, CERTIFIED, CERTIFIED_AND_COMPLIANT, CERTIFIED_BUT_NOT_COMPLIANT,
    ConditionTriple, EXPIRED, GRANT_CHANGED, NOT_REQUESTED, REVOKED, SELF_ASSESSED,
};
pub use facts::{DatedValidity, KnownVersionFacts, MainTargetOutcome, VersionFacts};
pub use history::{
    LISTED_MONTHS_AFTER_EXPIRY, RETAINED_MONTHS_AFTER_EXPIRY, RUN_HISTORY_MONTHS, RunHistoryEntry,
    RunSource, history_horizon, prune, prune_certificates, record_run,
};
pub use issuance::{
    GrantChange, IssuanceContext, IssuanceDecision, PendingReason, SELF_ASSESSMENT_ISSUER,
    decide_issuance,
};
pub use lifecycle::{CertificateAssessment, CertificateInput, CertificateSummary, assess};
pub use manual_checks::{
    DueManualCheck, InvalidManualChecks, ManualCheck, ManualCheckError, ValidManualCheck,
    due_manual_checks, is_manual_testcase, manual_lifetime, merge_manual_results,
    validate_manual_checks,
};
pub use model::{
    CertificateLedger, CertificateRequest, CertificateState, GrantDecision, GrantRefusal,
    IssuanceMode, IssuedCertificate, RecordedRevocation, RefusalReason, RevocationDecision,
};
pub use notifications::{DEFAULT_SENT_RETENTION, NotificationLog, SentNotification, StableId};
pub use revocation::{RevocationEntry, RevocationOutcome, apply_revocation, revocation_list};
pub use serial::certificate_serial;
pub use transitions::{Transition, TransitionKind};
pub use validity::{
    DEFAULT_RENEWAL_WINDOW, LifecycleOptions, MAX_RENEWAL_WINDOW, OptionsError, renewal_time,
    validity_end,
};

#[cfg(test)]
mod tests;
