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
