//! CRD types, condition helpers and CRD generation.
