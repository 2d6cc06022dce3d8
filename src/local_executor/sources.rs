//! The Secrets and ConfigMaps one pod reads (volumes and environment), fetched once per
//! attempt from the pod's namespace.

use super::error::AttemptError;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::{Api, Client};
use std::collections::BTreeMap;
use std::collections::HashMap;

/// Kind of object a pod refers to, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A core/v1 Secret.
    Secret,
    /// A core/v1 ConfigMap.
    ConfigMap,
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Secret => "secret",
            Self::ConfigMap => "configmap",
        })
    }
}

/// Key/value data of one Secret or ConfigMap (ConfigMap `data` and `binaryData` merged).
pub type SourceData = BTreeMap<String, Vec<u8>>;

/// Caching reader of the Secrets and ConfigMaps of one namespace.
pub struct PodSources {
    secrets: Api<Secret>,
    config_maps: Api<ConfigMap>,
    cache: HashMap<(SourceKind, String), Option<SourceData>>,
}

impl PodSources {
    /// A reader for `namespace`.
    pub fn new(client: Client, namespace: &str) -> Self {
        Self {
            secrets: Api::namespaced(client.clone(), namespace),
            config_maps: Api::namespaced(client, namespace),
            cache: HashMap::new(),
        }
    }

    /// The data of a Secret or ConfigMap; `None` when it does not exist.
    pub async fn get(
        &mut self,
        kind: SourceKind,
        name: &str,
    ) -> Result<Option<&SourceData>, AttemptError> {
        let key = (kind, name.to_owned());
        if !self.cache.contains_key(&key) {
            let data = match kind {
                SourceKind::Secret => self
                    .secrets
                    .get_opt(name)
                    .await
                    .map_err(|source| AttemptError::api(format!("get secret {name}"), source))?
                    .map(|s| {
                        s.data
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(k, v)| (k, v.0))
                            .collect()
                    }),
                SourceKind::ConfigMap => self
                    .config_maps
                    .get_opt(name)
                    .await
                    .map_err(|source| AttemptError::api(format!("get configmap {name}"), source))?
                    .map(|cm| {
                        let mut data: SourceData = cm
                            .binary_data
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(k, v)| (k, v.0))
                            .collect();
                        for (k, v) in cm.data.unwrap_or_default() {
                            data.insert(k, v.into_bytes());
                        }
                        data
                    }),
            };
            self.cache.insert(key.clone(), data);
        }
        Ok(self.cache.get(&key).and_then(Option::as_ref))
    }

    /// One key of a Secret or ConfigMap. A missing object or key is `Ok(None)` when
    /// `optional`, and a pod configuration error otherwise (like kubelet's
    /// CreateContainerConfigError).
    pub async fn key(
        &mut self,
        kind: SourceKind,
        name: &str,
        key: &str,
        optional: bool,
    ) -> Result<Option<Vec<u8>>, AttemptError> {
        let data = self.get(kind, name).await?;
        match data {
            None if optional => Ok(None),
            None => Err(AttemptError::config(format!("{kind} \"{name}\" not found"))),
            Some(data) => match data.get(key) {
                Some(value) => Ok(Some(value.clone())),
                None if optional => Ok(None),
                None => Err(AttemptError::config(format!(
                    "couldn't find key {key} in {kind} {name}"
                ))),
            },
        }
    }
}
