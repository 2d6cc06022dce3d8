//! The IntegratorCertification reconciler: observe (the spec, referenced CloudCertifications
//! from the shared cache), decide (`crate::integrator`, pure), apply (status via server-side
//! apply, then the recorded transitions to the sinks of `spec.notifications` through the
//! notifier clouds use: events and webhooks). Nothing is created or deleted, so there is no
//! finalizer.
//!
//! A change in a CloudCertification's status wakes the integrators whose references name it
//! (`watches_shared_stream` on the cloud controller's own reflector, so the cache read here
//! is never older than the change that woke the reconcile). Time-driven changes (a reference
//! reaching 6 or 12 months, validity starting or ending) are met by requeueing at the next
//! one, at most an hour ahead.

pub mod notice;
pub mod status;

use crate::api::integrator::IntegratorCertificationStatus;
use crate::api::{CloudCertification, FIELD_MANAGER, IntegratorCertification};
use crate::controller::{Context, notify};
use crate::integrator::proof::reference_facts;
use crate::integrator::{IntegratorApplication, assess_integrator};
use futures::{Stream, StreamExt};
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::{self, Action, Controller};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Resource, ResourceExt};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Longest wait between two assessments of one integrator.
pub const MAX_REQUEUE: Duration = Duration::from_secs(3600);
/// Shortest wait, so a review time just passed never spins.
const MIN_REQUEUE: Duration = Duration::from_secs(1);

/// What can go wrong while reconciling; becomes a log line and a retry.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A Kubernetes API call failed.
    #[error("{action}: {source}")]
    Kube {
        /// What was being done.
        action: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
}

/// Runs the controller until `shutdown` completes. `integrators` yields the changed
/// IntegratorCertifications from the reflector feeding `ctx.caches.integrators`;
/// `cloud_changes` yields changed CloudCertifications from the reflector feeding
/// `ctx.caches.clouds` (each after the cache holds it).
pub async fn run(
    integrators: impl Stream<Item = Arc<IntegratorCertification>> + Send + 'static,
    cloud_changes: impl Stream<Item = Arc<CloudCertification>> + Send + 'static,
    ctx: Arc<Context>,
    concurrency: u16,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    let store = ctx.caches.integrators.clone();
    let dependents = store.clone();
    Controller::for_shared_stream(integrators, store)
        .watches_shared_stream(cloud_changes, move |cloud| {
            dependents_of(&dependents, &cloud)
        })
        .with_config(controller::Config::default().concurrency(concurrency))
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, ctx)
        .for_each(|result| async move {
            match result {
                Ok((object, _)) => tracing::debug!(name = %object.name, "integrator reconciled"),
                Err(err) => tracing::debug!(%err, "integrator reconcile error"),
            }
        })
        .await;
}

/// The IntegratorCertifications in `store` with a reference naming `cloud`.
pub fn dependents_of(
    store: &Store<IntegratorCertification>,
    cloud: &CloudCertification,
) -> Vec<ObjectRef<IntegratorCertification>> {
    let namespace = cloud.namespace().unwrap_or_default();
    let name = cloud.name_any();
    store
        .state()
        .iter()
        .filter(|integrator| references_cloud(integrator, &namespace, &name))
        .map(|integrator| ObjectRef::from_obj(integrator.as_ref()))
        .collect()
}

/// Whether a reference of `integrator` names the CloudCertification `namespace/name` (a
/// reference without a namespace means the integrator's own).
pub fn references_cloud(integrator: &IntegratorCertification, namespace: &str, name: &str) -> bool {
    let own = integrator.namespace().unwrap_or_default();
    integrator.spec.references.iter().any(|reference| {
        reference
            .cloud_certification_ref
            .as_ref()
            .is_some_and(|r| r.name == name && r.namespace.as_deref().unwrap_or(&own) == namespace)
    })
}

/// How long to wait for the next time-driven change at `next_review` (capped at
/// [`MAX_REQUEUE`]).
pub fn requeue_after(next_review: Option<jiff::Timestamp>, now: jiff::Timestamp) -> Duration {
    let Some(at) = next_review else {
        return MAX_REQUEUE;
    };
    let wait = Duration::try_from(at.duration_since(now)).unwrap_or(Duration::ZERO);
    wait.clamp(MIN_REQUEUE, MAX_REQUEUE)
}

/// Requeue after errors: soon, but not in a hot loop.
pub fn error_policy(
    integrator: Arc<IntegratorCertification>,
    error: &Error,
    _ctx: Arc<Context>,
) -> Action {
    tracing::warn!(name = %integrator.name_any(), namespace = ?integrator.namespace(), %error, "integrator reconcile failed");
    Action::requeue(Duration::from_secs(30))
}

/// Reconciles one IntegratorCertification.
pub async fn reconcile(
    integrator: Arc<IntegratorCertification>,
    ctx: Arc<Context>,
) -> Result<Action, Error> {
    let now = jiff::Timestamp::now();
    let namespace = integrator.namespace().unwrap_or_default();
    let uid = integrator.uid().unwrap_or_default();
    let generation = integrator.meta().generation;
    let previous = integrator.status.clone().unwrap_or_default();
    if ctx
        .notifier
        .is_superseded(&uid, integrator.resource_version().as_deref())
    {
        // This process already replaced this version with its delivery records; the newer
        // version is on its way through the watch and wakes us again.
        return Ok(Action::requeue(MIN_REQUEUE));
    }

    let assessment = IntegratorApplication::from_spec(&integrator.spec, &namespace)
        .map_err(|e| e.to_string())
        .and_then(|application| {
            let facts = reference_facts(&application, |namespace, name| {
                ctx.caches
                    .clouds
                    .get(&ObjectRef::new(name).within(namespace))
            });
            assess_integrator(&application, &facts, now, &ctx.settings.integrator)
                .map_err(|e| e.to_string())
        });
    let (mut desired, requeue) = match &assessment {
        Ok(assessment) => (
            status::assessed(assessment, &previous, generation, now),
            requeue_after(assessment.next_review_at, now),
        ),
        // Only a spec edit helps; it wakes the controller anyway.
        Err(error) => (
            status::invalid(error, &previous, generation, now),
            MAX_REQUEUE,
        ),
    };
    let new_transitions = status::record_transitions(&previous, &mut desired, now);
    // Delivery records this process made may not be in the cached status yet.
    desired.notifications = ctx.notifier.known_log(&uid, desired.notifications.take());
    let mut resource_version = integrator.resource_version();
    if desired != previous {
        match write_status(
            &ctx,
            &integrator,
            &namespace,
            &desired,
            resource_version.clone(),
        )
        .await?
        {
            Some(written) => {
                if let Some(replaced) = resource_version {
                    ctx.notifier.supersede(&uid, replaced);
                }
                resource_version = Some(written);
            }
            // The cache was behind the object; the newer version wakes us again.
            None => return Ok(Action::requeue(MIN_REQUEUE)),
        }
        for transition in &new_transitions {
            tracing::info!(
                name = %integrator.name_any(),
                namespace,
                reason = transition.reason,
                note = %transition.note,
                "integrator transition"
            );
        }
    }
    // Notify only after the status recording the transitions is persisted.
    let retry =
        notify_transitions(&ctx, &integrator, &namespace, &desired, resource_version).await?;
    Ok(Action::requeue(
        retry.map_or(requeue, |retry| retry.min(requeue)),
    ))
}

/// Writes `status` with server-side apply under the operator's field manager, on the
/// condition that the object is still at `resource_version`, the version the status was
/// computed from: transitions are derived from the previous status, so a write based on a
/// stale cache must not happen (it would record a transition twice). Returns the new
/// resourceVersion, or `None` when the object had moved on.
async fn write_status(
    ctx: &Context,
    integrator: &IntegratorCertification,
    namespace: &str,
    status: &IntegratorCertificationStatus,
    resource_version: Option<String>,
) -> Result<Option<String>, Error> {
    let patch = json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "IntegratorCertification",
        "metadata": {"resourceVersion": resource_version},
        "status": status,
    });
    let result = Api::<IntegratorCertification>::namespaced(ctx.client.clone(), namespace)
        .patch_status(
            &integrator.name_any(),
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&patch),
        )
        .await;
    match result {
        Ok(written) => Ok(Some(written.resource_version().unwrap_or_default())),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(None),
        Err(source) => Err(Error::Kube {
            action: "writing status".to_owned(),
            source,
        }),
    }
}

/// Sends the transitions recorded in `status` that the sinks of `spec.notifications` have not
/// received (events by default: the one source of transition events), records the deliveries
/// in `status.notifications` and says when to retry failed ones.
async fn notify_transitions(
    ctx: &Context,
    integrator: &IntegratorCertification,
    namespace: &str,
    status: &IntegratorCertificationStatus,
    resource_version: Option<String>,
) -> Result<Option<Duration>, Error> {
    let sinks = integrator.spec.notifications.clone().unwrap_or_default();
    let name = integrator.name_any();
    let notices = notice::notices(namespace, &name, &integrator.spec, status);
    let log = status.notifications.clone().unwrap_or_default();
    if !notify::anything_due(&sinks, &log, &notices) {
        return Ok(None);
    }
    let uid = integrator.uid().unwrap_or_default();
    let resource = notify::ResourceRef {
        namespace: namespace.to_owned(),
        name,
        uid: uid.clone(),
    };
    let object = integrator.object_ref(&());
    let round = ctx
        .notifier
        .deliver(
            &ctx.client,
            &ctx.http,
            &ctx.recorder,
            &object,
            &resource,
            &sinks,
            &notices,
            log,
            jiff::Timestamp::now(),
        )
        .await;
    let mut recorded = status.clone();
    recorded.notifications = Some(round.log).filter(|log| !log.sent.is_empty());
    let mut retry = None;
    if recorded != *status {
        match write_status(
            ctx,
            integrator,
            namespace,
            &recorded,
            resource_version.clone(),
        )
        .await?
        {
            Some(_) => {
                if let Some(replaced) = resource_version {
                    ctx.notifier.supersede(&uid, replaced);
                }
            }
            // The object moved on; the notifier remembers the deliveries for the next write.
            None => retry = Some(MIN_REQUEUE),
        }
    }
    if !round.failures.is_empty() {
        let backoff = ctx.notifier.retry_after(&uid);
        notify::report_failures(&ctx.recorder, &object, &resource, &round.failures, backoff).await;
        retry = Some(retry.map_or(backoff, |r: Duration| r.min(backoff)));
    }
    Ok(retry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn integrator(namespace: &str, refs: serde_json::Value) -> IntegratorCertification {
        serde_json::from_value(json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "IntegratorCertification",
            "metadata": {"name": "i", "namespace": namespace},
            "spec": {"organization": "O", "layer": "IaaS", "references": refs}
        }))
        .expect("integrator literal")
    }

    #[test]
    fn references_resolve_the_namespace() {
        let refs = json!([
            {"name": "a", "kind": "Managed", "since": "2026-01-01",
             "cloudCertificationRef": {"name": "regio-a"}},
            {"name": "b", "kind": "Managed", "since": "2026-01-01",
             "cloudCertificationRef": {"name": "regio-b", "namespace": "clouds"}},
            {"name": "c", "kind": "Managed", "since": "2026-01-01",
             "evidence": {"attested": true}}
        ]);
        let integrator = integrator("partners", refs);
        let cases = [
            ("partners", "regio-a", true),
            ("clouds", "regio-a", false),
            ("clouds", "regio-b", true),
            ("partners", "regio-b", false),
            ("partners", "c", false),
        ];
        for (namespace, name, expected) in cases {
            assert_eq!(
                references_cloud(&integrator, namespace, name),
                expected,
                "{namespace}/{name}"
            );
        }
    }

    #[test]
    fn requeue_is_capped_and_never_zero() {
        let now: jiff::Timestamp = "2026-12-05T12:00:00Z".parse().unwrap();
        let at = |text: &str| Some(text.parse::<jiff::Timestamp>().unwrap());
        let cases = [
            (None, MAX_REQUEUE),
            (at("2026-12-05T12:10:00Z"), Duration::from_secs(600)),
            (at("2027-06-01T00:00:00Z"), MAX_REQUEUE),
            (at("2026-12-05T11:00:00Z"), MIN_REQUEUE),
            (at("2026-12-05T12:00:00Z"), MIN_REQUEUE),
        ];
        for (next, expected) in cases {
            assert_eq!(requeue_after(next, now), expected, "{next:?}");
        }
    }
}
