//! Certificate serials: derived, not allocated, so a retried reconcile or a restarted operator
//! arrives at the same serial for the same grant.

use crate::certificate::model::IssuanceMode;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// Domain separator; bump it only together with a migration of recorded serials.
const SERIAL_SCHEME: &[u8] = b"scs-certificate-serial/v1";

/// The serial of the certificate for (subject, scope, version, notBefore, mode).
///
/// `SCS-XXXX-XXXX-XXXX-XXXX` for granted certificates, `SELF-XXXX-XXXX-XXXX-XXXX` for
/// self-assessed ones, so a self-assessed serial can never pass for an official one. The 16
/// hex digits are the first 64 bits of SHA-256 over the length-prefixed fields (no separator
/// ambiguity) with `notBefore` in nanoseconds (no formatting ambiguity).
pub fn certificate_serial(
    subject: &str,
    scope: &str,
    version: &str,
    not_before: Timestamp,
    mode: IssuanceMode,
) -> String {
    let instant = not_before.as_nanosecond().to_string();
    let mut hasher = Sha256::new();
    hasher.update(SERIAL_SCHEME);
    for field in [subject, scope, version, mode.as_str(), instant.as_str()] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    let digest = hasher.finalize();
    let prefix = match mode {
        IssuanceMode::Manual => "SCS",
        IssuanceMode::Automatic => "SELF",
    };
    let mut serial = String::from(prefix);
    for (position, byte) in digest.iter().take(8).enumerate() {
        if position % 2 == 0 {
            serial.push('-');
        }
        serial.push_str(&format!("{byte:02X}"));
    }
    serial
}
