//! The operator process: caches (reflectors), leader election, the controllers (leader
//! only) and the HTTP server, with graceful shutdown on SIGTERM/SIGINT.

use crate::api::{CloudCertification, IntegratorCertification};
use crate::controller::cloud::{error_policy, reconcile};
use crate::controller::labels::MANAGED_BY_SELECTOR;
use crate::controller::{Caches, Context, Settings};
use crate::leader::{Leadership, LeaseSettings, elector};
use crate::reflectors::{self, Fanout};
use crate::server::{Readiness, router};
use futures::StreamExt;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{self, Controller};
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client, ResourceExt};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

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
    /// Leader election (issue 9); `None`: this process is the only replica and leads at once.
    pub leader_election: Option<LeaseSettings>,
}

/// Why the operator stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// Another replica took over (or the Lease could not be renewed in time): the
    /// controllers were stopped at once; the process exits so it restarts as a follower.
    #[error("lost leadership; exiting so that this replica restarts as a follower")]
    LeadershipLost,
}

/// How often the API server is probed for `/readyz`.
const API_PROBE_PERIOD: Duration = Duration::from_secs(10);

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

/// One always-running reflector: its cache, the fan-out the controllers subscribe to while
/// leading, and the task driving it.
struct Feed<K: kube::Resource + 'static> {
    fanout: Fanout<Arc<K>>,
    task: tokio::task::JoinHandle<()>,
}

/// Starts the reflector of `api` (objects selected by `config`) into a new store; its health
/// is tracked as `cache` in `readiness`.
fn feed<K>(
    cache: &'static str,
    api: Api<K>,
    config: watcher::Config,
    readiness: &Readiness,
) -> (reflector::Store<K>, Feed<K>)
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let (store, writer) = reflector::store();
    let fanout = Fanout::default();
    let events = reflector::reflector(writer, watcher(api, config)).default_backoff();
    let task = tokio::spawn(reflectors::drive(
        events,
        readiness.track(cache),
        fanout.clone(),
    ));
    (store, Feed { fanout, task })
}

/// The fan-outs of all caches.
struct Feeds {
    clouds: Feed<CloudCertification>,
    jobs: Feed<Job>,
    owned_config_maps: Feed<ConfigMap>,
    config_map_meta: Feed<PartialObjectMeta<ConfigMap>>,
    integrators: Feed<IntegratorCertification>,
}

impl Feeds {
    fn abort(&self) {
        self.clouds.task.abort();
        self.jobs.task.abort();
        self.owned_config_maps.task.abort();
        self.config_map_meta.task.abort();
        self.integrators.task.abort();
    }
}

/// Runs until SIGTERM/SIGINT.
pub async fn run(client: Client, options: OperatorOptions) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    run_until(client, options, listener, shutdown_signal()).await
}

/// Runs on `listener` until `shutdown` completes (tests embed the operator this way), or
/// until leadership is lost ([`OperatorError::LeadershipLost`]).
///
/// Every replica runs the reflectors (caches), the HTTP server (intake, listing, metrics,
/// health) and the listing builder; only the leader runs the controllers and writes the
/// listing ConfigMaps. On shutdown the controllers stop first, then the Lease is released,
/// then in-flight HTTP requests (report uploads) finish.
pub async fn run_until(
    client: Client,
    options: OperatorOptions,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let shutdown = futures::FutureExt::shared(Box::pin(shutdown));
    let ns = options.namespace.as_deref();
    let owned = watcher::Config::default().labels(MANAGED_BY_SELECTOR);
    let readiness = Readiness::default();

    // Caches on every replica: the intake, the listing and /metrics read them.
    let (jobs, jobs_feed) = feed("Job", api::<Job>(&client, ns), owned.clone(), &readiness);
    let (owned_config_maps, cm_feed) = feed(
        "ConfigMap",
        api::<ConfigMap>(&client, ns),
        owned,
        &readiness,
    );
    let (config_map_meta, meta_feed) = feed(
        "ConfigMap metadata",
        api::<PartialObjectMeta<ConfigMap>>(&client, ns),
        watcher::Config::default(),
        &readiness,
    );
    // One CloudCertification reflector for both controllers: the integrator controller
    // (issue 7) is woken by the same events that fill the cache it reads, so it never
    // scores an older status.
    let (clouds, clouds_feed) = feed(
        "CloudCertification",
        api::<CloudCertification>(&client, ns),
        watcher::Config::default(),
        &readiness,
    );
    let (integrators, integrators_feed) = feed(
        "IntegratorCertification",
        api::<IntegratorCertification>(&client, ns),
        watcher::Config::default(),
        &readiness,
    );
    let feeds = Feeds {
        clouds: clouds_feed,
        jobs: jobs_feed,
        owned_config_maps: cm_feed,
        config_map_meta: meta_feed,
        integrators: integrators_feed,
    };
    let listing = crate::listing::SiteHandle::default(); // public listing (issue 8)
    let caches = Caches {
        clouds: clouds.clone(),
        jobs,
        owned_config_maps,
        config_map_meta,
        integrators: integrators.clone(),
        listing: listing.clone(),
    };
    let ctx = Context::new(client.clone(), options.settings.clone(), caches);
    let api_probe = tokio::spawn(reflectors::probe_api(
        client.clone(),
        readiness.clone(),
        API_PROBE_PERIOD,
    ));

    let (leadership, elector) = match options.leader_election.clone() {
        Some(settings) => {
            let (leadership, elector) = elector::start(client.clone(), settings);
            (leadership, Some(elector))
        }
        None => (Leadership::always(), None),
    };

    tracing::info!(listen = %listener.local_addr()?, "HTTP server listening");
    let app = router(ctx.clone(), Arc::new(readiness.clone()));
    let (stop_server, server_stopped) = tokio::sync::oneshot::channel::<()>();
    let server_shutdown = shutdown.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                tokio::select! {
                    () = server_shutdown => {}
                    _ = server_stopped => {}
                }
            })
            .await
    });

    // --- public listing (issue 8): every replica builds the pages it serves; only the
    // leader writes the ConfigMaps ---
    let mut listing_settings = options.settings.listing.clone();
    listing_settings.leader = elector.as_ref().map(|_| leadership.clone());
    let publisher = tokio::spawn(crate::listing::publisher::run(
        client.clone(),
        crate::listing::publisher::Sources {
            clouds,
            integrators,
            history: Some(ctx.caches.owned_config_maps.clone()),
        },
        listing,
        listing_settings,
        shutdown.clone(),
    ));
    // --- end listing ---

    let led = lead(
        ctx.clone(),
        &feeds,
        leadership,
        &readiness,
        options.concurrency,
        shutdown,
    )
    .await;
    ctx.metrics.set_leader(false);
    publisher.abort();
    if let Some(elector) = elector {
        // After the controllers stopped: the next leader never overlaps with them.
        elector.release().await;
    }
    tracing::info!("controllers stopped; waiting for in-flight requests");
    let _ = stop_server.send(());
    let served = server.await;
    feeds.abort();
    api_probe.abort();
    served??;
    match led {
        Led::Stopped => Ok(()),
        Led::Lost => Err(OperatorError::LeadershipLost.into()),
    }
}

/// How leading ended.
enum Led {
    /// Shutdown requested (the controllers finished their in-flight reconciles).
    Stopped,
    /// Leadership lost (the controllers were dropped at once).
    Lost,
}

/// Waits for synced caches and leadership, then runs the controllers until `shutdown` or
/// until leadership is lost.
async fn lead(
    ctx: Arc<Context>,
    feeds: &Feeds,
    mut leadership: Leadership,
    readiness: &Readiness,
    concurrency: u16,
    shutdown: impl Future<Output = ()> + Clone + Send + Sync + 'static,
) -> Led {
    // A new leader must not act on a partial view of the cluster.
    tokio::select! {
        () = shutdown.clone() => return Led::Stopped,
        () = readiness.wait_caches_synced() => tracing::info!("caches synced; ready"),
    }
    tokio::select! {
        () = shutdown.clone() => return Led::Stopped,
        acquired = leadership.acquired() => if !acquired { return Led::Stopped },
    }
    ctx.metrics.set_leader(true);
    tracing::info!("leading: controllers started");
    tokio::select! {
        () = run_controllers(ctx, feeds, concurrency, shutdown) => Led::Stopped,
        // Dropping the controllers cancels in-flight reconciles: they are idempotent (Job
        // creation tolerates 409, status is server-side applied), and the next leader may
        // start once the Lease expires.
        () = leadership.lost() => Led::Lost,
    }
}

/// The controllers of the leader, fed from the fan-outs; each starts with the whole cache
/// (a replica that becomes leader reconciles everything once).
async fn run_controllers(
    ctx: Arc<Context>,
    feeds: &Feeds,
    concurrency: u16,
    shutdown: impl Future<Output = ()> + Clone + Send + Sync + 'static,
) {
    let clouds = ctx.caches.clouds.clone();
    let cloud_triggers = feeds.clouds.fanout.subscribe_with(|| clouds.state());
    let integrator_cloud_triggers = feeds.clouds.fanout.subscribe();
    let integrators = ctx.caches.integrators.clone();
    let integrator_triggers = feeds
        .integrators
        .fanout
        .subscribe_with(|| integrators.state());
    let scope_users = clouds.clone();
    let cloud_controller = Controller::for_shared_stream(cloud_triggers, clouds)
        .owns_shared_stream(feeds.jobs.fanout.subscribe())
        .owns_shared_stream(feeds.owned_config_maps.fanout.subscribe())
        // A changed scope ConfigMap re-evaluates every resource that reads it.
        .watches_shared_stream(feeds.config_map_meta.fanout.subscribe(), move |meta| {
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
        .with_config(controller::Config::default().concurrency(concurrency))
        .graceful_shutdown_on(shutdown.clone())
        .run(reconcile, error_policy, ctx.clone())
        .for_each(|result| async move {
            match result {
                Ok((object, _)) => tracing::debug!(name = %object.name, "reconciled"),
                Err(err) => tracing::debug!(%err, "reconcile error"),
            }
        });
    // Integrator controller (issue 7).
    let integrator_controller = crate::controller::integrator::run(
        integrator_triggers,
        integrator_cloud_triggers,
        ctx,
        concurrency,
        shutdown,
    );
    futures::join!(cloud_controller, integrator_controller);
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
