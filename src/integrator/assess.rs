//! The entry point the controller calls: [`assess_integrator`] turns an application, the
//! facts about its references and the time into scores, tier, certificate and conditions.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use thiserror::Error;

use crate::api::conditions::DesiredCondition;

use super::certificate::{CertificateState, GrantSupport, ValidityOutOfRange, certificate_state};
use super::conditions::{self, ScoreSummary};
use super::continuation::{ContinuationBasis, ContinuationRisk, continuation_risk};
use super::model::{
    IntegratorApplication, Layer, ReferenceFacts, ReferenceKind, Rules, ScoringPolicy,
};
use super::months::DateOutOfRange;
use super::outlook::future_scores;
use super::policy::superseded_note;
use super::scoring::PointsChange;
use super::sheet::{ScoreSheet, score_sheet};
use super::tier::{NextTierHint, Tier, next_tier_hint};
use super::v1::{V1Outcome, evaluate_v1};
use super::vote::{BeneficiaryQuorumRule, VoteError, evaluate_vote};

/// Operator-wide choices where the standard is silent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct AssessmentSettings {
    /// How a member beneficiary is kept from counting against the v1 vote quorum.
    pub beneficiary_quorum: BeneficiaryQuorumRule,
    /// Which score continuation compares with the granted tier.
    pub continuation_basis: ContinuationBasis,
}

/// The assessment cannot be made from this input.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum AssessError {
    /// The facts do not match the references one to one.
    #[error("{facts} reference facts given for {references} references")]
    FactsMismatch {
        /// Number of references.
        references: usize,
        /// Number of facts.
        facts: usize,
    },
    /// The v1 exception vote is inconsistent.
    #[error(transparent)]
    Vote(#[from] VoteError),
    /// A reference date is too close to the calendar's end.
    #[error(transparent)]
    Date(#[from] DateOutOfRange),
    /// The attestation is too close to the calendar's end.
    #[error(transparent)]
    Validity(#[from] ValidityOutOfRange),
}

/// One reference in the status breakdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceAssessment {
    /// Name of the environment.
    pub name: String,
    /// What it demonstrates.
    pub kind: ReferenceKind,
    /// Points on its own.
    pub points: u32,
    /// Points counted under the applied policy.
    pub counted_points: u32,
    /// Why it has its points, with the policy note when it counts less.
    pub explanation: String,
    /// Its next change of points by ageing.
    pub next_change: Option<PointsChange>,
}

/// Everything the status shows about an integrator application at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegratorAssessment {
    /// The UTC date scored.
    pub evaluated_on: Date,
    /// Certificate layer.
    pub layer: Layer,
    /// SCS-0007 version deciding certification.
    pub rules: Rules,
    /// Per-reference breakdown, in spec order.
    pub references: Vec<ReferenceAssessment>,
    /// The applied policy.
    pub policy: ScoringPolicy,
    /// v2 score under the applied policy.
    pub score: u32,
    /// v2 score under the other policy.
    pub score_other_policy: u32,
    /// The tier `score` reaches.
    pub tier: Option<Tier>,
    /// The tier `score_other_policy` reaches.
    pub tier_other_policy: Option<Tier>,
    /// What the next tier needs (`None` at Silver).
    pub next_tier: Option<NextTierHint>,
    /// The v1 reading today (only for `Rules::V1`).
    pub v1: Option<V1Outcome>,
    /// The certificate at `now`.
    pub certificate: CertificateState,
    /// Set while certified under v2 with references below the granted tier.
    pub continuation_at_risk: Option<ContinuationRisk>,
    /// Eligible, Certified, ContinuationAtRisk, Ready.
    pub conditions: Vec<DesiredCondition>,
    /// The next moment the assessment changes by time alone (a reference gaining or
    /// losing points, validity starting or ending): when to look again.
    pub next_review_at: Option<Timestamp>,
}

/// Assesses `application` at `now`; `facts[i]` describes `application.references[i]`.
pub fn assess_integrator(
    application: &IntegratorApplication,
    facts: &[ReferenceFacts],
    now: Timestamp,
    settings: &AssessmentSettings,
) -> Result<IntegratorAssessment, AssessError> {
    let references = &application.references;
    if references.len() != facts.len() {
        return Err(AssessError::FactsMismatch {
            references: references.len(),
            facts: facts.len(),
        });
    }
    let layer = application.layer;
    let policy = application.scoring_policy;
    let today = utc_date(now);

    let sheet = score_sheet(references, facts, layer, policy, today)?;
    let outlook = future_scores(references, facts, layer, policy, &sheet)?;
    let next_tier = next_tier_hint(sheet.total, &outlook);
    let tier = Tier::for_score(sheet.total);

    let vote = match (application.rules, &application.v1_vote) {
        (Rules::V1, Some(vote)) => Some(evaluate_vote(vote, settings.beneficiary_quorum)?),
        _ => None,
    };
    let v1 = match application.rules {
        Rules::V1 => Some(evaluate_v1(references, facts, layer, today, vote.clone())?),
        Rules::V2 => None,
    };

    // At grant time the attestation body examined the proofs, so they count as having held
    // then; a reference of unknown layer is taken to be of the certificate's layer.
    let attested_on = application
        .attestation
        .as_ref()
        .map(|a| utc_date(a.attested_at));
    let grant_facts: Vec<ReferenceFacts> = facts
        .iter()
        .map(|f| ReferenceFacts {
            layer: f.layer.or(Some(layer)),
            qualifies: true,
            reason: f.reason.clone(),
        })
        .collect();
    let grant_sheet = attested_on
        .map(|on| score_sheet(references, &grant_facts, layer, policy, on))
        .transpose()?;

    let (requested, support) = match application.rules {
        Rules::V2 => (
            application.tier_requested,
            v2_support(application, grant_sheet.as_ref()),
        ),
        Rules::V1 => {
            let on = attested_on.unwrap_or(today);
            let at_grant = evaluate_v1(references, &grant_facts, layer, on, vote.clone())?;
            let support = GrantSupport {
                supported: at_grant.passes().then_some(Tier::Silver),
                basis: format!("v1 on {on}: {}", at_grant.summary()),
            };
            // A v1 certificate equals Silver (DOMAIN 5.3).
            (Some(Tier::Silver), support)
        }
    };
    let certificate =
        certificate_state(application.attestation.as_ref(), requested, &support, now)?;

    let continuation_applies = application.rules == Rules::V2;
    let continuation_at_risk = match (&certificate, &grant_sheet, attested_on) {
        (CertificateState::Granted { tier, .. }, Some(at_grant), Some(attested_on))
            if continuation_applies =>
        {
            let frozen;
            let current = match settings.continuation_basis {
                ContinuationBasis::CurrentScore => &sheet,
                ContinuationBasis::AgeAtGrant => {
                    frozen = score_sheet(references, facts, layer, policy, attested_on)?;
                    &frozen
                }
            };
            continuation_risk(references, *tier, at_grant, current)
        }
        _ => None,
    };

    let summary = ScoreSummary {
        layer,
        score: sheet.total,
        tier,
        policy,
        score_other_policy: sheet.total_other_policy,
        hint: next_tier.as_ref(),
    };
    let eligible = match &v1 {
        Some(v1) => conditions::eligible_v1(v1),
        None => conditions::eligible_v2(&summary, application.tier_requested),
    };
    let certified = conditions::certified(&certificate, layer);
    let at_risk = conditions::continuation(
        &certificate,
        continuation_at_risk.as_ref(),
        continuation_applies,
    );
    let ready = conditions::ready(&certified, &eligible, continuation_at_risk.as_ref());

    Ok(IntegratorAssessment {
        evaluated_on: today,
        layer,
        rules: application.rules,
        references: breakdown(application, &sheet),
        policy,
        score: sheet.total,
        score_other_policy: sheet.total_other_policy,
        tier,
        tier_other_policy: Tier::for_score(sheet.total_other_policy),
        next_review_at: next_review_at(&sheet, &certificate, now),
        next_tier,
        v1,
        certificate,
        continuation_at_risk,
        conditions: vec![eligible, certified, at_risk, ready],
    })
}

/// The UTC calendar date of `now`.
pub fn utc_date(now: Timestamp) -> Date {
    now.to_zoned(TimeZone::UTC).date()
}

/// The v2 tier supported at grant time: the recorded score, else the grant-time sheet.
fn v2_support(
    application: &IntegratorApplication,
    grant_sheet: Option<&ScoreSheet>,
) -> GrantSupport {
    let recorded = application
        .attestation
        .as_ref()
        .and_then(|a| a.score_at_grant);
    match (recorded, grant_sheet) {
        (Some(score), _) => GrantSupport {
            supported: Tier::for_score(score),
            basis: format!("recorded score {score} at grant"),
        },
        (None, Some(sheet)) => GrantSupport {
            supported: Tier::for_score(sheet.total),
            basis: format!("score {} on {}", sheet.total, sheet.on),
        },
        (None, None) => GrantSupport {
            supported: None,
            basis: "no attestation".to_owned(),
        },
    }
}

/// The per-reference rows, with the policy note on references that count less.
fn breakdown(application: &IntegratorApplication, sheet: &ScoreSheet) -> Vec<ReferenceAssessment> {
    let references = &application.references;
    references
        .iter()
        .zip(sheet.standalone.iter().zip(&sheet.counted))
        .map(|(reference, (points, counted))| {
            let mut explanation = points.explanation.clone();
            if let Some(winner) = counted.superseded_by.and_then(|w| references.get(w))
                && points.points > 0
            {
                explanation.push_str(&format!(
                    "; {}",
                    superseded_note(reference, winner, sheet.policy)
                ));
            }
            ReferenceAssessment {
                name: reference.name.clone(),
                kind: reference.kind,
                points: points.points,
                counted_points: counted.points,
                explanation,
                next_change: points.next_change,
            }
        })
        .collect()
}

/// The earliest future moment at which time alone changes the assessment.
fn next_review_at(
    sheet: &ScoreSheet,
    certificate: &CertificateState,
    now: Timestamp,
) -> Option<Timestamp> {
    let reference_changes = sheet
        .standalone
        .iter()
        .filter_map(|p| p.next_change)
        .filter_map(|change| change.on.to_zoned(TimeZone::UTC).ok())
        .map(|zoned| zoned.timestamp());
    let validity = certificate
        .grant()
        .into_iter()
        .flat_map(|(_, v)| [v.not_before, v.not_after]);
    reference_changes.chain(validity).filter(|t| *t > now).min()
}
