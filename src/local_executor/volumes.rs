//! Pod volumes as local directories: emptyDir, hostPath, secret, configMap, downwardAPI
//! and projected (serviceAccountToken, secret, configMap, downwardAPI). Every other volume
//! type fails the Pod with a message naming the type.

use super::env::field_value;
use super::error::AttemptError;
use super::sources::{PodSources, SourceKind};
use k8s_openapi::api::authentication::v1::{BoundObjectReference, TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{
    DownwardAPIVolumeFile, KeyToPath, Pod, ServiceAccount, ServiceAccountTokenProjection, Volume,
};
use kube::api::PostParams;
use kube::{Api, Client};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

/// Default file mode of secret, configMap, downwardAPI and projected volumes (0644).
pub const DEFAULT_FILE_MODE: u32 = 0o644;
/// Default lifetime of a projected service account token (one hour, like Kubernetes).
pub const DEFAULT_TOKEN_EXPIRATION_SECONDS: i64 = 3600;

/// The local directories of a pod's volumes, by volume name.
pub type PreparedVolumes = BTreeMap<String, PathBuf>;

/// Creates every volume of `pod` under `volumes_dir` (hostPath volumes are used in place).
/// Files of volumes that some container mounts read-only lose their write bits.
pub async fn prepare_volumes(
    client: &Client,
    pod: &Pod,
    volumes_dir: &Path,
    sources: &mut PodSources,
) -> Result<PreparedVolumes, AttemptError> {
    let spec = pod.spec.as_ref();
    let read_only_volumes: BTreeSet<&str> = spec
        .into_iter()
        .flat_map(|s| {
            s.init_containers
                .iter()
                .flatten()
                .chain(s.containers.iter())
        })
        .flat_map(|c| c.volume_mounts.iter().flatten())
        .filter(|m| m.read_only == Some(true))
        .map(|m| m.name.as_str())
        .collect();
    let mut prepared = PreparedVolumes::new();
    for volume in spec.and_then(|s| s.volumes.as_ref()).into_iter().flatten() {
        let read_only = read_only_volumes.contains(volume.name.as_str());
        let local = prepare_volume(client, pod, volume, volumes_dir, sources, read_only).await?;
        prepared.insert(volume.name.clone(), local);
    }
    Ok(prepared)
}

/// Writes one volume; returns its local path.
async fn prepare_volume(
    client: &Client,
    pod: &Pod,
    volume: &Volume,
    volumes_dir: &Path,
    sources: &mut PodSources,
    read_only: bool,
) -> Result<PathBuf, AttemptError> {
    let name = &volume.name;
    if let Some(host_path) = &volume.host_path {
        return prepare_host_path(name, &host_path.path, host_path.type_.as_deref());
    }
    let dir = volumes_dir.join(name);
    create_dir(&dir)?;
    let mut files = VolumeFiles::new(&dir, read_only);
    if volume.empty_dir.is_some() {
        // Nothing to write; `medium` and `sizeLimit` have no local meaning.
    } else if let Some(secret) = &volume.secret {
        let source_name = secret.secret_name.clone().unwrap_or_default();
        files.default_mode = mode_of(secret.default_mode);
        files
            .write_keys(
                sources,
                SourceKind::Secret,
                &source_name,
                secret.items.as_deref(),
                secret.optional == Some(true),
            )
            .await?;
    } else if let Some(config_map) = &volume.config_map {
        files.default_mode = mode_of(config_map.default_mode);
        files
            .write_keys(
                sources,
                SourceKind::ConfigMap,
                &config_map.name,
                config_map.items.as_deref(),
                config_map.optional == Some(true),
            )
            .await?;
    } else if let Some(downward) = &volume.downward_api {
        files.default_mode = mode_of(downward.default_mode);
        files.write_downward(pod, downward.items.as_deref())?;
    } else if let Some(projected) = &volume.projected {
        files.default_mode = mode_of(projected.default_mode);
        for (index, source) in projected.sources.iter().flatten().enumerate() {
            if let Some(token) = &source.service_account_token {
                let value = request_token(client, pod, token).await?;
                files.write(&token.path, value.as_bytes(), None)?;
            } else if let Some(secret) = &source.secret {
                files
                    .write_keys(
                        sources,
                        SourceKind::Secret,
                        &secret.name,
                        secret.items.as_deref(),
                        secret.optional == Some(true),
                    )
                    .await?;
            } else if let Some(config_map) = &source.config_map {
                files
                    .write_keys(
                        sources,
                        SourceKind::ConfigMap,
                        &config_map.name,
                        config_map.items.as_deref(),
                        config_map.optional == Some(true),
                    )
                    .await?;
            } else if let Some(downward) = &source.downward_api {
                files.write_downward(pod, downward.items.as_deref())?;
            } else {
                let kind = first_set_field(source).unwrap_or_else(|| "empty".to_owned());
                return Err(AttemptError::unsupported(format!(
                    "volume \"{name}\": projected source {index} of type {kind} is not \
                     supported by the local executor (supported: serviceAccountToken, secret, \
                     configMap, downwardAPI)"
                )));
            }
        }
    } else {
        let kind = volume_type(volume);
        return Err(AttemptError::unsupported(format!(
            "volume \"{name}\" of type {kind} is not supported by the local executor \
             (supported: emptyDir, hostPath, secret, configMap, downwardAPI, projected)"
        )));
    }
    Ok(dir)
}

/// Uses a host directory in place; `DirectoryOrCreate` creates it, `Directory` and `File`
/// types must exist.
fn prepare_host_path(
    name: &str,
    path: &str,
    host_path_type: Option<&str>,
) -> Result<PathBuf, AttemptError> {
    let local = PathBuf::from(path);
    match host_path_type.unwrap_or_default() {
        "DirectoryOrCreate" => create_dir(&local)?,
        "Directory" if !local.is_dir() => {
            return Err(AttemptError::config(format!(
                "volume \"{name}\": hostPath {path} is not a directory"
            )));
        }
        "File" if !local.is_file() => {
            return Err(AttemptError::config(format!(
                "volume \"{name}\": hostPath {path} is not a file"
            )));
        }
        _ => {}
    }
    Ok(local)
}

/// Requests a token for the pod's service account, bound to the Pod object (so it dies
/// with the Pod and a TokenReview reports the pod's name and uid).
async fn request_token(
    client: &Client,
    pod: &Pod,
    projection: &ServiceAccountTokenProjection,
) -> Result<String, AttemptError> {
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let account = pod
        .spec
        .as_ref()
        .and_then(|s| s.service_account_name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".to_owned());
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: projection
                .audience
                .iter()
                .filter(|a| !a.is_empty())
                .cloned()
                .collect(),
            expiration_seconds: Some(
                projection
                    .expiration_seconds
                    .unwrap_or(DEFAULT_TOKEN_EXPIRATION_SECONDS),
            ),
            bound_object_ref: Some(BoundObjectReference {
                api_version: Some("v1".to_owned()),
                kind: Some("Pod".to_owned()),
                name: pod.metadata.name.clone(),
                uid: pod.metadata.uid.clone(),
            }),
        },
        ..TokenRequest::default()
    };
    let api: Api<ServiceAccount> = Api::namespaced(client.clone(), &namespace);
    let response: TokenRequest = api
        .create_subresource("token", &account, &PostParams::default(), &request)
        .await
        .map_err(|err| match &err {
            // A missing service account is the pod's problem, not a transient one.
            kube::Error::Api(status) if status.is_not_found() || status.code == 400 => {
                AttemptError::config(format!(
                    "cannot request a token for serviceaccount {namespace}/{account}: {}",
                    status.message
                ))
            }
            _ => AttemptError::api(
                format!("request a token for serviceaccount {namespace}/{account}"),
                err,
            ),
        })?;
    response
        .status
        .map(|s| s.token)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AttemptError::config(format!(
                "the token request for serviceaccount {namespace}/{account} returned no token"
            ))
        })
}

/// Writes the files of one volume directory.
struct VolumeFiles<'a> {
    dir: &'a Path,
    default_mode: u32,
    read_only: bool,
}

impl<'a> VolumeFiles<'a> {
    fn new(dir: &'a Path, read_only: bool) -> Self {
        Self {
            dir,
            default_mode: DEFAULT_FILE_MODE,
            read_only,
        }
    }

    /// Writes keys of a Secret or ConfigMap: all of them, or the listed `items`.
    async fn write_keys(
        &mut self,
        sources: &mut PodSources,
        kind: SourceKind,
        name: &str,
        items: Option<&[KeyToPath]>,
        optional: bool,
    ) -> Result<(), AttemptError> {
        let data = match sources.get(kind, name).await? {
            Some(data) => data.clone(),
            None if optional => return Ok(()),
            None => return Err(AttemptError::config(format!("{kind} \"{name}\" not found"))),
        };
        match items {
            None => {
                for (key, value) in &data {
                    self.write(key, value, None)?;
                }
            }
            Some(items) => {
                for item in items {
                    match data.get(&item.key) {
                        Some(value) => self.write(&item.path, value, item.mode)?,
                        None if optional => {}
                        None => {
                            return Err(AttemptError::config(format!(
                                "couldn't find key {} in {kind} {name}",
                                item.key
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Writes downward API files.
    fn write_downward(
        &mut self,
        pod: &Pod,
        items: Option<&[DownwardAPIVolumeFile]>,
    ) -> Result<(), AttemptError> {
        for item in items.into_iter().flatten() {
            let Some(field) = &item.field_ref else {
                return Err(AttemptError::unsupported(format!(
                    "downwardAPI file {}: only fieldRef is supported by the local executor",
                    item.path
                )));
            };
            let value = field_value(pod, &field.field_path)?;
            self.write(&item.path, value.as_bytes(), item.mode)?;
        }
        Ok(())
    }

    /// Writes one file at a relative path with the item's mode (or the default mode).
    fn write(&self, path: &str, content: &[u8], mode: Option<i32>) -> Result<(), AttemptError> {
        let relative = safe_relative_path(path)?;
        let file = self.dir.join(relative);
        if let Some(parent) = file.parent() {
            create_dir(parent)?;
        }
        // An earlier read-only write of the same path must not block this one.
        if file.exists() {
            let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
        }
        std::fs::write(&file, content)
            .map_err(|e| AttemptError::local_io(format!("write {}", file.display()), e))?;
        let mode = file_mode(mode.map_or(self.default_mode, mode_of_i32), self.read_only);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode))
            .map_err(|e| AttemptError::local_io(format!("chmod {}", file.display()), e))
    }
}

/// The mode a volume file gets: the requested one, without write bits when the volume is
/// mounted read-only (best effort: root ignores them).
pub fn file_mode(requested: u32, read_only: bool) -> u32 {
    let mode = requested & 0o777;
    if read_only { mode & !0o222 } else { mode }
}

fn mode_of(mode: Option<i32>) -> u32 {
    mode.map_or(DEFAULT_FILE_MODE, mode_of_i32)
}

fn mode_of_i32(mode: i32) -> u32 {
    u32::try_from(mode).unwrap_or(DEFAULT_FILE_MODE) & 0o777
}

/// A volume item path must stay inside the volume: relative, without `..`.
fn safe_relative_path(path: &str) -> Result<&Path, AttemptError> {
    let candidate = Path::new(path);
    let escapes = path.is_empty()
        || candidate
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if escapes {
        return Err(AttemptError::config(format!(
            "volume file path {path:?} must be relative and must not contain '..'"
        )));
    }
    Ok(candidate)
}

fn create_dir(dir: &Path) -> Result<(), AttemptError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| AttemptError::local_io(format!("create {}", dir.display()), e))
}

/// The type of a volume as written in YAML (`persistentVolumeClaim`, `nfs`, ...).
pub fn volume_type(volume: &Volume) -> String {
    first_set_field(volume)
        .filter(|f| f != "name")
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The first field other than `name` that a serialised object sets.
fn first_set_field(value: &impl serde::Serialize) -> Option<String> {
    let json = serde_json::to_value(value).ok()?;
    json.as_object()?
        .iter()
        .find(|(key, value)| *key != "name" && !value.is_null())
        .map(|(key, _)| key.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_type_names_the_yaml_field() {
        let cases = [
            (
                serde_json::json!({"name": "v", "persistentVolumeClaim": {"claimName": "c"}}),
                "persistentVolumeClaim",
            ),
            (
                serde_json::json!({"name": "v", "nfs": {"server": "s", "path": "/"}}),
                "nfs",
            ),
            (serde_json::json!({"name": "v"}), "unknown"),
        ];
        for (json, expected) in cases {
            let volume: Volume = serde_json::from_value(json).expect("volume literal");
            assert_eq!(volume_type(&volume), expected);
        }
    }

    #[test]
    fn file_modes() {
        // (requested, read-only, expected)
        let cases = [
            (0o644, false, 0o644),
            (0o644, true, 0o444),
            (0o600, true, 0o400),
            (0o755, true, 0o555),
            (0o4777, false, 0o777),
        ];
        for (requested, read_only, expected) in cases {
            assert_eq!(file_mode(requested, read_only), expected, "{requested:o}");
        }
    }

    #[test]
    fn item_paths_stay_inside_the_volume() {
        for ok in ["a", "a/b", "./a", "a/./b"] {
            assert!(safe_relative_path(ok).is_ok(), "{ok}");
        }
        for bad in ["", "/etc/passwd", "../x", "a/../../x"] {
            assert!(safe_relative_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn files_get_modes_and_read_only_bits() {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = VolumeFiles {
            dir: dir.path(),
            default_mode: 0o640,
            read_only: true,
        };
        files.write("sub/key", b"v", None).expect("write");
        files.write("sub/key", b"w", Some(0o600)).expect("rewrite");
        let meta = std::fs::metadata(dir.path().join("sub/key")).expect("metadata");
        assert_eq!(meta.permissions().mode() & 0o777, 0o400);
        assert_eq!(
            std::fs::read(dir.path().join("sub/key")).expect("read"),
            b"w"
        );
    }
}
