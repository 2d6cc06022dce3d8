//! Types shared by both CRDs.

use kube::KubeSchema;
use serde::{Deserialize, Serialize};

/// A Secret in the resource's namespace, mounted read-only into the check Job.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyMount {
    /// Name of the Secret.
    #[schemars(length(min = 1, max = 253))]
    pub secret_name: String,

    /// Directory the Secret is mounted at inside the check container.
    #[serde(default = "default_mount_path")]
    #[schemars(length(min = 1, max = 1024))]
    #[x_kube(validation = Rule::new("self.startsWith('/')").message("mountPath must be an absolute path"))]
    pub mount_path: String,

    /// Keys to mount and the file name each gets (default: every key, named after it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 32))]
    pub items: Vec<KeyToPath>,
}

fn default_mount_path() -> String {
    "/etc/scs/credentials".to_owned()
}

/// One Secret key mounted as one file.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct KeyToPath {
    /// Key in the Secret.
    #[schemars(length(min = 1, max = 253))]
    pub key: String,
    /// Relative file path under the mount path.
    #[schemars(length(min = 1, max = 253))]
    #[x_kube(validation = Rule::new("!self.startsWith('/') && !self.contains('..')").message("path must be relative and must not contain '..'"))]
    pub path: String,
}

/// Notification sinks (CloudCertification and IntegratorCertification). Each transition is
/// sent once per sink (recorded in `status.notifications`), retried with backoff, and never
/// carries credentials.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Notifications {
    /// Publish a Kubernetes event on this resource per transition (default true).
    #[serde(default = "default_true")]
    pub events: bool,
    /// Webhooks receiving a JSON body per transition.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 8))]
    #[x_kube(validation = Rule::new("self.all(w, self.exists_one(o, o.name == w.name))")
        .message("webhook names must be unique"))]
    pub webhooks: Vec<Webhook>,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            events: true,
            webhooks: Vec::new(),
        }
    }
}

fn default_true() -> bool {
    true
}

/// A webhook: JSON `POST` of each transition, optionally signed with HMAC-SHA256.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// Name of the sink (recorded with each delivery), e.g. `ops-chat`.
    #[schemars(length(min = 1, max = 63))]
    #[x_kube(validation = Rule::new("self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')")
        .message("webhook name must be lower-case letters, digits and '-'"))]
    pub name: String,
    /// Secret key (in this namespace) holding the URL; URLs often embed tokens, so they are
    /// never written into the resource, status, events or logs.
    pub url_secret_ref: SecretKeyRef,
    /// Secret key holding the HMAC key; when set, the body is signed in the header
    /// `X-SCS-Signature-256: sha256=<hex>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hmac_secret_ref: Option<SecretKeyRef>,
}

/// One key of a Secret in the resource's namespace.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyRef {
    /// Name of the Secret.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Key in the Secret.
    #[schemars(length(min = 1, max = 253))]
    pub key: String,
}
