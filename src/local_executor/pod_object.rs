//! The Pod object of one attempt, built from the Job's template the way the job controller
//! builds it, and bound to this executor's pseudo node.

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

/// `spec.nodeName` of every pod the executor runs.
pub const NODE_NAME: &str = "local-executor";
/// Annotation naming the executor instance that runs a pod (restart detection).
pub const INSTANCE_ANNOTATION: &str = "local-executor.certification.scs.community/instance";
/// Label the job controller puts on a Job's pods: the Job's uid.
pub const CONTROLLER_UID_LABEL: &str = "batch.kubernetes.io/controller-uid";
/// Label the job controller puts on a Job's pods: the Job's name.
pub const JOB_NAME_LABEL: &str = "batch.kubernetes.io/job-name";
/// Legacy spellings of the two labels above, still set by the job controller.
const LEGACY_CONTROLLER_UID_LABEL: &str = "controller-uid";
const LEGACY_JOB_NAME_LABEL: &str = "job-name";

/// Why a Job cannot have a Pod built for it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PodBuildError {
    /// The Job object misses name, namespace or uid (not a Job read from the API).
    #[error("job has no {0}")]
    MissingField(&'static str),
}

/// Builds the Pod for the next attempt of `job`: `generateName: <job>-` (the API server
/// appends five random characters), template labels plus the job labels, a controller
/// owner reference to the Job, the instance annotation and `nodeName: local-executor`.
pub fn build_pod(job: &Job, instance_id: &str) -> Result<Pod, PodBuildError> {
    let name = job
        .metadata
        .name
        .clone()
        .ok_or(PodBuildError::MissingField("name"))?;
    let namespace = job
        .metadata
        .namespace
        .clone()
        .ok_or(PodBuildError::MissingField("namespace"))?;
    let uid = job
        .metadata
        .uid
        .clone()
        .ok_or(PodBuildError::MissingField("uid"))?;
    let template = job
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let template_meta = template.metadata.unwrap_or_default();
    let mut labels = template_meta.labels.unwrap_or_default();
    for (key, value) in [
        (JOB_NAME_LABEL, &name),
        (LEGACY_JOB_NAME_LABEL, &name),
        (CONTROLLER_UID_LABEL, &uid),
        (LEGACY_CONTROLLER_UID_LABEL, &uid),
    ] {
        labels.insert(key.to_owned(), value.clone());
    }
    let mut annotations = template_meta.annotations.unwrap_or_default();
    annotations.insert(INSTANCE_ANNOTATION.to_owned(), instance_id.to_owned());
    let mut spec = template.spec.unwrap_or_default();
    spec.node_name = Some(NODE_NAME.to_owned());
    Ok(Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{name}-")),
            namespace: Some(namespace),
            labels: Some(labels),
            annotations: Some(annotations),
            finalizers: template_meta.finalizers,
            owner_references: Some(vec![OwnerReference {
                api_version: "batch/v1".to_owned(),
                kind: "Job".to_owned(),
                name,
                uid,
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]),
            ..ObjectMeta::default()
        },
        spec: Some(spec),
        status: None,
    })
}

/// Label selector of all pods of the Job with this uid.
pub fn pods_of_job_selector(job_uid: &str) -> String {
    format!("{CONTROLLER_UID_LABEL}={job_uid}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pod_carries_labels_owner_and_node() {
        let job: Job = serde_json::from_value(json!({
            "metadata": {"name": "run-1", "namespace": "ns", "uid": "uid-1"},
            "spec": {"template": {
                "metadata": {"labels": {"app": "check"}, "annotations": {"a": "b"}},
                "spec": {"restartPolicy": "Never", "serviceAccountName": "runner",
                         "containers": [{"name": "main", "image": "img", "command": ["true"]}]}
            }}
        }))
        .expect("job literal");
        let pod = build_pod(&job, "instance-7").expect("pod");
        let value = serde_json::to_value(&pod).expect("json");
        assert_eq!(value["metadata"]["generateName"], "run-1-");
        assert_eq!(value["metadata"]["namespace"], "ns");
        let labels = &value["metadata"]["labels"];
        assert_eq!(labels["app"], "check");
        assert_eq!(labels["job-name"], "run-1");
        assert_eq!(labels["batch.kubernetes.io/job-name"], "run-1");
        assert_eq!(labels["controller-uid"], "uid-1");
        assert_eq!(labels["batch.kubernetes.io/controller-uid"], "uid-1");
        assert_eq!(value["metadata"]["annotations"]["a"], "b");
        assert_eq!(
            value["metadata"]["annotations"][INSTANCE_ANNOTATION],
            "instance-7"
        );
        let owner = &value["metadata"]["ownerReferences"][0];
        assert_eq!(owner["kind"], "Job");
        assert_eq!(owner["uid"], "uid-1");
        assert_eq!(owner["controller"], true);
        assert_eq!(value["spec"]["nodeName"], "local-executor");
        assert_eq!(value["spec"]["serviceAccountName"], "runner");
    }

    #[test]
    fn job_without_uid_is_refused() {
        let job: Job = serde_json::from_value(json!({
            "metadata": {"name": "x", "namespace": "ns"}, "spec": {"template": {}}
        }))
        .expect("job literal");
        assert_eq!(
            build_pod(&job, "i"),
            Err(PodBuildError::MissingField("uid"))
        );
    }
}
