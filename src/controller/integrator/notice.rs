//! IntegratorCertification transitions as notices for the delivery path clouds use
//! (`controller::notify`): one per transition recorded in `status.transitions`, with the
//! stable id `<namespace>/<name>/<kind>/<at>` and the webhook payload (pure).

use crate::api::integrator::{
    IntegratorCertificateStatus, IntegratorCertificationSpec, IntegratorCertificationStatus, Layer,
    RecordedTransition,
};
use crate::certificate::StableId;
use crate::controller::notify::Notice;
use jiff::Timestamp;
use serde::Serialize;

/// One IntegratorCertification transition; the `transition` of a webhook body
/// (`"kind": "IntegratorTransition"`). Holds no credentials.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegratorNotice {
    /// `<namespace>/<name>/<kind>/<at>`; the body carries it as `id`.
    #[serde(skip)]
    id: String,
    /// What happened, e.g. `ContinuationAtRisk` (also the event reason).
    pub kind: String,
    /// When it was observed (stable: recorded in status).
    pub at: Timestamp,
    /// Asks for attention rather than informs.
    pub warning: bool,
    /// The applying organisation.
    pub organization: String,
    /// Certificate layer.
    pub layer: Layer,
    /// Score as of delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<i32>,
    /// Tier the score reaches, as of delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The granted certificate, as of delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<IntegratorCertificateStatus>,
    /// For humans: the new condition message.
    pub message: String,
}

impl IntegratorNotice {
    /// The notice of `transition`, recorded in `status` of the integrator `namespace/name`.
    pub fn new(
        namespace: &str,
        name: &str,
        spec: &IntegratorCertificationSpec,
        status: &IntegratorCertificationStatus,
        transition: &RecordedTransition,
    ) -> Self {
        Self {
            id: format!("{namespace}/{name}/{}/{}", transition.kind, transition.at),
            kind: transition.kind.clone(),
            at: transition.at,
            warning: transition.warning,
            organization: spec.organization.clone(),
            layer: spec.layer,
            score: status.score,
            tier: status.tier.clone(),
            certificate: status.certificate.clone(),
            message: transition.message.clone(),
        }
    }
}

/// The notices of every transition recorded in `status`, oldest first.
pub fn notices(
    namespace: &str,
    name: &str,
    spec: &IntegratorCertificationSpec,
    status: &IntegratorCertificationStatus,
) -> Vec<IntegratorNotice> {
    status
        .transitions
        .iter()
        .map(|t| IntegratorNotice::new(namespace, name, spec, status, t))
        .collect()
}

impl StableId for IntegratorNotice {
    fn id(&self) -> String {
        self.id.clone()
    }
}

impl Notice for IntegratorNotice {
    const BODY_KIND: &'static str = "IntegratorTransition";

    fn kind(&self) -> &str {
        &self.kind
    }

    // The reasons integrator events always had (`ContinuationAtRisk`, `CertificateGranted`).
    fn event_reason(&self) -> String {
        self.kind.clone()
    }

    fn is_warning(&self) -> bool {
        self.warning
    }

    fn message(&self) -> &str {
        &self.message
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::NotificationLog;
    use serde_json::json;

    fn spec() -> IntegratorCertificationSpec {
        serde_json::from_value(json!({
            "organization": "Example GmbH", "layer": "IaaS",
            "notifications": {"webhooks": [{"name": "ops",
                "urlSecretRef": {"name": "hook", "key": "url"}}]}
        }))
        .expect("spec")
    }

    fn recorded(kind: &str, at: &str) -> RecordedTransition {
        RecordedTransition {
            kind: kind.to_owned(),
            at: at.parse().expect("timestamp"),
            warning: kind == "ContinuationAtRisk",
            message: format!("{kind} message"),
        }
    }

    #[test]
    fn ids_come_from_the_recorded_transition() {
        let status = IntegratorCertificationStatus {
            score: Some(2),
            transitions: vec![
                recorded("CertificateGranted", "2026-12-01T10:00:00Z"),
                recorded("ContinuationAtRisk", "2026-12-06T02:00:00Z"),
            ],
            ..IntegratorCertificationStatus::default()
        };
        let notices = notices("partners", "acme", &spec(), &status);
        let ids: Vec<String> = notices.iter().map(StableId::id).collect();
        assert_eq!(
            ids,
            [
                "partners/acme/CertificateGranted/2026-12-01T10:00:00Z",
                "partners/acme/ContinuationAtRisk/2026-12-06T02:00:00Z"
            ]
        );
        // The same recorded facts after a restart: the same ids, nothing pending twice.
        let again = super::notices("partners", "acme", &spec(), &status);
        let mut log = NotificationLog::default();
        let at = "2026-12-06T02:00:01Z".parse().expect("timestamp");
        for notice in log.pending("webhook/ops", &notices) {
            log.record_sent("webhook/ops", &notice.id(), at);
        }
        assert!(log.pending("webhook/ops", &again).is_empty());
        assert_eq!(log.pending("events", &again).len(), 2);
    }

    #[test]
    fn payload_and_event() {
        let status = IntegratorCertificationStatus {
            score: Some(2),
            tier: Some("Bronze".to_owned()),
            transitions: vec![recorded("ContinuationAtRisk", "2026-12-06T02:00:00Z")],
            ..IntegratorCertificationStatus::default()
        };
        let notice = &notices("partners", "acme", &spec(), &status)[0];
        assert_eq!(
            serde_json::to_value(notice).expect("json"),
            json!({"kind": "ContinuationAtRisk", "at": "2026-12-06T02:00:00Z", "warning": true,
                   "organization": "Example GmbH", "layer": "IaaS", "score": 2,
                   "tier": "Bronze", "message": "ContinuationAtRisk message"})
        );
        assert_eq!(
            (
                notice.event_reason(),
                notice.is_warning(),
                Notice::kind(notice)
            ),
            ("ContinuationAtRisk".to_owned(), true, "ContinuationAtRisk")
        );
        assert_eq!(IntegratorNotice::BODY_KIND, "IntegratorTransition");
    }
}
