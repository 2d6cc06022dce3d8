//! The Kubernetes termination message: one small JSON object saying what was delivered (with
//! its sha256) or why nothing was, written to `terminationMessagePath` when it is writable.

use serde::Serialize;
use std::path::Path;

/// Kubernetes keeps at most 4096 bytes of a termination message.
const MAX_MESSAGE_BYTES: usize = 4096;

/// What the wrapper delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerminationMessage {
    /// `report`, `failure` or null when nothing was delivered.
    pub delivered: Option<&'static str>,
    /// sha256 (hex) of the delivered body before any `Content-Encoding`.
    pub sha256: Option<String>,
    /// Size of that body in bytes.
    pub bytes: Option<usize>,
    /// HTTP status of the accepting answer (201 stored, 200 already stored).
    pub status: Option<u16>,
    /// Why the wrapper exits non-zero, if it does.
    pub error: Option<String>,
}

impl TerminationMessage {
    /// The message as JSON, the error shortened so the whole fits Kubernetes' limit.
    pub fn to_json(&self) -> String {
        let mut message = self.clone();
        if let Some(error) = &mut message.error
            && error.len() > 1000
        {
            *error = error.chars().take(1000).collect::<String>() + "...";
        }
        let json = serde_json::to_string(&message).unwrap_or_default();
        if json.len() <= MAX_MESSAGE_BYTES {
            json
        } else {
            message.error = None;
            serde_json::to_string(&message).unwrap_or_default()
        }
    }
}

/// Writes the message; `Err` explains why it could not (the caller only logs it).
pub fn write_termination_message(path: &Path, message: &TerminationMessage) -> std::io::Result<()> {
    std::fs::write(path, message.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_small_json() {
        let message = TerminationMessage {
            delivered: Some("report"),
            sha256: Some("ab".repeat(32)),
            bytes: Some(10),
            status: Some(201),
            error: Some("x".repeat(10_000)),
        };
        let json = message.to_json();
        assert!(json.len() <= MAX_MESSAGE_BYTES);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["delivered"], "report");
        assert_eq!(value["status"], 201);
    }
}
