//! The signed upload body of the upstream monitor (DOMAIN 6.2): an armored SSH signature
//! (`ssh-keygen -Y sign -n report`), then `&`, then the signed report bytes. curl joins its
//! two `--data-binary` parts with that `&`, which is why the separator looks like this.
//!
//! Verification uses the `ssh-key` crate (SSHSIG, namespace `report`); the key is chosen
//! among the account's keys by a constant-time comparison of the encoded public keys.

use ssh_key::{Algorithm, PublicKey, SshSig};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

/// What ends the signature and starts the report (the monitor's separator).
pub const SEPARATOR: &[u8] = b"-----END SSH SIGNATURE-----\n&";
/// The SSHSIG namespace the upstream runner signs with.
pub const NAMESPACE: &str = "report";

/// Why a signed body is refused; every case is a 401 upstream.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// No `-----END SSH SIGNATURE-----\n&` in the body.
    #[error("missing signature")]
    Missing,
    /// The armored signature cannot be decoded.
    #[error("verification failed: malformed signature ({0})")]
    Malformed(String),
    /// The signature was made by none of the account's keys.
    #[error("verification failed: the signing key is not one of this account's keys")]
    UnknownKey,
    /// Signed for another purpose than `report` (e.g. `ssh-keygen -Y sign -n file`).
    #[error("verification failed: signature namespace is {0:?}, expected \"report\"")]
    Namespace(String),
    /// The signature does not match the report bytes (tampered body, or another file).
    #[error("verification failed: the signature does not match the report")]
    Mismatch,
}

/// The two halves of a signed body.
#[derive(Debug, PartialEq, Eq)]
pub struct SignedBody<'a> {
    /// The armored signature, including its final newline.
    pub signature: &'a [u8],
    /// The signed bytes: everything after the separator.
    pub report: &'a [u8],
}

/// Splits `body` at the first separator, like the monitor.
pub fn split(body: &[u8]) -> Result<SignedBody<'_>, SignatureError> {
    let at = body
        .windows(SEPARATOR.len())
        .position(|w| w == SEPARATOR)
        .ok_or(SignatureError::Missing)?;
    let end = at + SEPARATOR.len();
    Ok(SignedBody {
        // Keep the newline, drop the `&`.
        signature: &body[..end - 1],
        report: &body[end..],
    })
}

/// Verifies that `signed.signature` is a `report` signature over `signed.report` by one of
/// `keys`; returns the index of that key.
pub fn verify(signed: &SignedBody<'_>, keys: &[PublicKey]) -> Result<usize, SignatureError> {
    let sig =
        SshSig::from_pem(signed.signature).map_err(|e| SignatureError::Malformed(e.to_string()))?;
    let presented = encoded(sig.public_key());
    // Look at every key, so the time taken does not tell which one (or whether one) matched.
    let mut found = Choice::from(0);
    let mut index = 0u64;
    for (i, key) in keys.iter().enumerate() {
        let same = encoded(key.key_data()).ct_eq(&presented);
        index = u64::conditional_select(&index, &(i as u64), same);
        found |= same;
    }
    let index = usize::try_from(index).unwrap_or(usize::MAX);
    if !bool::from(found) || index >= keys.len() {
        return Err(SignatureError::UnknownKey);
    }
    if sig.namespace() != NAMESPACE {
        return Err(SignatureError::Namespace(sig.namespace().to_owned()));
    }
    keys[index]
        .verify(NAMESPACE, signed.report, &sig)
        .map_err(|_| SignatureError::Mismatch)?;
    Ok(index)
}

/// Whether `key` is of a type accounts may hold (ssh-ed25519, like the upstream keys).
pub fn supported(key: &PublicKey) -> bool {
    key.algorithm() == Algorithm::Ed25519
}

/// The SSH wire encoding of a public key (what ssh-keygen prints in base64).
fn encoded(key: &ssh_key::public::KeyData) -> Vec<u8> {
    PublicKey::from(key.clone()).to_bytes().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    //! Fixtures made by `tests/fixtures/sshsig/generate.sh` with the real `ssh-keygen`.
    use super::*;

    const REPORT: &[u8] = include_bytes!("../../../tests/fixtures/sshsig/report.yaml");
    const SIG: &[u8] = include_bytes!("../../../tests/fixtures/sshsig/report.yaml.sig");
    const MALLORY_SIG: &[u8] =
        include_bytes!("../../../tests/fixtures/sshsig/report.yaml.mallory.sig");
    const FILE_NAMESPACE_SIG: &[u8] =
        include_bytes!("../../../tests/fixtures/sshsig/report.yaml.wrong-namespace.sig");
    const ECDSA_SIG: &[u8] = include_bytes!("../../../tests/fixtures/sshsig/report.yaml.ecdsa.sig");
    const OPERATOR_PUB: &str = include_str!("../../../tests/fixtures/sshsig/operator.pub");
    const MALLORY_PUB: &str = include_str!("../../../tests/fixtures/sshsig/mallory.pub");
    const ECDSA_PUB: &str = include_str!("../../../tests/fixtures/sshsig/ecdsa.pub");

    fn key(text: &str) -> PublicKey {
        PublicKey::from_openssh(text.trim()).expect("fixture key parses")
    }

    /// The body exactly as `curl --data-binary @r.sig --data-binary @r` sends it.
    fn body(sig: &[u8], report: &[u8]) -> Vec<u8> {
        [sig, b"&", report].concat()
    }

    #[test]
    fn a_runner_signature_verifies_against_the_account_key() {
        let body = body(SIG, REPORT);
        let signed = split(&body).expect("separator found");
        assert_eq!(signed.report, REPORT);
        assert!(signed.signature.ends_with(b"-----END SSH SIGNATURE-----\n"));
        assert_eq!(verify(&signed, &[key(OPERATOR_PUB)]), Ok(0));
        // Among several keys, the right one is found wherever it is.
        assert_eq!(
            verify(&signed, &[key(MALLORY_PUB), key(OPERATOR_PUB)]),
            Ok(1)
        );
    }

    #[test]
    fn a_tampered_report_is_refused() {
        let mut tampered = REPORT.to_vec();
        let at = tampered
            .windows(7)
            .position(|w| w == b"cloud-b")
            .expect("fixture names cloud-b");
        tampered[at + 6] = b'c';
        let body = body(SIG, &tampered);
        let signed = split(&body).expect("separator found");
        assert_eq!(
            verify(&signed, &[key(OPERATOR_PUB)]),
            Err(SignatureError::Mismatch)
        );
        // One byte more at the end is tampering too.
        let body = [SIG, b"&", REPORT, b"\n"].concat();
        let signed = split(&body).expect("separator found");
        assert_eq!(
            verify(&signed, &[key(OPERATOR_PUB)]),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn another_key_is_refused_even_with_a_valid_signature() {
        let body = body(MALLORY_SIG, REPORT);
        let signed = split(&body).expect("separator found");
        assert_eq!(
            verify(&signed, &[key(OPERATOR_PUB)]),
            Err(SignatureError::UnknownKey)
        );
        assert_eq!(verify(&signed, &[]), Err(SignatureError::UnknownKey));
    }

    #[test]
    fn a_signature_for_another_namespace_is_refused() {
        let body = body(FILE_NAMESPACE_SIG, REPORT);
        let signed = split(&body).expect("separator found");
        assert_eq!(
            verify(&signed, &[key(OPERATOR_PUB)]),
            Err(SignatureError::Namespace("file".into()))
        );
    }

    #[test]
    fn missing_and_malformed_signatures_are_refused() {
        assert_eq!(split(REPORT), Err(SignatureError::Missing));
        // The `&` must follow the armor's last line directly.
        let body = [SIG, b"\n&", REPORT].concat();
        assert_eq!(split(&body), Err(SignatureError::Missing));
        let garbage = b"-----BEGIN SSH SIGNATURE-----\nnot base64\n-----END SSH SIGNATURE-----\n&x";
        let signed = split(garbage).expect("separator found");
        assert!(matches!(
            verify(&signed, &[key(OPERATOR_PUB)]),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn only_ed25519_keys_are_supported() {
        assert!(supported(&key(OPERATOR_PUB)));
        // Other key types are not even read (accounts refuse them), and an ECDSA signature
        // verifies against nothing.
        assert!(PublicKey::from_openssh(ECDSA_PUB.trim()).is_err());
        let body = body(ECDSA_SIG, REPORT);
        let signed = split(&body).expect("separator found");
        assert!(matches!(
            verify(&signed, &[key(OPERATOR_PUB)]),
            Err(SignatureError::Malformed(_) | SignatureError::UnknownKey)
        ));
    }
}
