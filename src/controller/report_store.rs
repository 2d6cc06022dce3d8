//! Stored reports and failure records: one ConfigMap per run, owned by the CloudCertification,
//! gzip-compressed when large. The intake writes them; the reconciler reads them.

use crate::controller::job::run_object_name;
use crate::controller::labels;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// Key of an uncompressed report.
pub const REPORT_KEY: &str = "report.yaml";
/// Key of a gzip-compressed report (binaryData).
pub const REPORT_GZ_KEY: &str = "report.yaml.gz";
/// Key of a failure record.
pub const FAILURE_KEY: &str = "failure.json";
/// Reports up to this size are stored as plain text (readable with kubectl).
pub const PLAIN_LIMIT: usize = 256 * 1024;
/// Largest compressed report that fits a ConfigMap (1 MiB) with room for metadata.
pub const STORED_LIMIT: usize = 900 * 1024;

/// Why a report cannot be stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Even compressed it does not fit a ConfigMap.
    #[error("the report is {compressed} bytes compressed; at most {STORED_LIMIT} can be stored")]
    TooLarge {
        /// Compressed size.
        compressed: usize,
    },
    /// Compression failed (I/O on memory: should not happen).
    #[error("compressing the report failed: {0}")]
    Compress(#[from] std::io::Error),
}

/// Why a stored report cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Neither key is present.
    #[error("ConfigMap holds no report")]
    Empty,
    /// Compressed data is corrupt or not UTF-8.
    #[error("stored report cannot be decompressed: {0}")]
    Corrupt(String),
}

/// Name of the ConfigMap storing the report of a run (same as the Job's name).
pub fn report_config_map_name(cloud: &str, run_id: &str) -> String {
    run_object_name(cloud, run_id)
}

/// Name of the ConfigMap storing the failure record of a run.
pub fn failure_config_map_name(cloud: &str, run_id: &str) -> String {
    format!("{}-failure", run_object_name(cloud, run_id))
}

fn metadata(
    name: String,
    namespace: &str,
    cloud: &str,
    run_id: &str,
    content: &str,
    owner: OwnerReference,
    annotations: BTreeMap<String, String>,
) -> ObjectMeta {
    let mut labels = labels::run_labels(cloud, run_id);
    labels.insert(labels::CONTENT.to_owned(), content.to_owned());
    labels.insert(labels::CLOUD_UID.to_owned(), owner.uid.clone());
    ObjectMeta {
        name: Some(name),
        namespace: Some(namespace.to_owned()),
        labels: Some(labels),
        annotations: Some(annotations),
        owner_references: Some(vec![owner]),
        ..ObjectMeta::default()
    }
}

/// The ConfigMap storing `report` (the raw YAML as received) of one run.
pub fn report_config_map(
    namespace: &str,
    cloud: &str,
    run_id: &str,
    owner: OwnerReference,
    report: &str,
    sha256: &str,
    report_uuid: &str,
) -> Result<ConfigMap, StoreError> {
    let annotations = BTreeMap::from([
        (labels::SHA256.to_owned(), sha256.to_owned()),
        (labels::REPORT_UUID.to_owned(), report_uuid.to_owned()),
    ]);
    let mut config_map = ConfigMap {
        metadata: metadata(
            report_config_map_name(cloud, run_id),
            namespace,
            cloud,
            run_id,
            "report",
            owner,
            annotations,
        ),
        immutable: Some(true),
        ..ConfigMap::default()
    };
    if report.len() <= PLAIN_LIMIT {
        config_map.data = Some(BTreeMap::from([(REPORT_KEY.to_owned(), report.to_owned())]));
    } else {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(report.as_bytes())?;
        let compressed = encoder.finish()?;
        if compressed.len() > STORED_LIMIT {
            return Err(StoreError::TooLarge {
                compressed: compressed.len(),
            });
        }
        config_map.binary_data = Some(BTreeMap::from([(
            REPORT_GZ_KEY.to_owned(),
            ByteString(compressed),
        )]));
    }
    Ok(config_map)
}

/// The ConfigMap storing a failure record (JSON) of one run.
pub fn failure_config_map(
    namespace: &str,
    cloud: &str,
    run_id: &str,
    owner: OwnerReference,
    record_json: &str,
) -> ConfigMap {
    ConfigMap {
        metadata: metadata(
            failure_config_map_name(cloud, run_id),
            namespace,
            cloud,
            run_id,
            "failure",
            owner,
            BTreeMap::new(),
        ),
        immutable: Some(true),
        data: Some(BTreeMap::from([(
            FAILURE_KEY.to_owned(),
            record_json.to_owned(),
        )])),
        ..ConfigMap::default()
    }
}

/// The report text stored in `config_map`.
pub fn stored_report_text(config_map: &ConfigMap) -> Result<String, ReadError> {
    if let Some(text) = config_map.data.as_ref().and_then(|d| d.get(REPORT_KEY)) {
        return Ok(text.clone());
    }
    let compressed = config_map
        .binary_data
        .as_ref()
        .and_then(|d| d.get(REPORT_GZ_KEY))
        .ok_or(ReadError::Empty)?;
    let mut text = String::new();
    // Bounded: a stored report was at most a few MiB before compression.
    GzDecoder::new(compressed.0.as_slice())
        .take(64 * 1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| ReadError::Corrupt(e.to_string()))?;
    Ok(text)
}

/// The sha256 annotation of a stored report.
pub fn stored_sha256(config_map: &ConfigMap) -> Option<&str> {
    config_map
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(labels::SHA256))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> OwnerReference {
        OwnerReference {
            api_version: "certification.scs.community/v1alpha1".into(),
            kind: "CloudCertification".into(),
            name: "c".into(),
            uid: "u".into(),
            controller: Some(true),
            block_owner_deletion: None,
        }
    }

    #[test]
    fn small_reports_stay_readable_and_large_ones_are_compressed() {
        let small = "---\nsubject: a\n";
        let cm = report_config_map("ns", "c", "s1", owner(), small, "x", "u1").expect("fits");
        assert!(cm.data.is_some() && cm.binary_data.is_none());
        assert_eq!(stored_report_text(&cm).expect("reads"), small);

        let large = "stdout line that compresses well\n".repeat(100_000);
        let cm = report_config_map("ns", "c", "s1", owner(), &large, "x", "u1").expect("fits");
        assert!(cm.data.is_none() && cm.binary_data.is_some());
        assert_eq!(stored_report_text(&cm).expect("reads"), large);
    }

    #[test]
    fn incompressible_giant_reports_are_refused() {
        // Pseudo-random text does not compress below the limit.
        let mut state = 0x2545_f491_u64;
        let noise: String = (0..3_000_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from(b'!' + (state % 90) as u8)
            })
            .collect();
        let err = report_config_map("ns", "c", "s1", owner(), &noise, "x", "u1").unwrap_err();
        assert!(matches!(err, StoreError::TooLarge { .. }), "{err}");
    }
}
