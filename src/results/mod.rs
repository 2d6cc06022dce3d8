//! Result records, lifetimes (expiry), latest-valid selection per testcase.

pub mod verdict;

pub use verdict::Verdict;
