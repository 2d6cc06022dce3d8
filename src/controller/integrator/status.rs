//! From an assessment (or an input error) to the IntegratorCertification status (pure; time
//! passed in). Conditions keep their `lastTransitionTime` unless their status flips, so the
//! same assessment gives an identical status and the controller writes nothing. The
//! transitions a new status causes are recorded in it ([`record_transitions`]), so they are
//! notified from recorded facts: once, also after a restart.

use jiff::{SignedDuration, Timestamp};

use crate::api::conditions::{self, CERTIFIED, ConditionStatus, DesiredCondition, READY};
use crate::api::integrator::{
    IntegratorCertificateStatus, IntegratorCertificationStatus, NextTierStatus, PointsChangeStatus,
    RecordedTransition, ReferenceKind, ReferenceScore, ScoringPolicyStatus, V1Status,
};
use crate::integrator::transitions::{INVALID_SPEC, Transition, transitions};
use crate::integrator::{
    CONTINUATION_AT_RISK, Criterion, ELIGIBLE, IntegratorAssessment, V1Outcome, V1Verdict,
};

fn count(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

fn kind(kind: crate::integrator::ReferenceKind) -> ReferenceKind {
    match kind {
        crate::integrator::ReferenceKind::BroughtIntoProduction => {
            ReferenceKind::BroughtIntoProduction
        }
        crate::integrator::ReferenceKind::Managed => ReferenceKind::Managed,
        crate::integrator::ReferenceKind::PublicCloud => ReferenceKind::PublicCloud,
    }
}

fn v1_status(outcome: &V1Outcome) -> V1Status {
    let verdict = match outcome.verdict {
        V1Verdict::Criterion(Criterion::A) => "CriterionA",
        V1Verdict::Criterion(Criterion::B) => "CriterionB",
        V1Verdict::Criterion(Criterion::C) => "CriterionC",
        V1Verdict::ExceptionVote => "ExceptionVote",
        V1Verdict::NotMet => "NoCriterionMet",
    };
    V1Status {
        verdict: verdict.to_owned(),
        evaluated_on: outcome.evaluated_on,
        criteria: outcome
            .checks
            .iter()
            .map(|c| c.explanation.clone())
            .collect(),
        vote: outcome.vote.as_ref().map(|v| v.explanation.clone()),
    }
}

/// The status for `assessment` of generation `generation`, starting from `previous`.
pub fn assessed(
    assessment: &IntegratorAssessment,
    previous: &IntegratorCertificationStatus,
    generation: Option<i64>,
    now: Timestamp,
) -> IntegratorCertificationStatus {
    let mut conditions = previous.conditions.clone();
    for desired in &assessment.conditions {
        conditions::set(&mut conditions, desired, generation, now);
    }
    IntegratorCertificationStatus {
        observed_generation: generation,
        conditions,
        score: Some(count(assessment.score)),
        tier: assessment.tier.map(|t| t.as_str().to_owned()),
        certificate: assessment.certificate.grant().map(|(tier, validity)| {
            IntegratorCertificateStatus {
                tier: Some(tier.as_str().to_owned()),
                not_before: Some(validity.not_before),
                not_after: Some(validity.not_after),
            }
        }),
        evaluated_on: Some(assessment.evaluated_on),
        next_tier: assessment.next_tier.as_ref().map(|hint| NextTierStatus {
            tier: hint.tier.as_str().to_owned(),
            missing_points: count(hint.missing_points),
            reached_on: hint.reached_on,
            message: hint.message.clone(),
        }),
        scoring_policy: Some(ScoringPolicyStatus {
            applied: assessment.policy.as_str().to_owned(),
            alternative: assessment.policy.other().as_str().to_owned(),
            alternative_score: count(assessment.score_other_policy),
            alternative_tier: assessment.tier_other_policy.map(|t| t.as_str().to_owned()),
        }),
        references: assessment
            .references
            .iter()
            .map(|r| ReferenceScore {
                name: r.name.clone(),
                kind: kind(r.kind),
                points: count(r.points),
                counted_points: count(r.counted_points),
                explanation: r.explanation.clone(),
                next_change: r.next_change.map(|c| PointsChangeStatus {
                    on: c.on,
                    points: count(c.points),
                }),
            })
            .collect(),
        v1: assessment.v1.as_ref().map(v1_status),
        transitions: previous.transitions.clone(),
        notifications: previous.notifications.clone(),
    }
}

/// The status when the spec cannot be assessed: every condition says why; scores, the
/// certificate and the breakdown are dropped rather than left stale.
pub fn invalid(
    error: &str,
    previous: &IntegratorCertificationStatus,
    generation: Option<i64>,
    now: Timestamp,
) -> IntegratorCertificationStatus {
    let message = format!("invalid spec: {error}");
    let mut conditions = previous.conditions.clone();
    let condition = |type_: &str, status| DesiredCondition {
        type_: type_.to_owned(),
        status,
        reason: INVALID_SPEC.to_owned(),
        message: message.clone(),
    };
    for desired in [
        condition(ELIGIBLE, ConditionStatus::Unknown),
        condition(CERTIFIED, ConditionStatus::Unknown),
        condition(CONTINUATION_AT_RISK, ConditionStatus::Unknown),
        condition(READY, ConditionStatus::False),
    ] {
        conditions::set(&mut conditions, &desired, generation, now);
    }
    IntegratorCertificationStatus {
        observed_generation: generation,
        conditions,
        transitions: previous.transitions.clone(),
        notifications: previous.notifications.clone(),
        ..IntegratorCertificationStatus::default()
    }
}

/// How long a recorded transition is kept (as long as delivery records are).
pub const TRANSITION_RETENTION: SignedDuration = crate::certificate::DEFAULT_SENT_RETENTION;
/// At most this many recorded transitions (the newest).
pub const MAX_TRANSITIONS: usize = 20;

/// Records in `desired` the transitions from `previous`'s conditions to `desired`'s, at `now`
/// to the second (for a condition whose status flipped, that is its `lastTransitionTime` as
/// stored), and drops recorded ones older than [`TRANSITION_RETENTION`] or beyond
/// [`MAX_TRANSITIONS`]. Returns the new ones. Written with the status that causes them, under
/// the resourceVersion it was computed from, so each is recorded once.
pub fn record_transitions(
    previous: &IntegratorCertificationStatus,
    desired: &mut IntegratorCertificationStatus,
    now: Timestamp,
) -> Vec<Transition> {
    let new = transitions(&previous.conditions, &desired.conditions);
    // Stored condition times have whole seconds; the same instant makes the same id.
    let at = Timestamp::from_second(now.as_second()).unwrap_or(now);
    desired
        .transitions
        .extend(new.iter().map(|t| RecordedTransition {
            kind: t.reason.to_owned(),
            at,
            warning: t.warning,
            message: t.note.clone(),
        }));
    let horizon = now
        .checked_sub(TRANSITION_RETENTION)
        .unwrap_or(Timestamp::MIN);
    desired.transitions.retain(|t| t.at >= horizon);
    let excess = desired.transitions.len().saturating_sub(MAX_TRANSITIONS);
    desired.transitions.drain(..excess);
    new
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrator::{
        AssessmentSettings, IntegratorApplication, Layer, ReferenceFacts, assess_integrator,
    };
    use serde_json::json;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    fn assessment(spec: serde_json::Value, now: Timestamp) -> IntegratorAssessment {
        let spec: crate::api::IntegratorCertificationSpec =
            serde_json::from_value(spec).expect("spec literal");
        let application = IntegratorApplication::from_spec(&spec, "ns").expect("valid spec");
        let facts: Vec<ReferenceFacts> = application
            .references
            .iter()
            .map(|_| ReferenceFacts::qualifying(Layer::IaaS, "compliant"))
            .collect();
        assess_integrator(&application, &facts, now, &AssessmentSettings::default())
            .expect("assessable")
    }

    fn bronze_spec() -> serde_json::Value {
        // DOMAIN 5.5 example 2: managed 14 months (2), public cloud 1 region 2 AZs (0).
        json!({
            "organization": "Example GmbH", "layer": "IaaS",
            "references": [
                {"name": "customer", "kind": "Managed", "since": "2025-10-05",
                 "evidence": {"attested": true}},
                {"name": "own-cloud", "kind": "PublicCloud", "since": "2024-12-05",
                 "regions": 1, "availabilityZones": 2, "evidence": {"attested": true}}
            ],
            "attestation": {"attestedBy": "Forum", "attestedAt": "2026-12-01T10:00:00Z",
                            "decision": "Granted"}
        })
    }

    #[test]
    fn status_shows_score_tier_breakdown_and_certificate() {
        let now = ts("2026-12-05T12:00:00Z");
        let status = assessed(
            &assessment(bronze_spec(), now),
            &IntegratorCertificationStatus::default(),
            Some(3),
            now,
        );
        assert_eq!(status.observed_generation, Some(3));
        assert_eq!(status.score, Some(2));
        assert_eq!(status.tier.as_deref(), Some("Bronze"));
        let certificate = status.certificate.as_ref().expect("granted");
        assert_eq!(certificate.tier.as_deref(), Some("Bronze"));
        assert_eq!(certificate.not_after, Some(ts("2027-12-01T10:00:00Z")));
        assert_eq!(
            status.references[1].explanation,
            "public IaaS cloud, 1 region, 2 AZs: 0 points, needs >= 2 regions or >= 3 AZs"
        );
        assert_eq!(status.references[0].counted_points, 2);
        let next = status.next_tier.as_ref().expect("Silver is next");
        assert_eq!((next.tier.as_str(), next.missing_points), ("Silver", 2));
        assert!(
            next.message.starts_with("2 more points for Silver"),
            "{}",
            next.message
        );
        let policy = status.scoring_policy.as_ref().expect("policy");
        assert_eq!(
            (
                policy.applied.as_str(),
                policy.alternative.as_str(),
                policy.alternative_score
            ),
            ("CountOnce", "CountBoth", 2)
        );
        assert!(status.v1.is_none());
        let types: Vec<&str> = status.conditions.iter().map(|c| c.type_.as_str()).collect();
        assert_eq!(types, [ELIGIBLE, CERTIFIED, CONTINUATION_AT_RISK, READY]);
        assert!(
            status
                .conditions
                .iter()
                .all(|c| c.observed_generation == Some(3))
        );
    }

    #[test]
    fn the_same_assessment_later_gives_the_same_status() {
        let first = ts("2026-12-05T12:00:00Z");
        let later = ts("2026-12-05T13:00:00Z");
        let status = assessed(
            &assessment(bronze_spec(), first),
            &IntegratorCertificationStatus::default(),
            Some(1),
            first,
        );
        let again = assessed(&assessment(bronze_spec(), later), &status, Some(1), later);
        assert_eq!(again, status);
    }

    #[test]
    fn v1_reading_is_shown() {
        let now = ts("2026-12-05T12:00:00Z");
        let spec = json!({
            "organization": "Example GmbH", "layer": "IaaS", "rules": "scs-0007-v1",
            "references": [{"name": "one", "kind": "BroughtIntoProduction",
                            "since": "2026-06-01", "evidence": {"attested": true}}],
            "v1Vote": {"eligible": 12, "present": 7, "yes": 7, "no": 0}
        });
        let status = assessed(
            &assessment(spec, now),
            &IntegratorCertificationStatus::default(),
            Some(1),
            now,
        );
        let v1 = status.v1.expect("v1 reading");
        assert_eq!(v1.verdict, "NoCriterionMet");
        assert_eq!(v1.criteria.len(), 3);
        assert_eq!(
            v1.vote.as_deref(),
            Some("fails: 7 present, quorum 8 of 12 not met")
        );
    }

    #[test]
    fn invalid_spec_clears_scores_and_says_why() {
        let now = ts("2026-12-05T12:00:00Z");
        let before = assessed(
            &assessment(bronze_spec(), now),
            &IntegratorCertificationStatus::default(),
            Some(1),
            now,
        );
        let status = invalid("v1Vote.present (12) exceeds ...", &before, Some(2), now);
        assert_eq!(status.score, None);
        assert!(status.certificate.is_none() && status.references.is_empty());
        let ready = conditions::find(&status.conditions, READY).expect("Ready");
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("False", INVALID_SPEC)
        );
        assert_eq!(
            ready.message,
            "invalid spec: v1Vote.present (12) exceeds ..."
        );
        assert_eq!(status.conditions.len(), 4);
    }

    #[test]
    fn transitions_are_recorded_once_with_the_condition_time() {
        let first = ts("2026-12-05T12:00:00.750Z");
        let mut status = assessed(
            &assessment(bronze_spec(), first),
            &IntegratorCertificationStatus::default(),
            Some(1),
            first,
        );
        let new = record_transitions(
            &IntegratorCertificationStatus::default(),
            &mut status,
            first,
        );
        let kinds: Vec<&str> = new.iter().map(|t| t.reason).collect();
        assert_eq!(kinds, ["Eligible", "CertificateGranted"]);
        let recorded: Vec<(&str, Timestamp)> = status
            .transitions
            .iter()
            .map(|t| (t.kind.as_str(), t.at))
            .collect();
        let second = ts("2026-12-05T12:00:00Z");
        assert_eq!(
            recorded,
            [("Eligible", second), ("CertificateGranted", second)]
        );
        // As stored (whole seconds), the condition time is the transition time.
        let stored: IntegratorCertificationStatus =
            serde_json::from_value(serde_json::to_value(&status).expect("json")).expect("status");
        let certified = conditions::find(&stored.conditions, CERTIFIED).expect("Certified");
        assert_eq!(certified.last_transition_time.0, status.transitions[1].at);

        // The same assessment an hour later: nothing new, the record stays.
        let later = ts("2026-12-05T13:00:00Z");
        let mut again = assessed(&assessment(bronze_spec(), later), &stored, Some(1), later);
        assert!(record_transitions(&stored, &mut again, later).is_empty());
        assert_eq!(again, stored);
    }

    #[test]
    fn old_and_excess_transitions_are_dropped() {
        let now = ts("2026-12-05T12:00:00Z");
        let record = |days: i64| RecordedTransition {
            kind: "EligibilityChanged".to_owned(),
            at: now - SignedDuration::from_hours(24 * days),
            warning: false,
            message: format!("{days} days ago"),
        };
        let mut status = IntegratorCertificationStatus {
            transitions: vec![record(31), record(29)],
            ..IntegratorCertificationStatus::default()
        };
        let previous = status.clone();
        record_transitions(&previous, &mut status, now);
        assert_eq!(status.transitions, [record(29)]);

        status.transitions = (0..25).rev().map(record).collect();
        let previous = status.clone();
        record_transitions(&previous, &mut status, now);
        assert_eq!(status.transitions.len(), MAX_TRANSITIONS);
        assert_eq!(status.transitions[0], record(19), "the newest are kept");
    }
}
