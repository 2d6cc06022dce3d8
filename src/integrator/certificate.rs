//! The integrator certificate: one year of validity from the attestation, granted only for a
//! tier the evidence supported at grant time (both SCS-0007 versions).
//!
//! Decision (leap day): one year is one calendar year in UTC with the day clamped to the end
//! of the month, like `months`: attested 2028-02-29T10:00Z, valid until 2029-02-28T10:00Z.
//! The certificate is valid while `not_before <= now < not_after`; `not_after` is the first
//! instant it no longer holds.

use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use thiserror::Error;

use super::model::{Attestation, Decision};
use super::tier::Tier;

/// The validity window of a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    /// Start: the attestation.
    pub not_before: Timestamp,
    /// End (exclusive): one calendar year later.
    pub not_after: Timestamp,
}

impl Validity {
    /// Whether the certificate holds at `now`.
    pub fn contains(&self, now: Timestamp) -> bool {
        self.not_before <= now && now < self.not_after
    }
}

/// The attestation is too close to the end of the calendar for a one-year validity.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[error("attestation {attested_at}: one year of validity leaves the supported date range")]
pub struct ValidityOutOfRange {
    /// The attestation time.
    pub attested_at: Timestamp,
}

/// One calendar year (UTC, end-of-month clamping) from `attested_at`.
pub fn validity_window(attested_at: Timestamp) -> Result<Validity, ValidityOutOfRange> {
    let not_after = attested_at
        .to_zoned(TimeZone::UTC)
        .checked_add(Span::new().years(1))
        .map_err(|_| ValidityOutOfRange { attested_at })?
        .timestamp();
    Ok(Validity {
        not_before: attested_at,
        not_after,
    })
}

/// What the evidence supported at grant time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantSupport {
    /// The tier the evidence supported (v1: Silver if a criterion or the vote held).
    pub supported: Option<Tier>,
    /// Why, e.g. `score 3 on 2027-01-10`.
    pub basis: String,
}

/// The state of the certificate at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateState {
    /// No attestation yet.
    NotRequested,
    /// The attestation body rejected the application.
    Rejected {
        /// When.
        attested_at: Timestamp,
    },
    /// Granted for a tier the evidence did not support at grant time.
    TierNotSupported {
        /// The tier granted (requested); `None`: no tier requested and none reached.
        requested: Option<Tier>,
        /// The tier the evidence supported.
        supported: Option<Tier>,
        /// Why, e.g. `score 3 on 2027-01-10`.
        basis: String,
    },
    /// Granted with a future attestation time.
    NotYetValid {
        /// Granted tier.
        tier: Tier,
        /// Validity window.
        validity: Validity,
    },
    /// Granted and within validity.
    Granted {
        /// Granted tier.
        tier: Tier,
        /// Validity window.
        validity: Validity,
    },
    /// Granted, validity over.
    Expired {
        /// Granted tier.
        tier: Tier,
        /// Validity window.
        validity: Validity,
    },
}

impl CertificateState {
    /// The granted tier and window, if the grant is supported (any time).
    pub fn grant(&self) -> Option<(Tier, Validity)> {
        match self {
            Self::NotYetValid { tier, validity }
            | Self::Granted { tier, validity }
            | Self::Expired { tier, validity } => Some((*tier, *validity)),
            _ => None,
        }
    }

    /// Whether the certificate holds now.
    pub fn is_certified(&self) -> bool {
        matches!(self, Self::Granted { .. })
    }
}

/// The certificate state at `now`. The granted tier is the one `requested`, or the one
/// supported when none was requested; it may not exceed what `support` says.
pub fn certificate_state(
    attestation: Option<&Attestation>,
    requested: Option<Tier>,
    support: &GrantSupport,
    now: Timestamp,
) -> Result<CertificateState, ValidityOutOfRange> {
    let Some(attestation) = attestation else {
        return Ok(CertificateState::NotRequested);
    };
    if attestation.decision == Decision::Rejected {
        return Ok(CertificateState::Rejected {
            attested_at: attestation.attested_at,
        });
    }
    let tier = match (requested, support.supported) {
        (Some(requested), Some(supported)) if requested <= supported => requested,
        (None, Some(supported)) => supported,
        _ => {
            return Ok(CertificateState::TierNotSupported {
                requested,
                supported: support.supported,
                basis: support.basis.clone(),
            });
        }
    };
    let validity = validity_window(attestation.attested_at)?;
    Ok(if now < validity.not_before {
        CertificateState::NotYetValid { tier, validity }
    } else if validity.contains(now) {
        CertificateState::Granted { tier, validity }
    } else {
        CertificateState::Expired { tier, validity }
    })
}
