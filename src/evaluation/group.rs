//! Group rollup (DOMAIN 2.6, `group-<g>` cells): a group shows the badge of its worst member.
//!
//! Members are ranked by scope result: FAIL < MISSING < no data < ABORT < PASS; the first
//! member wins ties. A member without data outranks ABORT and PASS members, so such a group
//! shows `🛑 –` unless another member is FAIL or MISSING.

use crate::evaluation::badge::summary_badge;
use crate::evaluation::scope::ScopeEvaluation;
use crate::results::Verdict;

/// Rank of one member, worst first; `None` is a member without data.
pub fn member_rank(member: Option<&ScopeEvaluation<'_>>) -> u8 {
    match member.map(|e| e.result) {
        Some(Some(Verdict::Fail)) => 0,
        Some(None) => 1,
        None => 2,
        Some(Some(Verdict::Abort)) => 3,
        Some(Some(Verdict::Pass)) => 4,
    }
}

/// Position of the worst member (first one on ties); `None` for an empty group.
pub fn worst_member(members: &[Option<&ScopeEvaluation<'_>>]) -> Option<usize> {
    let mut worst: Option<(usize, u8)> = None;
    for (position, member) in members.iter().enumerate() {
        let rank = member_rank(*member);
        if worst.is_none_or(|(_, best)| rank < best) {
            worst = Some((position, rank));
        }
    }
    worst.map(|(position, _)| position)
}

/// The group's badge: the worst member's badge; an empty group shows `🛑 –`.
pub fn group_summary(members: &[Option<&ScopeEvaluation<'_>>]) -> String {
    summary_badge(worst_member(members).and_then(|i| members[i]))
}
