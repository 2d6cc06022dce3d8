//! Loads the scope spec a CloudCertification names: from a ConfigMap key (re-read only when
//! the ConfigMap's resourceVersion changes) or from an HTTPS URL (cached; a digest pin that
//! does not match is an error, never a silent switch).

use crate::api::cloud::ScopeSource;
use crate::controller::cloud::plan::{LoadedScope, ScopeProblem};
use crate::scope::load_str;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a scope fetched from a URL is reused before it is fetched again.
const URL_CACHE_TTL: Duration = Duration::from_secs(3600);
/// Largest scope spec accepted (the upstream IaaS spec is about 40 KiB).
const MAX_SPEC_BYTES: usize = 4 * 1024 * 1024;

/// A scope spec that loaded, or why it did not; shared between reconciles.
pub type ScopeResult = Result<Arc<LoadedScope>, ScopeProblem>;

/// (namespace, ConfigMap name, key) of a scope ConfigMap.
type ConfigMapKeyId = (String, String, String);
/// Loaded ConfigMap scopes with the resourceVersion they were read at.
type ConfigMapEntries = HashMap<ConfigMapKeyId, (String, ScopeResult)>;
/// Fetched URL scopes with the time they were fetched.
type UrlEntries = HashMap<String, (Instant, ScopeResult)>;

/// Cache of loaded scope specs.
#[derive(Default)]
pub struct ScopeCache {
    /// (namespace, ConfigMap name, key) -> (resourceVersion, result).
    config_maps: Mutex<ConfigMapEntries>,
    /// URL -> (fetched at, result).
    urls: Mutex<UrlEntries>,
}

fn problem(reason: &str, message: impl Into<String>) -> ScopeProblem {
    ScopeProblem {
        reason: reason.to_owned(),
        message: message.into(),
    }
}

/// Parses and validates scope YAML text; the problem names every error with its path.
pub fn parse_scope(text: &str, origin: &str) -> ScopeResult {
    let sha256 = hex_sha256(text.as_bytes());
    match load_str(text) {
        Ok(loaded) => Ok(Arc::new(LoadedScope {
            spec: loaded.spec,
            sha256,
        })),
        Err(invalid) => Err(problem(
            "InvalidScope",
            format!("scope spec {origin} is invalid: {invalid}"),
        )),
    }
}

/// Lower-case hex SHA-256.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl ScopeCache {
    /// Loads the scope of `source` in `namespace`. `config_map_version` is the current
    /// resourceVersion of the named ConfigMap as the operator's cache knows it (`None` when
    /// it does not exist); the ConfigMap is fetched only when that version is new.
    pub async fn load(
        &self,
        client: &kube::Client,
        http: &reqwest::Client,
        namespace: &str,
        source: &ScopeSource,
        config_map_version: Option<&str>,
    ) -> ScopeResult {
        if let Some(reference) = &source.config_map {
            let Some(version) = config_map_version else {
                return Err(problem(
                    "ScopeNotFound",
                    format!("ConfigMap {namespace}/{} does not exist", reference.name),
                ));
            };
            let key = (
                namespace.to_owned(),
                reference.name.clone(),
                reference.key.clone(),
            );
            if let Some((cached_version, result)) = self.lock_config_maps().get(&key)
                && cached_version == version
            {
                return result.clone();
            }
            let result = load_config_map(client, namespace, &reference.name, &reference.key).await;
            self.lock_config_maps()
                .insert(key, (version.to_owned(), result.clone()));
            return result;
        }
        let Some(url) = &source.url else {
            return Err(problem(
                "InvalidScope",
                "scope names neither configMap nor url",
            ));
        };
        let cached = self
            .lock_urls()
            .get(url)
            .filter(|(at, _)| at.elapsed() < URL_CACHE_TTL)
            .map(|(_, result)| result.clone());
        let result = match cached {
            Some(result) => result,
            None => {
                let result = fetch_url(http, url).await;
                self.lock_urls()
                    .insert(url.clone(), (Instant::now(), result.clone()));
                result
            }
        };
        let loaded = result?;
        if let Some(pin) = &source.sha256
            && pin != &loaded.sha256
        {
            return Err(problem(
                "ScopeDigestMismatch",
                format!(
                    "{url} has sha256 {}, but scope.sha256 pins {pin}; update the pin after reviewing the change",
                    loaded.sha256
                ),
            ));
        }
        Ok(loaded)
    }

    fn lock_config_maps(&self) -> std::sync::MutexGuard<'_, ConfigMapEntries> {
        self.config_maps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock_urls(&self) -> std::sync::MutexGuard<'_, UrlEntries> {
        self.urls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

async fn load_config_map(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    key: &str,
) -> ScopeResult {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    let config_map = match api.get_opt(name).await {
        Ok(Some(cm)) => cm,
        Ok(None) => {
            return Err(problem(
                "ScopeNotFound",
                format!("ConfigMap {namespace}/{name} does not exist"),
            ));
        }
        Err(err) => {
            return Err(problem(
                "ScopeUnavailable",
                format!("cannot read ConfigMap {namespace}/{name}: {err}"),
            ));
        }
    };
    let Some(text) = config_map.data.as_ref().and_then(|d| d.get(key)) else {
        return Err(problem(
            "ScopeNotFound",
            format!("ConfigMap {namespace}/{name} has no key {key:?}"),
        ));
    };
    parse_scope(text, &format!("ConfigMap {namespace}/{name} key {key}"))
}

async fn fetch_url(http: &reqwest::Client, url: &str) -> ScopeResult {
    let unavailable = |e: String| problem("ScopeUnavailable", format!("cannot fetch {url}: {e}"));
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    if !response.status().is_success() {
        return Err(unavailable(format!("HTTP {}", response.status())));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(problem(
            "InvalidScope",
            format!(
                "{url} is {} bytes; a scope spec may have at most {MAX_SPEC_BYTES}",
                bytes.len()
            ),
        ));
    }
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| problem("InvalidScope", format!("{url} is not UTF-8 text")))?;
    parse_scope(&text, url)
}
