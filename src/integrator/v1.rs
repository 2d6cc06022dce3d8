//! SCS-0007 v1 (DOMAIN 5.1): criteria a, b, c, else the Forum's exception vote.
//!
//! Decisions where v1 is silent, aligned with v2: a reference counts only towards a
//! certificate of its own layer and only while its compliance proof holds; c needs an
//! IaaS public cloud, so it can hold for IaaS certificates only; each criterion counts
//! distinct environments (see `policy` for "same environment"). "Last 12 months" and "at
//! least one year" use the month rule of `months`; "more than one year" (c) means the
//! 12-month anniversary lies strictly before the evaluation date.

use std::fmt;

use jiff::civil::Date;

use super::model::{Layer, Reference, ReferenceFacts, ReferenceKind};
use super::months::{DateOutOfRange, add_months};
use super::policy::environment_groups;
use super::scoring::{FULL_YEAR, big_enough};
use super::tier::names_text;
use super::vote::VoteOutcome;

/// A v1 criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Criterion {
    /// At least two environments brought into production in the last 12 months.
    A,
    /// At least two environments managed, each for at least one year.
    B,
    /// A public IaaS cloud with >= 2 regions or >= 3 AZs operated for more than one year.
    C,
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::A => "a",
            Self::B => "b",
            Self::C => "c",
        })
    }
}

/// Whether one criterion holds, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriterionCheck {
    /// The criterion.
    pub criterion: Criterion,
    /// It holds.
    pub holds: bool,
    /// E.g. `a) not met: 1 environment brought into production in the last 12 months
    /// ('x'), needs 2`.
    pub explanation: String,
}

/// How a v1 application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum V1Verdict {
    /// The first criterion that holds.
    Criterion(Criterion),
    /// No criterion holds, but the exception vote passed.
    ExceptionVote,
    /// Neither.
    NotMet,
}

/// The v1 reading of an application on one date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V1Outcome {
    /// The date the criteria were checked (the attestation date once attested).
    pub evaluated_on: Date,
    /// Criteria a, b, c in order.
    pub checks: Vec<CriterionCheck>,
    /// The exception vote, if one was held.
    pub vote: Option<VoteOutcome>,
    /// The verdict.
    pub verdict: V1Verdict,
}

impl V1Outcome {
    /// Whether v1 supports a certificate (a criterion or the vote).
    pub fn passes(&self) -> bool {
        self.verdict != V1Verdict::NotMet
    }

    /// One sentence: the verdict with its reason.
    pub fn summary(&self) -> String {
        match self.verdict {
            V1Verdict::Criterion(c) => self
                .checks
                .iter()
                .find(|check| check.criterion == c)
                .map_or_else(
                    || format!("criterion {c} holds"),
                    |check| check.explanation.clone(),
                ),
            V1Verdict::ExceptionVote => match &self.vote {
                Some(vote) => format!("no criterion met; exception vote {}", vote.explanation),
                None => "no criterion met; exception vote passes".to_owned(),
            },
            V1Verdict::NotMet => {
                let vote = match &self.vote {
                    Some(vote) => format!("exception vote {}", vote.explanation),
                    None => "no exception vote held".to_owned(),
                };
                format!("no criterion met ({}); {vote}", self.checks_text())
            }
        }
    }

    fn checks_text(&self) -> String {
        self.checks
            .iter()
            .map(|c| c.explanation.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Checks criteria a, b, c on `on` for a `layer` certificate; `vote` decides if none holds.
pub fn evaluate_v1(
    references: &[Reference],
    facts: &[ReferenceFacts],
    layer: Layer,
    on: Date,
    vote: Option<VoteOutcome>,
) -> Result<V1Outcome, DateOutOfRange> {
    let groups = environment_groups(references);
    // Indices of counting references, one per environment, under `test`.
    let distinct = |test: &dyn Fn(&Reference) -> Result<bool, DateOutOfRange>| {
        let mut seen_groups = Vec::new();
        let mut names = Vec::new();
        for (i, (reference, facts)) in references.iter().zip(facts).enumerate() {
            let proof_holds = facts.qualifies && facts.layer == Some(layer);
            if proof_holds && test(reference)? && !seen_groups.contains(&groups[i]) {
                seen_groups.push(groups[i]);
                names.push(reference.name.clone());
            }
        }
        Ok::<_, DateOutOfRange>(names)
    };

    let go_lives = distinct(&|r| {
        Ok(r.kind == ReferenceKind::BroughtIntoProduction
            && r.since <= on
            && on < add_months(r.since, FULL_YEAR)?)
    })?;
    let managed = distinct(&|r| {
        Ok(r.kind == ReferenceKind::Managed && add_months(r.since, FULL_YEAR)? <= on)
    })?;
    let public = if layer == Layer::IaaS {
        distinct(&|r| {
            Ok(r.kind == ReferenceKind::PublicCloud
                && big_enough(r.regions, r.availability_zones)
                && add_months(r.since, FULL_YEAR)? < on)
        })?
    } else {
        Vec::new()
    };

    let checks = vec![
        count_check(
            Criterion::A,
            &go_lives,
            "brought into production in the last 12 months",
        ),
        count_check(Criterion::B, &managed, "managed for at least one year"),
        public_check(layer, &public),
    ];
    let verdict = match checks.iter().find(|c| c.holds) {
        Some(check) => V1Verdict::Criterion(check.criterion),
        None if vote.as_ref().is_some_and(|v| v.passes) => V1Verdict::ExceptionVote,
        None => V1Verdict::NotMet,
    };
    Ok(V1Outcome {
        evaluated_on: on,
        checks,
        vote,
        verdict,
    })
}

/// a and b: at least two distinct environments.
fn count_check(criterion: Criterion, names: &[String], what: &str) -> CriterionCheck {
    let holds = names.len() >= 2;
    let environments = match names.len() {
        0 => format!("no environment {what}"),
        1 => format!("1 environment {what} ({})", names_text(names)),
        n => format!("{n} environments {what} ({})", names_text(names)),
    };
    let explanation = if holds {
        format!("{criterion}) holds: {environments}")
    } else {
        format!("{criterion}) not met: {environments}, needs 2")
    };
    CriterionCheck {
        criterion,
        holds,
        explanation,
    }
}

/// c: one IaaS public cloud that is big and old enough.
fn public_check(layer: Layer, names: &[String]) -> CriterionCheck {
    let criterion = Criterion::C;
    let (holds, explanation) = if layer != Layer::IaaS {
        (
            false,
            "c) not applicable: it needs a public IaaS cloud, which counts towards IaaS only"
                .to_owned(),
        )
    } else if names.is_empty() {
        (
            false,
            "c) not met: no public IaaS cloud with >= 2 regions or >= 3 AZs operated for more \
             than one year"
                .to_owned(),
        )
    } else {
        (
            true,
            format!(
                "c) holds: public IaaS cloud {} with >= 2 regions or >= 3 AZs operated for more \
                 than one year",
                names_text(names)
            ),
        )
    };
    CriterionCheck {
        criterion,
        holds,
        explanation,
    }
}
