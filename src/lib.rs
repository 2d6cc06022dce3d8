//! scs-cert-operator: automates Sovereign Cloud Stack (SCS) certification on Kubernetes.
//!
//! Data flows one way: CRD types (`api`) -> pure domain core (`scope`, `results`,
//! `evaluation`, `report`) -> controllers -> publishers. The domain core has no kube client,
//! no clock and no I/O: time is always a parameter.

pub mod api;
pub mod certificate;
pub mod cli;
pub mod controller;
pub mod evaluation;
pub mod integrator;
pub mod leader;
pub mod listing;
pub mod local_executor;
pub mod metrics;
pub mod operator;
pub mod probe;
pub mod reflectors;
pub mod report;
pub mod results;
pub mod runner;
pub mod schedule;
pub mod scope;
pub mod server;
pub mod test_support;
