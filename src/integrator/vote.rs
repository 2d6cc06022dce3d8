//! The Forum's exception vote under SCS-0007 v1 (DOMAIN 5.1): unanimous (no "no" votes),
//! at least two thirds of all eligible votes present, abstentions not counted against.
//!
//! The numbers describe the voters other than the beneficiary: a beneficiary that is a
//! Forum member is excluded from the discussion and abstains automatically, so it is never
//! among `present`. How its exclusion is kept from counting against the quorum is not
//! defined by the standard; [`BeneficiaryQuorumRule`] makes it a setting. Decision: a vote
//! without any "yes" is not unanimous approval and fails.

use thiserror::Error;

/// The counts of one exception vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoteCount {
    /// Eligible voters, the beneficiary included if it is a member.
    pub eligible: u32,
    /// Voters present, the beneficiary never included.
    pub present: u32,
    /// Yes votes.
    pub yes: u32,
    /// No votes.
    pub no: u32,
    /// Abstentions.
    pub abstentions: u32,
    /// Whether the beneficiary (applicant) is a Forum member and so one of `eligible`.
    pub beneficiary_is_member: bool,
}

/// How a member beneficiary's exclusion is kept from counting against the quorum (the
/// standard does not say; flagged for a human decision in DOMAIN 5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BeneficiaryQuorumRule {
    /// Remove the beneficiary from the base: quorum = ceil(2/3 * (eligible - 1)) among the
    /// others. The default, being the stricter reading (12 eligible: 8 others needed).
    #[default]
    ExcludeFromBase,
    /// Keep the base and count the beneficiary as present: quorum = ceil(2/3 * eligible)
    /// including it (12 eligible: 7 others suffice).
    CountAsPresent,
}

/// The vote counts contradict each other.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum VoteError {
    /// No eligible voters at all.
    #[error("v1Vote.eligible must be at least 1")]
    NoEligibleVoters,
    /// More present than can be present.
    #[error(
        "v1Vote.present ({present}) exceeds the {possible} eligible voters who can be present \
         (the beneficiary is never counted as present)"
    )]
    TooManyPresent {
        /// Present as given.
        present: u32,
        /// Eligible voters other than a member beneficiary.
        possible: u32,
    },
    /// More votes than voters present.
    #[error("v1Vote: yes + no + abstentions ({cast}) exceeds present ({present})")]
    TooManyVotes {
        /// Sum of yes, no and abstentions.
        cast: u32,
        /// Present as given.
        present: u32,
    },
}

/// The result of an exception vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteOutcome {
    /// The vote grants the exception.
    pub passes: bool,
    /// No "no" votes and at least one "yes".
    pub unanimous: bool,
    /// Base of the quorum.
    pub base: u32,
    /// Present voters needed: ceil(2/3 * base).
    pub quorum: u32,
    /// Present voters counted against the quorum.
    pub counted_present: u32,
    /// One sentence, e.g. `fails: 7 present, quorum 8 of 12 eligible not met`.
    pub explanation: String,
}

/// Evaluates the exception vote under `rule`.
pub fn evaluate_vote(
    vote: &VoteCount,
    rule: BeneficiaryQuorumRule,
) -> Result<VoteOutcome, VoteError> {
    if vote.eligible == 0 {
        return Err(VoteError::NoEligibleVoters);
    }
    let member = u32::from(vote.beneficiary_is_member);
    let possible = vote.eligible - member;
    if vote.present > possible {
        return Err(VoteError::TooManyPresent {
            present: vote.present,
            possible,
        });
    }
    // u64: three user-given u32 counts cannot overflow the sum.
    let cast = u64::from(vote.yes) + u64::from(vote.no) + u64::from(vote.abstentions);
    if cast > u64::from(vote.present) {
        return Err(VoteError::TooManyVotes {
            cast: u32::try_from(cast).unwrap_or(u32::MAX),
            present: vote.present,
        });
    }

    let (base, counted_present) = match rule {
        BeneficiaryQuorumRule::ExcludeFromBase => (vote.eligible - member, vote.present),
        BeneficiaryQuorumRule::CountAsPresent => (vote.eligible, vote.present + member),
    };
    let quorum = two_thirds_rounded_up(base);
    let quorum_met = counted_present >= quorum;
    let unanimous = vote.no == 0 && vote.yes > 0;
    let passes = quorum_met && unanimous;

    let mut reasons = Vec::new();
    if !quorum_met {
        reasons.push(format!(
            "{counted_present} present, quorum {quorum} of {base} not met"
        ));
    }
    if vote.no > 0 {
        reasons.push(format!("not unanimous ({} against)", vote.no));
    } else if vote.yes == 0 {
        reasons.push("no yes votes".to_owned());
    }
    let beneficiary = match (vote.beneficiary_is_member, rule) {
        (false, _) => "",
        (true, BeneficiaryQuorumRule::ExcludeFromBase) => ", beneficiary excluded from the base",
        (true, BeneficiaryQuorumRule::CountAsPresent) => ", beneficiary counted as present",
    };
    let explanation = if passes {
        format!(
            "passes: {} yes, {} abstaining, no votes against; {counted_present} present \
             meets quorum {quorum} of {base}{beneficiary}",
            vote.yes, vote.abstentions
        )
    } else {
        format!("fails: {}{beneficiary}", reasons.join("; "))
    };
    Ok(VoteOutcome {
        passes,
        unanimous,
        base,
        quorum,
        counted_present,
        explanation,
    })
}

/// ceil(2/3 * n) in integers.
pub fn two_thirds_rounded_up(n: u32) -> u32 {
    // u64 keeps 2n + 2 from overflowing.
    let q = (2 * u64::from(n)).div_ceil(3);
    u32::try_from(q).unwrap_or(u32::MAX)
}
