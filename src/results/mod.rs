//! Result records, lifetimes (expiry), latest-valid selection per testcase.
