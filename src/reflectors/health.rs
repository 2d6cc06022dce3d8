//! Readiness from real state: every cache has been listed once (its watcher reported
//! `InitDone`), and the API server answers. Tracked from the reflectors' own event streams,
//! not with `Store::wait_until_ready` (kube wakes only one of several waiters on a store).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Default, Debug)]
struct State {
    /// Per cache: whether it has synced once.
    synced: BTreeMap<&'static str, bool>,
    /// Last failure talking to the API server (a watch error or a failed probe), cleared by
    /// the next success.
    api_error: Option<String>,
}

/// Readiness of this replica (shared by the reflectors, the API probe and `/readyz`).
#[derive(Clone, Default, Debug)]
pub struct Readiness(Arc<Mutex<State>>);

impl Readiness {
    /// Registers a cache that must sync before the replica is ready.
    pub fn track(&self, cache: &'static str) -> CacheHealth {
        if let Ok(mut state) = self.0.lock() {
            state.synced.entry(cache).or_insert(false);
        }
        CacheHealth {
            readiness: self.clone(),
            cache,
        }
    }

    /// Records the outcome of talking to the API server.
    pub fn api_result(&self, result: Result<(), String>) {
        if let Ok(mut state) = self.0.lock() {
            state.api_error = result.err();
        }
    }

    /// Why the replica is not ready; `None` when it is.
    pub fn not_ready_because(&self) -> Option<String> {
        let Ok(state) = self.0.lock() else {
            return Some("readiness state poisoned".to_owned());
        };
        let pending: Vec<&str> = state
            .synced
            .iter()
            .filter(|(_, synced)| !**synced)
            .map(|(cache, _)| *cache)
            .collect();
        let mut reasons = Vec::new();
        if !pending.is_empty() {
            reasons.push(format!("caches not synced yet: {}", pending.join(", ")));
        }
        if let Some(error) = &state.api_error {
            reasons.push(format!("API server not reachable: {error}"));
        }
        (!reasons.is_empty()).then(|| reasons.join("; "))
    }

    /// Whether the replica is ready.
    pub fn is_ready(&self) -> bool {
        self.not_ready_because().is_none()
    }

    /// Whether every tracked cache has synced (API errors aside).
    pub fn caches_synced(&self) -> bool {
        self.0
            .lock()
            .is_ok_and(|state| state.synced.values().all(|synced| *synced))
    }

    /// Waits until every tracked cache has synced.
    pub async fn wait_caches_synced(&self) {
        while !self.caches_synced() {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

/// The health handle of one cache, fed from its watcher's events.
#[derive(Clone, Debug)]
pub struct CacheHealth {
    readiness: Readiness,
    cache: &'static str,
}

impl CacheHealth {
    /// The watcher delivered an event: the API server answers; `init_done` marks the sync.
    pub fn event(&self, init_done: bool) {
        if let Ok(mut state) = self.readiness.0.lock() {
            state.api_error = None;
            if init_done {
                state.synced.insert(self.cache, true);
            }
        }
    }

    /// The watcher failed (it retries with backoff).
    pub fn error(&self, error: &str) {
        if let Ok(mut state) = self.readiness.0.lock() {
            state.api_error = Some(format!("{} watch: {error}", self.cache));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_only_when_every_cache_synced_and_the_api_answers() {
        let readiness = Readiness::default();
        let jobs = readiness.track("Job");
        let clouds = readiness.track("CloudCertification");
        assert_eq!(
            readiness.not_ready_because().as_deref(),
            Some("caches not synced yet: CloudCertification, Job")
        );
        clouds.event(true);
        jobs.event(false);
        assert!(!readiness.is_ready());
        jobs.event(true);
        assert!(readiness.is_ready());
        jobs.error("connection refused");
        assert_eq!(
            readiness.not_ready_because().as_deref(),
            Some("API server not reachable: Job watch: connection refused")
        );
        assert!(readiness.caches_synced());
        readiness.api_result(Ok(()));
        assert!(readiness.is_ready());
    }
}
