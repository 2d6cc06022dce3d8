//! The certificate lifecycle (issue 6) as the CloudCertification status shows it: converts the
//! resource into the pure `certificate` module's input, runs [`assess`], and writes the
//! ledger, the current certificate and the `Certified`/`Ready`/`ManualChecksDue` conditions
//! back. Pure; time passed in.

use crate::api::cloud::{
    CertificateSpec, CertificateStatus, CloudCertificationSpec, CloudCertificationStatus, Issuance,
    ManualCheckRecord,
};
use crate::api::conditions::{ConditionStatus, DesiredCondition, READY};
use crate::certificate::{
    CertificateAssessment, CertificateInput, CertificateLedger, CertificateRequest, DueManualCheck,
    GrantDecision, InvalidManualChecks, IssuanceDecision, IssuanceMode, IssuedCertificate,
    LifecycleOptions, ManualCheck, RecordedRevocation, RevocationDecision, Transition,
    ValidManualCheck, VersionFacts, assess, due_manual_checks, renewal_time,
    validate_manual_checks,
};
use crate::results::LatestResults;
use crate::scope::ScopeSpec;
use jiff::{SignedDuration, Timestamp};

/// Condition type: a certificate is in force (SCS-0004).
pub const CERTIFIED: &str = "Certified";
/// Condition type: manual checks of the certified version are due (or records are invalid).
pub const MANUAL_CHECKS_DUE: &str = "ManualChecksDue";

/// Manual check records of the spec, validated against the scope at `now`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManualChecks {
    /// Records that count.
    pub valid: Vec<ValidManualCheck>,
    /// Why the others do not (one line each, naming `manualChecks[i]`).
    pub errors: Vec<String>,
}

/// Validates `spec.manualChecks` against the scope spec; invalid records are reported and
/// ignored, the valid ones count.
pub fn manual_checks(
    scope: &ScopeSpec,
    records: &[ManualCheckRecord],
    now: Timestamp,
) -> ManualChecks {
    let checks: Vec<ManualCheck> = records
        .iter()
        .map(|r| ManualCheck {
            testcase: r.testcase.clone(),
            result: r.result.as_str().to_owned(),
            checked_at: r.checked_at,
            checked_by: r.checked_by.clone(),
            evidence: r.evidence.clone(),
        })
        .collect();
    match validate_manual_checks(scope, &checks, now) {
        Ok(valid) => ManualChecks {
            valid,
            errors: Vec::new(),
        },
        Err(InvalidManualChecks { errors, valid }) => ManualChecks {
            valid,
            errors: errors.iter().map(ToString::to_string).collect(),
        },
    }
}

/// `spec.certificate` in the pure vocabulary.
pub fn certificate_request(spec: &CertificateSpec) -> CertificateRequest {
    CertificateRequest {
        version: spec.version.clone(),
        issuance: match spec.issuance {
            Issuance::Manual => IssuanceMode::Manual,
            Issuance::Automatic => IssuanceMode::Automatic,
        },
        grant: spec.grant.as_ref().map(|g| GrantDecision {
            granted_at: g.granted_at,
            granted_by: g.granted_by.clone(),
            reference: g.reference.clone(),
        }),
        revocation: spec.revocation.as_ref().map(|r| RevocationDecision {
            revoked_at: r.revoked_at,
            revoked_by: r.revoked_by.clone(),
            reason: r.reason.clone(),
        }),
    }
}

/// The renewal window of `spec.certificate` (default 30 days; the schema bounds it).
pub fn lifecycle_options(spec: Option<&CertificateSpec>) -> LifecycleOptions {
    spec.and_then(|c| c.renewal_window_days)
        .and_then(|days| {
            LifecycleOptions::with_renewal_window(SignedDuration::from_hours(24 * i64::from(days)))
                .ok()
        })
        .unwrap_or_default()
}

/// The ledger as recorded in status (`certificates` newest first, plus the refusal). Entries
/// missing a required field (never written by the operator) are skipped.
pub fn ledger_from_status(status: &CloudCertificationStatus) -> CertificateLedger {
    let mut certificates: Vec<IssuedCertificate> = status
        .certificates
        .iter()
        .filter_map(issued_from_status)
        .collect();
    certificates.sort_by(|a, b| {
        (a.issued_at, a.not_before, &a.serial).cmp(&(b.issued_at, b.not_before, &b.serial))
    });
    CertificateLedger {
        certificates,
        refusal: status.certificate_refusal.clone(),
    }
}

fn issued_from_status(entry: &CertificateStatus) -> Option<IssuedCertificate> {
    let revocation = match (entry.revoked_at, entry.revocation_recorded_at) {
        (Some(revoked_at), Some(recorded_at)) => Some(RecordedRevocation {
            revoked_at,
            revoked_by: entry.revoked_by.clone().unwrap_or_default(),
            reason: entry.revocation_reason.clone().unwrap_or_default(),
            recorded_at,
        }),
        _ => None,
    };
    Some(IssuedCertificate {
        serial: entry.serial.clone()?,
        subject: entry.subject.clone()?,
        scope: entry.scope.clone()?,
        version: entry.version.clone()?,
        self_assessed: entry.self_assessed,
        not_before: entry.not_before?,
        not_after: entry.not_after?,
        issued_at: entry.issued_at?,
        granted_by: entry.granted_by.clone()?,
        reference: entry.reference.clone(),
        revocation,
        degraded_since: entry.degraded_since,
        recovered_at: entry.recovered_at,
    })
}

/// One ledger entry as status shows it, with its state at `now`.
fn status_from_issued(
    certificate: &IssuedCertificate,
    now: Timestamp,
    options: &LifecycleOptions,
) -> CertificateStatus {
    let revocation = certificate.revocation.as_ref();
    CertificateStatus {
        serial: Some(certificate.serial.clone()),
        version: Some(certificate.version.clone()),
        state: Some(certificate.state_at(now, options).as_str().to_owned()),
        self_assessed: certificate.self_assessed,
        granted_by: Some(certificate.granted_by.clone()),
        reference: certificate.reference.clone(),
        not_before: Some(certificate.not_before),
        not_after: Some(certificate.not_after),
        renewal_time: Some(renewal_time(certificate.not_after, options)),
        revoked_at: revocation.map(|r| r.revoked_at),
        revocation_reason: revocation.map(|r| r.reason.clone()),
        revoked_by: revocation.map(|r| r.revoked_by.clone()),
        revocation_recorded_at: revocation.map(|r| r.recorded_at),
        subject: Some(certificate.subject.clone()),
        scope: Some(certificate.scope.clone()),
        issued_at: Some(certificate.issued_at),
        degraded_since: certificate.degraded_since,
        recovered_at: certificate.recovered_at,
        message: None,
    }
}

/// What the certificate lifecycle adds to a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateOutcome {
    /// Transitions that hold now; the notifier sends those not yet recorded as sent.
    pub transitions: Vec<Transition>,
    /// The next instant the certificate changes by time alone.
    pub next_change: Option<Timestamp>,
}

/// Inputs that come from the scope spec (absent while the scope is unusable).
pub struct ScopeFacts<'a> {
    /// The resolved scope spec.
    pub spec: &'a ScopeSpec,
    /// Current results (automated and manual).
    pub latest: &'a LatestResults,
    /// Valid and invalid manual check records.
    pub manual: &'a ManualChecks,
}

/// Runs the lifecycle for `spec` at `now` and writes it into `status` (certificates,
/// certificate, refusal and conditions). `Ready` is replaced only while a certificate is in
/// force and compliance is known, and `ready_overridable` says the controller's own `Ready`
/// is not reporting a more basic problem. `results_pending`: a run is in progress or none
/// has delivered yet, so a new grant lacking results waits rather than being refused.
pub fn apply_certificate(
    status: &mut CloudCertificationStatus,
    spec: &CloudCertificationSpec,
    scope: Option<ScopeFacts<'_>>,
    generation: Option<i64>,
    now: Timestamp,
    ready_overridable: bool,
    results_pending: bool,
) -> CertificateOutcome {
    let request = spec.certificate.as_ref().map(certificate_request);
    let options = lifecycle_options(spec.certificate.as_ref());
    let facts: Option<VersionFacts> = match (&request, &scope) {
        (Some(request), Some(scope)) => {
            Some(VersionFacts::assess(scope.spec, request, scope.latest, now))
        }
        _ => None,
    };
    let due: Vec<DueManualCheck> = match (&request, &scope) {
        (Some(request), Some(scope)) => {
            due_manual_checks(scope.spec, &request.version, &scope.manual.valid, now)
        }
        _ => Vec::new(),
    };
    let scope_id = status
        .scope
        .as_ref()
        .and_then(|s| s.uuid.clone().or_else(|| s.name.clone()))
        .unwrap_or_default();
    let ledger = ledger_from_status(status);
    let assessment = assess(
        &CertificateInput {
            subject: &spec.subject,
            scope: &scope_id,
            request: request.as_ref(),
            facts: facts.as_ref(),
            manual_checks_due: &due,
            now,
            results_pending,
        },
        &ledger,
        &options,
    );
    let requested_version = request
        .as_ref()
        .map(|r| r.version.clone())
        .unwrap_or_default();
    write_ledger(status, &assessment, now, &options, requested_version);
    let mut set = |desired: DesiredCondition| {
        crate::api::conditions::set(&mut status.conditions, &desired, generation, now);
    };
    set(condition(
        CERTIFIED,
        assessment.certified.status,
        &assessment.certified.reason,
        &assessment.certified.message,
    ));
    if let Some(ready) = assessment.ready.as_ref().filter(|_| ready_overridable) {
        set(condition(
            READY,
            ready.status,
            &ready.reason,
            &ready.message,
        ));
    }
    set(manual_checks_condition(
        scope.as_ref().map(|s| s.manual),
        &due,
        assessment
            .current
            .as_ref()
            .is_some_and(|c| c.state.in_force()),
    ));
    CertificateOutcome {
        transitions: assessment.transitions,
        next_change: assessment.next_change,
    }
}

fn write_ledger(
    status: &mut CloudCertificationStatus,
    assessment: &CertificateAssessment,
    now: Timestamp,
    options: &LifecycleOptions,
    requested_version: String,
) {
    status.certificates = assessment
        .ledger
        .certificates
        .iter()
        .rev()
        .map(|c| status_from_issued(c, now, options))
        .collect();
    status.certificate_refusal = assessment.ledger.refusal.clone();
    status.certificate = match (&assessment.current, &assessment.decision) {
        (Some(current), _) => status
            .certificates
            .iter()
            .find(|c| c.serial.as_deref() == Some(current.serial.as_str()))
            .cloned(),
        (
            None,
            Some(IssuanceDecision::Refused(refusal) | IssuanceDecision::StillRefused(refusal)),
        ) => Some(CertificateStatus {
            serial: Some(refusal.serial.clone()),
            version: Some(refusal.version.clone()),
            state: Some("Refused".to_owned()),
            message: Some(refusal.message.clone()),
            ..CertificateStatus::default()
        }),
        (None, Some(IssuanceDecision::Pending { message, .. })) => Some(CertificateStatus {
            version: Some(requested_version),
            state: Some("Pending".to_owned()),
            message: Some(message.clone()),
            ..CertificateStatus::default()
        }),
        _ => None,
    };
}

fn condition(type_: &str, status: bool, reason: &str, message: &str) -> DesiredCondition {
    DesiredCondition {
        type_: type_.to_owned(),
        status: ConditionStatus::from(status),
        reason: reason.to_owned(),
        message: message.to_owned(),
    }
}

fn manual_checks_condition(
    manual: Option<&ManualChecks>,
    due: &[DueManualCheck],
    certified: bool,
) -> DesiredCondition {
    if let Some(manual) = manual.filter(|m| !m.errors.is_empty()) {
        return condition(
            MANUAL_CHECKS_DUE,
            true,
            "InvalidManualChecks",
            &format!(
                "{} manual check record(s) ignored: {}",
                manual.errors.len(),
                manual.errors.join("; ")
            ),
        );
    }
    if due.is_empty() {
        return condition(
            MANUAL_CHECKS_DUE,
            false,
            "UpToDate",
            "no manual check of the requested version is due",
        );
    }
    let names: Vec<String> = due
        .iter()
        .map(|d| match d.due_since {
            Some(since) => format!("{} (due since {since})", d.testcase),
            None => format!("{} (never checked)", d.testcase),
        })
        .collect();
    condition(
        MANUAL_CHECKS_DUE,
        true,
        "ManualChecksDue",
        &format!(
            "{} manual check(s) {}: {}; SCS-0004 requires them every quarter",
            due.len(),
            if certified {
                "of the certified version are due"
            } else {
                "are due"
            },
            names.join(", ")
        ),
    )
}
