//! One assessment per reconcile: decide issuance, apply the revocation, follow compliance of the
//! certificate in force (rule 3), and derive conditions, transitions and the updated ledger.

use crate::certificate::conditions::{
    ConditionTriple, NOT_REQUESTED, certified_for_certificate, certified_for_refusal, label,
    ready_for_certificate,
};
use crate::certificate::facts::VersionFacts;
use crate::certificate::history::prune_certificates;
use crate::certificate::issuance::{
    GrantChange, IssuanceContext, IssuanceDecision, PendingReason, decide_issuance,
};
use crate::certificate::manual_checks::DueManualCheck;
use crate::certificate::model::{
    CertificateLedger, CertificateRequest, CertificateState, GrantRefusal, IssuedCertificate,
};
use crate::certificate::revocation::{
    RevocationEntry, RevocationOutcome, apply_revocation, revocation_list,
};
use crate::certificate::transitions::{Transition, TransitionKind};
use crate::certificate::validity::{LifecycleOptions, whole_seconds};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the controller gathers for one assessment.
#[derive(Clone, Copy, Debug)]
pub struct CertificateInput<'a> {
    /// `spec.subject`.
    pub subject: &'a str,
    /// The scope's uuid (or another stable id when the spec has none).
    pub scope: &'a str,
    /// `spec.certificate`, converted; `None` when no certificate is requested.
    pub request: Option<&'a CertificateRequest>,
    /// [`VersionFacts::assess`] for the request now; `None` when the scope spec is unavailable.
    pub facts: Option<&'a VersionFacts>,
    /// [`crate::certificate::due_manual_checks`] for the requested version now.
    pub manual_checks_due: &'a [DueManualCheck],
    /// Now.
    pub now: Timestamp,
    /// A check run is in progress or none has finished yet (see
    /// [`crate::certificate::IssuanceContext::results_pending`]).
    pub results_pending: bool,
}

/// The current certificate as `status.certificate` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSummary {
    /// Serial.
    pub serial: String,
    /// Certified scope version.
    pub version: String,
    /// Self-assessed (never official).
    pub self_assessed: bool,
    /// State now.
    pub state: CertificateState,
    /// Start of validity.
    pub not_before: Timestamp,
    /// End of validity.
    pub not_after: Timestamp,
    /// Start of the renewal window.
    pub renewal_time: Timestamp,
    /// When it was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}

/// Everything one assessment yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateAssessment {
    /// The ledger to write back into status (new certificate, refusal, revocation, markers;
    /// pruned by retention).
    pub ledger: CertificateLedger,
    /// The issuance decision (`None` when no certificate is requested); its indexes refer to
    /// the ledger passed in, so use [`Self::current`] rather than indexing [`Self::ledger`].
    pub decision: Option<IssuanceDecision>,
    /// The certificate answering the request, if any.
    pub current: Option<CertificateSummary>,
    /// The `Certified` condition.
    pub certified: ConditionTriple,
    /// The `Ready` condition while a certificate is in force and compliance is known; `None`:
    /// the controller's own `Ready` applies.
    pub ready: Option<ConditionTriple>,
    /// What the spec's revocation did.
    pub revocation: RevocationOutcome,
    /// Transitions that hold now, oldest first; send those not sent yet.
    pub transitions: Vec<Transition>,
    /// Revocation list entries of this resource.
    pub revocation_list: Vec<RevocationEntry>,
    /// The next instant the assessment changes by time alone (renewal window, expiry,
    /// scheduled revocation, future grant).
    pub next_change: Option<Timestamp>,
}

/// Compliance of the requested version now: (passes, description, testcases not passing).
fn compliance(facts: Option<&VersionFacts>) -> Option<(bool, String, Vec<String>)> {
    match facts? {
        VersionFacts::UnknownVersion { version } => Some((
            false,
            format!("version {version} no longer exists in the scope spec"),
            Vec::new(),
        )),
        VersionFacts::Known(known) => Some((
            known.main.passes(),
            known.main.describe(&known.version),
            known.main.not_passing_ids(),
        )),
    }
}

/// Assesses the certificate of one resource at `input.now`.
pub fn assess(
    input: &CertificateInput<'_>,
    ledger: &CertificateLedger,
    options: &LifecycleOptions,
) -> CertificateAssessment {
    let now = input.now;
    let mut ledger = ledger.clone();
    let Some(request) = input.request else {
        ledger.certificates = prune_certificates(&ledger.certificates, now);
        return CertificateAssessment {
            revocation_list: revocation_list(&ledger.certificates),
            ledger,
            decision: None,
            current: None,
            certified: ConditionTriple::new(
                false,
                NOT_REQUESTED,
                "no certificate is requested (spec.certificate)".to_owned(),
            ),
            ready: None,
            revocation: RevocationOutcome::NotRevoked,
            transitions: Vec::new(),
            next_change: None,
        };
    };
    let decision = decide_issuance(&IssuanceContext {
        subject: input.subject,
        scope: input.scope,
        request,
        facts: input.facts,
        ledger: &ledger,
        options,
        now,
        results_pending: input.results_pending,
    });
    let mut assessment = CertificateAssessment {
        ledger: CertificateLedger::default(),
        decision: None,
        current: None,
        // replaced below on every path
        certified: ConditionTriple::new(false, "Unknown", "not assessed".to_owned()),
        ready: None,
        revocation: RevocationOutcome::NotRevoked,
        transitions: Vec::new(),
        revocation_list: Vec::new(),
        next_change: None,
    };
    let mut current_index = None;
    let mut grant_change = None;
    match &decision {
        IssuanceDecision::Issued(certificate) => {
            ledger.certificates.push((**certificate).clone());
            ledger.refusal = None;
            current_index = Some(ledger.certificates.len() - 1);
        }
        IssuanceDecision::Refused(refusal) => {
            ledger.refusal = Some(refusal.clone());
            refused(&mut assessment, refusal, input);
        }
        IssuanceDecision::StillRefused(refusal) => refused(&mut assessment, refusal, input),
        IssuanceDecision::Unchanged {
            index,
            grant_change: change,
        } => {
            current_index = Some(*index);
            grant_change = change.clone();
        }
        IssuanceDecision::Pending { reason, message } => {
            assessment.certified = ConditionTriple::new(false, reason.as_str(), message.clone());
            if *reason == PendingReason::GrantNotYetEffective {
                assessment.next_change = request.grant.as_ref().map(|g| g.granted_at);
            }
        }
    }
    if let Some(certificate) = current_index.and_then(|i| ledger.certificates.get_mut(i)) {
        follow_certificate(
            &mut assessment,
            certificate,
            request,
            grant_change.as_ref(),
            input,
            options,
        );
    }
    ledger.certificates = prune_certificates(&ledger.certificates, now);
    assessment.revocation_list = revocation_list(&ledger.certificates);
    assessment.transitions.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.serial.cmp(&b.serial))
    });
    assessment.ledger = ledger;
    assessment.decision = Some(decision);
    assessment
}

fn refused(
    assessment: &mut CertificateAssessment,
    refusal: &GrantRefusal,
    input: &CertificateInput<'_>,
) {
    assessment.certified = certified_for_refusal(refusal);
    assessment.transitions.push(Transition {
        kind: TransitionKind::Refused,
        serial: refusal.serial.clone(),
        at: refusal.decided_at,
        subject: input.subject.to_owned(),
        scope: input.scope.to_owned(),
        version: refusal.version.clone(),
        self_assessed: false,
        message: assessment.certified.message.clone(),
        testcases: Vec::new(),
    });
}

/// Revocation, degradation markers, conditions, transitions and next change of the current
/// certificate.
fn follow_certificate(
    assessment: &mut CertificateAssessment,
    certificate: &mut IssuedCertificate,
    request: &CertificateRequest,
    grant_change: Option<&GrantChange>,
    input: &CertificateInput<'_>,
    options: &LifecycleOptions,
) {
    let now = input.now;
    let stamp = whole_seconds(now);
    let revocation = apply_revocation(certificate, request.revocation.as_ref(), now);
    let state = certificate.state_at(now, options);
    let compliance = compliance(input.facts);
    if state.in_force()
        && let Some((passes, _, _)) = &compliance
    {
        if !passes && certificate.degraded_since.is_none() {
            certificate.degraded_since = Some(stamp);
        } else if *passes && certificate.degraded_since.is_some() {
            certificate.degraded_since = None;
            certificate.recovered_at = Some(stamp);
        }
    }
    let certificate = &*certificate;
    let label = label(certificate);
    let version = &certificate.version;
    let renewal_time = certificate.renewal_time(options);
    let mut transitions = vec![Transition::of_certificate(
        TransitionKind::Issued,
        certificate,
        certificate.issued_at,
        format!(
            "{label} issued for {} / {version}, valid from {} until {}",
            certificate.subject, certificate.not_before, certificate.not_after
        ),
        Vec::new(),
    )];
    if let Some(GrantChange::Edited { granted_at }) = grant_change {
        transitions.push(Transition::of_certificate(
            TransitionKind::GrantChanged,
            certificate,
            *granted_at,
            format!(
                "certificate.grant.grantedAt was changed to {granted_at}; {label} keeps its \
                 dates ({} until {})",
                certificate.not_before, certificate.not_after
            ),
            Vec::new(),
        ));
    }
    match state {
        CertificateState::Expiring => transitions.push(Transition::of_certificate(
            TransitionKind::Expiring,
            certificate,
            renewal_time,
            format!("{label} for {version} expires at {}", certificate.not_after),
            Vec::new(),
        )),
        CertificateState::Expired => transitions.push(Transition::of_certificate(
            TransitionKind::Expired,
            certificate,
            certificate.not_after,
            format!("{label} for {version} expired at {}", certificate.not_after),
            Vec::new(),
        )),
        CertificateState::Revoked => {
            if let Some(r) = &certificate.revocation {
                transitions.push(Transition::of_certificate(
                    TransitionKind::Revoked,
                    certificate,
                    r.revoked_at,
                    format!(
                        "{label} for {version} was revoked at {} by {}: {}",
                        r.revoked_at, r.revoked_by, r.reason
                    ),
                    Vec::new(),
                ));
            }
        }
        CertificateState::Valid => {}
    }
    if state.in_force() {
        if let Some(since) = certificate.degraded_since {
            let (description, testcases) = compliance
                .as_ref()
                .map(|(_, description, ids)| (description.clone(), ids.clone()))
                .unwrap_or_default();
            transitions.push(Transition::of_certificate(
                TransitionKind::Degraded,
                certificate,
                since,
                format!("{label} for {version} stays valid, but {description}"),
                testcases,
            ));
        } else if let Some(at) = certificate.recovered_at {
            transitions.push(Transition::of_certificate(
                TransitionKind::Recovered,
                certificate,
                at,
                format!("{label} for {version}: all main testcases pass again"),
                Vec::new(),
            ));
        }
        transitions.extend(manual_checks_due(certificate, input.manual_checks_due));
        if let Some((passes, description, _)) = &compliance {
            assessment.ready = Some(ready_for_certificate(certificate, *passes, description));
        }
    }
    assessment.certified =
        certified_for_certificate(certificate, state, options, grant_change, &revocation);
    assessment.current = Some(CertificateSummary {
        serial: certificate.serial.clone(),
        version: version.clone(),
        self_assessed: certificate.self_assessed,
        state,
        not_before: certificate.not_before,
        not_after: certificate.not_after,
        renewal_time,
        revoked_at: certificate.revocation.as_ref().map(|r| r.revoked_at),
    });
    let scheduled = match revocation {
        RevocationOutcome::Scheduled { revoked_at } => Some(revoked_at),
        _ => None,
    };
    assessment.next_change = [Some(renewal_time), Some(certificate.not_after), scheduled]
        .into_iter()
        .flatten()
        .filter(|at| *at > now && state != CertificateState::Revoked)
        .min();
    assessment.revocation = revocation;
    assessment.transitions.extend(transitions);
}

/// One `ManualChecksDue` per distinct due instant (a check never made is due since issuance):
/// a newly due check gets its own notification, a still-due one is not repeated.
fn manual_checks_due(certificate: &IssuedCertificate, due: &[DueManualCheck]) -> Vec<Transition> {
    let mut by_instant: BTreeMap<Timestamp, Vec<String>> = BTreeMap::new();
    for check in due {
        let since = check.due_since.unwrap_or(certificate.issued_at);
        by_instant
            .entry(since)
            .or_default()
            .push(check.testcase.clone());
    }
    let all: Vec<&str> = due.iter().map(|c| c.testcase.as_str()).collect();
    by_instant
        .into_iter()
        .map(|(since, testcases)| {
            let message = format!(
                "manual checks of {} due since {since}: {} (all due: {}); SCS-0004 requires \
                 them every quarter",
                certificate.version,
                testcases.join(", "),
                all.join(", ")
            );
            Transition::of_certificate(
                TransitionKind::ManualChecksDue,
                certificate,
                since,
                message,
                testcases,
            )
        })
        .collect()
}
