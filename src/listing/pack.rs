//! Packing the site's files into ConfigMap payloads under the size limit (pure).
//!
//! - A file up to [`PackOptions::plain_limit`] bytes is stored as plain text under its own
//!   key (readable with `kubectl get -o yaml`).
//! - A larger one is gzip-compressed into `binaryData` as `<key>.gz`; if even that exceeds
//!   the budget it is cut into parts `<key>.gz.000`, `<key>.gz.001`, ... (concatenate in order,
//!   then gunzip).
//! - Items are placed in order (main documents first, then badges by key) into the first
//!   payload, opening the next numbered one when the budget is reached. Each payload gets a
//!   content hash, so the publisher rewrites only the ConfigMaps that changed.

use crate::listing::site::{CRL_JSON, INDEX_HTML, LISTING_JSON, LISTING_MD, Site};
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;

/// Size limits of the packing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PackOptions {
    /// Files up to this size stay plain text.
    pub plain_limit: usize,
    /// Largest payload (sum of key and value sizes) of one ConfigMap; the API server allows
    /// 1 MiB, the rest is headroom for metadata.
    pub budget: usize,
}

impl Default for PackOptions {
    fn default() -> Self {
        Self {
            plain_limit: 256 * 1024,
            budget: 900 * 1024,
        }
    }
}

/// Why the site cannot be packed.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// Compression failed (memory I/O: should not happen).
    #[error("compressing {key} failed: {source}")]
    Compress {
        /// The file.
        key: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The budget cannot hold even one small part.
    #[error("the ConfigMap budget of {budget} bytes is too small")]
    BudgetTooSmall {
        /// The budget.
        budget: usize,
    },
}

/// The content of one ConfigMap.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payload {
    /// Plain text entries.
    pub data: BTreeMap<String, String>,
    /// Binary (gzip) entries.
    pub binary_data: BTreeMap<String, Vec<u8>>,
    /// Sum of key and value sizes (what the API server limits).
    pub size: usize,
    /// SHA-256 (hex) over keys and values.
    pub sha256: String,
}

enum Item {
    Text(String, String),
    Binary(String, Vec<u8>),
}

impl Item {
    fn size(&self) -> usize {
        match self {
            Item::Text(k, v) => k.len() + v.len(),
            Item::Binary(k, v) => k.len() + v.len(),
        }
    }
}

/// Order of the files: the main documents first, then everything else by key.
fn ordered_keys(site: &Site) -> Vec<&str> {
    let main = [INDEX_HTML, LISTING_JSON, CRL_JSON, LISTING_MD];
    let mut keys: Vec<&str> = main
        .iter()
        .copied()
        .filter(|k| site.files.contains_key(*k))
        .collect();
    keys.extend(
        site.files
            .keys()
            .map(String::as_str)
            .filter(|k| !main.contains(k)),
    );
    keys
}

/// Packs the files of `site` into one or more payloads.
pub fn pack(site: &Site, options: PackOptions) -> Result<Vec<Payload>, PackError> {
    let mut items = Vec::new();
    for key in ordered_keys(site) {
        let Some(file) = site.files.get(key) else {
            continue;
        };
        let text = std::str::from_utf8(&file.bytes).ok();
        match text {
            Some(text)
                if file.bytes.len() + key.len() <= options.plain_limit.min(options.budget) =>
            {
                items.push(Item::Text(key.to_owned(), text.to_owned()));
            }
            _ => {
                let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
                let compressed = encoder
                    .write_all(&file.bytes)
                    .and_then(|()| encoder.finish())
                    .map_err(|source| PackError::Compress {
                        key: key.to_owned(),
                        source,
                    })?;
                let gz_key = format!("{key}.gz");
                if compressed.len() + gz_key.len() <= options.budget {
                    items.push(Item::Binary(gz_key, compressed));
                } else {
                    let part = options.budget.saturating_sub(gz_key.len() + 8);
                    if part < 1024 {
                        return Err(PackError::BudgetTooSmall {
                            budget: options.budget,
                        });
                    }
                    for (index, chunk) in compressed.chunks(part).enumerate() {
                        items.push(Item::Binary(format!("{gz_key}.{index:03}"), chunk.to_vec()));
                    }
                }
            }
        }
    }
    let mut payloads = vec![Payload::default()];
    for item in items {
        let size = item.size();
        let current_full = payloads
            .last()
            .is_some_and(|p| p.size > 0 && p.size + size > options.budget);
        if current_full {
            payloads.push(Payload::default());
        }
        if let Some(payload) = payloads.last_mut() {
            payload.size += size;
            match item {
                Item::Text(k, v) => {
                    payload.data.insert(k, v);
                }
                Item::Binary(k, v) => {
                    payload.binary_data.insert(k, v);
                }
            }
        }
    }
    for payload in &mut payloads {
        let mut hasher = Sha256::new();
        for (k, v) in &payload.data {
            hasher.update(b"d");
            hasher.update((k.len() as u64).to_le_bytes());
            hasher.update(k.as_bytes());
            hasher.update((v.len() as u64).to_le_bytes());
            hasher.update(v.as_bytes());
        }
        for (k, v) in &payload.binary_data {
            hasher.update(b"b");
            hasher.update((k.len() as u64).to_le_bytes());
            hasher.update(k.as_bytes());
            hasher.update((v.len() as u64).to_le_bytes());
            hasher.update(v);
        }
        payload.sha256 = format!("{:x}", hasher.finalize());
    }
    Ok(payloads)
}

/// Reassembles the files of `payloads` (plain, gzip and split gzip entries): what a consumer
/// of the ConfigMaps does; used by tests and tools.
pub fn unpack(payloads: &[Payload]) -> Result<BTreeMap<String, Vec<u8>>, std::io::Error> {
    use std::io::Read;
    let mut files = BTreeMap::new();
    let mut parts: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    for payload in payloads {
        for (k, v) in &payload.data {
            files.insert(k.clone(), v.clone().into_bytes());
        }
        for (k, v) in &payload.binary_data {
            match k.rsplit_once(".gz.") {
                Some((base, index))
                    if index.len() == 3 && index.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    parts
                        .entry(base.to_owned())
                        .or_default()
                        .insert(index.to_owned(), v.clone());
                }
                _ => {
                    let base = k.strip_suffix(".gz").unwrap_or(k);
                    let mut out = Vec::new();
                    flate2::read::GzDecoder::new(v.as_slice()).read_to_end(&mut out)?;
                    files.insert(base.to_owned(), out);
                }
            }
        }
    }
    for (base, pieces) in parts {
        let joined: Vec<u8> = pieces.into_values().flatten().collect();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(joined.as_slice()).read_to_end(&mut out)?;
        files.insert(base, out);
    }
    Ok(files)
}
