//! API keys of upload accounts. Only hashes are stored: argon2id PHC strings, or bcrypt
//! (`$2b$`), the two schemes the upstream monitor's password context accepts. Every hash of
//! an account is checked, without stopping at the first match (as upstream), so the answer
//! time does not depend on which one matched.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::{Argon2, Params};
use std::sync::OnceLock;

/// Largest argon2 memory cost accepted (KiB): a verification must fit the operator's pod.
pub const MAX_ARGON2_MEMORY_KIB: u32 = 128 * 1024;
/// Largest argon2 time cost accepted.
pub const MAX_ARGON2_TIME: u32 = 16;
/// Largest argon2 parallelism accepted.
pub const MAX_ARGON2_LANES: u32 = 16;
/// Largest bcrypt cost accepted.
pub const MAX_BCRYPT_COST: u32 = 14;

/// One stored API key hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyHash {
    /// An argon2id PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`).
    Argon2id(String),
    /// A bcrypt hash (`$2b$12$...`, also `$2a$`/`$2y$`).
    Bcrypt(String),
}

/// Why a stored hash is unusable (a configuration error of the account).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HashError {
    /// Neither argon2id nor bcrypt.
    #[error("not an argon2id PHC string or a bcrypt hash")]
    Unsupported,
    /// The right scheme, but malformed.
    #[error("malformed {scheme} hash: {reason}")]
    Malformed {
        /// argon2id or bcrypt.
        scheme: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Parameters so costly that verifying would starve the operator.
    #[error("{0}")]
    TooCostly(String),
}

impl KeyHash {
    /// Reads one stored hash, refusing unknown schemes and excessive costs.
    pub fn parse(text: &str) -> Result<Self, HashError> {
        let text = text.trim();
        if text.starts_with("$argon2") {
            let malformed = |reason: String| HashError::Malformed {
                scheme: "argon2id",
                reason,
            };
            let hash = PasswordHash::new(text).map_err(|e| malformed(e.to_string()))?;
            if hash.algorithm.as_str() != "argon2id" {
                return Err(malformed(format!(
                    "algorithm {} (only argon2id is accepted)",
                    hash.algorithm
                )));
            }
            let params = Params::try_from(&hash).map_err(|e| malformed(e.to_string()))?;
            if params.m_cost() > MAX_ARGON2_MEMORY_KIB
                || params.t_cost() > MAX_ARGON2_TIME
                || params.p_cost() > MAX_ARGON2_LANES
            {
                return Err(HashError::TooCostly(format!(
                    "argon2id parameters m={},t={},p={} exceed m={MAX_ARGON2_MEMORY_KIB},t={MAX_ARGON2_TIME},p={MAX_ARGON2_LANES}",
                    params.m_cost(),
                    params.t_cost(),
                    params.p_cost()
                )));
            }
            if hash.hash.is_none() {
                return Err(malformed("no hash output".into()));
            }
            return Ok(Self::Argon2id(text.to_owned()));
        }
        if ["$2a$", "$2b$", "$2y$"].iter().any(|p| text.starts_with(p)) {
            let parts: bcrypt::HashParts =
                text.parse()
                    .map_err(|e: bcrypt::BcryptError| HashError::Malformed {
                        scheme: "bcrypt",
                        reason: e.to_string(),
                    })?;
            if parts.get_cost() > MAX_BCRYPT_COST {
                return Err(HashError::TooCostly(format!(
                    "bcrypt cost {} exceeds {MAX_BCRYPT_COST}",
                    parts.get_cost()
                )));
            }
            return Ok(Self::Bcrypt(text.to_owned()));
        }
        Err(HashError::Unsupported)
    }

    /// Whether `password` is the key this hash was made from (CPU- and memory-bound: call
    /// from a blocking thread).
    pub fn verify(&self, password: &[u8]) -> bool {
        match self {
            Self::Argon2id(text) => PasswordHash::new(text)
                .is_ok_and(|hash| Argon2::default().verify_password(password, &hash).is_ok()),
            Self::Bcrypt(text) => bcrypt::verify(password, text).unwrap_or(false),
        }
    }
}

/// Checks `password` against every hash; true when any matches.
pub fn verify_any(hashes: &[KeyHash], password: &[u8]) -> bool {
    hashes
        .iter()
        .fold(false, |matched, hash| hash.verify(password) | matched)
}

/// A hash nobody knows the key of: verified for unknown accounts, so that refusing them
/// takes about as long as refusing a wrong key of a real one.
pub fn decoy() -> &'static KeyHash {
    static DECOY: OnceLock<KeyHash> = OnceLock::new();
    DECOY.get_or_init(|| {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
            .unwrap_or_else(|_| SaltString::from_b64("c2FsdHNhbHRzYWx0").expect("literal salt"));
        let secret = uuid::Uuid::new_v4();
        let phc = Argon2::default()
            .hash_password(secret.as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default();
        KeyHash::Argon2id(phc)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, SaltString};

    fn argon2id(password: &str, params: Params) -> String {
        let salt = SaltString::from_b64("c29tZXNhbHRzb21lc2FsdA").expect("salt");
        Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(password.as_bytes(), &salt)
            .expect("hash")
            .to_string()
    }

    fn small() -> Params {
        Params::new(1024, 1, 1, None).expect("params")
    }

    #[test]
    fn argon2id_and_bcrypt_hashes_verify_the_right_key_only() {
        let argon = KeyHash::parse(&argon2id("s3cret", small())).expect("argon2id parses");
        assert!(argon.verify(b"s3cret"));
        assert!(!argon.verify(b"s3cret "));
        let bcrypt_text = bcrypt::hash("other-key", 4).expect("bcrypt");
        let bcrypt = KeyHash::parse(&bcrypt_text).expect("bcrypt parses");
        assert!(matches!(bcrypt, KeyHash::Bcrypt(_)));
        assert!(bcrypt.verify(b"other-key"));
        assert!(!bcrypt.verify(b"s3cret"));
        // Either key opens an account holding both hashes (rotation).
        let both = [argon, bcrypt];
        assert!(verify_any(&both, b"s3cret"));
        assert!(verify_any(&both, b"other-key"));
        assert!(!verify_any(&both, b"guess"));
        assert!(!verify_any(&[], b""));
    }

    #[test]
    fn passlib_style_hashes_are_read() {
        // passlib's argon2 default parameters (m=65536,t=3,p=4) are within the limits.
        let text = argon2id("k", Params::new(65536, 3, 4, None).expect("params"));
        assert!(
            text.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"),
            "{text}"
        );
        assert!(KeyHash::parse(&text).is_ok());
    }

    #[test]
    fn a_hash_made_by_the_argon2_cli_verifies() {
        // `printf %s abc | argon2 "$(openssl rand -hex 8)" -id -t 3 -m 16 -p 4 -e` (Debian
        // package argon2), as docs/external-uploads.md suggests.
        let cli = "$argon2id$v=19$m=65536,t=3,p=4$ZmMzNWUwYWZjYzUzN2Y2NA$CLRIlfazY1o1KBrV1htSnLGqPVqPGejSx5plnHoY4bo";
        let hash = KeyHash::parse(cli).expect("CLI hash parses");
        assert!(hash.verify(b"abc"));
    }

    #[test]
    fn plain_text_other_schemes_and_costly_hashes_are_refused() {
        assert_eq!(KeyHash::parse("s3cret"), Err(HashError::Unsupported));
        assert_eq!(
            KeyHash::parse("$6$salt$sha512crypt"),
            Err(HashError::Unsupported)
        );
        let argon2i = argon2id("k", small()).replace("$argon2id$", "$argon2i$");
        assert!(matches!(
            KeyHash::parse(&argon2i),
            Err(HashError::Malformed { .. })
        ));
        let costly = argon2id("k", small()).replace("m=1024", "m=4194304");
        assert!(matches!(
            KeyHash::parse(&costly),
            Err(HashError::TooCostly(_))
        ));
        assert!(matches!(
            KeyHash::parse("$2b$31$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzABCDE"),
            Err(HashError::TooCostly(_) | HashError::Malformed { .. })
        ));
    }

    #[test]
    fn the_decoy_matches_nothing() {
        assert!(matches!(decoy(), KeyHash::Argon2id(_)));
        assert!(!decoy().verify(b""));
        assert!(!decoy().verify(b"s3cret"));
    }
}
