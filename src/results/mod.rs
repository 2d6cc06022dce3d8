//! Result records, lifetimes (expiry), latest-valid selection per testcase (DOMAIN 2.1, 2.4,
//! 2.5).
//!
//! - [`Verdict`]: PASS / ABORT / FAIL (MISSING is `None`).
//! - [`add_period`]: expiry of a result; valid iff `now < expiry`; unknown lifetimes give
//!   [`ExpiryError::UnknownPeriod`].
//! - [`latest_valid_results`]: per testcase the latest still-valid [`ResultRecord`] across many
//!   reports of one subject; ties on `checked_at` go to the worse verdict, then the smaller
//!   report uuid. [`SelectionOptions::grace_days`] shifts `now` back (default 0).

pub mod lifetime;
pub mod record;
pub mod selection;
pub mod verdict;

pub use lifetime::{ExpiryError, add_period, is_valid_at};
pub use record::ResultRecord;
pub use selection::{
    LatestResults, MissingObject, SelectionIndex, SelectionOptions, latest_valid_results,
    reports_by_subject,
};
pub use verdict::Verdict;

#[cfg(test)]
mod tests;
