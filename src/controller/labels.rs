//! Labels and annotations the operator puts on the objects it owns.

use std::collections::BTreeMap;

/// `app.kubernetes.io/managed-by` value of everything we create.
pub const MANAGED_BY_VALUE: &str = "scs-cert-operator";
/// Label selector matching everything we create.
pub const MANAGED_BY_SELECTOR: &str = "app.kubernetes.io/managed-by=scs-cert-operator";
/// Name of the CloudCertification an object belongs to.
pub const CLOUD: &str = "certification.scs.community/cloud";
/// UID of the CloudCertification an object belongs to.
pub const CLOUD_UID: &str = "certification.scs.community/cloud-uid";
/// Run id of a Job, Pod or stored report.
pub const RUN_ID: &str = "certification.scs.community/run-id";
/// What a ConfigMap holds: `report`, `failure` or `scope`.
pub const CONTENT: &str = "certification.scs.community/content";
/// SHA-256 of a stored report or scope spec.
pub const SHA256: &str = "certification.scs.community/sha256";
/// Report run uuid of a stored report.
pub const REPORT_UUID: &str = "certification.scs.community/report-uuid";
/// Annotation on a Job: why the run started (Scheduled, Manual).
pub const TRIGGER: &str = "certification.scs.community/trigger";
/// Annotation on a Job: the schedule slot of a scheduled run (RFC 3339).
pub const SCHEDULED_FOR: &str = "certification.scs.community/scheduled-for";
/// Annotation on a Job: the run-now value a manual run answers.
pub const MANUAL_VALUE: &str = "certification.scs.community/run-now-value";
/// Annotation on a Job: SHA-256 of the scope spec it runs.
pub const SPEC_SHA256: &str = "certification.scs.community/spec-sha256";
/// Annotation users set (to any new value) to start a run now.
pub const RUN_NOW: &str = "certification.scs.community/run-now";

/// Labels of every object belonging to one CloudCertification.
pub fn cloud_labels(cloud: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            "app.kubernetes.io/managed-by".to_owned(),
            MANAGED_BY_VALUE.to_owned(),
        ),
        (CLOUD.to_owned(), label_value(cloud)),
    ])
}

/// Labels of the objects of one run (Job, Pod, stored report).
pub fn run_labels(cloud: &str, run_id: &str) -> BTreeMap<String, String> {
    let mut labels = cloud_labels(cloud);
    labels.insert(RUN_ID.to_owned(), run_id.to_owned());
    labels
}

/// A label value for `text`: at most 63 characters (resource names can be longer).
pub fn label_value(text: &str) -> String {
    let cut: String = text.chars().take(63).collect();
    cut.trim_end_matches(['-', '.', '_']).to_owned()
}
