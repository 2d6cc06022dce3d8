//! The pure part of leader election: what to write into the Lease, given what it holds now.
//!
//! Same rules as client-go's `leaderelection`: a Lease held by another identity counts as
//! expired only after its `leaseDurationSeconds` have passed on *this* replica's clock since
//! the record last changed (observed time, not the holder's `renewTime`), so clock skew
//! between nodes cannot shorten a lease. Writes carry the read `resourceVersion`, so of two
//! replicas racing for an expired Lease exactly one wins (the other gets 409 Conflict).

use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::LeaseSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use std::time::Duration;

/// What the elector does next with the Lease it read.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// No Lease yet: create it, held by us.
    Create(LeaseSpec),
    /// Take the free or expired Lease, or renew our own: write this spec.
    Update(LeaseSpec),
    /// Another replica holds a current Lease: wait.
    Wait {
        /// Identity of the current holder.
        holder: String,
    },
}

/// The holder of `spec`, if any (an empty identity means released).
pub fn holder(spec: &LeaseSpec) -> Option<&str> {
    spec.holder_identity.as_deref().filter(|h| !h.is_empty())
}

/// The next step for `identity`: `current` is the Lease's spec (`None`: no Lease),
/// `observed_for` how long this replica has seen that exact record, `now` the time written.
pub fn next_step(
    current: Option<&LeaseSpec>,
    identity: &str,
    observed_for: Duration,
    lease_duration: Duration,
    now: Timestamp,
) -> Step {
    let seconds = i32::try_from(lease_duration.as_secs().max(1)).unwrap_or(i32::MAX);
    let Some(spec) = current else {
        return Step::Create(LeaseSpec {
            holder_identity: Some(identity.to_owned()),
            lease_duration_seconds: Some(seconds),
            acquire_time: Some(MicroTime(now)),
            renew_time: Some(MicroTime(now)),
            lease_transitions: Some(0),
            ..LeaseSpec::default()
        });
    };
    let ours = holder(spec) == Some(identity);
    if let Some(other) = holder(spec).filter(|_| !ours) {
        // The holder's own duration decides; a record without one gets ours.
        let held_for = spec
            .lease_duration_seconds
            .and_then(|s| u64::try_from(s).ok())
            .map_or(lease_duration, Duration::from_secs);
        if observed_for < held_for {
            return Step::Wait {
                holder: other.to_owned(),
            };
        }
    }
    let transitions = spec.lease_transitions.unwrap_or(0);
    Step::Update(LeaseSpec {
        holder_identity: Some(identity.to_owned()),
        lease_duration_seconds: Some(seconds),
        acquire_time: if ours {
            spec.acquire_time.clone().or(Some(MicroTime(now)))
        } else {
            Some(MicroTime(now))
        },
        renew_time: Some(MicroTime(now)),
        lease_transitions: Some(if ours {
            transitions
        } else {
            transitions.saturating_add(1)
        }),
        ..spec.clone()
    })
}

/// The spec that releases `spec` when `identity` holds it (holder cleared, a one-second
/// duration, as client-go does), so a waiting replica takes over at its next try.
pub fn released(spec: &LeaseSpec, identity: &str, now: Timestamp) -> Option<LeaseSpec> {
    (holder(spec) == Some(identity)).then(|| LeaseSpec {
        holder_identity: None,
        lease_duration_seconds: Some(1),
        renew_time: Some(MicroTime(now)),
        ..spec.clone()
    })
}

/// Remembers since when (on the local monotonic clock) the Lease record has been unchanged.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    last: Option<(LeaseSpec, std::time::Instant)>,
}

impl Observed {
    /// Records `spec` as seen at `at`; returns how long this exact record has been seen.
    pub fn observe(&mut self, spec: &LeaseSpec, at: std::time::Instant) -> Duration {
        match &self.last {
            Some((seen, since)) if seen == spec => at.saturating_duration_since(*since),
            _ => {
                self.last = Some((spec.clone(), at));
                Duration::ZERO
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Duration = Duration::from_secs(15);

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).expect("timestamp")
    }

    fn held_by(holder: &str, renewed: i64, transitions: i32) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(holder.into()),
            lease_duration_seconds: Some(15),
            acquire_time: Some(MicroTime(t(0))),
            renew_time: Some(MicroTime(t(renewed))),
            lease_transitions: Some(transitions),
            ..LeaseSpec::default()
        }
    }

    #[test]
    fn a_missing_lease_is_created_held_by_us() {
        let Step::Create(spec) = next_step(None, "a", Duration::ZERO, D, t(5)) else {
            panic!("expected Create");
        };
        assert_eq!(holder(&spec), Some("a"));
        assert_eq!(spec.lease_duration_seconds, Some(15));
        assert_eq!(spec.lease_transitions, Some(0));
        assert_eq!(spec.acquire_time, Some(MicroTime(t(5))));
    }

    #[test]
    fn a_current_lease_of_another_replica_is_respected() {
        let spec = held_by("b", 0, 3);
        let step = next_step(Some(&spec), "a", Duration::from_secs(14), D, t(100));
        assert_eq!(step, Step::Wait { holder: "b".into() });
    }

    #[test]
    fn expiry_counts_observed_time_not_the_holders_clock() {
        // The holder's renewTime lies far in the past (skewed clock), but this replica saw
        // the record only 2 s ago: still the other's.
        let spec = held_by("b", -3600, 3);
        assert!(matches!(
            next_step(Some(&spec), "a", Duration::from_secs(2), D, t(0)),
            Step::Wait { .. }
        ));
        // Unchanged for the holder's whole duration: taken over, one more transition.
        let Step::Update(taken) = next_step(Some(&spec), "a", D, D, t(20)) else {
            panic!("expected Update");
        };
        assert_eq!(holder(&taken), Some("a"));
        assert_eq!(taken.lease_transitions, Some(4));
        assert_eq!(taken.acquire_time, Some(MicroTime(t(20))));
    }

    #[test]
    fn the_holders_own_duration_decides() {
        let mut spec = held_by("b", 0, 0);
        spec.lease_duration_seconds = Some(60);
        assert!(matches!(
            next_step(Some(&spec), "a", Duration::from_secs(30), D, t(30)),
            Step::Wait { .. }
        ));
    }

    #[test]
    fn renewing_keeps_acquire_time_and_transitions() {
        let spec = held_by("a", 10, 7);
        let Step::Update(renewed) = next_step(Some(&spec), "a", Duration::ZERO, D, t(12)) else {
            panic!("expected Update");
        };
        assert_eq!(renewed.acquire_time, Some(MicroTime(t(0))));
        assert_eq!(renewed.renew_time, Some(MicroTime(t(12))));
        assert_eq!(renewed.lease_transitions, Some(7));
    }

    #[test]
    fn a_released_lease_is_taken_at_once() {
        let spec = released(&held_by("b", 0, 2), "b", t(1)).expect("b holds it");
        assert_eq!(holder(&spec), None);
        assert_eq!(spec.lease_duration_seconds, Some(1));
        let Step::Update(taken) = next_step(Some(&spec), "a", Duration::ZERO, D, t(2)) else {
            panic!("expected Update");
        };
        assert_eq!(holder(&taken), Some("a"));
        assert_eq!(taken.lease_transitions, Some(3));
    }

    #[test]
    fn only_the_holder_releases() {
        assert_eq!(released(&held_by("b", 0, 0), "a", t(1)), None);
    }

    #[test]
    fn observed_time_restarts_when_the_record_changes() {
        let start = std::time::Instant::now();
        let mut observed = Observed::default();
        let first = held_by("b", 0, 0);
        assert_eq!(observed.observe(&first, start), Duration::ZERO);
        assert_eq!(
            observed.observe(&first, start + Duration::from_secs(4)),
            Duration::from_secs(4)
        );
        let renewed = held_by("b", 2, 0);
        assert_eq!(
            observed.observe(&renewed, start + Duration::from_secs(5)),
            Duration::ZERO
        );
        assert_eq!(
            observed.observe(&renewed, start + Duration::from_secs(6)),
            Duration::from_secs(1)
        );
    }
}
