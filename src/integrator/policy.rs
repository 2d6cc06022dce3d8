//! Environments listed more than once, and the scoring policy (DOMAIN 5.5 example 7).
//!
//! Decision (DOMAIN is silent): two references denote the same environment when they name
//! the same CloudCertification (namespace resolved) or carry the same `name` (compared
//! trimmed and case-insensitively); the relation is closed transitively. Matching by either
//! key errs towards "same", which is the cautious side for the default `CountOnce`.
//!
//! - `CountOnce`: an environment scores once, with its best item (the first listed on ties).
//! - `CountBoth`: an environment scores once per kind, so a go-live and its management both
//!   count. The same kind listed twice is a plain duplicate and counts once under both.

use super::model::{EnvironmentProof, Reference, ReferenceKind, ScoringPolicy};

/// Points a reference contributes under a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted {
    /// Points counted towards the total.
    pub points: u32,
    /// The reference (index) that scores this environment instead, if this one does not.
    pub superseded_by: Option<usize>,
}

/// Whether two references directly denote the same environment.
pub fn same_environment(a: &Reference, b: &Reference) -> bool {
    let same_certification = matches!(
        (&a.proof, &b.proof),
        (
            EnvironmentProof::CloudCertification { namespace: na, name: a },
            EnvironmentProof::CloudCertification { namespace: nb, name: b },
        ) if na == nb && a == b
    );
    same_certification || a.name.trim().eq_ignore_ascii_case(b.name.trim())
}

/// For each reference, the smallest index of its environment group.
pub fn environment_groups(references: &[Reference]) -> Vec<usize> {
    let mut group: Vec<usize> = (0..references.len()).collect();
    for i in 0..references.len() {
        for j in (i + 1)..references.len() {
            if same_environment(&references[i], &references[j]) {
                let (keep, merge) = (group[i].min(group[j]), group[i].max(group[j]));
                for g in group.iter_mut().filter(|g| **g == merge) {
                    *g = keep;
                }
            }
        }
    }
    group
}

/// What each reference counts under `policy`, given its environment group and standalone
/// `points` (all three in the same order).
pub fn apply_policy(
    references: &[Reference],
    groups: &[usize],
    points: &[u32],
    policy: ScoringPolicy,
) -> Vec<Counted> {
    let entries: Vec<(usize, ReferenceKind, u32)> = references
        .iter()
        .zip(groups)
        .zip(points)
        .map(|((reference, group), points)| (*group, reference.kind, *points))
        .collect();
    let competes = |a: &(usize, ReferenceKind, u32), b: &(usize, ReferenceKind, u32)| {
        a.0 == b.0 && (policy == ScoringPolicy::CountOnce || a.1 == b.1)
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            // The winner among competitors: most points, first listed on ties (`max_by_key`
            // keeps the last maximum, so compare on reversed indices).
            let winner = entries
                .iter()
                .enumerate()
                .filter(|(_, other)| competes(entry, other))
                .max_by_key(|(j, other)| (other.2, std::cmp::Reverse(*j)))
                .map_or(i, |(j, _)| j);
            if winner == i {
                Counted {
                    points: entry.2,
                    superseded_by: None,
                }
            } else {
                Counted {
                    points: 0,
                    superseded_by: Some(winner),
                }
            }
        })
        .collect()
}

/// Why a superseded reference counts 0, e.g. `same environment as 'a' (brought into
/// production), which scores it (CountOnce)`.
pub fn superseded_note(reference: &Reference, winner: &Reference, policy: ScoringPolicy) -> String {
    if reference.kind == winner.kind {
        format!(
            "listed again as {} for the same environment as '{}': counts once",
            reference.kind.phrase(),
            winner.name
        )
    } else {
        format!(
            "same environment as '{}' ({}), which scores it ({policy}): counts 0",
            winner.name,
            winner.kind.phrase()
        )
    }
}
