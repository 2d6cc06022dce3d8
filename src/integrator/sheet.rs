//! The score sheet: every reference scored at one date, counted under both policies.

use jiff::civil::Date;

use super::model::{Layer, Reference, ReferenceFacts, ScoringPolicy};
use super::months::DateOutOfRange;
use super::policy::{Counted, apply_policy, environment_groups};
use super::scoring::{ReferencePoints, score_reference};

/// All references scored on one date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreSheet {
    /// The scoring date.
    pub on: Date,
    /// The policy applied to `counted` and `total`.
    pub policy: ScoringPolicy,
    /// Standalone points per reference.
    pub standalone: Vec<ReferencePoints>,
    /// What each reference counts under `policy`.
    pub counted: Vec<Counted>,
    /// Total under `policy`.
    pub total: u32,
    /// Total under the other policy.
    pub total_other_policy: u32,
}

/// Scores `references` (with their `facts`, same order) towards a `layer` certificate on `on`.
pub fn score_sheet(
    references: &[Reference],
    facts: &[ReferenceFacts],
    layer: Layer,
    policy: ScoringPolicy,
    on: Date,
) -> Result<ScoreSheet, DateOutOfRange> {
    // A reference without facts has no proof; the entry point rejects such input anyway.
    let no_facts = ReferenceFacts::failing(None, "nothing known about this reference");
    let standalone = references
        .iter()
        .enumerate()
        .map(|(i, reference)| {
            score_reference(reference, facts.get(i).unwrap_or(&no_facts), layer, on)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let points: Vec<u32> = standalone.iter().map(|p| p.points).collect();
    let groups = environment_groups(references);
    let counted = apply_policy(references, &groups, &points, policy);
    let other = apply_policy(references, &groups, &points, policy.other());
    let sum = |counted: &[Counted]| counted.iter().map(|c| c.points).sum();
    Ok(ScoreSheet {
        on,
        policy,
        total: sum(&counted),
        total_other_policy: sum(&other),
        standalone,
        counted,
    })
}
