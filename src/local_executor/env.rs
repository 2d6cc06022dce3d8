//! Container environment: `env` and `envFrom` resolved like kubelet does, including
//! `$(VAR)` expansion and the downward API fields a local process can know.

use super::error::AttemptError;
use super::sources::{PodSources, SourceKind};
use k8s_openapi::api::core::v1::{Container, Pod};
use std::collections::BTreeMap;

/// Node IP and pod IP a local process reports: it runs on loopback.
pub const LOCAL_IP: &str = "127.0.0.1";

/// Expands `$(VAR)` references like Kubernetes (`third_party/forked/golang/expansion`):
/// a known variable is replaced, an unknown one stays as written, `$$` is a literal `$`
/// (so `$$(VAR)` gives `$(VAR)`), and an unterminated `$(` stays as written.
pub fn expand(input: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let bytes = input.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < bytes.len() {
        if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
            out.extend_from_slice(&bytes[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let advance = match bytes[cursor + 1] {
                b'$' => {
                    out.push(b'$');
                    1
                }
                b'(' => match rest.find(')') {
                    Some(close) => {
                        let name = &rest[1..close];
                        match lookup(name) {
                            Some(value) => out.extend_from_slice(value.as_bytes()),
                            None => out.extend_from_slice(format!("$({name})").as_bytes()),
                        }
                        close + 1
                    }
                    None => {
                        out.extend_from_slice(b"$(");
                        1
                    }
                },
                other => {
                    out.push(b'$');
                    out.push(other);
                    1
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    out.extend_from_slice(&bytes[checkpoint.min(bytes.len())..]);
    // Only whole ASCII delimiters were cut out, so the bytes are still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The value of a downward-API `fieldPath` for environment variables.
pub fn field_value(pod: &Pod, field_path: &str) -> Result<String, AttemptError> {
    let meta = &pod.metadata;
    let spec = pod.spec.as_ref();
    let map_entry = |map: Option<&BTreeMap<String, String>>, key: &str| {
        map.and_then(|m| m.get(key)).cloned().unwrap_or_default()
    };
    if let Some(key) = subscript(field_path, "metadata.labels") {
        return Ok(map_entry(meta.labels.as_ref(), key));
    }
    if let Some(key) = subscript(field_path, "metadata.annotations") {
        return Ok(map_entry(meta.annotations.as_ref(), key));
    }
    let value = match field_path {
        "metadata.name" => meta.name.clone(),
        "metadata.namespace" => meta.namespace.clone(),
        "metadata.uid" => meta.uid.clone(),
        "metadata.labels" => Some(format_map(meta.labels.as_ref())),
        "metadata.annotations" => Some(format_map(meta.annotations.as_ref())),
        "spec.nodeName" => spec.and_then(|s| s.node_name.clone()),
        "spec.serviceAccountName" => spec.and_then(|s| s.service_account_name.clone()),
        "status.hostIP" | "status.hostIPs" | "status.podIP" | "status.podIPs" => {
            Some(LOCAL_IP.to_owned())
        }
        other => {
            return Err(AttemptError::unsupported(format!(
                "fieldRef {other:?} is not supported by the local executor"
            )));
        }
    };
    Ok(value.unwrap_or_default())
}

/// `key` of `prefix['key']` (the subscript syntax of labels and annotations).
fn subscript<'a>(field_path: &'a str, prefix: &str) -> Option<&'a str> {
    field_path
        .strip_prefix(prefix)?
        .strip_prefix("['")?
        .strip_suffix("']")
}

/// Formats labels or annotations like kubelet's downward API: sorted `key="value"` lines
/// (Go `%q` quoting), no trailing newline.
pub fn format_map(map: Option<&BTreeMap<String, String>>) -> String {
    map.into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", go_quote(v)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Double-quoted string with Go-style escapes for quotes, backslashes and control chars.
fn go_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Resolves the environment of `container` in `pod`: `envFrom` first, then `env` in order,
/// each value expanded against the variables defined before it. Later names win.
pub async fn resolve_env(
    container: &Container,
    pod: &Pod,
    sources: &mut PodSources,
) -> Result<Vec<(String, String)>, AttemptError> {
    let mut vars: Vec<(String, String)> = Vec::new();
    let set = |vars: &mut Vec<(String, String)>, name: String, value: String| match vars
        .iter_mut()
        .find(|(n, _)| *n == name)
    {
        Some(slot) => slot.1 = value,
        None => vars.push((name, value)),
    };
    for from in container.env_from.iter().flatten() {
        let prefix = from.prefix.clone().unwrap_or_default();
        let (kind, name, optional) = if let Some(r) = &from.secret_ref {
            (SourceKind::Secret, r.name.clone(), r.optional == Some(true))
        } else if let Some(r) = &from.config_map_ref {
            (
                SourceKind::ConfigMap,
                r.name.clone(),
                r.optional == Some(true),
            )
        } else {
            return Err(AttemptError::unsupported(format!(
                "container {}: envFrom entry without secretRef or configMapRef",
                container.name
            )));
        };
        match sources.get(kind, &name).await? {
            Some(data) => {
                for (key, value) in data.clone() {
                    set(&mut vars, format!("{prefix}{key}"), bytes_to_string(value));
                }
            }
            None if optional => {}
            None => {
                return Err(AttemptError::config(format!("{kind} \"{name}\" not found")));
            }
        }
    }
    for var in container.env.iter().flatten() {
        let value = if let Some(value_from) = &var.value_from {
            if let Some(field) = &value_from.field_ref {
                Some(field_value(pod, &field.field_path)?)
            } else if let Some(r) = &value_from.secret_key_ref {
                let optional = r.optional == Some(true);
                sources
                    .key(SourceKind::Secret, &r.name, &r.key, optional)
                    .await?
                    .map(bytes_to_string)
            } else if let Some(r) = &value_from.config_map_key_ref {
                let optional = r.optional == Some(true);
                sources
                    .key(SourceKind::ConfigMap, &r.name, &r.key, optional)
                    .await?
                    .map(bytes_to_string)
            } else {
                return Err(AttemptError::unsupported(format!(
                    "env {}: only fieldRef, secretKeyRef and configMapKeyRef are supported by \
                     the local executor",
                    var.name
                )));
            }
        } else {
            let raw = var.value.clone().unwrap_or_default();
            Some(expand(&raw, |name| lookup(&vars, name)))
        };
        // An optional reference to a missing key defines no variable at all, like kubelet.
        if let Some(value) = value {
            set(&mut vars, var.name.clone(), value);
        }
    }
    Ok(vars)
}

/// Looks up a variable defined so far.
pub fn lookup(vars: &[(String, String)], name: &str) -> Option<String> {
    vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}

fn bytes_to_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_follows_kubernetes() {
        let vars = vec![
            ("A".to_owned(), "alpha".to_owned()),
            ("EMPTY".to_owned(), String::new()),
        ];
        // (input, expected)
        let cases = [
            ("$(A)", "alpha"),
            ("x$(A)y", "xalphay"),
            ("$(A)$(A)", "alphaalpha"),
            ("$(B)", "$(B)"),
            ("$(EMPTY)", ""),
            ("$$(A)", "$(A)"),
            ("$$", "$"),
            ("$$$(A)", "$alpha"),
            ("$A", "$A"),
            ("$(A", "$(A"),
            ("a$", "a$"),
            ("$", "$"),
            ("", ""),
            ("ü$(A)ü", "üalphaü"),
            ("$ü", "$ü"),
            ("$()", "$()"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                expand(input, |n| lookup(&vars, n)),
                expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn field_values() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "ns", "uid": "u-1",
                         "labels": {"b": "2", "a": "x\"y"}, "annotations": {"k": "v"}},
            "spec": {"containers": [], "nodeName": "local-executor",
                     "serviceAccountName": "runner"}
        }))
        .expect("pod literal");
        let cases = [
            ("metadata.name", "p"),
            ("metadata.namespace", "ns"),
            ("metadata.uid", "u-1"),
            ("metadata.labels['b']", "2"),
            ("metadata.labels['missing']", ""),
            ("metadata.annotations['k']", "v"),
            ("metadata.labels", "a=\"x\\\"y\"\nb=\"2\""),
            ("spec.nodeName", "local-executor"),
            ("spec.serviceAccountName", "runner"),
            ("status.podIP", "127.0.0.1"),
        ];
        for (path, expected) in cases {
            assert_eq!(field_value(&pod, path).expect(path), expected, "{path}");
        }
        assert!(matches!(
            field_value(&pod, "spec.schedulerName"),
            Err(AttemptError::Pod { .. })
        ));
    }
}
