//! Conditions keyed by type, each with `observedGeneration` (kubectl wait / Argo CD friendly).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

/// Condition type every user waits on: the one-line summary of a resource.
pub const READY: &str = "Ready";
/// The latest evaluation passes a certifiable version.
pub const COMPLIANT: &str = "Compliant";
/// A certificate is currently valid.
pub const CERTIFIED: &str = "Certified";
/// A check run is in progress.
pub const CHECKING: &str = "Checking";

/// The content of a condition as a controller decides it; times are filled in by [`set`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesiredCondition {
    /// Condition type, e.g. [`READY`].
    pub type_: String,
    /// True, False or Unknown.
    pub status: ConditionStatus,
    /// CamelCase machine-readable reason.
    pub reason: String,
    /// Human-readable message.
    pub message: String,
}

/// Status of a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionStatus {
    /// The condition holds.
    True,
    /// The condition does not hold.
    False,
    /// Not known (yet).
    Unknown,
}

impl ConditionStatus {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::True => "True",
            Self::False => "False",
            Self::Unknown => "Unknown",
        }
    }
}

impl From<bool> for ConditionStatus {
    fn from(value: bool) -> Self {
        if value { Self::True } else { Self::False }
    }
}

/// Sets a condition in `conditions` (keyed by type). `lastTransitionTime` moves to `now`
/// only when the status changes, so an unchanged decision yields an identical list and the
/// controller writes nothing. Returns whether anything changed.
pub fn set(
    conditions: &mut Vec<Condition>,
    desired: &DesiredCondition,
    observed_generation: Option<i64>,
    now: jiff::Timestamp,
) -> bool {
    let status = desired.status.as_str();
    match conditions.iter_mut().find(|c| c.type_ == desired.type_) {
        Some(existing) => {
            let before = existing.clone();
            if existing.status != status {
                existing.last_transition_time = Time(now);
                existing.status = status.to_owned();
            }
            existing.reason = desired.reason.clone();
            existing.message = desired.message.clone();
            existing.observed_generation = observed_generation;
            *existing != before
        }
        None => {
            conditions.push(Condition {
                type_: desired.type_.clone(),
                status: status.to_owned(),
                reason: desired.reason.clone(),
                message: desired.message.clone(),
                observed_generation,
                last_transition_time: Time(now),
            });
            true
        }
    }
}

/// The condition of the given type, if present.
pub fn find<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(status: ConditionStatus, reason: &str) -> DesiredCondition {
        DesiredCondition {
            type_: READY.into(),
            status,
            reason: reason.into(),
            message: format!("because {reason}"),
        }
    }

    #[test]
    fn transition_time_moves_only_when_status_changes() {
        let t0: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let t1: jiff::Timestamp = "2026-01-02T00:00:00Z".parse().unwrap();
        let t2: jiff::Timestamp = "2026-01-03T00:00:00Z".parse().unwrap();
        let mut conditions = Vec::new();

        assert!(set(
            &mut conditions,
            &ready(ConditionStatus::False, "NeverRun"),
            Some(1),
            t0
        ));
        // Same decision later: nothing changes, so nothing would be written.
        assert!(!set(
            &mut conditions,
            &ready(ConditionStatus::False, "NeverRun"),
            Some(1),
            t1
        ));
        assert_eq!(conditions[0].last_transition_time, Time(t0));
        // New reason, same status: message changes, transition time stays.
        assert!(set(
            &mut conditions,
            &ready(ConditionStatus::False, "TestsFailing"),
            Some(1),
            t1
        ));
        assert_eq!(conditions[0].last_transition_time, Time(t0));
        // Status flips: transition time moves.
        assert!(set(
            &mut conditions,
            &ready(ConditionStatus::True, "Compliant"),
            Some(2),
            t2
        ));
        assert_eq!(conditions[0].last_transition_time, Time(t2));
        assert_eq!(conditions[0].observed_generation, Some(2));
        assert_eq!(conditions.len(), 1);
        assert_eq!(
            find(&conditions, READY).map(|c| c.status.as_str()),
            Some("True")
        );
    }
}
