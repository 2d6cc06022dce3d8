//! Table tests of the certificate lifecycle, one group per rule of issue 6 (SCS-0004).

use super::*;
use crate::results::{LatestResults, ResultRecord, Verdict};
use crate::scope::{ScopeSpec, Validity, load_str};
use jiff::{SignedDuration, Timestamp};

const SUBJECT: &str = "regio-a";
const SCOPE: &str = "5e1f0000-0000-4000-8000-000000000001";
const VERSION: &str = "v5.1";

fn ts(text: &str) -> Timestamp {
    text.parse().expect("test timestamp")
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

fn grant(granted_at: Timestamp) -> GrantDecision {
    GrantDecision {
        granted_at,
        granted_by: "Forum SCS-Standards".into(),
        reference: Some("https://example.com/pr/1".into()),
    }
}

fn granted(granted_at: Timestamp) -> CertificateRequest {
    CertificateRequest {
        version: VERSION.into(),
        issuance: IssuanceMode::Manual,
        grant: Some(grant(granted_at)),
        revocation: None,
    }
}

fn self_assessed() -> CertificateRequest {
    CertificateRequest {
        version: VERSION.into(),
        issuance: IssuanceMode::Automatic,
        grant: None,
        revocation: None,
    }
}

fn revoked(mut request: CertificateRequest, revoked_at: Timestamp) -> CertificateRequest {
    request.revocation = Some(RevocationDecision {
        revoked_at,
        revoked_by: "Forum SCS-Standards".into(),
        reason: "tests were falsified".into(),
    });
    request
}

fn dated(date: &str, validity: Validity) -> DatedValidity {
    DatedValidity {
        date: date.parse().expect("test date"),
        validity,
    }
}

fn known(at_grant: Validity, now: Validity, main: MainTargetOutcome) -> VersionFacts {
    VersionFacts::Known(KnownVersionFacts {
        version: VERSION.into(),
        validity_at_grant: Some(dated("2026-06-01", at_grant)),
        validity_now: dated("2026-12-05", now),
        main,
    })
}

fn all_pass() -> MainTargetOutcome {
    MainTargetOutcome {
        total: 54,
        ..MainTargetOutcome::default()
    }
}

fn three_not_passing() -> MainTargetOutcome {
    MainTargetOutcome {
        total: 54,
        failing: vec!["scs-0100-syntax-check".into()],
        missing: vec!["scs-0117-test-backup".into()],
        aborted: vec!["scs-0123-service-placement".into()],
    }
}

fn passing() -> VersionFacts {
    known(Validity::Effective, Validity::Effective, all_pass())
}

fn failing() -> VersionFacts {
    known(
        Validity::Effective,
        Validity::Effective,
        three_not_passing(),
    )
}

fn run_with(
    request: Option<&CertificateRequest>,
    facts: Option<&VersionFacts>,
    due: &[DueManualCheck],
    ledger: &CertificateLedger,
    now: Timestamp,
    options: &LifecycleOptions,
) -> CertificateAssessment {
    let input = CertificateInput {
        subject: SUBJECT,
        scope: SCOPE,
        request,
        facts,
        manual_checks_due: due,
        now,
        results_pending: false,
    };
    assess(&input, ledger, options)
}

fn run(
    request: &CertificateRequest,
    facts: &VersionFacts,
    ledger: &CertificateLedger,
    now: Timestamp,
) -> CertificateAssessment {
    run_with(
        Some(request),
        Some(facts),
        &[],
        ledger,
        now,
        &LifecycleOptions::default(),
    )
}

fn kinds(assessment: &CertificateAssessment) -> Vec<TransitionKind> {
    assessment.transitions.iter().map(|t| t.kind).collect()
}

fn current(assessment: &CertificateAssessment) -> &CertificateSummary {
    assessment.current.as_ref().expect("a current certificate")
}

/// A ledger with one certificate granted at `granted_at` and issued one hour later.
fn issued_ledger(granted_at: Timestamp) -> CertificateLedger {
    let assessment = run(
        &granted(granted_at),
        &passing(),
        &CertificateLedger::default(),
        granted_at + SignedDuration::from_hours(1),
    );
    assert!(matches!(
        assessment.decision,
        Some(IssuanceDecision::Issued(_))
    ));
    assessment.ledger
}

// ---------------------------------------------------------------- rule 1: issuance

#[test]
fn rule1_grant_on_passing_version_issues_a_certificate() {
    let granted_at = ts("2026-06-01T09:00:00Z");
    let now = ts("2026-06-01T10:00:00Z");
    let a = run(
        &granted(granted_at),
        &passing(),
        &CertificateLedger::default(),
        now,
    );
    let Some(IssuanceDecision::Issued(certificate)) = &a.decision else {
        panic!("expected an issued certificate, got {:?}", a.decision);
    };
    assert!(
        certificate.serial.starts_with("SCS-"),
        "{}",
        certificate.serial
    );
    assert_eq!(certificate.not_before, granted_at);
    assert_eq!(certificate.not_after, ts("2027-06-01T09:00:00Z"));
    assert_eq!(certificate.issued_at, now);
    assert!(!certificate.self_assessed);
    assert_eq!(a.ledger.certificates, vec![(**certificate).clone()]);
    assert!(a.certified.status);
    assert_eq!(a.certified.reason, CERTIFIED);
    assert_eq!(
        a.ready.as_ref().map(|r| r.reason.as_str()),
        Some(CERTIFIED_AND_COMPLIANT)
    );
    assert_eq!(current(&a).state, CertificateState::Valid);
    assert_eq!(current(&a).renewal_time, ts("2027-05-02T09:00:00Z"));
    assert_eq!(kinds(&a), vec![TransitionKind::Issued]);
    assert_eq!(a.next_change, Some(ts("2027-05-02T09:00:00Z")));
}

#[test]
fn rule1_a_grant_lacking_results_waits_while_a_run_is_pending() {
    // (results pending, main outcome, decision is a wait?)
    let only_missing = MainTargetOutcome {
        total: 54,
        missing: vec!["scs-0117-test-backup".into()],
        ..MainTargetOutcome::default()
    };
    let rows = [
        (true, only_missing.clone(), true),
        (false, only_missing, false),
        // Failures are decided at once, pending run or not.
        (true, three_not_passing(), false),
    ];
    for (pending, main, waits) in rows {
        let facts = known(Validity::Effective, Validity::Effective, main);
        let request = granted(ts("2026-06-01T00:00:00Z"));
        let a = assess(
            &CertificateInput {
                subject: SUBJECT,
                scope: SCOPE,
                request: Some(&request),
                facts: Some(&facts),
                manual_checks_due: &[],
                now: ts("2026-06-01T01:00:00Z"),
                results_pending: pending,
            },
            &CertificateLedger::default(),
            &LifecycleOptions::default(),
        );
        let waited = matches!(
            a.decision,
            Some(IssuanceDecision::Pending {
                reason: PendingReason::AwaitingResults,
                ..
            })
        );
        assert_eq!(waited, waits, "pending {pending}: {:?}", a.decision);
        assert!(
            a.ledger.refusal.is_none() == waits,
            "a wait records no refusal"
        );
    }
}

#[test]
fn rule1_grant_on_warn_version_is_certifiable() {
    let facts = known(Validity::Warn, Validity::Warn, all_pass());
    let a = run(
        &granted(ts("2026-06-01T00:00:00Z")),
        &facts,
        &CertificateLedger::default(),
        ts("2026-06-02T00:00:00Z"),
    );
    assert!(matches!(a.decision, Some(IssuanceDecision::Issued(_))));
    assert!(a.certified.status);
}

#[test]
fn rule1_grant_on_failing_version_is_refused_naming_what_is_missing() {
    let granted_at = ts("2026-06-01T00:00:00Z");
    let now = ts("2026-06-02T00:00:00Z");
    let a = run(
        &granted(granted_at),
        &failing(),
        &CertificateLedger::default(),
        now,
    );
    let Some(IssuanceDecision::Refused(refusal)) = &a.decision else {
        panic!("expected a refusal, got {:?}", a.decision);
    };
    assert_eq!(refusal.reason, RefusalReason::MainTargetNotPassing);
    assert_eq!(
        refusal.message,
        "3 of 54 main testcases of v5.1 do not pass: scs-0100-syntax-check (FAIL), \
         scs-0117-test-backup (MISSING), scs-0123-service-placement (ABORT)"
    );
    assert_eq!(refusal.decided_at, now);
    assert_eq!(a.ledger.refusal.as_ref(), Some(refusal));
    assert!(a.ledger.certificates.is_empty());
    assert!(!a.certified.status);
    assert_eq!(a.certified.reason, "MainTargetNotPassing");
    assert!(a.certified.message.contains("a new grant is needed"));
    assert!(a.ready.is_none());
    assert_eq!(kinds(&a), vec![TransitionKind::Refused]);
    // the refusal carries the serial the grant would have had
    assert_eq!(
        a.transitions[0].serial,
        certificate_serial(SUBJECT, SCOPE, VERSION, granted_at, IssuanceMode::Manual)
    );
}

#[test]
fn rule1_grant_on_non_certifiable_version_is_refused() {
    let cases = [
        (
            Validity::Effective,
            Validity::Deprecated,
            "version v5.1 is not certifiable on 2026-12-05 (deprecated)",
        ),
        (
            Validity::Draft,
            Validity::Effective,
            "version v5.1 is not certifiable on 2026-06-01 (draft)",
        ),
        (
            Validity::Other("retired".into()),
            Validity::Effective,
            "version v5.1 is not certifiable on 2026-06-01 (retired)",
        ),
    ];
    for (at_grant, now_validity, message) in cases {
        // validity is judged before results: a failing non-certifiable version names validity
        let facts = known(at_grant, now_validity, three_not_passing());
        let a = run(
            &granted(ts("2026-06-01T00:00:00Z")),
            &facts,
            &CertificateLedger::default(),
            ts("2026-12-05T00:00:00Z"),
        );
        let Some(IssuanceDecision::Refused(refusal)) = &a.decision else {
            panic!("expected a refusal for {message}");
        };
        assert_eq!(refusal.reason, RefusalReason::VersionNotCertifiable);
        assert_eq!(refusal.message, message);
        assert_eq!(a.certified.reason, "VersionNotCertifiable");
    }
}

#[test]
fn rule1_grant_on_unknown_version_is_refused() {
    let facts = VersionFacts::UnknownVersion {
        version: VERSION.into(),
    };
    let a = run(
        &granted(ts("2026-06-01T00:00:00Z")),
        &facts,
        &CertificateLedger::default(),
        ts("2026-06-02T00:00:00Z"),
    );
    let Some(IssuanceDecision::Refused(refusal)) = &a.decision else {
        panic!("expected a refusal");
    };
    assert_eq!(refusal.reason, RefusalReason::UnknownVersion);
    assert_eq!(
        refusal.message,
        "version v5.1 does not exist in the scope spec"
    );
}

#[test]
fn rule1_refusal_is_decided_once_per_grant() {
    let granted_at = ts("2026-06-01T00:00:00Z");
    let refused = run(
        &granted(granted_at),
        &failing(),
        &CertificateLedger::default(),
        ts("2026-06-02T00:00:00Z"),
    );
    // the cloud passes later: the same grant stays refused (no back-dated certificate)
    let later = run(
        &granted(granted_at),
        &passing(),
        &refused.ledger,
        ts("2026-06-10T00:00:00Z"),
    );
    assert!(matches!(
        later.decision,
        Some(IssuanceDecision::StillRefused(_))
    ));
    assert!(later.ledger.certificates.is_empty());
    assert_eq!(later.transitions, refused.transitions);
    // a new grant is decided afresh
    let regrant = run(
        &granted(ts("2026-06-09T00:00:00Z")),
        &passing(),
        &later.ledger,
        ts("2026-06-10T00:00:00Z"),
    );
    assert!(matches!(
        regrant.decision,
        Some(IssuanceDecision::Issued(_))
    ));
    assert!(regrant.ledger.refusal.is_none());
}

#[test]
fn rule1_undecidable_grants_wait_without_recording_anything() {
    let now = ts("2026-06-02T00:00:00Z");
    let nothing_tested = known(
        Validity::Effective,
        Validity::Effective,
        MainTargetOutcome {
            total: 2,
            missing: vec!["a".into(), "b".into()],
            ..MainTargetOutcome::default()
        },
    );
    let no_grant = CertificateRequest {
        grant: None,
        ..granted(now)
    };
    let future = ts("2026-07-01T00:00:00Z");
    let cases: [(&str, CertificateRequest, Option<&VersionFacts>, &str); 4] = [
        (
            "future grant",
            granted(future),
            Some(&passing()),
            "GrantNotYetEffective",
        ),
        ("no scope spec", granted(now), None, "ScopeUnavailable"),
        (
            "nothing tested",
            granted(now),
            Some(&nothing_tested),
            "AwaitingResults",
        ),
        ("no grant", no_grant, Some(&passing()), "AwaitingGrant"),
    ];
    for (name, request, facts, reason) in cases {
        let a = run_with(
            Some(&request),
            facts,
            &[],
            &CertificateLedger::default(),
            now,
            &LifecycleOptions::default(),
        );
        assert!(
            matches!(a.decision, Some(IssuanceDecision::Pending { .. })),
            "{name}: {:?}",
            a.decision
        );
        assert_eq!(a.certified.reason, reason, "{name}");
        assert!(!a.certified.status, "{name}");
        assert_eq!(a.ledger, CertificateLedger::default(), "{name}");
        assert!(a.transitions.is_empty(), "{name}");
    }
    let a = run(
        &granted(future),
        &passing(),
        &CertificateLedger::default(),
        now,
    );
    assert_eq!(a.next_change, Some(future));
    // once the grant's date has come, it is decided
    let a = run(
        &granted(future),
        &passing(),
        &CertificateLedger::default(),
        future,
    );
    assert!(matches!(a.decision, Some(IssuanceDecision::Issued(_))));
}

#[test]
fn rule1_assessing_again_is_unchanged() {
    let granted_at = ts("2026-06-01T00:00:00Z");
    let ledger = issued_ledger(granted_at);
    let a = run(
        &granted(granted_at),
        &passing(),
        &ledger,
        ts("2026-08-01T00:00:00Z"),
    );
    assert_eq!(
        a.decision,
        Some(IssuanceDecision::Unchanged {
            index: 0,
            grant_change: None
        })
    );
    assert_eq!(a.ledger, ledger);
    assert_eq!(kinds(&a), vec![TransitionKind::Issued]);
}

#[test]
fn rule1_edited_granted_at_is_reported_and_never_redates() {
    let granted_at = ts("2026-06-01T00:00:00Z");
    let ledger = issued_ledger(granted_at);
    let original = ledger.certificates[0].clone();
    let cases = [
        ("later", ts("2026-06-11T00:00:00Z")),
        ("earlier", ts("2026-05-01T00:00:00Z")),
        ("one second before renewal time", ts("2027-05-01T23:59:59Z")),
    ];
    for (name, edited) in cases {
        let a = run(
            &granted(edited),
            &passing(),
            &ledger,
            ts("2026-07-01T00:00:00Z"),
        );
        assert_eq!(
            a.decision,
            Some(IssuanceDecision::Unchanged {
                index: 0,
                grant_change: Some(GrantChange::Edited { granted_at: edited })
            }),
            "{name}"
        );
        assert_eq!(a.ledger.certificates, vec![original.clone()], "{name}");
        assert!(a.certified.status, "{name}");
        assert_eq!(a.certified.reason, GRANT_CHANGED, "{name}");
        assert!(a.certified.message.contains("never re-dated"), "{name}");
        assert_eq!(current(&a).not_before, granted_at, "{name}");
        assert!(
            a.transitions
                .iter()
                .any(|t| t.kind == TransitionKind::GrantChanged && t.at == edited),
            "{name}"
        );
    }
}

#[test]
fn rule1_removed_grant_revokes_nothing() {
    let granted_at = ts("2026-06-01T00:00:00Z");
    let ledger = issued_ledger(granted_at);
    let request = CertificateRequest {
        grant: None,
        ..granted(granted_at)
    };
    let a = run(&request, &passing(), &ledger, ts("2026-07-01T00:00:00Z"));
    assert!(a.certified.status);
    assert!(a.certified.message.contains("revokes nothing"));
    assert_eq!(current(&a).serial, ledger.certificates[0].serial);
}

#[test]
fn rule1_serial_is_derived_from_subject_scope_version_and_grant() {
    let at = ts("2026-06-01T00:00:00Z");
    let base = certificate_serial(SUBJECT, SCOPE, VERSION, at, IssuanceMode::Manual);
    assert_eq!(
        base,
        certificate_serial(SUBJECT, SCOPE, VERSION, at, IssuanceMode::Manual)
    );
    // recorded serials must keep matching: the derivation is frozen (scheme v1)
    assert_eq!(base, "SCS-F665-2B2B-DAA7-AE45");
    assert!(
        base.chars()
            .skip(4)
            .all(|c| c == '-' || c.is_ascii_hexdigit())
    );
    let variants = [
        certificate_serial("regio-b", SCOPE, VERSION, at, IssuanceMode::Manual),
        certificate_serial(SUBJECT, "other-scope", VERSION, at, IssuanceMode::Manual),
        certificate_serial(SUBJECT, SCOPE, "v4", at, IssuanceMode::Manual),
        certificate_serial(
            SUBJECT,
            SCOPE,
            VERSION,
            at + SignedDuration::from_secs(1),
            IssuanceMode::Manual,
        ),
        // no separator ambiguity between fields
        certificate_serial("regio-av5.1", SCOPE, "", at, IssuanceMode::Manual),
    ];
    for variant in &variants {
        assert_ne!(*variant, base);
    }
    let own = certificate_serial(SUBJECT, SCOPE, VERSION, at, IssuanceMode::Automatic);
    assert!(own.starts_with("SELF-"), "{own}");
}

#[test]
fn rule1_automatic_issuance_is_self_assessed_never_official() {
    let now = ts("2026-06-01T10:00:00.750Z");
    let a = run(
        &self_assessed(),
        &passing(),
        &CertificateLedger::default(),
        now,
    );
    let Some(IssuanceDecision::Issued(certificate)) = &a.decision else {
        panic!("expected issuance, got {:?}", a.decision);
    };
    assert!(certificate.self_assessed);
    assert!(certificate.serial.starts_with("SELF-"));
    // recorded instants are whole seconds
    assert_eq!(certificate.not_before, ts("2026-06-01T10:00:00Z"));
    assert_eq!(certificate.granted_by, SELF_ASSESSMENT_ISSUER);
    assert_eq!(a.certified.reason, SELF_ASSESSED);
    assert!(
        a.certified
            .message
            .contains("not an official SCS certificate")
    );
    assert!(a.transitions.iter().all(|t| t.self_assessed));
    // revoked self-assessed certificates never reach the (official) revocation list
    let later = ts("2026-07-01T00:00:00Z");
    let r = run(
        &revoked(self_assessed(), ts("2026-06-15T00:00:00Z")),
        &passing(),
        &a.ledger,
        later,
    );
    assert_eq!(r.certified.reason, REVOKED);
    assert!(r.revocation_list.is_empty());
}

#[test]
fn rule1_automatic_issuance_waits_while_failing_and_renews_in_the_window() {
    let now = ts("2026-06-01T00:00:00Z");
    let a = run(
        &self_assessed(),
        &failing(),
        &CertificateLedger::default(),
        now,
    );
    assert!(matches!(
        a.decision,
        Some(IssuanceDecision::Pending {
            reason: PendingReason::NotIssuable(RefusalReason::MainTargetNotPassing),
            ..
        })
    ));
    assert_eq!(a.certified.reason, "MainTargetNotPassing");
    assert!(
        a.ledger.refusal.is_none(),
        "self-assessment records no refusal"
    );
    assert!(a.transitions.is_empty());
    let issued = run(&self_assessed(), &passing(), &a.ledger, now + days(1));
    assert!(matches!(issued.decision, Some(IssuanceDecision::Issued(_))));
    let first = issued.ledger.certificates[0].clone();
    // valid: unchanged
    let valid = run(
        &self_assessed(),
        &passing(),
        &issued.ledger,
        now + days(200),
    );
    assert_eq!(current(&valid).serial, first.serial);
    // expiring and still passing: a new one
    let renewal_time = first.renewal_time(&LifecycleOptions::default());
    let renewed = run(&self_assessed(), &passing(), &issued.ledger, renewal_time);
    assert_eq!(renewed.ledger.certificates.len(), 2);
    assert_ne!(current(&renewed).serial, first.serial);
    assert_eq!(current(&renewed).state, CertificateState::Valid);
    // expiring and failing: the old one stays current
    let kept = run(&self_assessed(), &failing(), &issued.ledger, renewal_time);
    assert_eq!(current(&kept).serial, first.serial);
    assert_eq!(current(&kept).state, CertificateState::Expiring);
}

#[test]
fn rule1_facts_come_from_the_spec_and_the_results() {
    let spec = test_spec();
    let grant_date = ts("2025-06-01T00:00:00Z");
    let now = ts("2026-02-01T00:00:00Z");
    let mut latest = LatestResults::default();
    for (id, verdict) in [("auto-a", Verdict::Pass), ("auto-b", Verdict::Fail)] {
        latest.records.insert(id.into(), record(id, verdict, now));
    }
    let facts = VersionFacts::for_version(&spec, "v1", &latest, Some(grant_date), now);
    let VersionFacts::Known(known) = &facts else {
        panic!("v1 exists");
    };
    assert_eq!(
        known.validity_at_grant,
        Some(dated("2025-06-01", Validity::Effective))
    );
    assert_eq!(
        known.validity_now,
        dated("2026-02-01", Validity::Deprecated)
    );
    assert_eq!(known.main.total, 4);
    assert_eq!(known.main.failing, vec!["auto-b".to_owned()]);
    assert_eq!(
        known.main.missing,
        vec!["manual-audit".to_owned(), "manual-docs".to_owned()]
    );
    let request = CertificateRequest {
        version: "v9".into(),
        ..granted(grant_date)
    };
    assert_eq!(
        VersionFacts::assess(&spec, &request, &latest, now),
        VersionFacts::UnknownVersion {
            version: "v9".into()
        }
    );
}

// ---------------------------------------------------------------- rule 2: validity

#[test]
fn rule2_validity_is_one_calendar_year_and_leap_day_maps_to_february_28() {
    let cases = [
        ("2026-03-10T08:00:00Z", "2027-03-10T08:00:00Z"),
        ("2028-02-29T10:00:00Z", "2029-02-28T10:00:00Z"),
        ("2027-02-28T23:59:59Z", "2028-02-28T23:59:59Z"),
        ("2027-03-01T00:00:00Z", "2028-03-01T00:00:00Z"),
        ("2028-03-01T00:00:00Z", "2029-03-01T00:00:00Z"),
        ("2026-12-31T23:30:00Z", "2027-12-31T23:30:00Z"),
        ("2027-12-31T23:59:59Z", "2028-12-31T23:59:59Z"),
        ("2028-01-01T00:00:00Z", "2029-01-01T00:00:00Z"),
        // offsets are read as the instant they denote; the calendar is UTC
        ("2027-01-01T00:30:00+01:00", "2027-12-31T23:30:00Z"),
    ];
    for (not_before, not_after) in cases {
        assert_eq!(
            validity_end(ts(not_before)),
            Some(ts(not_after)),
            "{not_before}"
        );
    }
    assert_eq!(validity_end(ts("9999-06-01T00:00:00Z")), None);
}

#[test]
fn rule2_state_at_renewal_window_edges() {
    let granted_at = ts("2028-02-29T10:00:00Z");
    let ledger = issued_ledger(granted_at);
    let certificate = &ledger.certificates[0];
    let options = LifecycleOptions::default();
    assert_eq!(certificate.not_after, ts("2029-02-28T10:00:00Z"));
    assert_eq!(
        certificate.renewal_time(&options),
        ts("2029-01-29T10:00:00Z")
    );
    let cases = [
        ("2028-02-29T10:00:00Z", CertificateState::Valid),
        ("2029-01-29T09:59:59Z", CertificateState::Valid),
        ("2029-01-29T10:00:00Z", CertificateState::Expiring),
        ("2029-02-28T09:59:59Z", CertificateState::Expiring),
        ("2029-02-28T10:00:00Z", CertificateState::Expired),
        ("2029-03-01T00:00:00Z", CertificateState::Expired),
    ];
    for (now, state) in cases {
        assert_eq!(certificate.state_at(ts(now), &options), state, "{now}");
        let a = run(&granted(granted_at), &passing(), &ledger, ts(now));
        assert_eq!(current(&a).state, state, "{now}");
        assert_eq!(a.certified.status, state.in_force(), "{now}");
    }
}

#[test]
fn rule2_renewal_window_is_configurable() {
    let ledger = issued_ledger(ts("2026-12-31T23:00:00Z"));
    let certificate = &ledger.certificates[0];
    assert_eq!(certificate.not_after, ts("2027-12-31T23:00:00Z"));
    let week = LifecycleOptions::with_renewal_window(days(7)).expect("valid window");
    assert_eq!(certificate.renewal_time(&week), ts("2027-12-24T23:00:00Z"));
    assert_eq!(
        certificate.state_at(ts("2027-12-24T22:59:59Z"), &week),
        CertificateState::Valid
    );
    assert_eq!(
        certificate.state_at(ts("2027-12-24T23:00:00Z"), &week),
        CertificateState::Expiring
    );
    // no window: straight from Valid to Expired
    let none = LifecycleOptions::with_renewal_window(SignedDuration::ZERO).expect("valid");
    assert_eq!(
        certificate.state_at(ts("2027-12-31T22:59:59Z"), &none),
        CertificateState::Valid
    );
    assert_eq!(
        certificate.state_at(ts("2027-12-31T23:00:00Z"), &none),
        CertificateState::Expired
    );
    assert_eq!(
        LifecycleOptions::with_renewal_window(-days(1)),
        Err(OptionsError::NegativeRenewalWindow(-days(1)))
    );
    assert_eq!(
        LifecycleOptions::with_renewal_window(days(366)),
        Err(OptionsError::RenewalWindowTooLong(days(366)))
    );
    assert_eq!(
        LifecycleOptions::default().renewal_window(),
        DEFAULT_RENEWAL_WINDOW
    );
}

#[test]
fn rule2_grant_dated_340_days_ago_is_expiring() {
    let now = ts("2027-06-01T12:00:00Z");
    let granted_at = now - days(340);
    let a = run(
        &granted(granted_at),
        &passing(),
        &CertificateLedger::default(),
        now,
    );
    assert!(matches!(a.decision, Some(IssuanceDecision::Issued(_))));
    assert_eq!(current(&a).state, CertificateState::Expiring);
    assert!(a.certified.status);
    assert_eq!(a.certified.reason, CERTIFICATE_EXPIRING);
    assert_eq!(
        kinds(&a),
        vec![TransitionKind::Expiring, TransitionKind::Issued]
    );
    assert_eq!(a.next_change, Some(current(&a).not_after));
}

#[test]
fn rule2_grant_dated_366_days_ago_is_expired() {
    let now = ts("2027-06-01T12:00:00Z");
    let granted_at = now - days(366);
    let a = run(
        &granted(granted_at),
        &passing(),
        &CertificateLedger::default(),
        now,
    );
    assert!(matches!(a.decision, Some(IssuanceDecision::Issued(_))));
    assert_eq!(current(&a).state, CertificateState::Expired);
    assert!(!a.certified.status);
    assert_eq!(a.certified.reason, EXPIRED);
    assert!(a.ready.is_none());
    assert_eq!(
        kinds(&a),
        vec![TransitionKind::Expired, TransitionKind::Issued]
    );
    assert_eq!(a.next_change, None);
}

#[test]
fn rule2_validity_ignores_the_scope_versions_own_expiry() {
    let granted_at = ts("2026-06-01T00:00:00Z");
    let ledger = issued_ledger(granted_at);
    // the version became deprecated after issuance; its tests still pass
    let deprecated = known(Validity::Effective, Validity::Deprecated, all_pass());
    let a = run(
        &granted(granted_at),
        &deprecated,
        &ledger,
        ts("2027-01-15T00:00:00Z"),
    );
    assert!(a.certified.status);
    assert_eq!(a.certified.reason, CERTIFIED);
    assert_eq!(a.ready.as_ref().map(|r| r.status), Some(true));
    assert_eq!(current(&a).not_after, ts("2027-06-01T00:00:00Z"));
}

// ---------------------------------------------------------------- rule 3: failures after issuance

#[test]
fn rule3_failures_after_issuance_degrade_and_recover_without_revoking() {
    let granted_at = ts("2026-06-01T00:00:00Z");
    let request = granted(granted_at);
    let ledger = issued_ledger(granted_at);
    let t1 = ts("2026-06-11T00:00:00Z");
    let degraded = run(&request, &failing(), &ledger, t1);
    assert!(degraded.certified.status, "failures do not revoke");
    let ready = degraded.ready.as_ref().expect("Ready while certified");
    assert!(!ready.status);
    assert_eq!(ready.reason, CERTIFIED_BUT_NOT_COMPLIANT);
    assert!(
        ready
            .message
            .contains("3 of 54 main testcases of v5.1 do not pass")
    );
    assert_eq!(degraded.ledger.certificates[0].degraded_since, Some(t1));
    let degraded_transition = degraded
        .transitions
        .iter()
        .find(|t| t.kind == TransitionKind::Degraded)
        .expect("Degraded");
    assert_eq!(degraded_transition.at, t1);
    assert_eq!(
        degraded_transition.testcases,
        vec![
            "scs-0100-syntax-check",
            "scs-0117-test-backup",
            "scs-0123-service-placement"
        ]
    );
    // still failing a day later: the same transition (same id), not a new one
    let still = run(&request, &failing(), &degraded.ledger, t1 + days(1));
    assert_eq!(still.transitions, degraded.transitions);
    assert_eq!(still.ledger, degraded.ledger);
    // passing again: recovered
    let t3 = t1 + days(2);
    let recovered = run(&request, &passing(), &still.ledger, t3);
    assert_eq!(recovered.ready.as_ref().map(|r| r.status), Some(true));
    assert_eq!(recovered.ledger.certificates[0].degraded_since, None);
    assert_eq!(recovered.ledger.certificates[0].recovered_at, Some(t3));
    assert_eq!(
        kinds(&recovered),
        vec![TransitionKind::Issued, TransitionKind::Recovered]
    );
    // failing again: a new episode with a new instant
    let t4 = t1 + days(10);
    let again = run(&request, &failing(), &recovered.ledger, t4);
    let again_degraded = again
        .transitions
        .iter()
        .find(|t| t.kind == TransitionKind::Degraded)
        .expect("Degraded");
    assert_eq!(again_degraded.at, t4);
    assert_ne!(again_degraded.id(), degraded_transition.id());
}

#[test]
fn rule3_unknown_compliance_changes_nothing() {
    let granted_at = ts("2026-06-01T00:00:00Z");
    let ledger = issued_ledger(granted_at);
    let a = run_with(
        Some(&granted(granted_at)),
        None,
        &[],
        &ledger,
        ts("2026-07-01T00:00:00Z"),
        &LifecycleOptions::default(),
    );
    assert!(a.certified.status);
    assert!(a.ready.is_none());
    assert_eq!(a.ledger, ledger);
}

#[test]
fn rule3_certified_version_missing_from_the_spec_counts_as_not_compliant() {
    let granted_at = ts("2026-06-01T00:00:00Z");
    let ledger = issued_ledger(granted_at);
    let gone = VersionFacts::UnknownVersion {
        version: VERSION.into(),
    };
    let a = run(
        &granted(granted_at),
        &gone,
        &ledger,
        ts("2026-07-01T00:00:00Z"),
    );
    assert!(a.certified.status);
    let ready = a.ready.expect("Ready");
    assert_eq!(ready.reason, CERTIFIED_BUT_NOT_COMPLIANT);
    assert!(ready.message.contains("no longer exists"));
}

// ---------------------------------------------------------------- rule 4: revocation and expiry

const GRANTED: &str = "2026-06-01T00:00:00Z";
const REVOKED_AT: &str = "2026-09-01T00:00:00Z";

fn revoked_ledger() -> CertificateLedger {
    let ledger = issued_ledger(ts(GRANTED));
    let a = run(
        &revoked(granted(ts(GRANTED)), ts(REVOKED_AT)),
        &passing(),
        &ledger,
        ts("2026-09-02T00:00:00Z"),
    );
    assert_eq!(a.revocation, RevocationOutcome::Recorded);
    a.ledger
}

#[test]
fn rule4_revocation_turns_certified_false_and_lists_the_certificate() {
    let ledger = issued_ledger(ts(GRANTED));
    let serial = ledger.certificates[0].serial.clone();
    let now = ts("2026-09-02T00:00:00Z");
    let a = run(
        &revoked(granted(ts(GRANTED)), ts(REVOKED_AT)),
        &passing(),
        &ledger,
        now,
    );
    assert_eq!(a.revocation, RevocationOutcome::Recorded);
    assert!(!a.certified.status);
    assert_eq!(a.certified.reason, REVOKED);
    assert!(a.certified.message.contains("tests were falsified"));
    assert!(a.ready.is_none());
    assert_eq!(current(&a).state, CertificateState::Revoked);
    assert_eq!(current(&a).revoked_at, Some(ts(REVOKED_AT)));
    assert_eq!(
        a.revocation_list,
        vec![RevocationEntry {
            serial: serial.clone(),
            subject: SUBJECT.into(),
            scope: SCOPE.into(),
            version: VERSION.into(),
            not_before: ts(GRANTED),
            not_after: ts("2027-06-01T00:00:00Z"),
            revoked_at: ts(REVOKED_AT),
            revoked_by: "Forum SCS-Standards".into(),
            reason: "tests were falsified".into(),
        }]
    );
    let revoked_transition = a
        .transitions
        .iter()
        .find(|t| t.kind == TransitionKind::Revoked)
        .expect("Revoked");
    assert_eq!(
        revoked_transition.id(),
        format!("{serial}/Revoked/{REVOKED_AT}")
    );
    assert_eq!(a.next_change, None);
}

#[test]
fn rule4_revoked_certificate_is_not_revived_by_editing_dates() {
    let ledger = revoked_ledger();
    let serial = ledger.certificates[0].serial.clone();
    let now = ts("2026-09-03T00:00:00Z");
    let cases = [
        ("revocation removed", granted(ts(GRANTED))),
        (
            "revokedAt moved into the future",
            revoked(granted(ts(GRANTED)), ts("2026-12-01T00:00:00Z")),
        ),
        (
            "revokedAt moved before the grant",
            revoked(granted(ts(GRANTED)), ts("2026-01-01T00:00:00Z")),
        ),
        (
            "grantedAt moved before revokedAt",
            revoked(granted(ts("2026-07-01T00:00:00Z")), ts(REVOKED_AT)),
        ),
        (
            "grantedAt moved onto revokedAt",
            revoked(granted(ts(REVOKED_AT)), ts(REVOKED_AT)),
        ),
        (
            "revocation removed and grantedAt moved earlier",
            granted(ts("2026-05-01T00:00:00Z")),
        ),
    ];
    for (name, request) in cases {
        let a = run(&request, &passing(), &ledger, now);
        assert_eq!(current(&a).serial, serial, "{name}");
        assert_eq!(current(&a).state, CertificateState::Revoked, "{name}");
        assert!(!a.certified.status, "{name}");
        assert_eq!(a.certified.reason, REVOKED, "{name}");
        assert_eq!(a.ledger.certificates.len(), 1, "{name}");
        assert_eq!(
            a.ledger.certificates[0]
                .revocation
                .as_ref()
                .map(|r| r.revoked_at),
            Some(ts(REVOKED_AT)),
            "{name}"
        );
        assert_eq!(a.revocation_list.len(), 1, "{name}");
    }
}

#[test]
fn rule4_new_grant_after_revocation_is_a_new_certificate() {
    let ledger = revoked_ledger();
    let old = ledger.certificates[0].serial.clone();
    let regranted_at = ts("2026-09-02T12:00:00Z");
    // the old revocation may stay in the spec: it predates the new grant
    let request = revoked(granted(regranted_at), ts(REVOKED_AT));
    let a = run(&request, &passing(), &ledger, ts("2026-09-03T00:00:00Z"));
    let Some(IssuanceDecision::Issued(certificate)) = &a.decision else {
        panic!("expected a new certificate, got {:?}", a.decision);
    };
    assert_ne!(certificate.serial, old);
    assert_eq!(certificate.not_before, regranted_at);
    assert!(a.certified.status);
    assert!(a.certified.message.contains("predates this certificate"));
    assert_eq!(
        a.revocation,
        RevocationOutcome::PredatesCertificate {
            revoked_at: ts(REVOKED_AT)
        }
    );
    assert_eq!(a.ledger.certificates.len(), 2);
    assert!(a.ledger.certificates[0].revocation.is_some());
    assert_eq!(a.revocation_list.len(), 1);
    assert_eq!(a.revocation_list[0].serial, old);
}

#[test]
fn rule4_revocation_dated_in_the_future_takes_effect_then() {
    let ledger = issued_ledger(ts(GRANTED));
    let at = ts("2026-10-01T00:00:00Z");
    let request = revoked(granted(ts(GRANTED)), at);
    let before = run(
        &request,
        &passing(),
        &ledger,
        at - SignedDuration::from_secs(1),
    );
    assert_eq!(
        before.revocation,
        RevocationOutcome::Scheduled { revoked_at: at }
    );
    assert!(before.certified.status);
    assert!(before.ledger.certificates[0].revocation.is_none());
    assert_eq!(before.next_change, Some(at));
    let then = run(&request, &passing(), &before.ledger, at);
    assert_eq!(then.revocation, RevocationOutcome::Recorded);
    assert_eq!(then.certified.reason, REVOKED);
}

#[test]
fn rule4_grant_revoked_before_issuance_is_refused() {
    let request = revoked(granted(ts(GRANTED)), ts("2026-06-01T06:00:00Z"));
    let a = run(
        &request,
        &passing(),
        &CertificateLedger::default(),
        ts("2026-06-02T00:00:00Z"),
    );
    let Some(IssuanceDecision::Refused(refusal)) = &a.decision else {
        panic!("expected a refusal, got {:?}", a.decision);
    };
    assert_eq!(refusal.reason, RefusalReason::RevokedBeforeIssuance);
    assert!(a.ledger.certificates.is_empty());
    assert!(a.revocation_list.is_empty());
}

#[test]
fn rule4_expiry_then_new_grant_is_a_new_certificate() {
    let ledger = issued_ledger(ts(GRANTED));
    let old = ledger.certificates[0].clone();
    let now = ts("2027-06-15T00:00:00Z");
    let expired = run(&granted(ts(GRANTED)), &passing(), &ledger, now);
    assert_eq!(expired.certified.reason, EXPIRED);
    assert!(expired.certified.message.contains("a new grant is needed"));
    let regrant = run(
        &granted(ts("2027-06-10T00:00:00Z")),
        &passing(),
        &expired.ledger,
        now,
    );
    assert!(matches!(
        regrant.decision,
        Some(IssuanceDecision::Issued(_))
    ));
    assert_ne!(current(&regrant).serial, old.serial);
    assert!(regrant.certified.status);
}

#[test]
fn rule4_grant_inside_the_renewal_window_renews_early() {
    let ledger = issued_ledger(ts(GRANTED));
    let old = ledger.certificates[0].clone();
    let renewal_time = old.renewal_time(&LifecycleOptions::default());
    let now = renewal_time + days(2);
    let cases = [
        ("at renewal time", renewal_time, true),
        (
            "one second before renewal time",
            renewal_time - SignedDuration::from_secs(1),
            false,
        ),
    ];
    for (name, granted_at, renews) in cases {
        let a = run(&granted(granted_at), &passing(), &ledger, now);
        assert_eq!(
            matches!(a.decision, Some(IssuanceDecision::Issued(_))),
            renews,
            "{name}: {:?}",
            a.decision
        );
        if renews {
            assert_eq!(current(&a).not_before, granted_at, "{name}");
            assert_eq!(current(&a).state, CertificateState::Valid, "{name}");
            // the old one keeps its own dates
            assert_eq!(a.ledger.certificates[0], old, "{name}");
        } else {
            assert_eq!(a.certified.reason, GRANT_CHANGED, "{name}");
        }
    }
}

// ---------------------------------------------------------------- rule 5: manual checks

const TEST_SPEC: &str = r#"
name: Test Scope
uuid: 5e1f0000-0000-4000-8000-000000000001
url: https://example.com/test.yaml
scripts:
- executable: ./check.py
  testcases:
  - id: auto-a
    description: automated
  - id: auto-b
    description: automated
- testcases:
  - id: manual-docs
    description: manual, no lifetime (quarter)
  - id: manual-audit
    lifetime: month
    description: manual, monthly
  - id: manual-preview
    description: manual, not in main
modules:
  - id: mod-1
    name: Module 1
    url: https://example.com/mod-1
    targets:
      main:
      - auto-a
      - auto-b
      - manual-docs
      - manual-audit
      preview:
      - manual-preview
timeline:
  - date: 2026-01-01
    versions:
      v2: effective
      v1: deprecated
  - date: 2025-01-01
    versions:
      v2: draft
      v1: effective
versions:
  - version: v2
    stabilized_at: 2025-12-01
    include:
      - mod-1
  - version: v1
    stabilized_at: 2024-12-01
    include:
      - mod-1
"#;

fn test_spec() -> ScopeSpec {
    load_str(TEST_SPEC).expect("test spec loads").spec
}

fn record(id: &str, result: Verdict, checked_at: Timestamp) -> ResultRecord {
    ResultRecord {
        testcase: id.into(),
        result,
        checked_at,
        expires_at: checked_at + days(7),
        report: "run-1".into(),
    }
}

fn check(testcase: &str, result: &str, checked_at: &str) -> ManualCheck {
    ManualCheck {
        testcase: testcase.into(),
        result: result.into(),
        checked_at: ts(checked_at),
        checked_by: "auditor@example.com".into(),
        evidence: Some("https://example.com/evidence/1".into()),
    }
}

#[test]
fn rule5_manual_check_records_are_validated_with_their_index() {
    let spec = test_spec();
    let now = ts("2026-03-01T00:00:00Z");
    let checks = [
        check("manual-docs", "PASS", "2026-02-10T00:00:00Z"),
        check("no-such-testcase", "PASS", "2026-02-10T00:00:00Z"),
        check("auto-a", "PASS", "2026-02-10T00:00:00Z"),
        check("manual-audit", "PASS", "2026-03-01T00:00:01Z"),
        check("manual-audit", "pass", "2026-02-10T00:00:00Z"),
        check("manual-audit", "FAIL", "2026-03-01T00:00:00Z"),
    ];
    let err = validate_manual_checks(&spec, &checks, now).expect_err("invalid records");
    assert_eq!(
        err.errors,
        vec![
            ManualCheckError::UnknownTestcase {
                index: 1,
                testcase: "no-such-testcase".into()
            },
            ManualCheckError::NotManual {
                index: 2,
                testcase: "auto-a".into()
            },
            ManualCheckError::CheckedInFuture {
                index: 3,
                checked_at: ts("2026-03-01T00:00:01Z"),
                now
            },
            ManualCheckError::UnknownResult {
                index: 4,
                value: "pass".into()
            },
        ]
    );
    assert_eq!(
        err.errors
            .iter()
            .map(ManualCheckError::index)
            .collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        err.errors[0].to_string(),
        "manualChecks[1]: unknown testcase \"no-such-testcase\""
    );
    // the valid records stay usable
    assert_eq!(
        err.valid.iter().map(|c| c.index).collect::<Vec<_>>(),
        vec![0, 5]
    );
    assert!(err.to_string().starts_with("4 invalid manual check(s): "));
}

#[test]
fn rule5_manual_checks_live_a_quarter_unless_the_testcase_declares_a_lifetime() {
    let spec = test_spec();
    let now = ts("2026-03-01T00:00:00Z");
    let checks = [
        check("manual-docs", "PASS", "2026-02-10T15:00:00Z"),
        check("manual-audit", "PASS", "2026-02-10T15:00:00Z"),
    ];
    let valid = validate_manual_checks(&spec, &checks, now).expect("valid");
    assert_eq!(valid[0].lifetime, crate::scope::Lifetime::Quarter);
    assert_eq!(valid[0].expires_at, ts("2026-07-01T00:00:00Z"));
    assert_eq!(valid[1].lifetime, crate::scope::Lifetime::Month);
    assert_eq!(valid[1].expires_at, ts("2026-04-01T00:00:00Z"));
    let record = valid[0].to_result_record();
    assert_eq!(record.result, Verdict::Pass);
    assert_eq!(
        record.report,
        "manual-check:manual-docs@2026-02-10T15:00:00Z"
    );
}

#[test]
fn rule5_manual_checks_count_like_automated_results() {
    let spec = test_spec();
    let now = ts("2026-03-01T00:00:00Z");
    let mut latest = LatestResults::default();
    for id in ["auto-a", "auto-b"] {
        latest
            .records
            .insert(id.into(), record(id, Verdict::Pass, now));
    }
    let request = CertificateRequest {
        version: "v2".into(),
        ..granted(now)
    };
    let without = VersionFacts::assess(&spec, &request, &latest, now);
    let VersionFacts::Known(without) = without else {
        panic!("v2 exists");
    };
    assert_eq!(without.main.missing, vec!["manual-audit", "manual-docs"]);
    let checks = validate_manual_checks(
        &spec,
        &[
            check("manual-docs", "FAIL", "2026-02-01T00:00:00Z"),
            check("manual-docs", "PASS", "2026-02-10T00:00:00Z"),
            check("manual-audit", "PASS", "2026-01-10T00:00:00Z"),
            check("manual-audit", "PASS", "2026-02-20T00:00:00Z"),
        ],
        now,
    )
    .expect("valid");
    merge_manual_results(&mut latest, &checks, now);
    // the January audit had expired (month lifetime: 2026-03-01)
    assert_eq!(latest.expired, 1);
    assert_eq!(
        latest.record("manual-docs").map(|r| r.checked_at),
        Some(ts("2026-02-10T00:00:00Z"))
    );
    let with = VersionFacts::assess(&spec, &request, &latest, now);
    let VersionFacts::Known(with) = with else {
        panic!("v2 exists");
    };
    assert!(with.main.passes(), "{:?}", with.main);
    let a = run(
        &request,
        &VersionFacts::Known(with),
        &CertificateLedger::default(),
        now,
    );
    assert!(matches!(a.decision, Some(IssuanceDecision::Issued(_))));
}

#[test]
fn rule5_manual_check_is_due_after_a_quarter() {
    let spec = test_spec();
    let checks = validate_manual_checks(
        &spec,
        &[
            check("manual-docs", "PASS", "2026-02-10T00:00:00Z"),
            check("manual-preview", "PASS", "2025-01-10T00:00:00Z"),
        ],
        ts("2026-02-10T00:00:00Z"),
    )
    .expect("valid");
    let cases = [
        // manual-audit was never checked: due from the start
        ("2026-06-30T23:59:59Z", vec![("manual-audit", None)]),
        (
            "2026-07-01T00:00:00Z",
            vec![
                ("manual-audit", None),
                ("manual-docs", Some("2026-07-01T00:00:00Z")),
            ],
        ),
    ];
    for (now, want) in cases {
        let due = due_manual_checks(&spec, "v2", &checks, ts(now));
        let got: Vec<(&str, Option<Timestamp>)> = due
            .iter()
            .map(|d| (d.testcase.as_str(), d.due_since))
            .collect();
        let want: Vec<(&str, Option<Timestamp>)> =
            want.into_iter().map(|(id, at)| (id, at.map(ts))).collect();
        assert_eq!(got, want, "{now}");
    }
    assert!(due_manual_checks(&spec, "v9", &checks, ts("2026-07-01T00:00:00Z")).is_empty());
}

#[test]
fn rule5_manual_checks_due_fire_once_per_due_instant() {
    let granted_at = ts("2026-06-01T00:00:00Z");
    let ledger = issued_ledger(granted_at);
    let issued_at = ledger.certificates[0].issued_at;
    let due = [
        DueManualCheck {
            testcase: "manual-audit".into(),
            last_checked_at: None,
            due_since: None,
        },
        DueManualCheck {
            testcase: "manual-docs".into(),
            last_checked_at: Some(ts("2026-05-10T00:00:00Z")),
            due_since: Some(ts("2026-10-01T00:00:00Z")),
        },
        DueManualCheck {
            testcase: "manual-other".into(),
            last_checked_at: Some(ts("2026-05-12T00:00:00Z")),
            due_since: Some(ts("2026-10-01T00:00:00Z")),
        },
    ];
    let a = run_with(
        Some(&granted(granted_at)),
        Some(&passing()),
        &due,
        &ledger,
        ts("2026-10-02T00:00:00Z"),
        &LifecycleOptions::default(),
    );
    let manual: Vec<(Timestamp, Vec<String>)> = a
        .transitions
        .iter()
        .filter(|t| t.kind == TransitionKind::ManualChecksDue)
        .map(|t| (t.at, t.testcases.clone()))
        .collect();
    assert_eq!(
        manual,
        vec![
            (issued_at, vec!["manual-audit".to_owned()]),
            (
                ts("2026-10-01T00:00:00Z"),
                vec!["manual-docs".to_owned(), "manual-other".to_owned()]
            ),
        ]
    );
    // not while the certificate is out of force
    let expired = run_with(
        Some(&granted(granted_at)),
        Some(&passing()),
        &due,
        &ledger,
        ts("2027-07-01T00:00:00Z"),
        &LifecycleOptions::default(),
    );
    assert!(!kinds(&expired).contains(&TransitionKind::ManualChecksDue));
}

// ---------------------------------------------------------------- rule 6: history and retention

#[test]
fn rule6_status_page_listing_and_retention_windows() {
    let cases = [
        // notAfter, listed until, retained until
        (
            "2027-03-10T08:00:00Z",
            "2027-06-10T08:00:00Z",
            "2028-03-10T08:00:00Z",
        ),
        // month ends clamp, leap year and not
        (
            "2027-11-30T12:00:00Z",
            "2028-02-29T12:00:00Z",
            "2028-11-30T12:00:00Z",
        ),
        (
            "2028-11-30T12:00:00Z",
            "2029-02-28T12:00:00Z",
            "2029-11-30T12:00:00Z",
        ),
        (
            "2029-02-28T10:00:00Z",
            "2029-05-28T10:00:00Z",
            "2030-02-28T10:00:00Z",
        ),
        // year end
        (
            "2027-12-31T23:30:00Z",
            "2028-03-31T23:30:00Z",
            "2028-12-31T23:30:00Z",
        ),
    ];
    let one = SignedDuration::from_secs(1);
    for (not_after, listed, retained) in cases {
        let mut certificate = issued_ledger(ts(GRANTED)).certificates[0].clone();
        certificate.not_after = ts(not_after);
        assert_eq!(certificate.listed_until(), ts(listed), "{not_after}");
        assert_eq!(certificate.retained_until(), ts(retained), "{not_after}");
        assert!(certificate.listed_at(ts(listed) - one), "{not_after}");
        assert!(!certificate.listed_at(ts(listed)), "{not_after}");
        assert!(certificate.retained_at(ts(retained) - one), "{not_after}");
        assert!(!certificate.retained_at(ts(retained)), "{not_after}");
    }
}

#[test]
fn rule6_ledger_keeps_past_certificates_until_retention_ends() {
    // certificates for two consecutive years, then a new grant in the third
    let first = issued_ledger(ts("2026-06-01T00:00:00Z"));
    let second = run(
        &granted(ts("2027-06-01T00:00:00Z")),
        &passing(),
        &first,
        ts("2027-06-01T01:00:00Z"),
    );
    assert_eq!(
        second.ledger.certificates.len(),
        2,
        "past certificates stay listed"
    );
    let first_serial = first.certificates[0].serial.clone();
    // the first one's data is kept until 2028-06-01 (notAfter 2027-06-01 + 12 months)
    let before = run(
        &granted(ts("2027-06-01T00:00:00Z")),
        &passing(),
        &second.ledger,
        ts("2028-05-31T23:59:59Z"),
    );
    assert_eq!(before.ledger.certificates.len(), 2);
    let after = run(
        &granted(ts("2027-06-01T00:00:00Z")),
        &passing(),
        &second.ledger,
        ts("2028-06-01T00:00:00Z"),
    );
    assert_eq!(after.ledger.certificates.len(), 1);
    assert_ne!(after.ledger.certificates[0].serial, first_serial);
    // the latest certificate is kept past retention: it judges grant edits
    let lone = prune_certificates(&first.certificates, ts("2030-01-01T00:00:00Z"));
    assert_eq!(lone, first.certificates);
}

fn entry(run: &str, checked_at: &str) -> RunHistoryEntry {
    RunHistoryEntry {
        run: run.into(),
        checked_at: ts(checked_at),
        source: RunSource::Automated,
        results: [("auto-a".to_owned(), Verdict::Pass)].into_iter().collect(),
    }
}

#[test]
fn rule6_run_history_is_pruned_after_18_months() {
    let now = ts("2027-08-31T12:00:00Z");
    // 18 calendar months back, day clamped: 2026-02-28
    assert_eq!(history_horizon(now), ts("2026-02-28T12:00:00Z"));
    let entries = [
        entry("too-old", "2026-02-28T11:59:59Z"),
        entry("at-horizon", "2026-02-28T12:00:00Z"),
        entry("recent", "2027-08-30T00:00:00Z"),
    ];
    let kept: Vec<String> = prune(&entries, now).into_iter().map(|e| e.run).collect();
    assert_eq!(kept, vec!["at-horizon", "recent"]);
    // record_run replaces the same run, sorts, prunes
    let updated = record_run(&entries, entry("at-horizon", "2027-01-01T00:00:00Z"), now);
    let runs: Vec<(String, Timestamp)> =
        updated.into_iter().map(|e| (e.run, e.checked_at)).collect();
    assert_eq!(
        runs,
        vec![
            ("at-horizon".to_owned(), ts("2027-01-01T00:00:00Z")),
            ("recent".to_owned(), ts("2027-08-30T00:00:00Z")),
        ]
    );
}

#[test]
fn rule6_run_history_records_manual_checks_compactly() {
    let spec = test_spec();
    let checks = validate_manual_checks(
        &spec,
        &[check("manual-docs", "FAIL", "2026-02-10T00:00:00Z")],
        ts("2026-03-01T00:00:00Z"),
    )
    .expect("valid");
    let entry = RunHistoryEntry::from_manual_check(&checks[0]);
    assert_eq!(entry.source, RunSource::Manual);
    assert_eq!(entry.results.get("manual-docs"), Some(&Verdict::Fail));
    let json = serde_json::to_string(&entry).expect("serializes");
    assert_eq!(
        json,
        r#"{"run":"manual-check:manual-docs@2026-02-10T00:00:00Z","checkedAt":"2026-02-10T00:00:00Z","source":"Manual","results":{"manual-docs":-1}}"#
    );
}

// ---------------------------------------------------------------- rule 7: notifications

#[test]
fn rule7_transition_ids_are_stable_and_readable() {
    let granted_at = ts(GRANTED);
    let ledger = issued_ledger(granted_at);
    let serial = &ledger.certificates[0].serial;
    let a = run(
        &granted(granted_at),
        &passing(),
        &ledger,
        ts("2027-06-02T00:00:00Z"),
    );
    let ids: Vec<String> = a.transitions.iter().map(Transition::id).collect();
    assert_eq!(
        ids,
        vec![
            format!("{serial}/Issued/2026-06-01T01:00:00Z"),
            format!("{serial}/Expired/2027-06-01T00:00:00Z"),
        ]
    );
    assert!(TransitionKind::Expired.is_warning());
    assert!(!TransitionKind::Recovered.is_warning());
}

#[test]
fn rule7_notifications_fire_once_and_survive_a_restart() {
    const WEBHOOK: &str = "webhook";
    const EVENTS: &str = "events";
    let granted_at = ts(GRANTED);
    let request = granted(granted_at);
    let mut log = NotificationLog::default();

    // reconcile 1: issued; both sinks deliver
    let t0 = ts("2026-06-01T01:00:00Z");
    let first = run(&request, &passing(), &CertificateLedger::default(), t0);
    for sink in [WEBHOOK, EVENTS] {
        let pending = log.pending(sink, &first.transitions);
        assert_eq!(pending.len(), 1, "{sink}");
        log.record_sent(sink, &pending[0].id(), t0);
    }
    // reconcile 2, same facts: nothing to send
    let second = run(&request, &passing(), &first.ledger, t0 + days(1));
    assert!(log.pending(WEBHOOK, &second.transitions).is_empty());

    // reconcile 3: tests fail; the status (ledger) is persisted, then the operator crashes
    // after the event but before the webhook went out
    let t1 = t0 + days(10);
    let degraded = run(&request, &failing(), &second.ledger, t1);
    let event = log.pending(EVENTS, &degraded.transitions);
    assert_eq!(event.len(), 1);
    assert_eq!(event[0].kind, TransitionKind::Degraded);
    log.record_sent(EVENTS, &event[0].id(), t1);

    // restart: everything comes back from the persisted status
    let ledger: CertificateLedger =
        serde_json::from_str(&serde_json::to_string(&degraded.ledger).expect("ser")).expect("de");
    let mut log: NotificationLog =
        serde_json::from_str(&serde_json::to_string(&log).expect("ser")).expect("de");
    let after = run(
        &request,
        &failing(),
        &ledger,
        t1 + SignedDuration::from_hours(1),
    );
    // the webhook is not lost, the event is not repeated
    let webhook: Vec<TransitionKind> = log
        .pending(WEBHOOK, &after.transitions)
        .iter()
        .map(|t| t.kind)
        .collect();
    assert_eq!(webhook, vec![TransitionKind::Degraded]);
    assert!(log.pending(EVENTS, &after.transitions).is_empty());
    let id = after
        .transitions
        .iter()
        .find(|t| t.kind == TransitionKind::Degraded)
        .map(Transition::id)
        .expect("Degraded");
    log.record_sent(WEBHOOK, &id, t1 + SignedDuration::from_hours(1));
    log.record_sent(WEBHOOK, &id, t1 + SignedDuration::from_hours(2));
    assert_eq!(log.sent.len(), 4, "recording is idempotent");

    // recovery is announced once
    let t2 = t1 + days(1);
    let recovered = run(&request, &passing(), &after.ledger, t2);
    let pending = log.pending(WEBHOOK, &recovered.transitions);
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, TransitionKind::Recovered);
}

#[test]
fn rule7_pruning_keeps_what_is_still_derived() {
    let granted_at = ts(GRANTED);
    let ledger = issued_ledger(granted_at);
    let now = ts("2026-12-01T00:00:00Z");
    let a = run(&granted(granted_at), &passing(), &ledger, now);
    let issued_id = a.transitions[0].id();
    let mut log = NotificationLog::default();
    log.record_sent("webhook", &issued_id, ts("2026-06-01T01:00:00Z"));
    log.record_sent(
        "webhook",
        "old/Degraded/2026-06-05T00:00:00Z",
        ts("2026-06-05T00:00:00Z"),
    );
    log.record_sent(
        "webhook",
        "recent/Degraded/2026-11-20T00:00:00Z",
        ts("2026-11-20T00:00:00Z"),
    );
    log.prune(&a.transitions, now, DEFAULT_SENT_RETENTION);
    let ids: Vec<&str> = log.sent.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![issued_id.as_str(), "recent/Degraded/2026-11-20T00:00:00Z"]
    );
    assert!(log.pending("webhook", &a.transitions).is_empty());
}

#[test]
fn rule7_pending_lists_each_id_once() {
    let ledger = issued_ledger(ts(GRANTED));
    let a = run(
        &granted(ts(GRANTED)),
        &passing(),
        &ledger,
        ts("2026-07-01T00:00:00Z"),
    );
    let doubled: Vec<Transition> = a
        .transitions
        .iter()
        .chain(a.transitions.iter())
        .cloned()
        .collect();
    assert_eq!(
        NotificationLog::default()
            .pending("webhook", &doubled)
            .len(),
        a.transitions.len()
    );
}

#[test]
fn nothing_requested_is_not_certified() {
    let ledger = issued_ledger(ts(GRANTED));
    let a = run_with(
        None,
        Some(&passing()),
        &[],
        &ledger,
        ts("2026-07-01T00:00:00Z"),
        &LifecycleOptions::default(),
    );
    assert_eq!(a.certified.reason, NOT_REQUESTED);
    assert!(!a.certified.status);
    assert_eq!(a.ledger, ledger, "history is kept");
    assert!(a.transitions.is_empty());
}
