//! Input of the integrator assessment as plain Rust types, read from the CRD spec by
//! [`IntegratorApplication::from_spec`], plus the per-reference facts the controller supplies.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use thiserror::Error;

use super::tier::Tier;
use super::vote::VoteCount;
use crate::api::integrator as api;

/// Layer of a certificate or of a reference environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    /// SCS-compatible IaaS (scs-0501).
    IaaS,
    /// SCS-compatible KaaS (scs-0502).
    KaaS,
}

impl Layer {
    /// The spelling used in the API and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IaaS => "IaaS",
            Self::KaaS => "KaaS",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which SCS-0007 version decides certification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Rules {
    /// Scoring with Silver and Bronze tiers (DOMAIN 5.3).
    #[default]
    V2,
    /// Criteria a/b/c and the exception vote (DOMAIN 5.1).
    V1,
}

/// What a reference environment demonstrates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    /// A third-party environment the applicant brought into production.
    BroughtIntoProduction,
    /// A third-party environment the applicant actively manages.
    Managed,
    /// A public cloud the applicant operates.
    PublicCloud,
}

impl ReferenceKind {
    /// Lower-case phrase for messages.
    pub fn phrase(self) -> &'static str {
        match self {
            Self::BroughtIntoProduction => "brought into production",
            Self::Managed => "managed",
            Self::PublicCloud => "public cloud",
        }
    }
}

/// How an environment listed more than once (e.g. brought into production and managed) scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ScoringPolicy {
    /// The environment scores once, with its best item.
    #[default]
    CountOnce,
    /// The environment scores once per kind (go-live and management both count).
    CountBoth,
}

impl ScoringPolicy {
    /// The policy not applied, for "the other choice would give" in the status.
    pub fn other(self) -> Self {
        match self {
            Self::CountOnce => Self::CountBoth,
            Self::CountBoth => Self::CountOnce,
        }
    }

    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CountOnce => "CountOnce",
            Self::CountBoth => "CountBoth",
        }
    }
}

impl fmt::Display for ScoringPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The attestation body's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Certificate granted.
    Granted,
    /// Application rejected.
    Rejected,
}

/// How a reference proves its compliance; also part of its identity (see `policy`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvironmentProof {
    /// A CloudCertification checked by this operator, with its namespace resolved.
    CloudCertification {
        /// Namespace (the integrator's own when the spec left it out).
        namespace: String,
        /// Name.
        name: String,
    },
    /// External evidence for an environment not tested here.
    Evidence {
        /// Whether the attestation body accepted the evidence.
        attested: bool,
    },
}

/// One reference environment of the application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Short name of the environment.
    pub name: String,
    /// What the environment demonstrates.
    pub kind: ReferenceKind,
    /// Production date, management start or operation start.
    pub since: Date,
    /// Regions of a public IaaS cloud (`None`: not stated).
    pub regions: Option<u32>,
    /// Availability zones of a public IaaS cloud (`None`: not stated).
    pub availability_zones: Option<u32>,
    /// Set up or managed together with other partners.
    pub joint: bool,
    /// The applicant's stated share of a joint environment.
    pub share: Option<String>,
    /// The compliance proof.
    pub proof: EnvironmentProof,
}

/// What the controller found out about one reference (same order as the references).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceFacts {
    /// Layer of the environment (from the CloudCertification's scope or the evidence);
    /// `None` when it could not be determined.
    pub layer: Option<Layer>,
    /// Whether the compliance proof holds now (compliant with a currently valid scope
    /// version, or evidence attested).
    pub qualifies: bool,
    /// Why it qualifies or not, shown in the explanation when it does not.
    pub reason: String,
}

impl ReferenceFacts {
    /// An environment of `layer` whose proof holds.
    pub fn qualifying(layer: Layer, reason: impl Into<String>) -> Self {
        Self {
            layer: Some(layer),
            qualifies: true,
            reason: reason.into(),
        }
    }

    /// An environment whose proof does not hold, for `reason`.
    pub fn failing(layer: Option<Layer>, reason: impl Into<String>) -> Self {
        Self {
            layer,
            qualifies: false,
            reason: reason.into(),
        }
    }
}

/// The attestation body's decision about the application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attestation {
    /// Who attested.
    pub attested_by: String,
    /// When; validity is one year from here.
    pub attested_at: Timestamp,
    /// Granted or rejected.
    pub decision: Decision,
    /// The v2 score the body saw at grant time, if the caller recorded it; `None` means:
    /// recompute at the attestation date taking every reference's proof as having held then.
    pub score_at_grant: Option<u32>,
}

/// An integrator application: the input of [`super::assess_integrator`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegratorApplication {
    /// Applying organisation.
    pub organization: String,
    /// Layer of the certificate applied for.
    pub layer: Layer,
    /// SCS-0007 version deciding certification.
    pub rules: Rules,
    /// Tier applied for (v2); `None`: the tier the score reaches.
    pub tier_requested: Option<Tier>,
    /// Reference environments.
    pub references: Vec<Reference>,
    /// Treatment of environments listed more than once.
    pub scoring_policy: ScoringPolicy,
    /// The Forum's exception vote (v1).
    pub v1_vote: Option<VoteCount>,
    /// The attestation body's decision.
    pub attestation: Option<Attestation>,
}

/// The spec holds a value the core cannot represent.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum InputError {
    /// A count (regions, availability zones, votes) is negative.
    #[error("{field} must not be negative, got {value}")]
    NegativeCount {
        /// Path of the field, e.g. `references[0].regions`.
        field: String,
        /// The value found.
        value: i32,
    },
}

fn count(field: impl FnOnce() -> String, value: i32) -> Result<u32, InputError> {
    u32::try_from(value).map_err(|_| InputError::NegativeCount {
        field: field(),
        value,
    })
}

fn optional_count(
    field: impl FnOnce() -> String,
    value: Option<i32>,
) -> Result<Option<u32>, InputError> {
    value.map(|v| count(field, v)).transpose()
}

impl From<api::Layer> for Layer {
    fn from(value: api::Layer) -> Self {
        match value {
            api::Layer::IaaS => Self::IaaS,
            api::Layer::KaaS => Self::KaaS,
        }
    }
}

impl From<api::Rules> for Rules {
    fn from(value: api::Rules) -> Self {
        match value {
            api::Rules::V2 => Self::V2,
            api::Rules::V1 => Self::V1,
        }
    }
}

impl From<api::Tier> for Tier {
    fn from(value: api::Tier) -> Self {
        match value {
            api::Tier::Silver => Self::Silver,
            api::Tier::Bronze => Self::Bronze,
        }
    }
}

impl From<api::ReferenceKind> for ReferenceKind {
    fn from(value: api::ReferenceKind) -> Self {
        match value {
            api::ReferenceKind::BroughtIntoProduction => Self::BroughtIntoProduction,
            api::ReferenceKind::Managed => Self::Managed,
            api::ReferenceKind::PublicCloud => Self::PublicCloud,
        }
    }
}

impl From<api::ScoringPolicy> for ScoringPolicy {
    fn from(value: api::ScoringPolicy) -> Self {
        match value {
            api::ScoringPolicy::CountOnce => Self::CountOnce,
            api::ScoringPolicy::CountBoth => Self::CountBoth,
        }
    }
}

impl From<api::Decision> for Decision {
    fn from(value: api::Decision) -> Self {
        match value {
            api::Decision::Granted => Self::Granted,
            api::Decision::Rejected => Self::Rejected,
        }
    }
}

impl From<&api::Attestation> for Attestation {
    fn from(value: &api::Attestation) -> Self {
        Self {
            attested_by: value.attested_by.clone(),
            attested_at: value.attested_at,
            decision: value.decision.into(),
            score_at_grant: None,
        }
    }
}

impl Reference {
    /// Reads one API reference; `namespace` resolves a CloudCertification reference without
    /// one. A reference with neither proof (the CRD forbids it) gets unattested evidence.
    pub fn from_api(
        index: usize,
        reference: &api::Reference,
        namespace: &str,
    ) -> Result<Self, InputError> {
        let proof = match (&reference.cloud_certification_ref, &reference.evidence) {
            (Some(object), _) => EnvironmentProof::CloudCertification {
                namespace: object
                    .namespace
                    .clone()
                    .unwrap_or_else(|| namespace.to_owned()),
                name: object.name.clone(),
            },
            (None, Some(evidence)) => EnvironmentProof::Evidence {
                attested: evidence.attested,
            },
            (None, None) => EnvironmentProof::Evidence { attested: false },
        };
        Ok(Self {
            name: reference.name.clone(),
            kind: reference.kind.into(),
            since: reference.since,
            regions: optional_count(|| format!("references[{index}].regions"), reference.regions)?,
            availability_zones: optional_count(
                || format!("references[{index}].availabilityZones"),
                reference.availability_zones,
            )?,
            joint: reference.joint,
            share: reference.share.clone(),
            proof,
        })
    }
}

impl VoteCount {
    /// Reads the API vote; semantic checks happen in [`super::evaluate_vote`].
    pub fn from_api(vote: &api::V1Vote) -> Result<Self, InputError> {
        let field = |name: &str| format!("v1Vote.{name}");
        Ok(Self {
            eligible: count(|| field("eligible"), vote.eligible)?,
            present: count(|| field("present"), vote.present)?,
            yes: count(|| field("yes"), vote.yes)?,
            no: count(|| field("no"), vote.no)?,
            abstentions: count(|| field("abstentions"), vote.abstentions)?,
            beneficiary_is_member: vote.applicant_is_forum_member,
        })
    }
}

impl IntegratorApplication {
    /// Reads the CRD spec of an IntegratorCertification living in `namespace`.
    pub fn from_spec(
        spec: &api::IntegratorCertificationSpec,
        namespace: &str,
    ) -> Result<Self, InputError> {
        let references = spec
            .references
            .iter()
            .enumerate()
            .map(|(index, reference)| Reference::from_api(index, reference, namespace))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            organization: spec.organization.clone(),
            layer: spec.layer.into(),
            rules: spec.rules.into(),
            tier_requested: spec.tier_requested.map(Tier::from),
            references,
            scoring_policy: spec.scoring_policy.into(),
            v1_vote: spec.v1_vote.as_ref().map(VoteCount::from_api).transpose()?,
            attestation: spec.attestation.as_ref().map(Attestation::from),
        })
    }
}
