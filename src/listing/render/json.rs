//! `listing.json` and `crl.json`.

use crate::listing::model::{Listing, RevocationList, SCHEMA_VERSION};

/// Why a document cannot be serialized (a bug: the model is plain data).
#[derive(Debug, thiserror::Error)]
#[error("cannot serialize {what}: {source}")]
pub struct JsonError {
    /// Which document.
    pub what: &'static str,
    /// The serializer's error.
    #[source]
    pub source: serde_json::Error,
}

/// `listing.json`: the whole model, compact (it is the large one).
pub fn listing_json(listing: &Listing) -> Result<Vec<u8>, JsonError> {
    serde_json::to_vec(listing).map_err(|source| JsonError {
        what: "listing.json",
        source,
    })
}

/// `crl.json`: the revoked official certificates, pretty-printed.
pub fn crl_json(listing: &Listing) -> Result<Vec<u8>, JsonError> {
    let list = RevocationList {
        schema_version: SCHEMA_VERSION,
        revoked: listing.revocations.clone(),
    };
    let mut bytes = serde_json::to_vec_pretty(&list).map_err(|source| JsonError {
        what: "crl.json",
        source,
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The JSON Schema of `listing.json` (committed as `docs/listing.schema.json`).
pub fn listing_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Listing)).unwrap_or_default()
}

/// The JSON Schema of `crl.json` (committed as `docs/crl.schema.json`).
pub fn crl_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RevocationList)).unwrap_or_default()
}
