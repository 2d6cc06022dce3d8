//! Notification dedup (rule 7, pure part): which transitions still have to go to a sink, given
//! what was recorded as sent. Because transition ids are stable, a restarted operator neither
//! resends what it recorded nor loses what it did not. Generic over [`StableId`], so
//! IntegratorCertification transitions use the same log.

use crate::certificate::transitions::Transition;
use jiff::{SignedDuration, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Anything notified under a stable id (the dedup key and receivers' idempotency key).
pub trait StableId {
    /// The id; the same for the same recorded facts, also after a restart.
    fn id(&self) -> String;
}

impl StableId for Transition {
    fn id(&self) -> String {
        Transition::id(self)
    }
}

/// How long a sent record is kept after its transition stopped being derived.
pub const DEFAULT_SENT_RETENTION: SignedDuration = SignedDuration::from_hours(24 * 30);

/// One delivered notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SentNotification {
    /// The sink it went to, e.g. `webhook` or `events`.
    pub sink: String,
    /// Stable id of what was sent, e.g. `<serial>/<kind>/<instant>` for a certificate.
    pub id: String,
    /// When delivery succeeded.
    pub sent_at: Timestamp,
}

/// What was delivered, per sink (kept in status).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationLog {
    /// Delivered notifications, in delivery order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<SentNotification>,
}

impl NotificationLog {
    /// Whether `id` was delivered to `sink`.
    pub fn was_sent(&self, sink: &str, id: &str) -> bool {
        self.sent.iter().any(|s| s.sink == sink && s.id == id)
    }

    /// The transitions `sink` has not received yet, in the given order, each id once.
    pub fn pending<'t, T: StableId>(&self, sink: &str, transitions: &'t [T]) -> Vec<&'t T> {
        let mut seen = BTreeSet::new();
        transitions
            .iter()
            .filter(|t| {
                let id = t.id();
                !self.was_sent(sink, &id) && seen.insert(id)
            })
            .collect()
    }

    /// Records a delivery (idempotent).
    pub fn record_sent(&mut self, sink: &str, id: &str, at: Timestamp) {
        if !self.was_sent(sink, id) {
            self.sent.push(SentNotification {
                sink: sink.to_owned(),
                id: id.to_owned(),
                sent_at: at,
            });
        }
    }

    /// Drops records that can no longer matter: kept while their transition is still derived
    /// (`current`) or for `retention` after delivery, so the log stays small and nothing
    /// still derivable is sent twice.
    pub fn prune<T: StableId>(&mut self, current: &[T], now: Timestamp, retention: SignedDuration) {
        let live: BTreeSet<String> = current.iter().map(StableId::id).collect();
        let horizon = now.checked_sub(retention).unwrap_or(Timestamp::MIN);
        self.sent
            .retain(|s| live.contains(&s.id) || s.sent_at >= horizon);
    }
}
