//! Continuation (DOMAIN 5.3, #1169): the demonstrated experience must stay in place for the
//! whole validity. While certified, a score below the granted tier puts the certificate at
//! risk; it is flagged with reasons, never silently dropped (the standard defines no
//! revocation for integrators).
//!
//! Decision: by default the current score is compared ([`ContinuationBasis::CurrentScore`]),
//! so a go-live ageing past 12 months during validity raises the flag too. The setting
//! [`ContinuationBasis::AgeAtGrant`] re-checks only the proofs and layers, with ages frozen
//! at the attestation date, for bodies that read "experience in place" that way.

use super::model::Reference;
use super::sheet::ScoreSheet;
use super::tier::{Tier, points_text};

/// Which score continuation compares with the granted tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ContinuationBasis {
    /// The score today: proofs, layers and ages as they are now.
    #[default]
    CurrentScore,
    /// Today's proofs and layers, ages as at the attestation date.
    AgeAtGrant,
}

/// The certificate's tier is no longer backed by the references.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContinuationRisk {
    /// The granted tier.
    pub granted: Tier,
    /// The score compared (see [`ContinuationBasis`]).
    pub score: u32,
    /// Points the granted tier needs.
    pub needed: u32,
    /// Which references lost points and why, one sentence each.
    pub reasons: Vec<String>,
}

/// The risk, if `current` scores below `granted`; `at_grant` names the losses.
pub fn continuation_risk(
    references: &[Reference],
    granted: Tier,
    at_grant: &ScoreSheet,
    current: &ScoreSheet,
) -> Option<ContinuationRisk> {
    let needed = granted.min_points();
    if current.total >= needed {
        return None;
    }
    let mut reasons: Vec<String> = references
        .iter()
        .enumerate()
        .filter_map(|(i, reference)| {
            let then = at_grant.counted.get(i)?.points;
            let now = current.counted.get(i)?.points;
            let explanation = &current.standalone.get(i)?.explanation;
            (now < then).then(|| {
                format!(
                    "'{}': {} at grant, now {}: {explanation}",
                    reference.name,
                    points_text(then),
                    points_text(now)
                )
            })
        })
        .collect();
    if reasons.is_empty() {
        reasons.push(format!(
            "no listed reference lost points since the grant; they score {} now",
            points_text(current.total)
        ));
    }
    Some(ContinuationRisk {
        granted,
        score: current.total,
        needed,
        reasons,
    })
}
