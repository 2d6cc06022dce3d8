//! The listing publisher (I/O): rebuilds the site when the cached resources change
//! (debounced) or a date boundary passes, keeps the in-memory copy the pages are served from,
//! and writes the ConfigMap(s), skipping every ConfigMap whose content hash is unchanged.
//!
//! Change detection polls a fingerprint of the reflector stores (uid + resourceVersion of
//! every object): cheap even for thousands of objects, and independent of how the stores are
//! fed. Nothing is built before the CloudCertification cache has synced, so a restart never
//! publishes an empty listing over a full one.

use crate::api::{CloudCertification, IntegratorCertification};
use crate::listing::SiteHandle;
use crate::listing::build::{ListingOptions, build_listing, next_change};
use crate::listing::history::HistoryFeed;
use crate::listing::pack::{PackOptions, Payload, pack};
use crate::listing::site::Site;
use futures::FutureExt;
use jiff::Timestamp;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::runtime::reflector::Store;
use kube::{Client, ResourceExt};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Field manager of the listing ConfigMaps.
pub const FIELD_MANAGER: &str = "scs-cert-operator-listing";
/// Label naming the listing a ConfigMap belongs to (value: the primary ConfigMap's name).
pub const LISTING_LABEL: &str = "certification.scs.community/listing";
/// Label with the part number of a listing ConfigMap (0 = the primary one).
pub const PART_LABEL: &str = "certification.scs.community/listing-part";
/// Annotation: SHA-256 of the ConfigMap's content.
pub const SHA256_ANNOTATION: &str = "certification.scs.community/sha256";
/// Annotation on the primary ConfigMap: number of ConfigMaps of the listing.
pub const PARTS_ANNOTATION: &str = "certification.scs.community/listing-parts";
/// Annotation on the primary ConfigMap: SHA-256 of the whole site.
pub const SITE_SHA256_ANNOTATION: &str = "certification.scs.community/site-sha256";

/// How the listing is published.
#[derive(Clone, Debug)]
pub struct PublisherSettings {
    /// Where the ConfigMap goes (namespace, name); `None` serves the pages from memory only.
    pub config_map: Option<(String, String)>,
    /// Quiet time after the last change before rebuilding.
    pub debounce: Duration,
    /// Least time between two rebuilds (bounds the write rate under constant change).
    pub min_interval: Duration,
    /// Title and base URL.
    pub options: ListingOptions,
    /// Size limits of the ConfigMaps.
    pub pack: PackOptions,
    /// Write the ConfigMaps only while this replica leads (issue 9); `None`: always.
    pub leader: Option<crate::leader::Leadership>,
}

impl Default for PublisherSettings {
    fn default() -> Self {
        Self {
            config_map: None,
            debounce: Duration::from_secs(2),
            min_interval: Duration::from_secs(5),
            options: ListingOptions::default(),
            pack: PackOptions::default(),
            leader: None,
        }
    }
}

/// The caches the listing is built from.
#[derive(Clone)]
pub struct Sources {
    /// CloudCertifications.
    pub clouds: Store<CloudCertification>,
    /// IntegratorCertifications.
    pub integrators: Store<IntegratorCertification>,
    /// The operator's own ConfigMaps, of which the run histories (`<name>-history`) feed the
    /// 18-month history of the pages; `None`: status run records only.
    pub history: Option<Store<ConfigMap>>,
}

/// The history-store points per (subject, scope uuid), from the run-history ConfigMaps of the
/// clouds in `clouds` (matched by owner uid; unreadable ones are skipped).
pub fn history_feed(
    clouds: &[Arc<CloudCertification>],
    config_maps: &[Arc<ConfigMap>],
) -> HistoryFeed {
    use crate::controller::cloud::history::{HISTORY_KEY, decode_history};
    use crate::controller::labels::{CLOUD_UID, CONTENT};
    let mut feed = HistoryFeed::new();
    for cm in config_maps
        .iter()
        .filter(|cm| cm.labels().get(CONTENT).map(String::as_str) == Some("history"))
    {
        let Some(cloud) = clouds
            .iter()
            .find(|c| c.uid().as_deref() == cm.labels().get(CLOUD_UID).map(String::as_str))
        else {
            continue;
        };
        let Some(uuid) = cloud
            .status
            .as_ref()
            .and_then(|s| s.scope.as_ref())
            .and_then(|s| s.uuid.clone())
        else {
            continue;
        };
        let Some(Ok(entries)) = cm
            .binary_data
            .as_ref()
            .and_then(|d| d.get(HISTORY_KEY))
            .map(|bytes| decode_history(&bytes.0))
        else {
            continue;
        };
        feed.entry((cloud.spec.subject.trim().to_owned(), uuid))
            .or_default()
            .extend(
                entries
                    .iter()
                    .map(crate::listing::history::point_from_entry),
            );
    }
    feed
}

/// Why publishing failed (retried with backoff).
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Rendering failed.
    #[error("rendering the listing failed: {0}")]
    Render(String),
    /// The Kubernetes API refused or failed.
    #[error("{action} ConfigMap {namespace}/{name}: {source}")]
    Api {
        /// What was attempted.
        action: &'static str,
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
        /// The error.
        #[source]
        source: Box<kube::Error>,
    },
}

/// Name of part `index` of the listing `name` (part 0 is `name` itself).
pub fn part_name(name: &str, index: usize) -> String {
    if index == 0 {
        name.to_owned()
    } else {
        format!("{name}-{index}")
    }
}

/// A fingerprint of the stores' content: changes whenever any object changes.
fn fingerprint(sources: &Sources) -> [u8; 32] {
    let mut ids: Vec<(String, String)> = sources
        .clouds
        .state()
        .iter()
        .map(|c| {
            (
                format!("c/{}", c.uid().unwrap_or_default()),
                c.resource_version().unwrap_or_default(),
            )
        })
        .chain(sources.integrators.state().iter().map(|i| {
            (
                format!("i/{}", i.uid().unwrap_or_default()),
                i.resource_version().unwrap_or_default(),
            )
        }))
        .chain(
            sources
                .history
                .iter()
                .flat_map(|store| store.state())
                .filter(|cm| cm.name_any().ends_with("-history"))
                .map(|cm| {
                    (
                        format!("h/{}", cm.uid().unwrap_or_default()),
                        cm.resource_version().unwrap_or_default(),
                    )
                }),
        )
        .collect();
    ids.sort_unstable();
    let mut hasher = Sha256::new();
    for (uid, version) in ids {
        hasher.update(uid.as_bytes());
        hasher.update([0]);
        hasher.update(version.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize().into()
}

/// Builds and renders the site from the stores at `now` (CPU work; run off the async threads).
pub fn build_site(
    sources: &Sources,
    options: &ListingOptions,
    now: Timestamp,
) -> Result<(Site, Option<Timestamp>), PublishError> {
    let clouds = sources.clouds.state();
    let integrators = sources.integrators.state();
    let feed = match &sources.history {
        Some(store) => history_feed(&clouds, &store.state()),
        None => HistoryFeed::new(),
    };
    let listing = build_listing(
        clouds.iter().map(|c| c.as_ref()),
        integrators.iter().map(|i| i.as_ref()),
        &feed,
        options,
        now,
    );
    let next = next_change(&listing, now);
    let site = Site::render(listing).map_err(|e| PublishError::Render(e.to_string()))?;
    Ok((site, next))
}

/// Waits until `store` has synced. Polls again every 200 ms instead of waiting once: kube's
/// `Store::wait_until_ready` wakes only the waiter that polled last, and the controller's
/// applier waits on the same store, so a single wait in another task may never wake.
pub async fn wait_synced<K>(store: &Store<K>)
where
    K: kube::runtime::reflector::Lookup + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    loop {
        if let Ok(Ok(())) =
            tokio::time::timeout(Duration::from_millis(200), store.wait_until_ready()).await
        {
            return;
        }
    }
}

/// Runs the publisher until `shutdown` completes. Nothing is built before the clouds store
/// has synced; integrators get 30 s (their CRD may be missing).
pub async fn run(
    client: Client,
    sources: Sources,
    handle: SiteHandle,
    settings: PublisherSettings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let shutdown = shutdown.shared();
    tracing::debug!("listing publisher waiting for the caches");
    // Nothing before the clouds are cached. Integrators get a grace period: when their CRD
    // is missing, the listing is still published (without integrators).
    tokio::select! {
        () = shutdown.clone() => return,
        () = wait_synced(&sources.clouds) => {}
    }
    tokio::select! {
        () = shutdown.clone() => return,
        () = wait_synced(&sources.integrators) => {}
        () = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("IntegratorCertification cache not synced after 30 s; publishing without integrators for now");
        }
    }
    tracing::debug!(config_map = ?settings.config_map, "listing publisher started");
    let mut writer = settings.config_map.clone().map(|(namespace, name)| Writer {
        api: Api::namespaced(client.clone(), &namespace),
        namespace,
        name,
        written: None,
    });
    let poll = Duration::from_millis(250);
    let mut built: Option<[u8; 32]> = None;
    let mut pending: Option<([u8; 32], Instant)> = None;
    let mut last_build: Option<Instant> = None;
    let mut next_boundary: Option<Timestamp> = None;
    let mut unwritten: Option<Arc<Site>> = None;
    let mut backoff = Duration::from_secs(1);
    let mut retry_at: Option<Instant> = None;
    loop {
        tokio::select! {
            () = shutdown.clone() => return,
            () = tokio::time::sleep(poll) => {}
        }
        let print = fingerprint(&sources);
        let boundary_passed = next_boundary.is_some_and(|t| Timestamp::now() >= t);
        let first = built.is_none();
        if built != Some(print) || boundary_passed {
            // Debounce: rebuild once the fingerprint has been quiet for `debounce`.
            let quiet_since = match pending {
                Some((p, since)) if p == print => since,
                _ => {
                    let now = Instant::now();
                    pending = Some((print, now));
                    now
                }
            };
            let quiet = first || boundary_passed || quiet_since.elapsed() >= settings.debounce;
            let spaced = last_build.is_none_or(|t| t.elapsed() >= settings.min_interval);
            if quiet && spaced {
                let (task_sources, options) = (sources.clone(), settings.options.clone());
                let started = Instant::now();
                let result = tokio::task::spawn_blocking(move || {
                    build_site(&task_sources, &options, Timestamp::now())
                })
                .await;
                last_build = Some(Instant::now());
                match result {
                    Ok(Ok((site, next))) => {
                        tracing::debug!(
                            clouds = site.listing.clouds.len(),
                            bytes = site.total_bytes(),
                            elapsed_ms = started.elapsed().as_millis() as u64,
                            "listing built"
                        );
                        let site = Arc::new(site);
                        let changed = handle.get().is_none_or(|old| old.sha256 != site.sha256);
                        handle.set(site.clone());
                        built = Some(print);
                        pending = None;
                        next_boundary = next;
                        if changed || unwritten.is_some() {
                            unwritten = Some(site);
                            retry_at = None;
                        }
                    }
                    Ok(Err(err)) => tracing::error!(%err, "cannot build the listing"),
                    Err(err) => tracing::error!(%err, "listing build task failed"),
                }
            }
        }
        if let Some(site) = unwritten.clone() {
            // Followers build the pages they serve but leave the ConfigMaps to the leader.
            if settings.leader.as_ref().is_some_and(|l| !l.is_leader()) {
                continue;
            }
            if retry_at.is_some_and(|t| Instant::now() < t) {
                continue;
            }
            let Some(writer) = writer.as_mut() else {
                unwritten = None;
                continue;
            };
            match writer.write(&site, settings.pack).await {
                Ok(stats) => {
                    if stats.written > 0 || stats.deleted > 0 {
                        tracing::info!(
                            config_maps = stats.parts,
                            written = stats.written,
                            deleted = stats.deleted,
                            "listing published"
                        );
                    }
                    unwritten = None;
                    backoff = Duration::from_secs(1);
                }
                Err(err) => {
                    tracing::warn!(%err, retry_in_s = backoff.as_secs(), "cannot publish the listing");
                    retry_at = Some(Instant::now() + backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(60));
                }
            }
        }
    }
}

/// Writes `site` once into the ConfigMaps `name`, `name-1`, ... of `namespace`, skipping
/// those whose content is unchanged (scale tests and tools; the publisher loop does the same).
pub async fn publish_once(
    client: Client,
    namespace: &str,
    name: &str,
    site: &Site,
    pack: PackOptions,
) -> Result<WriteStats, PublishError> {
    let mut writer = Writer {
        api: Api::namespaced(client, namespace),
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        written: None,
    };
    writer.write(site, pack).await
}

/// What one write did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// ConfigMaps the listing has now.
    pub parts: usize,
    /// ConfigMaps written (created or changed).
    pub written: usize,
    /// Stale ConfigMaps deleted.
    pub deleted: usize,
}

struct Writer {
    api: Api<ConfigMap>,
    namespace: String,
    name: String,
    /// Content hash per ConfigMap name as last seen or written (`None` until read once).
    written: Option<BTreeMap<String, String>>,
}

impl Writer {
    fn api_error(
        &self,
        action: &'static str,
        name: &str,
    ) -> impl FnOnce(kube::Error) -> PublishError {
        let (namespace, name) = (self.namespace.clone(), name.to_owned());
        move |source| PublishError::Api {
            action,
            namespace,
            name,
            source: Box::new(source),
        }
    }

    /// Hashes of the existing ConfigMaps of this listing (read once, then tracked).
    async fn existing(&mut self) -> Result<BTreeMap<String, String>, PublishError> {
        if let Some(known) = &self.written {
            return Ok(known.clone());
        }
        let selector = format!(
            "{LISTING_LABEL}={}",
            crate::controller::labels::label_value(&self.name)
        );
        let list = self
            .api
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(self.api_error("listing", &self.name))?;
        let known: BTreeMap<String, String> = list
            .items
            .iter()
            .map(|cm| {
                let sha = cm
                    .annotations()
                    .get(SHA256_ANNOTATION)
                    .cloned()
                    .unwrap_or_default();
                (cm.name_any(), sha)
            })
            .collect();
        self.written = Some(known.clone());
        Ok(known)
    }

    async fn write(
        &mut self,
        site: &Site,
        options: PackOptions,
    ) -> Result<WriteStats, PublishError> {
        let payloads = pack(site, options).map_err(|e| PublishError::Render(e.to_string()))?;
        let existing = self.existing().await?;
        let mut stats = WriteStats {
            parts: payloads.len(),
            ..WriteStats::default()
        };
        // Numbered parts first and the primary last: a reader that follows the primary's
        // part count finds the parts already written.
        let order: Vec<usize> = (1..payloads.len()).chain([0]).collect();
        for index in order {
            let Some(payload) = payloads.get(index) else {
                continue;
            };
            let name = part_name(&self.name, index);
            let mut sha = payload.sha256.clone();
            if index == 0 {
                // The primary also records the part count and site hash.
                sha = format!("{sha}/{}/{}", payloads.len(), site.sha256);
            }
            if existing.get(&name) == Some(&sha) {
                continue;
            }
            let config_map =
                self.config_map(&name, index, payload, &sha, payloads.len(), &site.sha256);
            self.api
                .patch(
                    &name,
                    &PatchParams::apply(FIELD_MANAGER).force(),
                    &Patch::Apply(&config_map),
                )
                .await
                .map_err(self.api_error("writing", &name))?;
            if let Some(known) = self.written.as_mut() {
                known.insert(name, sha);
            }
            stats.written += 1;
        }
        let stale: Vec<String> = existing
            .keys()
            .filter(|name| !(0..payloads.len()).any(|i| part_name(&self.name, i) == **name))
            .cloned()
            .collect();
        for name in stale {
            match self.api.delete(&name, &DeleteParams::default()).await {
                Ok(_) => {}
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(err) => return Err(self.api_error("deleting", &name)(err)),
            }
            if let Some(known) = self.written.as_mut() {
                known.remove(&name);
            }
            stats.deleted += 1;
        }
        Ok(stats)
    }

    fn config_map(
        &self,
        name: &str,
        index: usize,
        payload: &Payload,
        sha: &str,
        parts: usize,
        site_sha: &str,
    ) -> serde_json::Value {
        let mut annotations = serde_json::Map::new();
        annotations.insert(SHA256_ANNOTATION.into(), sha.into());
        if index == 0 {
            annotations.insert(PARTS_ANNOTATION.into(), parts.to_string().into());
            annotations.insert(SITE_SHA256_ANNOTATION.into(), site_sha.into());
        }
        let binary: BTreeMap<&String, ByteString> = payload
            .binary_data
            .iter()
            .map(|(k, v)| (k, ByteString(v.clone())))
            .collect();
        serde_json::json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name,
                "namespace": self.namespace,
                "labels": {
                    LISTING_LABEL: crate::controller::labels::label_value(&self.name),
                    PART_LABEL: index.to_string(),
                    "app.kubernetes.io/part-of": "scs-cert-operator",
                    "app.kubernetes.io/component": "listing",
                },
                "annotations": annotations,
            },
            "data": payload.data,
            "binaryData": binary,
        })
    }
}
