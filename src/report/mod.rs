//! Report model (upstream-compatible, legacy tolerant).
