//! Materialises a Pod on this machine: its directory, volumes, termination-message files
//! and, per container, the process to start with every container path mapped to a local
//! one.
//!
//! Layout: `<work-dir>/<namespace>/<pod>/` with `volumes/<volume>/`,
//! `termination/<container>` and `logs/<container>.log`.

use super::env::{expand, lookup, resolve_env};
use super::error::AttemptError;
use super::paths::{Mount, PathMap};
use super::process::ProcessSpec;
use super::sources::PodSources;
use super::volumes::{PreparedVolumes, prepare_volumes};
use k8s_openapi::api::core::v1::{Container, Pod};
use kube::Client;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where Kubernetes writes the termination message when the container does not say.
pub const DEFAULT_TERMINATION_MESSAGE_PATH: &str = "/dev/termination-log";
/// `PATH` for containers that do not set one and a host without one.
const FALLBACK_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Executor settings that shape how containers are materialised.
#[derive(Debug, Clone)]
pub struct MaterialiseSettings {
    /// Image name -> local directory playing its root filesystem.
    pub image_roots: BTreeMap<String, PathBuf>,
    /// Root of all per-pod directories.
    pub work_dir: PathBuf,
    /// Echo container output to the executor's stderr.
    pub echo_logs: bool,
}

/// One container, ready to start.
#[derive(Debug, Clone)]
pub struct PreparedContainer {
    /// Container name.
    pub name: String,
    /// Image as written in the spec.
    pub image: String,
    /// The process to start.
    pub process: ProcessSpec,
    /// Local file behind `terminationMessagePath`.
    pub termination_file: PathBuf,
    /// `terminationMessagePolicy: FallbackToLogsOnError`.
    pub fallback_to_logs: bool,
}

/// A pod materialised on this machine.
#[derive(Debug, Clone)]
pub struct PreparedPod {
    /// The pod's local directory.
    pub dir: PathBuf,
    /// Init containers in order.
    pub init_containers: Vec<PreparedContainer>,
    /// Main containers.
    pub containers: Vec<PreparedContainer>,
}

/// The local directory of a pod.
pub fn pod_dir(work_dir: &Path, namespace: &str, pod_name: &str) -> PathBuf {
    work_dir.join(namespace).join(pod_name)
}

/// Rejects pod features the executor cannot honour, before anything is created.
pub fn check_supported(pod: &Pod) -> Result<(), AttemptError> {
    let Some(spec) = pod.spec.as_ref() else {
        return Err(AttemptError::config("pod has no spec"));
    };
    if spec.containers.is_empty() {
        return Err(AttemptError::config("pod has no containers"));
    }
    for container in spec.init_containers.iter().flatten() {
        if container.restart_policy.as_deref() == Some("Always") {
            return Err(AttemptError::unsupported(format!(
                "init container {}: sidecar containers (restartPolicy: Always) are not \
                 supported by the local executor",
                container.name
            )));
        }
    }
    for container in spec
        .init_containers
        .iter()
        .flatten()
        .chain(&spec.containers)
    {
        if container.command.as_ref().is_none_or(Vec::is_empty) {
            return Err(AttemptError::unsupported(format!(
                "container {}: no command; the local executor cannot read an image's \
                 entrypoint, so every container needs `command`",
                container.name
            )));
        }
    }
    Ok(())
}

/// Creates the pod's directory, volumes and container processes.
pub async fn materialise(
    client: &Client,
    pod: &Pod,
    settings: &MaterialiseSettings,
) -> Result<PreparedPod, AttemptError> {
    check_supported(pod)?;
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let dir = pod_dir(&settings.work_dir, &namespace, &pod_name);
    for sub in ["volumes", "termination", "logs"] {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path)
            .map_err(|e| AttemptError::local_io(format!("create {}", path.display()), e))?;
    }
    let mut sources = PodSources::new(client.clone(), &namespace);
    let volumes = prepare_volumes(client, pod, &dir.join("volumes"), &mut sources).await?;
    let spec = pod.spec.as_ref();
    let mut init_containers = Vec::new();
    for container in spec
        .and_then(|s| s.init_containers.as_ref())
        .into_iter()
        .flatten()
    {
        init_containers.push(
            prepare_container(
                container,
                pod,
                &volumes,
                &mut sources,
                &dir,
                settings,
                &namespace,
            )
            .await?,
        );
    }
    let mut containers = Vec::new();
    for container in spec.map(|s| s.containers.as_slice()).unwrap_or_default() {
        containers.push(
            prepare_container(
                container,
                pod,
                &volumes,
                &mut sources,
                &dir,
                settings,
                &namespace,
            )
            .await?,
        );
    }
    Ok(PreparedPod {
        dir,
        init_containers,
        containers,
    })
}

async fn prepare_container(
    container: &Container,
    pod: &Pod,
    volumes: &PreparedVolumes,
    sources: &mut PodSources,
    pod_dir: &Path,
    settings: &MaterialiseSettings,
    namespace: &str,
) -> Result<PreparedContainer, AttemptError> {
    let name = &container.name;
    let image = container.image.clone().unwrap_or_default();
    let declared_env = resolve_env(container, pod, sources).await?;

    // Mounts: volumes (with subPath / subPathExpr) and the termination-message file.
    let mut mounts = Vec::new();
    for mount in container.volume_mounts.iter().flatten() {
        let Some(volume_dir) = volumes.get(&mount.name) else {
            return Err(AttemptError::config(format!(
                "container {name}: volumeMount {} refers to no volume of the pod",
                mount.name
            )));
        };
        let sub_path = match (&mount.sub_path, &mount.sub_path_expr) {
            (Some(sub), _) if !sub.is_empty() => Some(sub.clone()),
            (_, Some(expr)) if !expr.is_empty() => {
                Some(expand(expr, |var| lookup(&declared_env, var)))
            }
            _ => None,
        };
        let local_path = match sub_path {
            Some(sub) => {
                if Path::new(&sub).is_absolute() || sub.split('/').any(|part| part == "..") {
                    return Err(AttemptError::config(format!(
                        "container {name}: subPath {sub:?} must be relative without '..'"
                    )));
                }
                let path = volume_dir.join(&sub);
                // Kubelet creates a missing subPath as a directory.
                if !path.exists() {
                    std::fs::create_dir_all(&path).map_err(|e| {
                        AttemptError::local_io(format!("create {}", path.display()), e)
                    })?;
                }
                path
            }
            None => volume_dir.clone(),
        };
        mounts.push(Mount {
            container_path: mount.mount_path.clone(),
            local_path,
        });
    }
    let termination_file = pod_dir.join("termination").join(name);
    std::fs::write(&termination_file, b"")
        .map_err(|e| AttemptError::local_io(format!("create {}", termination_file.display()), e))?;
    let termination_path = container
        .termination_message_path
        .clone()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEFAULT_TERMINATION_MESSAGE_PATH.to_owned());
    mounts.push(Mount {
        container_path: termination_path,
        local_path: termination_file.clone(),
    });

    let image_root = settings.image_roots.get(&image).cloned();
    let map = PathMap::new(image_root, mounts);

    // Command and args are expanded with the container's values, then mapped, so a
    // local path is never mapped twice.
    let expand_and_map = |text: &String| {
        let expanded = expand(text, |var| lookup(&declared_env, var));
        map.rewrite_text(&expanded)
    };
    let mut argv: Vec<String> = container
        .command
        .iter()
        .flatten()
        .chain(container.args.iter().flatten())
        .map(expand_and_map)
        .collect();
    if argv.is_empty() {
        return Err(AttemptError::unsupported(format!(
            "container {name}: no command; every container needs `command`"
        )));
    }
    let program = argv.remove(0);

    let mut env = base_env(&pod.metadata.name.clone().unwrap_or_default());
    for (key, value) in &declared_env {
        let value = map.rewrite_text(value);
        match env.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => env.push((key.clone(), value)),
        }
    }

    let working_dir = match container.working_dir.as_deref().filter(|w| !w.is_empty()) {
        Some(dir) => map.map_working_dir(dir),
        None => map
            .image_root()
            .map_or_else(|| pod_dir.to_path_buf(), Path::to_path_buf),
    };
    let is_local = working_dir.starts_with(pod_dir)
        || map
            .image_root()
            .is_some_and(|root| working_dir.starts_with(root))
        || volumes.values().any(|v| working_dir.starts_with(v));
    if is_local && !working_dir.exists() {
        std::fs::create_dir_all(&working_dir)
            .map_err(|e| AttemptError::local_io(format!("create {}", working_dir.display()), e))?;
    }

    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    Ok(PreparedContainer {
        name: name.clone(),
        image,
        process: ProcessSpec {
            program,
            args: argv,
            env,
            working_dir,
            log_file: pod_dir.join("logs").join(format!("{name}.log")),
            echo_prefix: settings
                .echo_logs
                .then(|| format!("[{namespace}/{pod_name}/{name}]")),
        },
        termination_file,
        fallback_to_logs: container.termination_message_policy.as_deref()
            == Some("FallbackToLogsOnError"),
    })
}

/// What every container gets before its own variables: the host's `PATH` and `HOME`
/// (a local process needs them to find tools) and `HOSTNAME` = pod name, like a container.
fn base_env(pod_name: &str) -> Vec<(String, String)> {
    let mut env = vec![(
        "PATH".to_owned(),
        std::env::var("PATH").unwrap_or_else(|_| FALLBACK_PATH.to_owned()),
    )];
    if let Ok(home) = std::env::var("HOME") {
        env.push(("HOME".to_owned(), home));
    }
    env.push(("HOSTNAME".to_owned(), pod_name.to_owned()));
    env
}

/// The termination message of an ended container: its termination file, or with
/// `FallbackToLogsOnError` and a failure and an empty file, the end of its log (kubelet
/// takes the last 80 lines or 2048 bytes).
pub fn read_termination_message(container: &PreparedContainer, exit_code: i32) -> Option<String> {
    let message = std::fs::read(&container.termination_file).unwrap_or_default();
    let message = String::from_utf8_lossy(&message).into_owned();
    if !message.is_empty() {
        return Some(message);
    }
    if container.fallback_to_logs && exit_code != 0 {
        let log = std::fs::read(&container.process.log_file).unwrap_or_default();
        let tail_start = log.len().saturating_sub(2048);
        let tail = String::from_utf8_lossy(&log[tail_start..]).into_owned();
        let lines: Vec<&str> = tail.lines().collect();
        let kept = &lines[lines.len().saturating_sub(80)..];
        let text = kept.join("\n");
        return (!text.is_empty()).then_some(text);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(spec: serde_json::Value) -> Pod {
        serde_json::from_value(json!({"metadata": {"name": "p", "namespace": "n"}, "spec": spec}))
            .expect("pod literal")
    }

    #[test]
    fn unsupported_pods_are_named() {
        // (spec, expected words in the message)
        let cases = [
            (json!({"containers": []}), "no containers"),
            (
                json!({"containers": [{"name": "main", "image": "i"}]}),
                "container main: no command",
            ),
            (
                json!({"initContainers": [{"name": "side", "image": "i", "command": ["x"],
                                           "restartPolicy": "Always"}],
                       "containers": [{"name": "main", "image": "i", "command": ["x"]}]}),
                "sidecar",
            ),
        ];
        for (spec, words) in cases {
            match check_supported(&pod(spec.clone())) {
                Err(AttemptError::Pod { message, .. }) => {
                    assert!(message.contains(words), "{message} lacks {words}")
                }
                other => panic!("{spec}: expected a pod error, got {other:?}"),
            }
        }
        let ok = json!({"containers": [{"name": "main", "image": "i", "command": ["true"]}]});
        assert!(check_supported(&pod(ok)).is_ok());
    }

    #[test]
    fn termination_message_falls_back_to_logs_only_on_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let container = PreparedContainer {
            name: "main".to_owned(),
            image: "i".to_owned(),
            process: ProcessSpec {
                program: "x".to_owned(),
                args: vec![],
                env: vec![],
                working_dir: dir.path().to_path_buf(),
                log_file: dir.path().join("log"),
                echo_prefix: None,
            },
            termination_file: dir.path().join("term"),
            fallback_to_logs: true,
        };
        std::fs::write(dir.path().join("term"), "").expect("write");
        std::fs::write(dir.path().join("log"), "line 1\nboom\n").expect("write");
        assert_eq!(
            read_termination_message(&container, 1).as_deref(),
            Some("line 1\nboom")
        );
        assert_eq!(read_termination_message(&container, 0), None);
        std::fs::write(dir.path().join("term"), "explicit").expect("write");
        assert_eq!(
            read_termination_message(&container, 1).as_deref(),
            Some("explicit")
        );
    }
}
