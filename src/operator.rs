//! The operator process: caches (reflectors), the CloudCertification controller and the HTTP
//! server, with graceful shutdown on SIGTERM/SIGINT.

use crate::api::CloudCertification;
use crate::controller::cloud::{error_policy, reconcile};
use crate::controller::labels::MANAGED_BY_SELECTOR;
use crate::controller::{Caches, Context, Settings};
use crate::server::{Readiness, router};
use futures::StreamExt;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{self, Controller};
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client, ResourceExt};
use std::net::SocketAddr;
use std::sync::Arc;

/// How the operator process is started.
#[derive(Clone, Debug)]
pub struct OperatorOptions {
    /// Address of the HTTP server (intake, health).
    pub listen: SocketAddr,
    /// Watch only this namespace (default: all).
    pub namespace: Option<String>,
    /// Reconciles running at once.
    pub concurrency: u16,
    /// Everything that shapes the reconcilers.
    pub settings: Settings,
}

/// Events buffered for the subscribers of the shared CloudCertification reflector.
const SHARED_EVENT_BUFFER: usize = 1024;

fn api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// Runs until SIGTERM/SIGINT.
pub async fn run(client: Client, options: OperatorOptions) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    run_until(client, options, listener, shutdown_signal()).await
}

/// Runs on `listener` until `shutdown` completes (tests embed the operator this way).
pub async fn run_until(
    client: Client,
    options: OperatorOptions,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let shutdown = futures::FutureExt::shared(Box::pin(shutdown));
    let ns = options.namespace.as_deref();
    let owned = watcher::Config::default().labels(MANAGED_BY_SELECTOR);

    let (jobs, jobs_writer) = reflector::store();
    let job_events =
        reflector::reflector(jobs_writer, watcher(api::<Job>(&client, ns), owned.clone()))
            .default_backoff()
            .touched_objects();
    let (owned_config_maps, cm_writer) = reflector::store();
    let cm_events = reflector::reflector(cm_writer, watcher(api::<ConfigMap>(&client, ns), owned))
        .default_backoff()
        .touched_objects();
    let (config_map_meta, meta_writer) = reflector::store();
    let meta_events = reflector::reflector(
        meta_writer,
        watcher(
            api::<PartialObjectMeta<ConfigMap>>(&client, ns),
            watcher::Config::default(),
        ),
    )
    .default_backoff()
    .touched_objects();

    // One shared CloudCertification reflector: the integrator controller (issue 7) is woken
    // by the same events that fill the cache it reads, so it never scores an older status.
    let (clouds, cloud_writer) = reflector::store_shared(SHARED_EVENT_BUFFER);
    let cloud_triggers = cloud_writer
        .subscribe()
        .ok_or_else(|| anyhow::anyhow!("the CloudCertification store is not shared"))?;
    let integrator_cloud_triggers = cloud_writer
        .subscribe()
        .ok_or_else(|| anyhow::anyhow!("the CloudCertification store is not shared"))?;
    let cloud_reflector = tokio::spawn(
        watcher(
            api::<CloudCertification>(&client, ns),
            watcher::Config::default(),
        )
        .default_backoff()
        .reflect_shared(cloud_writer)
        .for_each(|event| async move {
            if let Err(err) = event {
                tracing::warn!(%err, "CloudCertification watch failed; retrying");
            }
        }),
    );
    let controller = Controller::for_shared_stream(cloud_triggers, clouds.clone());
    // --- public listing (issue 8): IntegratorCertification cache and the site handle ---
    let (integrators, integrator_writer) = reflector::store();
    let integrator_events = reflector::reflector(
        integrator_writer,
        watcher(
            api::<crate::api::IntegratorCertification>(&client, ns),
            watcher::Config::default(),
        ),
    )
    .default_backoff();
    let listing = crate::listing::SiteHandle::default();
    // --- end listing ---
    let caches = Caches {
        clouds: clouds.clone(),
        jobs: jobs.clone(),
        owned_config_maps: owned_config_maps.clone(),
        config_map_meta: config_map_meta.clone(),
        integrators: integrators.clone(),
        listing: listing.clone(),
    };
    let ctx = Context::new(client.clone(), options.settings.clone(), caches);
    let readiness = Arc::new(Readiness::default());

    tracing::info!(listen = %listener.local_addr()?, "HTTP server listening");
    let app = router(ctx.clone(), readiness.clone());
    let server_shutdown = shutdown.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(server_shutdown)
            .await
    });

    // --- public listing (issue 8): feed the integrator cache, run the publisher ---
    // Integrator controller (issue 7); it drives the integrator reflector the listing reads.
    let integrator_controller = tokio::spawn(crate::controller::integrator::run(
        integrator_events
            .applied_objects()
            .filter_map(|object| async move { object.ok().map(Arc::new) }),
        integrator_cloud_triggers,
        ctx.clone(),
        options.concurrency,
        shutdown.clone(),
    ));
    let publisher = tokio::spawn(crate::listing::publisher::run(
        client.clone(),
        crate::listing::publisher::Sources {
            clouds: clouds.clone(),
            integrators,
        },
        listing,
        options.settings.listing.clone(),
        shutdown.clone(),
    ));
    // --- end listing ---

    let ready = {
        let (clouds, jobs, cms, meta) = (
            clouds.clone(),
            jobs.clone(),
            owned_config_maps.clone(),
            config_map_meta.clone(),
        );
        let readiness = readiness.clone();
        tokio::spawn(async move {
            // (listing, issue 8) the controller's applier waits on this store too, and kube
            // wakes only one waiter: a single wait here never returned, so /readyz stayed 503.
            crate::listing::publisher::wait_synced(&clouds).await;
            let _ = jobs.wait_until_ready().await;
            let _ = cms.wait_until_ready().await;
            let _ = meta.wait_until_ready().await;
            readiness.set_ready();
            tracing::info!("caches synced; ready");
        })
    };

    let scope_users = clouds.clone();
    controller
        .owns_stream(job_events)
        .owns_stream(cm_events)
        // A changed scope ConfigMap re-evaluates every resource that reads it.
        .watches_stream(meta_events, move |meta| {
            let namespace = meta.namespace();
            let name = meta.name_any();
            scope_users
                .state()
                .into_iter()
                .filter(|c| c.namespace() == namespace)
                .filter(|c| {
                    c.spec
                        .scope
                        .config_map
                        .as_ref()
                        .is_some_and(|r| r.name == name)
                })
                .map(|c| ObjectRef::from_obj(c.as_ref()))
                .collect::<Vec<_>>()
        })
        .with_config(controller::Config::default().concurrency(options.concurrency))
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, ctx)
        .for_each(|result| async move {
            match result {
                Ok((object, _)) => tracing::debug!(name = %object.name, "reconciled"),
                Err(err) => tracing::debug!(%err, "reconcile error"),
            }
        })
        .await;
    ready.abort();
    let _ = integrator_controller.await; // stops on the same shutdown (issue 7)
    cloud_reflector.abort();
    publisher.abort(); // listing (issue 8)
    tracing::info!("controller stopped; waiting for in-flight requests");
    server.await??;
    Ok(())
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => futures::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
