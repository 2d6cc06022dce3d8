//! The published site: the listing plus its rendered files, keyed by ConfigMap key, and the
//! lookups the server needs. Status pages of subjects and groups are rendered on request
//! from the same listing (they are many and cheap; the ConfigMap carries their data in
//! `listing.json`).

use crate::listing::escape::file_key;
use crate::listing::model::{CloudEntry, GroupEntry, Listing};
use crate::listing::render::{html, json, markdown, svg};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// Key of the overview page.
pub const INDEX_HTML: &str = "index.html";
/// Key of the listing document.
pub const LISTING_JSON: &str = "listing.json";
/// Key of the Markdown overview.
pub const LISTING_MD: &str = "listing.md";
/// Key of the revocation list.
pub const CRL_JSON: &str = "crl.json";

/// One rendered file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteFile {
    /// HTTP content type.
    pub content_type: &'static str,
    /// Content.
    pub bytes: Vec<u8>,
}

/// The listing and everything rendered from it.
#[derive(Debug)]
pub struct Site {
    /// The model.
    pub listing: Listing,
    /// Files by ConfigMap key (sorted).
    pub files: BTreeMap<String, SiteFile>,
    clouds: HashMap<(String, String), usize>,
    groups: HashMap<(String, String), usize>,
    badges: HashMap<(String, String), String>,
    /// SHA-256 (hex) over all keys and contents.
    pub sha256: String,
}

/// ConfigMap key of the badge of `subject` and scope `uuid`.
pub fn badge_key(subject: &str, uuid: &str) -> String {
    format!("badge--{}--{}.svg", file_key(subject), file_key(uuid))
}

impl Site {
    /// Renders every file of `listing`.
    pub fn render(listing: Listing) -> Result<Site, json::JsonError> {
        let mut files = BTreeMap::new();
        files.insert(
            INDEX_HTML.to_owned(),
            SiteFile {
                content_type: "text/html; charset=utf-8",
                bytes: html::index(&listing).into_bytes(),
            },
        );
        files.insert(
            LISTING_JSON.to_owned(),
            SiteFile {
                content_type: "application/json",
                bytes: json::listing_json(&listing)?,
            },
        );
        files.insert(
            CRL_JSON.to_owned(),
            SiteFile {
                content_type: "application/json",
                bytes: json::crl_json(&listing)?,
            },
        );
        files.insert(
            LISTING_MD.to_owned(),
            SiteFile {
                content_type: "text/markdown; charset=utf-8",
                bytes: markdown::overview(&listing).into_bytes(),
            },
        );
        let mut clouds = HashMap::new();
        let mut badges = HashMap::new();
        for (index, entry) in listing.clouds.iter().enumerate() {
            let id = (entry.subject.clone(), entry.scope.uuid.clone());
            let key = badge_key(&entry.subject, &entry.scope.uuid);
            // Distinct subjects can map to one key only through characters the CRD forbids;
            // the first keeps the key, the others are served without a stored badge.
            if !files.contains_key(&key) {
                files.insert(
                    key.clone(),
                    SiteFile {
                        content_type: "image/svg+xml",
                        bytes: svg::badge(&listing, entry).into_bytes(),
                    },
                );
                badges.insert(id.clone(), key);
            }
            clouds.insert(id, index);
        }
        let groups = listing
            .groups
            .iter()
            .enumerate()
            .map(|(index, g)| ((g.name.clone(), g.scope.uuid.clone()), index))
            .collect();
        let mut hasher = Sha256::new();
        for (key, file) in &files {
            hasher.update((key.len() as u64).to_le_bytes());
            hasher.update(key.as_bytes());
            hasher.update((file.bytes.len() as u64).to_le_bytes());
            hasher.update(&file.bytes);
        }
        let sha256 = format!("{:x}", hasher.finalize());
        Ok(Site {
            listing,
            files,
            clouds,
            groups,
            badges,
            sha256,
        })
    }

    /// A file by key.
    pub fn file(&self, key: &str) -> Option<&SiteFile> {
        self.files.get(key)
    }

    /// The entry of `subject` and scope `uuid`.
    pub fn cloud(&self, subject: &str, uuid: &str) -> Option<&CloudEntry> {
        self.clouds
            .get(&(subject.to_owned(), uuid.to_owned()))
            .and_then(|i| self.listing.clouds.get(*i))
    }

    /// The rollup of `group` and scope `uuid`.
    pub fn group(&self, group: &str, uuid: &str) -> Option<&GroupEntry> {
        self.groups
            .get(&(group.to_owned(), uuid.to_owned()))
            .and_then(|i| self.listing.groups.get(*i))
    }

    /// The SVG badge of `subject` and scope `uuid`.
    pub fn badge(&self, subject: &str, uuid: &str) -> Option<&SiteFile> {
        self.badges
            .get(&(subject.to_owned(), uuid.to_owned()))
            .and_then(|key| self.files.get(key))
    }

    /// The status page of `subject` and scope `uuid`.
    pub fn detail_html(&self, subject: &str, uuid: &str) -> Option<String> {
        self.cloud(subject, uuid)
            .map(|entry| html::detail(&self.listing, entry))
    }

    /// The page of `group` and scope `uuid`.
    pub fn group_html(&self, group: &str, uuid: &str) -> Option<String> {
        self.group(group, uuid)
            .map(|entry| html::group(&self.listing, entry))
    }

    /// Total size of all files in bytes.
    pub fn total_bytes(&self) -> usize {
        self.files.values().map(|f| f.bytes.len()).sum()
    }
}
