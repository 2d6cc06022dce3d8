//! Transitions: the things worth one event and one notification each. Every transition is
//! derived from recorded facts with a stable instant, so re-deriving it after a restart gives
//! the same id.

use crate::certificate::model::IssuedCertificate;
use jiff::Timestamp;
use serde::Serialize;
use std::fmt;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TransitionKind {
    /// A certificate was issued (at `issuedAt`).
    Issued,
    /// A grant was refused (at the decision).
    Refused,
    /// The grant's `grantedAt` was edited on an issued certificate (at the edited value).
    GrantChanged,
    /// The renewal window began (at `renewalTime`).
    Expiring,
    /// The certificate expired (at `notAfter`).
    Expired,
    /// The certificate was revoked (at `revokedAt`).
    Revoked,
    /// Tests stopped passing while certified (at the first observation).
    Degraded,
    /// Tests pass again while certified (at the first observation).
    Recovered,
    /// Manual checks of the certified version are due (at the instant they became due).
    ManualChecksDue,
}

impl TransitionKind {
    /// CamelCase name (event reason, id component).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "Issued",
            Self::Refused => "Refused",
            Self::GrantChanged => "GrantChanged",
            Self::Expiring => "Expiring",
            Self::Expired => "Expired",
            Self::Revoked => "Revoked",
            Self::Degraded => "Degraded",
            Self::Recovered => "Recovered",
            Self::ManualChecksDue => "ManualChecksDue",
        }
    }

    /// Whether it asks for attention (a Kubernetes `Warning` event) rather than informs.
    pub fn is_warning(self) -> bool {
        !matches!(self, Self::Issued | Self::Recovered)
    }
}

impl fmt::Display for TransitionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One transition; the payload of an event or a notification. Holds no credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    /// What happened.
    pub kind: TransitionKind,
    /// The certificate's serial (for a refusal: the serial the grant would have had).
    pub serial: String,
    /// When it happened (stable: derived from recorded instants).
    pub at: Timestamp,
    /// Subject.
    pub subject: String,
    /// Scope uuid.
    pub scope: String,
    /// Scope version.
    pub version: String,
    /// Whether the certificate is self-assessed (never official).
    pub self_assessed: bool,
    /// For humans.
    pub message: String,
    /// Testcases concerned (not passing, or due manual checks).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub testcases: Vec<String>,
}

impl Transition {
    /// A transition of `certificate`.
    pub fn of_certificate(
        kind: TransitionKind,
        certificate: &IssuedCertificate,
        at: Timestamp,
        message: String,
        testcases: Vec<String>,
    ) -> Self {
        Self {
            kind,
            serial: certificate.serial.clone(),
            at,
            subject: certificate.subject.clone(),
            scope: certificate.scope.clone(),
            version: certificate.version.clone(),
            self_assessed: certificate.self_assessed,
            message,
            testcases,
        }
    }

    /// Stable id `<serial>/<kind>/<instant>`, e.g.
    /// `SCS-0A1B-2C3D-4E5F-6A7B/Expired/2027-03-01T10:00:00Z`; also usable as an idempotency
    /// key for receivers.
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.serial, self.kind, self.at)
    }
}
