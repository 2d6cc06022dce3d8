//! Validity of a certificate (rule 2): one calendar year from `notBefore` in UTC, a renewal
//! window before the end, and the state at an instant.

use crate::certificate::model::{CertificateState, IssuedCertificate};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};

/// Default length of the renewal ("expiring") window before `notAfter`.
pub const DEFAULT_RENEWAL_WINDOW: SignedDuration = SignedDuration::from_hours(24 * 30);
/// Longest accepted renewal window: a certificate lasts at most a year.
pub const MAX_RENEWAL_WINDOW: SignedDuration = SignedDuration::from_hours(24 * 365);

/// Why lifecycle options are unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// The renewal window is negative.
    #[error("renewal window {0} must not be negative")]
    NegativeRenewalWindow(SignedDuration),
    /// The renewal window is longer than a certificate lives.
    #[error("renewal window {0} is longer than 365 days")]
    RenewalWindowTooLong(SignedDuration),
}

/// Knobs of the lifecycle (operator configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LifecycleOptions {
    renewal_window: SignedDuration,
}

impl Default for LifecycleOptions {
    fn default() -> Self {
        Self {
            renewal_window: DEFAULT_RENEWAL_WINDOW,
        }
    }
}

impl LifecycleOptions {
    /// Options with the given renewal window (0 to 365 days).
    pub fn with_renewal_window(renewal_window: SignedDuration) -> Result<Self, OptionsError> {
        if renewal_window.is_negative() {
            return Err(OptionsError::NegativeRenewalWindow(renewal_window));
        }
        if renewal_window > MAX_RENEWAL_WINDOW {
            return Err(OptionsError::RenewalWindowTooLong(renewal_window));
        }
        Ok(Self { renewal_window })
    }

    /// How long before `notAfter` a certificate counts as expiring.
    pub fn renewal_window(&self) -> SignedDuration {
        self.renewal_window
    }
}

/// `notAfter` for a certificate starting at `not_before`: the same UTC wall-clock time one
/// calendar year later; February 29 maps to February 28 (never longer than 365 days across a
/// leap day). `None` beyond the supported calendar (year 9999).
pub fn validity_end(not_before: Timestamp) -> Option<Timestamp> {
    add_calendar(not_before, Span::new().years(1))
}

/// Start of the renewal window: `not_after - window` (an exact duration, not calendar days).
pub fn renewal_time(not_after: Timestamp, options: &LifecycleOptions) -> Timestamp {
    not_after
        .checked_sub(options.renewal_window)
        .unwrap_or(Timestamp::MIN)
}

/// `ts` plus calendar units on the UTC calendar; days past a month's end are clamped to it.
pub(crate) fn add_calendar(ts: Timestamp, span: Span) -> Option<Timestamp> {
    ts.to_zoned(TimeZone::UTC)
        .checked_add(span)
        .ok()
        .map(|zoned| zoned.timestamp())
}

/// Whole seconds: recorded instants stay identical through any serialization.
pub(crate) fn whole_seconds(ts: Timestamp) -> Timestamp {
    Timestamp::from_second(ts.as_second()).unwrap_or(ts)
}

impl IssuedCertificate {
    /// Start of this certificate's renewal window.
    pub fn renewal_time(&self, options: &LifecycleOptions) -> Timestamp {
        renewal_time(self.not_after, options)
    }

    /// State at `now`: Revoked, else Expired (`now >= notAfter`), else Expiring
    /// (`now >= renewalTime`), else Valid.
    pub fn state_at(&self, now: Timestamp, options: &LifecycleOptions) -> CertificateState {
        if self
            .revocation
            .as_ref()
            .is_some_and(|r| r.revoked_at <= now)
        {
            CertificateState::Revoked
        } else if now >= self.not_after {
            CertificateState::Expired
        } else if now >= self.renewal_time(options) {
            CertificateState::Expiring
        } else {
            CertificateState::Valid
        }
    }
}
