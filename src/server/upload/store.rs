//! Storing the reports of one upload: one ConfigMap per report, owned by its resource and
//! built by `report_store` exactly like the in-cluster intake's, so evaluation, certificates,
//! retention and the listing treat both alike. All or nothing: every ConfigMap is created as
//! a dry run first; only when all would succeed are they created, and should one still fail,
//! those already created are deleted again.

use super::documents::Document;
use crate::api::CloudCertification;
use crate::controller::labels;
use crate::controller::report_store::{StoreError, report_config_map};
use crate::controller::scope_source::hex_sha256;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, PostParams};
use kube::{Resource, ResourceExt};
use std::sync::Arc;

/// Annotation on an uploaded report: the account that uploaded it.
pub const UPLOADED_BY: &str = "certification.scs.community/uploaded-by";
/// Annotation on an uploaded report: when it arrived (RFC 3339).
pub const UPLOADED_AT: &str = "certification.scs.community/uploaded-at";

/// A report ready to be stored for its resource.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The resource it is stored for.
    pub cloud: Arc<CloudCertification>,
    /// The ConfigMap to create.
    pub config_map: ConfigMap,
    /// The report's run uuid.
    pub report_uuid: String,
}

/// Why an upload was not stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreFailure {
    /// A report with this run uuid is already stored (409 upstream).
    #[error("Conflict: report already present (run uuid {0})")]
    Duplicate(String),
    /// A report does not fit a ConfigMap even compressed.
    #[error("{0}")]
    TooLarge(String),
    /// The API server refused or could not be reached; nothing was kept.
    #[error("cannot store the reports now: {0}")]
    Unavailable(String),
}

/// The run id an uploaded report is stored under: `u` and the 32 hex digits of its run
/// uuid (a digest of it when it is not a UUID), so the same report always gets the same
/// ConfigMap name and a replay collides.
pub fn upload_run_id(report_uuid: &str) -> String {
    match uuid::Uuid::parse_str(report_uuid) {
        Ok(uuid) => format!("u{}", uuid.simple()),
        Err(_) => format!("u{}", &hex_sha256(report_uuid.as_bytes())[..32]),
    }
}

/// The ConfigMap storing `document` for `cloud`.
pub fn prepare(
    cloud: &Arc<CloudCertification>,
    document: &Document,
    account: &str,
    now: jiff::Timestamp,
) -> Result<Prepared, StoreFailure> {
    let report_uuid = document.report.run.uuid.clone();
    let namespace = cloud.namespace().unwrap_or_default();
    let owner = cloud.controller_owner_ref(&()).unwrap_or_default();
    let mut config_map = report_config_map(
        &namespace,
        &cloud.name_any(),
        &upload_run_id(&report_uuid),
        owner,
        &document.text,
        &hex_sha256(document.text.as_bytes()),
        &report_uuid,
    )
    .map_err(|e| match e {
        StoreError::TooLarge { .. } => StoreFailure::TooLarge(format!(
            "document {} (run uuid {report_uuid}): {e}",
            document.number
        )),
        StoreError::Compress(_) => StoreFailure::Unavailable(e.to_string()),
    })?;
    let annotations = config_map.annotations_mut();
    annotations.insert(UPLOADED_BY.to_owned(), account.to_owned());
    annotations.insert(UPLOADED_AT.to_owned(), now.to_string());
    Ok(Prepared {
        cloud: cloud.clone(),
        config_map,
        report_uuid,
    })
}

fn api(client: &kube::Client, prepared: &Prepared) -> Api<ConfigMap> {
    Api::namespaced(
        client.clone(),
        &prepared.cloud.namespace().unwrap_or_default(),
    )
}

fn failure(prepared: &Prepared, err: kube::Error) -> StoreFailure {
    match err {
        kube::Error::Api(status) if status.code == 409 => {
            StoreFailure::Duplicate(prepared.report_uuid.clone())
        }
        other => StoreFailure::Unavailable(other.to_string()),
    }
}

/// Creates every ConfigMap, or none.
pub async fn store_all(client: &kube::Client, all: &[Prepared]) -> Result<(), StoreFailure> {
    let dry_run = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    for prepared in all {
        api(client, prepared)
            .create(&dry_run, &prepared.config_map)
            .await
            .map_err(|e| failure(prepared, e))?;
    }
    for (done, prepared) in all.iter().enumerate() {
        if let Err(err) = api(client, prepared)
            .create(&PostParams::default(), &prepared.config_map)
            .await
        {
            for created in &all[..done] {
                let name = created.config_map.name_any();
                if let Err(undo) = api(client, created)
                    .delete(&name, &DeleteParams::default())
                    .await
                {
                    tracing::error!(config_map = %name, %undo, "cannot roll back a partly stored upload");
                }
            }
            return Err(failure(prepared, err));
        }
    }
    Ok(())
}

/// Whether a report with `report_uuid` is stored already (in the operator's cache).
pub fn already_stored(config_maps: &[Arc<ConfigMap>], report_uuid: &str) -> bool {
    config_maps.iter().any(|cm| {
        cm.labels().get(labels::CONTENT).map(String::as_str) == Some("report")
            && cm
                .annotations()
                .get(labels::REPORT_UUID)
                .map(String::as_str)
                == Some(report_uuid)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_deterministic_label_safe_and_fit_names() {
        assert_eq!(
            upload_run_id("7A3C8E52-1C1E-4F55-9A44-7D0C3B6F0A01"),
            "u7a3c8e521c1e4f559a447d0c3b6f0a01"
        );
        let odd = upload_run_id("r-2026-12-05 01:00");
        assert_eq!(odd.len(), 33);
        assert_eq!(odd, upload_run_id("r-2026-12-05 01:00"));
        assert!(odd.chars().all(|c| c.is_ascii_alphanumeric()));
        let name = crate::controller::report_store::report_config_map_name(
            &"a".repeat(63),
            &upload_run_id("7a3c8e52-1c1e-4f55-9a44-7d0c3b6f0a01"),
        );
        assert!(name.len() <= 63, "{name}");
    }
}
