//! CRD types, condition helpers and CRD generation.
//!
//! Group `certification.scs.community`, version `v1alpha1`. The CRD YAML in `crds/` is
//! generated from these types by `scs-cert crds` (see [`crd::all_crds_yaml`]); a test fails
//! when the committed files drift from the code.

pub mod cloud;
pub mod common;
pub mod conditions;
pub mod crd;
pub mod integrator;

pub use cloud::{CloudCertification, CloudCertificationSpec, CloudCertificationStatus};
pub use integrator::{
    IntegratorCertification, IntegratorCertificationSpec, IntegratorCertificationStatus,
};

/// API group of all our resources.
pub const GROUP: &str = "certification.scs.community";
/// API version of all our resources.
pub const VERSION: &str = "v1alpha1";
/// The one field manager the operator writes status with (server-side apply).
pub const FIELD_MANAGER: &str = "scs-cert-operator";
