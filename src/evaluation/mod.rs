//! Per-target, per-version and per-scope evaluation; summary badge; group rollup.
