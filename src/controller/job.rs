//! The check Job of one run (pure: resource + run -> Job object).
//!
//! The pod gets our binary through an init container that copies it into an emptyDir (so any
//! check image works), the resolved scope spec from an immutable ConfigMap, the target's
//! credentials read-only, and an audience-bound projected ServiceAccount token that only our
//! intake accepts. It gets no Kubernetes API token and runs with a restricted security
//! context.

use crate::api::CloudCertification;
use crate::controller::cloud::plan::RunToStart;
use crate::controller::labels;
use k8s_openapi::api::batch::v1::Job;
use kube::{Resource, ResourceExt};
use serde_json::json;

/// Where our binary is copied to inside the pod.
pub const TOOLS_DIR: &str = "/scs-tools";
/// Where the resolved scope spec is mounted.
pub const SPEC_DIR: &str = "/scs-spec";
/// File name of the scope spec inside [`SPEC_DIR`] and in the spec ConfigMap.
pub const SPEC_KEY: &str = "scope.yaml";
/// Scratch directory for the report.
pub const WORK_DIR: &str = "/scs-work";
/// Where the upload token is mounted.
pub const TOKEN_DIR: &str = "/var/run/secrets/scs-cert";

/// Operator-wide settings that shape every check Job.
#[derive(Clone, Debug)]
pub struct JobSettings {
    /// Image of the operator (source of the `scs-cert` binary for the init container).
    pub operator_image: String,
    /// Path of `scs-cert` inside the operator image.
    pub operator_binary: String,
    /// Check image used when the resource does not name one.
    pub default_runner_image: String,
    /// Directory holding the check scripts in the runner image (executables of the scope
    /// spec are resolved relative to it).
    pub scripts_dir: String,
    /// Base URL of the intake as reachable from check pods.
    pub intake_url: String,
    /// Audience of the upload token (only the intake accepts it).
    pub token_audience: String,
    /// ServiceAccount the check pods run as (it has no RBAC permissions).
    pub service_account: String,
}

/// Name of the Job (and of the stored report ConfigMap) of a run: stays within the 63
/// characters a label value allows.
pub fn run_object_name(cloud: &str, run_id: &str) -> String {
    let room = 62usize.saturating_sub(run_id.len());
    let prefix: String = cloud.chars().take(room).collect();
    format!("{}-{run_id}", prefix.trim_end_matches(['-', '.']))
}

/// Name of the immutable ConfigMap holding one version of the resolved scope spec.
pub fn spec_config_map_name(cloud: &str, sha256: &str) -> String {
    let digest: String = sha256.chars().take(12).collect();
    let prefix: String = cloud.chars().take(40).collect();
    format!("{}-scope-{digest}", prefix.trim_end_matches(['-', '.']))
}

/// A regex for the check tool's `-t` (matched from the start) selecting exactly `ids`.
pub fn exact_ids_regex(ids: &[String]) -> String {
    let alternatives: Vec<String> = ids.iter().map(|id| regex_escape(id)).collect();
    format!("(?:{})$", alternatives.join("|"))
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Directory of the check scripts in the check image.
pub fn scripts_dir<'a>(cloud: &'a CloudCertification, settings: &'a JobSettings) -> &'a str {
    cloud
        .spec
        .runner
        .working_dir
        .as_deref()
        .unwrap_or(&settings.scripts_dir)
}

/// ServiceAccount the check pod runs as.
pub fn check_service_account<'a>(
    cloud: &'a CloudCertification,
    settings: &'a JobSettings,
) -> &'a str {
    cloud
        .spec
        .runner
        .service_account_name
        .as_deref()
        .unwrap_or(&settings.service_account)
}

/// The command the check container runs (inside `scs-cert run -- ...`).
pub fn check_command(
    cloud: &CloudCertification,
    run: &RunToStart,
    settings: &JobSettings,
) -> Vec<String> {
    let spec = &cloud.spec;
    if !spec.runner.command.is_empty() {
        return spec
            .runner
            .command
            .iter()
            .chain(&spec.runner.args)
            .cloned()
            .collect();
    }
    let mut command = vec![
        format!("{TOOLS_DIR}/scs-cert"),
        "check".to_owned(),
        format!("{SPEC_DIR}/{SPEC_KEY}"),
        "--scripts-dir".to_owned(),
        scripts_dir(cloud, settings).to_owned(),
        "--subject".to_owned(),
        spec.subject.clone(),
        "--output".to_owned(),
        format!("{WORK_DIR}/report.yaml"),
        "--critical-only".to_owned(),
    ];
    for (name, value) in &spec.target.variables {
        command.push("--assign".to_owned());
        command.push(format!("{name}={value}"));
    }
    if let Some(version) = &spec.scope.version {
        command.push("--version".to_owned());
        command.push(version.clone());
    }
    if let Some(ids) = &run.testcases {
        command.push("--tests".to_owned());
        command.push(exact_ids_regex(ids));
    }
    command.extend(spec.runner.args.iter().cloned());
    command
}

/// Builds the Job of `run` for `cloud`, using the spec ConfigMap `spec_config_map`.
pub fn build_job(
    cloud: &CloudCertification,
    run: &RunToStart,
    spec_config_map: &str,
    settings: &JobSettings,
) -> Result<Job, serde_json::Error> {
    let name = run_object_name(&cloud.name_any(), &run.id);
    let mut labels = labels::run_labels(&cloud.name_any(), &run.id);
    labels.insert(
        labels::CLOUD_UID.to_owned(),
        cloud.uid().unwrap_or_default(),
    );
    let owner = cloud.controller_owner_ref(&());
    let spec = &cloud.spec;
    let mut wrapper = vec![
        format!("{TOOLS_DIR}/scs-cert"),
        "run".to_owned(),
        "--report".to_owned(),
        format!("{WORK_DIR}/report.yaml"),
        "--".to_owned(),
    ];
    wrapper.extend(check_command(cloud, run, settings));

    let mut volumes = vec![
        json!({"name": "scs-tools", "emptyDir": {"sizeLimit": "128Mi"}}),
        json!({"name": "scs-work", "emptyDir": {"sizeLimit": "1Gi"}}),
        json!({"name": "scs-tmp", "emptyDir": {"sizeLimit": "1Gi"}}),
        json!({"name": "scs-spec", "configMap": {"name": spec_config_map}}),
        json!({"name": "scs-upload-token", "projected": {"sources": [{
            "serviceAccountToken": {
                "audience": settings.token_audience,
                "expirationSeconds": 3600 + spec.runner.timeout_seconds.unwrap_or(3600),
                "path": "token"
            }
        }]}}),
    ];
    let mut mounts = vec![
        json!({"name": "scs-tools", "mountPath": TOOLS_DIR, "readOnly": true}),
        json!({"name": "scs-work", "mountPath": WORK_DIR}),
        json!({"name": "scs-tmp", "mountPath": "/tmp"}),
        json!({"name": "scs-spec", "mountPath": SPEC_DIR, "readOnly": true}),
        json!({"name": "scs-upload-token", "mountPath": TOKEN_DIR, "readOnly": true}),
    ];
    if let Some(credentials) = &spec.target.credentials {
        let items: Vec<_> = credentials
            .items
            .iter()
            .map(|i| json!({"key": i.key, "path": i.path}))
            .collect();
        let mut secret = json!({"secretName": credentials.secret_name, "defaultMode": 0o440});
        if !items.is_empty() {
            secret["items"] = json!(items);
        }
        volumes.push(json!({"name": "credentials", "secret": secret}));
        mounts.push(
            json!({"name": "credentials", "mountPath": credentials.mount_path, "readOnly": true}),
        );
    }
    let mut env = json!([
        {"name": "SCS_INTAKE_URL", "value": settings.intake_url},
        {"name": "SCS_RUN_NAMESPACE", "value": cloud.namespace().unwrap_or_default()},
        {"name": "SCS_RUN_NAME", "value": cloud.name_any()},
        {"name": "SCS_RUN_ID", "value": run.id},
        {"name": "SCS_TOKEN_FILE", "value": format!("{TOKEN_DIR}/token")},
        {"name": "SCS_SUBJECT", "value": spec.subject},
        {"name": "SCS_SPEC", "value": format!("{SPEC_DIR}/{SPEC_KEY}")},
        {"name": "HOME", "value": "/tmp"},
    ]);
    if let Some(extra) = env.as_array_mut() {
        // User variables come first so ours (which the wrapper needs) win on a clash.
        let ours = std::mem::take(extra);
        extra.extend(
            spec.runner
                .env
                .iter()
                .filter_map(|e| serde_json::to_value(e).ok()),
        );
        extra.extend(ours);
    }
    let restricted = json!({
        "allowPrivilegeEscalation": false,
        "readOnlyRootFilesystem": true,
        "runAsNonRoot": true,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"}
    });
    let job = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": cloud.namespace(),
            "labels": labels,
            "annotations": run_annotations(run),
            "ownerReferences": [owner],
        },
        "spec": {
            "backoffLimit": spec.runner.attempts.unwrap_or(1).saturating_sub(1).max(0),
            "activeDeadlineSeconds": spec.runner.timeout_seconds.unwrap_or(3600),
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "restartPolicy": "Never",
                    "serviceAccountName": check_service_account(cloud, settings),
                    "nodeSelector": spec.runner.node_selector,
                    "tolerations": spec.runner.tolerations,
                    "automountServiceAccountToken": false,
                    "enableServiceLinks": false,
                    "securityContext": {
                        "runAsNonRoot": true,
                        "runAsUser": 65532,
                        "runAsGroup": 65532,
                        "fsGroup": 65532,
                        "seccompProfile": {"type": "RuntimeDefault"}
                    },
                    "initContainers": [{
                        "name": "install-scs-cert",
                        "image": settings.operator_image,
                        "command": [settings.operator_binary, "install", TOOLS_DIR],
                        "volumeMounts": [{"name": "scs-tools", "mountPath": TOOLS_DIR}],
                        "securityContext": restricted,
                        "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}}
                    }],
                    "containers": [{
                        "name": "check",
                        "image": spec.runner.image.clone().unwrap_or_else(|| settings.default_runner_image.clone()),
                        "command": wrapper,
                        "workingDir": scripts_dir(cloud, settings),
                        "resources": spec.runner.resources,
                        "env": env,
                        "volumeMounts": mounts,
                        "securityContext": restricted,
                        "terminationMessagePolicy": "File"
                    }],
                    "volumes": volumes
                }
            }
        }
    });
    serde_json::from_value(job)
}

fn run_annotations(run: &RunToStart) -> serde_json::Value {
    let mut annotations = serde_json::Map::new();
    annotations.insert(labels::TRIGGER.to_owned(), json!(run.trigger.as_str()));
    annotations.insert(labels::SPEC_SHA256.to_owned(), json!(run.spec_sha256));
    if let Some(slot) = run.scheduled_for {
        annotations.insert(labels::SCHEDULED_FOR.to_owned(), json!(slot.to_string()));
    }
    if let Some(value) = &run.manual_value {
        annotations.insert(labels::MANUAL_VALUE.to_owned(), json!(value));
    }
    serde_json::Value::Object(annotations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_fit_label_values() {
        let long = "a".repeat(253);
        let name = run_object_name(&long, "s202612050300");
        assert!(name.len() <= 63, "{name}");
        assert!(name.ends_with("-s202612050300"));
        assert_eq!(
            run_object_name("regio-a", "m0123456789"),
            "regio-a-m0123456789"
        );
        assert!(spec_config_map_name(&long, &"f".repeat(64)).len() <= 63);
    }

    #[test]
    fn exact_ids_regex_escapes_and_anchors() {
        let regex = exact_ids_regex(&["scs-0100-syntax-check".into(), "a.b".into()]);
        assert_eq!(regex, r"(?:scs\-0100\-syntax\-check|a\.b)$");
    }
}
