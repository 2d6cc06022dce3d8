//! The public listing (issue 8; SCS-0004 items 4, 6 and 7): certificate status pages,
//! badges and the revocation list, built only from the resources' status and public spec
//! fields, published into ConfigMaps and served read-only by the operator.
//!
//! - [`model`]: the `listing.json` schema (versioned; `docs/listing.md`).
//! - [`build`]: resources + `now` -> [`model::Listing`] (pure): badges, passed versions,
//!   certificate state and retention, group rollups, integrators, revocation list.
//! - [`retention`], [`history`]: the 3/12-month windows and the 18-month history.
//! - [`render`]: HTML, Markdown, JSON and SVG renderers (pure); [`escape`]: the one place
//!   user-provided text is escaped.
//! - [`site`]: the rendered files with the lookups the server needs; [`pack`]: splitting into
//!   ConfigMap payloads under the size limit (pure).
//! - [`report_view`]: the redacted public view of a stored report (DOMAIN 6.4).
//! - [`publisher`]: debounced rebuilds from the operator's caches and the ConfigMap writes
//!   (I/O); [`SiteHandle`]: the in-memory copy the server reads.

pub mod build;
pub mod escape;
pub mod history;
pub mod model;
pub mod pack;
pub mod publisher;
pub mod render;
pub mod report_view;
pub mod retention;
pub mod site;
pub mod synthetic;

#[cfg(test)]
mod tests;

pub use build::{ListingOptions, build_listing, next_change};
pub use model::{Listing, SCHEMA_VERSION};
pub use publisher::PublisherSettings;
pub use site::Site;

use std::sync::{Arc, RwLock};

/// Shared handle on the latest built site: the publisher sets it, the server reads it.
#[derive(Clone, Default, Debug)]
pub struct SiteHandle(Arc<RwLock<Option<Arc<Site>>>>);

impl SiteHandle {
    /// The latest site, if one was built.
    pub fn get(&self) -> Option<Arc<Site>> {
        // A poisoned lock still holds a complete value (it is replaced in one assignment).
        match self.0.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the site.
    pub fn set(&self, site: Arc<Site>) {
        match self.0.write() {
            Ok(mut guard) => *guard = Some(site),
            Err(poisoned) => *poisoned.into_inner() = Some(site),
        }
    }
}
