//! The operator's caches run on every replica, leader or not: the intake, the listing pages
//! and `/metrics` read them. Each reflector is driven by [`drive`], which records its health
//! for `/readyz` and hands every touched object to a [`Fanout`] the controllers subscribe to
//! while this replica leads.

pub mod fanout;
pub mod health;

pub use fanout::Fanout;
pub use health::{CacheHealth, Readiness};

use futures::{Stream, StreamExt};
use kube::runtime::watcher;
use std::sync::Arc;
use std::time::Duration;

/// Drives a reflector's event stream until it ends (it does not on its own: abort the task).
pub async fn drive<K>(
    events: impl Stream<Item = Result<watcher::Event<K>, watcher::Error>>,
    health: CacheHealth,
    fanout: Fanout<Arc<K>>,
) {
    let mut events = std::pin::pin!(events);
    while let Some(event) = events.next().await {
        match event {
            Ok(event) => {
                health.event(matches!(event, watcher::Event::InitDone));
                match event {
                    watcher::Event::Apply(object)
                    | watcher::Event::Delete(object)
                    | watcher::Event::InitApply(object) => fanout.send(&Arc::new(object)),
                    watcher::Event::Init | watcher::Event::InitDone => {}
                }
            }
            Err(err) => {
                let message = err.to_string();
                tracing::warn!(error = %message, "watch failed; retrying with backoff");
                health.error(&message);
            }
        }
    }
}

/// Asks the API server for its version every `period` (no RBAC needed): a watch that has
/// recovered silently clears its error this way, and an unreachable API server shows even
/// while no watch is reconnecting.
pub async fn probe_api(client: kube::Client, readiness: Readiness, period: Duration) {
    loop {
        let result = match tokio::time::timeout(period, client.apiserver_version()).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => Err(err.to_string()),
            Err(_) => Err(format!("no answer within {period:?}")),
        };
        if let Err(err) = &result {
            tracing::warn!(error = %err, "API server probe failed");
        }
        readiness.api_result(result);
        tokio::time::sleep(period).await;
    }
}
