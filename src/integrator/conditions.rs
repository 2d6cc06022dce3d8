//! The four conditions of an IntegratorCertification (Eligible, Certified,
//! ContinuationAtRisk, Ready) as decided from an assessment; the controller writes them with
//! `api::conditions::set`.

use crate::api::conditions::{CERTIFIED, ConditionStatus, DesiredCondition, READY};

use super::certificate::CertificateState;
use super::continuation::ContinuationRisk;
use super::model::{Layer, ScoringPolicy};
use super::tier::{NextTierHint, Tier, points_text};
use super::v1::{V1Outcome, V1Verdict};

/// The references reach the tier applied for (v2) or a criterion or the vote holds (v1).
pub const ELIGIBLE: &str = "Eligible";
/// Certified, but the references no longer support the granted tier.
pub const CONTINUATION_AT_RISK: &str = "ContinuationAtRisk";

fn condition(type_: &str, status: bool, reason: &str, message: String) -> DesiredCondition {
    DesiredCondition {
        type_: type_.to_owned(),
        status: ConditionStatus::from(status),
        reason: reason.to_owned(),
        message,
    }
}

/// What the v2 score is and what the other policy would give, for messages.
#[derive(Clone, Copy, Debug)]
pub struct ScoreSummary<'a> {
    /// Certificate layer.
    pub layer: Layer,
    /// Score under the applied policy.
    pub score: u32,
    /// The tier it reaches.
    pub tier: Option<Tier>,
    /// The applied policy.
    pub policy: ScoringPolicy,
    /// Score under the other policy.
    pub score_other_policy: u32,
    /// What the next tier needs.
    pub hint: Option<&'a NextTierHint>,
}

impl ScoreSummary<'_> {
    /// `4 points: Silver (IaaS)` or `1 point: no tier (KaaS)`.
    pub fn headline(&self) -> String {
        let tier = self.tier.map_or("no tier", Tier::as_str);
        format!("{}: {tier} ({})", points_text(self.score), self.layer)
    }

    /// `; CountBoth would give 4 points (Silver)` when the policies disagree.
    pub fn policy_note(&self) -> String {
        if self.score_other_policy == self.score {
            return String::new();
        }
        let tier = Tier::for_score(self.score_other_policy).map_or("no tier", Tier::as_str);
        format!(
            "; {} would give {} ({tier})",
            self.policy.other(),
            points_text(self.score_other_policy)
        )
    }
}

/// Eligible under v2: the score reaches the requested tier, or any tier if none requested.
pub fn eligible_v2(summary: &ScoreSummary<'_>, requested: Option<Tier>) -> DesiredCondition {
    let reached = match (summary.tier, requested) {
        (Some(tier), Some(requested)) => tier >= requested,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let mut message = summary.headline();
    if let Some(requested) = requested {
        message.push_str(&format!("; {requested} requested"));
    }
    if let Some(hint) = summary.hint {
        message.push_str(&format!("; {}", hint.message));
    }
    message.push_str(&summary.policy_note());
    let reason = match (reached, summary.tier) {
        (true, Some(tier)) => tier.as_str(),
        (false, Some(_)) => "BelowRequestedTier",
        _ => "InsufficientScore",
    };
    condition(ELIGIBLE, reached, reason, message)
}

/// Eligible under v1: a criterion holds, or the exception vote passed.
pub fn eligible_v1(outcome: &V1Outcome) -> DesiredCondition {
    let reason = match outcome.verdict {
        V1Verdict::Criterion(c) => match c {
            super::v1::Criterion::A => "CriterionA",
            super::v1::Criterion::B => "CriterionB",
            super::v1::Criterion::C => "CriterionC",
        },
        V1Verdict::ExceptionVote => "ExceptionVote",
        V1Verdict::NotMet => "NoCriterionMet",
    };
    condition(
        ELIGIBLE,
        outcome.passes(),
        reason,
        format!("v1: {}", outcome.summary()),
    )
}

/// Certified: granted, supported at grant time and within validity.
pub fn certified(state: &CertificateState, layer: Layer) -> DesiredCondition {
    match state {
        CertificateState::NotRequested => condition(
            CERTIFIED,
            false,
            "AwaitingAttestation",
            "no attestation yet".to_owned(),
        ),
        CertificateState::Rejected { attested_at } => condition(
            CERTIFIED,
            false,
            "Rejected",
            format!("rejected by the attestation body at {attested_at}"),
        ),
        CertificateState::TierNotSupported {
            requested,
            supported,
            basis,
        } => condition(
            CERTIFIED,
            false,
            "TierNotSupported",
            format!(
                "granted {} but the references supported {} at grant time: {basis}",
                requested.map_or("a certificate", Tier::as_str),
                supported.map_or("no tier", Tier::as_str),
            ),
        ),
        CertificateState::NotYetValid { tier, validity } => condition(
            CERTIFIED,
            false,
            "NotYetValid",
            format!(
                "{tier} {layer} integrator certificate valid from {}",
                validity.not_before
            ),
        ),
        CertificateState::Granted { tier, validity } => condition(
            CERTIFIED,
            true,
            "Granted",
            format!(
                "{tier} {layer} integrator certificate valid until {}",
                validity.not_after
            ),
        ),
        CertificateState::Expired { tier, validity } => condition(
            CERTIFIED,
            false,
            "Expired",
            format!(
                "{tier} {layer} integrator certificate expired at {}",
                validity.not_after
            ),
        ),
    }
}

/// ContinuationAtRisk: certified, but the references no longer carry the granted tier.
pub fn continuation(
    state: &CertificateState,
    risk: Option<&ContinuationRisk>,
    continuation_applies: bool,
) -> DesiredCondition {
    match (state, risk) {
        (_, Some(risk)) => condition(
            CONTINUATION_AT_RISK,
            true,
            "ScoreBelowGrantedTier",
            format!(
                "{} is below {} ({} needed): {}",
                points_text(risk.score),
                risk.granted,
                risk.needed,
                risk.reasons.join("; ")
            ),
        ),
        (CertificateState::Granted { tier, .. }, None) if continuation_applies => condition(
            CONTINUATION_AT_RISK,
            false,
            "ReferencesInPlace",
            format!("the references still support {tier}"),
        ),
        (CertificateState::Granted { .. }, None) => condition(
            CONTINUATION_AT_RISK,
            false,
            "NotApplicable",
            "the continuation rule belongs to SCS-0007 v2".to_owned(),
        ),
        (_, None) => condition(
            CONTINUATION_AT_RISK,
            false,
            "NotCertified",
            "no valid certificate".to_owned(),
        ),
    }
}

/// Ready: the one-line summary; true while certified (at risk or not).
pub fn ready(
    certified: &DesiredCondition,
    eligible: &DesiredCondition,
    risk: Option<&ContinuationRisk>,
) -> DesiredCondition {
    let is_certified = certified.status == ConditionStatus::True;
    match (is_certified, risk) {
        (true, Some(risk)) => condition(
            READY,
            true,
            CONTINUATION_AT_RISK,
            format!(
                "{}; at risk: {} now, {} needed",
                certified.message,
                points_text(risk.score),
                risk.needed
            ),
        ),
        (true, None) => condition(READY, true, "Certified", certified.message.clone()),
        (false, _) => condition(
            READY,
            false,
            &certified.reason,
            format!("{}; {}", eligible.message, certified.message),
        ),
    }
}
