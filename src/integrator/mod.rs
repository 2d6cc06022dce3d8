//! SCS-0007 integrator certification (DOMAIN 5): v2 scoring with Silver and Bronze tiers,
//! v1 criteria and exception vote, certificate validity and continuation. Pure: no kube
//! client, no I/O, no clock; the controller passes the time and the facts about each
//! reference (its layer, whether its compliance proof holds, and why).
//!
//! - [`assess_integrator`]: the entry point; [`IntegratorApplication::from_spec`] reads the CRD.
//! - `months`: what "6/12 months" means (calendar months, end-of-month clamping).
//! - `scoring`: points of one reference; `policy`: environments listed twice (`CountOnce`,
//!   `CountBoth`); `sheet`: all references on one date; `outlook`: changes by ageing.
//! - `tier`: tiers and the next-tier hint; `v1`, `vote`: SCS-0007 v1.
//! - `certificate`: one-year validity and grant support; `continuation`: the #1169 rule.
//! - `conditions`: Eligible, Certified, ContinuationAtRisk, Ready.
//! - `proof`: whether a reference's proof holds (CloudCertification status, evidence).
//! - `transitions`: what a change of conditions announces (events, notifications).

pub mod assess;
pub mod certificate;
pub mod conditions;
pub mod continuation;
pub mod model;
pub mod months;
mod outlook;
mod policy;
pub mod proof;
pub mod scoring;
mod sheet;
pub mod tier;
pub mod transitions;
pub mod v1;
pub mod vote;

pub use assess::{
    AssessError, AssessmentSettings, IntegratorAssessment, ReferenceAssessment, assess_integrator,
    utc_date,
};
pub use certificate::{CertificateState, GrantSupport, Validity, validity_window};
pub use conditions::{CONTINUATION_AT_RISK, ELIGIBLE};
pub use continuation::{ContinuationBasis, ContinuationRisk};
pub use model::{
    Attestation, Decision, EnvironmentProof, InputError, IntegratorApplication, Layer, Reference,
    ReferenceFacts, ReferenceKind, Rules, ScoringPolicy,
};
pub use months::{DateOutOfRange, add_months};
pub use outlook::ScoreChange;
pub use scoring::{PointsChange, ReferencePoints, score_reference};
pub use tier::{NextTierHint, Tier};
pub use v1::{Criterion, CriterionCheck, V1Outcome, V1Verdict, evaluate_v1};
pub use vote::{BeneficiaryQuorumRule, VoteCount, VoteError, VoteOutcome, evaluate_vote};

#[cfg(test)]
mod tests;
