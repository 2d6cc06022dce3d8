//! The transitions an IntegratorCertification deserves, derived from its conditions before
//! and after a reconcile. Because the previous conditions are the ones last written, each
//! transition is derived once: a reconcile that changes nothing announces nothing. The
//! controller records them in status and notifies them (events, webhooks) from there.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;

use crate::api::conditions::{CERTIFIED, READY, find};

use super::conditions::{CONTINUATION_AT_RISK, ELIGIBLE};

/// Reason of `Ready` (and the other conditions) when the spec cannot be assessed.
pub const INVALID_SPEC: &str = "InvalidSpec";

/// One transition to record and notify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// CamelCase event reason, e.g. `ContinuationAtRisk`.
    pub reason: &'static str,
    /// A warning rather than a normal event.
    pub warning: bool,
    /// Human-readable note.
    pub note: String,
}

fn is_true(condition: Option<&Condition>) -> bool {
    condition.is_some_and(|c| c.status == "True")
}

fn reason(condition: Option<&Condition>) -> &str {
    condition.map_or("", |c| c.reason.as_str())
}

/// The events for going from `previous` to `current` conditions (both keyed by type).
pub fn transitions(previous: &[Condition], current: &[Condition]) -> Vec<Transition> {
    let mut events = Vec::new();
    let mut push = |reason, warning, note: String| {
        events.push(Transition {
            reason,
            warning,
            note,
        })
    };
    let (before, after) = (find(previous, READY), find(current, READY));
    if let Some(now) = after
        && now.reason == INVALID_SPEC
        && reason(before) != INVALID_SPEC
    {
        push("InvalidSpec", true, now.message.clone());
    }

    let (before, after) = (find(previous, ELIGIBLE), find(current, ELIGIBLE));
    if let Some(now) = after.filter(|c| c.reason != INVALID_SPEC) {
        match before {
            None if now.status == "True" => push("Eligible", false, now.message.clone()),
            Some(then)
                if (then.status.as_str(), then.reason.as_str())
                    != (now.status.as_str(), now.reason.as_str()) =>
            {
                push(
                    "EligibilityChanged",
                    then.status == "True" && now.status != "True",
                    format!("{} -> {}: {}", then.reason, now.reason, now.message),
                );
            }
            _ => {}
        }
    }

    let (before, after) = (find(previous, CERTIFIED), find(current, CERTIFIED));
    match (is_true(before), after) {
        (false, Some(now)) if now.status == "True" => {
            push("CertificateGranted", false, now.message.clone());
        }
        (true, Some(now)) if now.status != "True" => {
            let event = if now.reason == "Expired" {
                "CertificateExpired"
            } else {
                "CertificateWithdrawn"
            };
            push(event, true, now.message.clone());
        }
        (false, Some(now)) if now.reason == "TierNotSupported" && reason(before) != now.reason => {
            push("GrantNotSupported", true, now.message.clone());
        }
        _ => {}
    }

    let (before, after) = (
        find(previous, CONTINUATION_AT_RISK),
        find(current, CONTINUATION_AT_RISK),
    );
    match (is_true(before), is_true(after), after) {
        (false, true, Some(now)) => push("ContinuationAtRisk", true, now.message.clone()),
        (true, false, Some(now)) => push("ContinuationRestored", false, now.message.clone()),
        _ => {}
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn c(type_: &str, status: &str, reason: &str) -> Condition {
        Condition {
            type_: type_.to_owned(),
            status: status.to_owned(),
            reason: reason.to_owned(),
            message: format!("{type_} {reason}"),
            observed_generation: Some(1),
            last_transition_time: Time("2026-12-01T00:00:00Z".parse().unwrap()),
        }
    }

    fn names(events: &[Transition]) -> Vec<(&'static str, bool)> {
        events.iter().map(|e| (e.reason, e.warning)).collect()
    }

    /// (what, previous, current, expected events)
    type Case = (
        &'static str,
        Vec<Condition>,
        Vec<Condition>,
        Vec<(&'static str, bool)>,
    );

    #[test]
    fn one_event_per_transition() {
        let eligible = |s, r| c(ELIGIBLE, s, r);
        let certified = |s, r| c(CERTIFIED, s, r);
        let risk = |s, r| c(CONTINUATION_AT_RISK, s, r);
        let ready = |s, r| c(READY, s, r);
        let cases: Vec<Case> = vec![
            (
                "first assessment, not eligible",
                vec![],
                vec![eligible("False", "InsufficientScore")],
                vec![],
            ),
            (
                "first assessment, eligible",
                vec![],
                vec![eligible("True", "Bronze")],
                vec![("Eligible", false)],
            ),
            (
                "nothing changed",
                vec![
                    eligible("True", "Silver"),
                    certified("True", "Granted"),
                    risk("False", "ReferencesInPlace"),
                ],
                vec![
                    eligible("True", "Silver"),
                    certified("True", "Granted"),
                    risk("False", "ReferencesInPlace"),
                ],
                vec![],
            ),
            (
                "tier rises",
                vec![eligible("True", "Bronze")],
                vec![eligible("True", "Silver")],
                vec![("EligibilityChanged", false)],
            ),
            (
                "eligibility lost",
                vec![eligible("True", "Silver")],
                vec![eligible("False", "BelowRequestedTier")],
                vec![("EligibilityChanged", true)],
            ),
            (
                "granted",
                vec![certified("False", "AwaitingAttestation")],
                vec![
                    certified("True", "Granted"),
                    risk("False", "ReferencesInPlace"),
                ],
                vec![("CertificateGranted", false)],
            ),
            (
                "expired",
                vec![certified("True", "Granted")],
                vec![certified("False", "Expired")],
                vec![("CertificateExpired", true)],
            ),
            (
                "grant withdrawn",
                vec![certified("True", "Granted")],
                vec![certified("False", "Rejected")],
                vec![("CertificateWithdrawn", true)],
            ),
            (
                "grant above the score",
                vec![certified("False", "AwaitingAttestation")],
                vec![certified("False", "TierNotSupported")],
                vec![("GrantNotSupported", true)],
            ),
            (
                "still not supported",
                vec![certified("False", "TierNotSupported")],
                vec![certified("False", "TierNotSupported")],
                vec![],
            ),
            (
                "at risk",
                vec![risk("False", "ReferencesInPlace")],
                vec![risk("True", "ScoreBelowGrantedTier")],
                vec![("ContinuationAtRisk", true)],
            ),
            (
                "at risk from the start",
                vec![],
                vec![risk("True", "ScoreBelowGrantedTier")],
                vec![("ContinuationAtRisk", true)],
            ),
            (
                "still at risk, new message",
                vec![risk("True", "ScoreBelowGrantedTier")],
                vec![risk("True", "ScoreBelowGrantedTier")],
                vec![],
            ),
            (
                "restored",
                vec![risk("True", "ScoreBelowGrantedTier")],
                vec![risk("False", "ReferencesInPlace")],
                vec![("ContinuationRestored", false)],
            ),
            (
                "invalid spec once",
                vec![
                    ready("False", "AwaitingAttestation"),
                    eligible("True", "Silver"),
                ],
                vec![
                    ready("False", INVALID_SPEC),
                    eligible("Unknown", INVALID_SPEC),
                ],
                vec![("InvalidSpec", true)],
            ),
            (
                "still invalid",
                vec![
                    ready("False", INVALID_SPEC),
                    eligible("Unknown", INVALID_SPEC),
                ],
                vec![
                    ready("False", INVALID_SPEC),
                    eligible("Unknown", INVALID_SPEC),
                ],
                vec![],
            ),
            (
                "valid again",
                vec![
                    ready("False", INVALID_SPEC),
                    eligible("Unknown", INVALID_SPEC),
                ],
                vec![
                    ready("False", "AwaitingAttestation"),
                    eligible("True", "Bronze"),
                ],
                vec![("EligibilityChanged", false)],
            ),
        ];
        for (what, previous, current, expected) in cases {
            assert_eq!(names(&transitions(&previous, &current)), expected, "{what}");
        }
    }

    #[test]
    fn notes_carry_the_new_message() {
        let events = transitions(
            &[c(ELIGIBLE, "True", "Bronze")],
            &[c(ELIGIBLE, "True", "Silver")],
        );
        assert_eq!(events[0].note, "Bronze -> Silver: Eligible Silver");
    }
}
