//! `IntegratorCertification`: an organisation applying to be a certified SCS integrator,
//! scored by SCS-0007 from its reference environments.

// `printcolumn(type_ = ...)` repeats keys by design; clippy reads them as duplicates.
#![allow(clippy::duplicated_attributes)]

use super::common::Notifications;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{CustomResource, KubeSchema};
use serde::{Deserialize, Serialize};

/// Desired state of an IntegratorCertification: the application with its references.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "certification.scs.community",
    version = "v1alpha1",
    kind = "IntegratorCertification",
    namespaced,
    status = "IntegratorCertificationStatus",
    shortname = "icert",
    category = "scs",
    derive = "PartialEq",
    doc = "An organisation certified as SCS IaaS or KaaS integrator by the SCS-0007 scoring \
           of its reference environments.",
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status"
    ),
    printcolumn(
        name = "Status",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].message"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    ),
    printcolumn(
        name = "Organization",
        type_ = "string",
        json_path = ".spec.organization",
        priority = "1"
    ),
    printcolumn(
        name = "Layer",
        type_ = "string",
        json_path = ".spec.layer",
        priority = "1"
    ),
    printcolumn(
        name = "Tier",
        type_ = "string",
        json_path = ".status.tier",
        priority = "1"
    ),
    printcolumn(
        name = "Expires",
        type_ = "string",
        json_path = ".status.certificate.notAfter",
        priority = "1"
    )
)]
#[serde(rename_all = "camelCase")]
#[x_kube(
    validation = Rule::new("!has(self.v1Vote) || self.rules == 'scs-0007-v1'")
        .message("v1Vote applies to rules scs-0007-v1 only (v2 has no exception vote)"),
    validation = Rule::new("self.rules != 'scs-0007-v1' || !has(self.tierRequested) || self.tierRequested == 'Silver'")
        .message("a v1 certificate is Silver: tierRequested Bronze needs rules scs-0007-v2")
)]
pub struct IntegratorCertificationSpec {
    /// Name of the applying organisation.
    #[schemars(length(min = 1, max = 256))]
    pub organization: String,

    /// The layer of the certificate applied for: IaaS or KaaS.
    pub layer: Layer,

    /// Which SCS-0007 version applies: v2 scoring (default) or v1 criteria for certificates
    /// issued under v1.
    #[serde(default)]
    pub rules: Rules,

    /// The tier applied for (v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_requested: Option<Tier>,

    /// Reference environments used for scoring.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64))]
    pub references: Vec<Reference>,

    /// How an environment listed both as brought into production and as managed is scored.
    #[serde(default)]
    pub scoring_policy: ScoringPolicy,

    /// The Forum's exception vote (v1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v1_vote: Option<V1Vote>,

    /// The attestation body's decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<Attestation>,

    /// Where transitions (eligibility, grant, expiry, continuation at risk or restored,
    /// invalid spec) are announced: Kubernetes events and webhooks, as for CloudCertifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<Notifications>,
}

/// Certificate layer.
#[derive(schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// Certified SCS IaaS Integrator.
    IaaS,
    /// Certified SCS KaaS Integrator.
    KaaS,
}

/// SCS-0007 version.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum Rules {
    /// Scoring with Silver (>= 4 points) and Bronze (>= 2 points) tiers.
    #[default]
    #[serde(rename = "scs-0007-v2")]
    V2,
    /// Criteria a/b/c and the exception vote.
    #[serde(rename = "scs-0007-v1")]
    V1,
}

/// Integrator tier (v2).
#[derive(schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// At least 4 points.
    Silver,
    /// At least 2 points.
    Bronze,
}

/// What a reference environment demonstrates.
#[derive(schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceKind {
    /// A third-party environment the applicant brought into production.
    BroughtIntoProduction,
    /// A third-party environment the applicant actively manages.
    Managed,
    /// A public cloud the applicant operates.
    PublicCloud,
}

/// One reference environment.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
#[x_kube(
    validation = Rule::new("has(self.cloudCertificationRef) != has(self.evidence)")
        .message("each reference needs exactly one of cloudCertificationRef or evidence"),
    validation = Rule::new("self.kind == 'PublicCloud' || (!has(self.regions) && !has(self.availabilityZones))")
        .message("regions and availabilityZones apply to PublicCloud references only"),
    validation = Rule::new("!has(self.share) || self.joint")
        .message("share applies to joint references only (set joint: true)")
)]
pub struct Reference {
    /// Short name of the environment.
    #[schemars(length(min = 1, max = 128))]
    pub name: String,

    /// What the environment demonstrates.
    pub kind: ReferenceKind,

    /// Production date, management start or operation start (YYYY-MM-DD).
    pub since: jiff::civil::Date,

    /// Regions of a public IaaS cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000))]
    pub regions: Option<i32>,

    /// Availability zones of a public IaaS cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000))]
    pub availability_zones: Option<i32>,

    /// Set up or managed together with other partners.
    #[serde(default)]
    pub joint: bool,

    /// The applicant's own share of a joint environment, as stated by the applicant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub share: Option<String>,

    /// The environment's CloudCertification (proof by the operator's own checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_certification_ref: Option<ObjectRef>,

    /// External evidence for an environment not tested here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

/// Reference to a namespaced object.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// Namespace (default: the IntegratorCertification's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
}

/// External evidence for a reference.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// Report references (e.g. report UUIDs or URLs) of passing official test runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<String>,
    /// Further documents (e.g. AZ or key-manager documentation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// Whether the attestation body has examined and accepted this evidence.
    #[serde(default)]
    pub attested: bool,
}

/// Scoring of an environment listed both as brought into production and as managed.
#[derive(
    schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub enum ScoringPolicy {
    /// The environment scores once, with its better item.
    #[default]
    CountOnce,
    /// The environment scores under both items.
    CountBoth,
}

/// The Forum's exception vote under SCS-0007 v1.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
#[x_kube(
    validation = Rule::new("self.present <= self.eligible")
        .message("v1Vote.present cannot exceed v1Vote.eligible"),
    validation = Rule::new("self.yes + self.no + self.abstentions <= self.present")
        .message("v1Vote: yes + no + abstentions cannot exceed present")
)]
pub struct V1Vote {
    /// Eligible voters.
    #[schemars(range(min = 1, max = 10000))]
    pub eligible: i32,
    /// Voters present.
    #[schemars(range(min = 0, max = 10000))]
    pub present: i32,
    /// Yes votes.
    #[schemars(range(min = 0, max = 10000))]
    pub yes: i32,
    /// No votes.
    #[schemars(range(min = 0, max = 10000))]
    pub no: i32,
    /// Abstentions (they do not count as votes against).
    #[serde(default)]
    #[schemars(range(min = 0, max = 10000))]
    pub abstentions: i32,
    /// Whether the applicant is a Forum member (and so one of the eligible voters).
    #[serde(default)]
    pub applicant_is_forum_member: bool,
}

/// Decision of the attestation body.
#[derive(schemars::JsonSchema, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Certificate granted.
    Granted,
    /// Application rejected.
    Rejected,
}

/// The attestation body's decision about the application.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Attestation {
    /// Who attested.
    #[schemars(length(min = 1, max = 256))]
    pub attested_by: String,
    /// When (RFC 3339); validity is one year from here.
    pub attested_at: jiff::Timestamp,
    /// Granted or rejected.
    pub decision: Decision,
    /// Free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 4096))]
    pub note: Option<String>,
}

/// Observed state of an IntegratorCertification, written only by the operator.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct IntegratorCertificationStatus {
    /// Generation of the spec this status was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,

    /// Conditions keyed by type: Ready, Eligible, Certified, ContinuationAtRisk.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(merge_strategy = ListMerge::Map(vec!["type".into()]))]
    pub conditions: Vec<Condition>,

    /// Total score (v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i32>,

    /// Tier the score reaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,

    /// The current certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<IntegratorCertificateStatus>,

    /// The UTC date the references were scored on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_on: Option<jiff::civil::Date>,

    /// What the next tier needs (absent at Silver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_tier: Option<NextTierStatus>,

    /// The scoring policy applied and what the other policy would give.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring_policy: Option<ScoringPolicyStatus>,

    /// Points of every reference with the reason, in spec order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(merge_strategy = ListMerge::Atomic)]
    pub references: Vec<ReferenceScore>,

    /// The SCS-0007 v1 reading (rules scs-0007-v1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v1: Option<V1Status>,

    /// Recent transitions, oldest first, recorded with the status that caused them so each
    /// is notified once even across restarts (kept 30 days, at most 20).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[x_kube(merge_strategy = ListMerge::Atomic)]
    #[schemars(length(max = 64))]
    pub transitions: Vec<RecordedTransition>,

    /// Notifications delivered, per sink, so none is sent twice (also across restarts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<crate::certificate::NotificationLog>,
}

/// One transition of an IntegratorCertification, as announced to the notification sinks.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RecordedTransition {
    /// What happened, e.g. `ContinuationAtRisk` (the event reason).
    pub kind: String,
    /// When it was observed (for a condition whose status flipped: its lastTransitionTime).
    pub at: jiff::Timestamp,
    /// Asks for attention (a Warning event) rather than informs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub warning: bool,
    /// For humans: the new condition message.
    pub message: String,
}

/// What the next tier needs.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct NextTierStatus {
    /// The next tier above the one reached.
    pub tier: String,
    /// Points still missing today.
    pub missing_points: i32,
    /// The date the score reaches that tier by ageing alone, if the references keep qualifying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reached_on: Option<jiff::civil::Date>,
    /// One sentence, e.g. `2 more points for Silver: ...`.
    pub message: String,
}

/// The scoring policy applied, and the alternative (DOMAIN 5.5 example 7).
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ScoringPolicyStatus {
    /// The policy applied (spec.scoringPolicy).
    pub applied: String,
    /// The other policy.
    pub alternative: String,
    /// The score under the other policy.
    pub alternative_score: i32,
    /// The tier the other policy reaches, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative_tier: Option<String>,
}

/// Points of one reference.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceScore {
    /// Name of the environment (spec.references[].name).
    pub name: String,
    /// What it demonstrates.
    pub kind: ReferenceKind,
    /// Points on its own.
    pub points: i32,
    /// Points counted under the scoring policy.
    pub counted_points: i32,
    /// Why, e.g. `public IaaS cloud, 1 region, 2 AZs: 0 points, needs >= 2 regions or >= 3 AZs`.
    pub explanation: String,
    /// The next change of its points by ageing alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_change: Option<PointsChangeStatus>,
}

/// A future change of a reference's points.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PointsChangeStatus {
    /// First day with the new points.
    pub on: jiff::civil::Date,
    /// Points from that day.
    pub points: i32,
}

/// How an application stands under SCS-0007 v1.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct V1Status {
    /// CriterionA, CriterionB, CriterionC, ExceptionVote or NoCriterionMet.
    pub verdict: String,
    /// The date the criteria were checked.
    pub evaluated_on: jiff::civil::Date,
    /// Criteria a, b and c, one sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<String>,
    /// The exception vote, if one was held, e.g. `fails: 7 present, quorum 8 of 12 not met`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vote: Option<String>,
}

/// State of an integrator certificate.
#[derive(KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct IntegratorCertificateStatus {
    /// Granted tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Start of validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<jiff::Timestamp>,
    /// End of validity (one year after attestation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<jiff::Timestamp>,
}
