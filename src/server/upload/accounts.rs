//! Upload accounts (the upstream monitor's accounts, DOMAIN 6.1) read from Secrets labelled
//! `certification.scs.community/upload-account=true` in the accounts namespace (the operator's
//! own by default). docs/external-uploads.md describes the format:
//!
//! | key | content |
//! |---|---|
//! | `account` | Basic-auth user name (optional; default: the Secret's name) |
//! | `apiKeyHash` | one or more API key hashes, one per line (argon2id PHC or bcrypt) |
//! | `publicKeys` | authorized_keys lines with the ssh-ed25519 keys reports are signed with |
//! | `subjects` | further subjects the account may upload for (delegation), comma or newline separated |
//! | `groups` | groups (`spec.group` of CloudCertifications) whose subjects it may upload for |
//!
//! An account always may upload for the subject named like itself, as upstream.

use super::password::{HashError, KeyHash};
use super::signature;
use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use ssh_key::PublicKey;
use std::collections::BTreeSet;

/// Label selecting the account Secrets.
pub const LABEL: &str = "certification.scs.community/upload-account";
/// Label selector for [`LABEL`]`=true`.
pub const SELECTOR: &str = "certification.scs.community/upload-account=true";
/// Key: the account (Basic-auth user) name.
pub const ACCOUNT_KEY: &str = "account";
/// Key: API key hashes.
pub const API_KEY_HASH_KEY: &str = "apiKeyHash";
/// Key: signing keys.
pub const PUBLIC_KEYS_KEY: &str = "publicKeys";
/// Key: delegated subjects.
pub const SUBJECTS_KEY: &str = "subjects";
/// Key: delegated groups.
pub const GROUPS_KEY: &str = "groups";

/// One usable upload account.
#[derive(Clone, Debug)]
pub struct Account {
    /// Basic-auth user name; also a subject it may upload for.
    pub name: String,
    /// API key hashes (any of them opens the account).
    pub api_keys: Vec<KeyHash>,
    /// ssh-ed25519 keys its reports may be signed with.
    pub public_keys: Vec<PublicKey>,
    /// Subjects it may upload for, its own name included.
    pub subjects: BTreeSet<String>,
    /// Groups whose subjects it may upload for.
    pub groups: BTreeSet<String>,
}

impl Account {
    /// Whether the account may upload for `subject` by name (groups are checked against the
    /// resource that claims the subject, see `claims`).
    pub fn names_subject(&self, subject: &str) -> bool {
        self.subjects.contains(subject)
    }
}

/// Why a Secret is not a usable account (logged with the Secret's name; never its values).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccountError {
    /// A key holds bytes that are not UTF-8 text.
    #[error("key {0} is not UTF-8 text")]
    NotText(&'static str),
    /// The account name is empty or unusable in Basic auth.
    #[error("account name {0:?} is empty or contains ':' or control characters")]
    BadName(String),
    /// No API key hash.
    #[error("no API key hash (key apiKeyHash)")]
    NoApiKey,
    /// An API key hash is unusable.
    #[error("apiKeyHash line {line}: {problem}")]
    BadApiKey {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        problem: HashError,
    },
    /// No signing key.
    #[error("no public key (key publicKeys)")]
    NoPublicKey,
    /// A signing key line is unusable.
    #[error("publicKeys line {line}: {problem}")]
    BadPublicKey {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        problem: String,
    },
}

/// Reads the account a Secret describes.
pub fn account_from_secret(secret: &Secret) -> Result<Account, AccountError> {
    let text = |key: &'static str| -> Result<Option<String>, AccountError> {
        match secret.data.as_ref().and_then(|d| d.get(key)) {
            None => Ok(None),
            Some(bytes) => String::from_utf8(bytes.0.clone())
                .map(Some)
                .map_err(|_| AccountError::NotText(key)),
        }
    };
    let name = declared_name(secret);
    text(ACCOUNT_KEY)?;
    if name.is_empty() || name.contains(':') || name.chars().any(char::is_control) {
        return Err(AccountError::BadName(name));
    }
    let api_keys = meaningful_lines(&text(API_KEY_HASH_KEY)?.unwrap_or_default())
        .map(|(line, hash)| {
            KeyHash::parse(hash).map_err(|problem| AccountError::BadApiKey { line, problem })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if api_keys.is_empty() {
        return Err(AccountError::NoApiKey);
    }
    let public_keys = parse_public_keys(&text(PUBLIC_KEYS_KEY)?.unwrap_or_default())?;
    let mut subjects = list(&text(SUBJECTS_KEY)?.unwrap_or_default());
    subjects.insert(name.clone());
    let groups = list(&text(GROUPS_KEY)?.unwrap_or_default());
    Ok(Account {
        name,
        api_keys,
        public_keys,
        subjects,
        groups,
    })
}

/// The account name a Secret declares (`account`, else the Secret's name), even when the
/// rest of it is unusable: a broken account must still refuse its own logins, not fall
/// through to another one.
pub fn declared_name(secret: &Secret) -> String {
    secret
        .data
        .as_ref()
        .and_then(|d| d.get(ACCOUNT_KEY))
        .map(|bytes| String::from_utf8_lossy(&bytes.0).trim().to_owned())
        .unwrap_or_else(|| secret.name_any())
}

/// Non-empty, non-comment lines with their 1-based numbers.
fn meaningful_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// authorized_keys lines (options before the key type are allowed and ignored).
fn parse_public_keys(text: &str) -> Result<Vec<PublicKey>, AccountError> {
    let mut keys = Vec::new();
    for (line, entry) in meaningful_lines(text) {
        let bad = |problem: String| AccountError::BadPublicKey { line, problem };
        let parsed: ssh_key::authorized_keys::Entry =
            entry.parse().map_err(|e: ssh_key::Error| {
                if entry.split_whitespace().any(|word| word == "ssh-ed25519") {
                    bad(e.to_string())
                } else {
                    // Other key types are not compiled in, so they do not even parse.
                    bad("not an ssh-ed25519 key (ssh-ed25519 only)".to_owned())
                }
            })?;
        let key = parsed.public_key().clone();
        if !signature::supported(&key) {
            return Err(bad(format!(
                "key type {} is not accepted (ssh-ed25519 only)",
                key.algorithm()
            )));
        }
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(AccountError::NoPublicKey);
    }
    Ok(keys)
}

/// A comma/whitespace separated list; `#` starts a comment to the end of the line.
fn list(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .flat_map(|l| l.split([',', ' ', '\t']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::ByteString;
    use std::collections::BTreeMap;

    const OPERATOR_PUB: &str = include_str!("../../../tests/fixtures/sshsig/operator.pub");
    const ECDSA_PUB: &str = include_str!("../../../tests/fixtures/sshsig/ecdsa.pub");

    fn bcrypt_hash() -> String {
        bcrypt::hash("key", 4).expect("bcrypt")
    }

    fn secret(name: &str, data: &[(&str, &str)]) -> Secret {
        Secret {
            metadata: kube::api::ObjectMeta {
                name: Some(name.into()),
                ..Default::default()
            },
            data: Some(
                data.iter()
                    .map(|(k, v)| ((*k).to_owned(), ByteString(v.as_bytes().to_vec())))
                    .collect::<BTreeMap<_, _>>(),
            ),
            ..Secret::default()
        }
    }

    #[test]
    fn a_complete_account_is_read() {
        let hash = bcrypt_hash();
        let keys = format!("# ops team\nrestrict {OPERATOR_PUB}\n");
        let account = account_from_secret(&secret(
            "upload-cloud-a",
            &[
                ("account", "cloud-a\n"),
                ("apiKeyHash", &hash),
                ("publicKeys", &keys),
                ("subjects", "cloud-a-kaas, cloud-a-2\ncloud-a-3 # later\n"),
                ("groups", "pco-prod"),
            ],
        ))
        .expect("account");
        assert_eq!(account.name, "cloud-a");
        assert_eq!(account.api_keys.len(), 1);
        assert_eq!(account.public_keys.len(), 1);
        assert_eq!(
            account.subjects,
            ["cloud-a", "cloud-a-2", "cloud-a-3", "cloud-a-kaas"]
                .map(String::from)
                .into()
        );
        assert_eq!(account.groups, ["pco-prod".to_owned()].into());
        assert!(account.names_subject("cloud-a") && !account.names_subject("cloud-b"));
    }

    #[test]
    fn the_secret_name_is_the_default_account_name() {
        let hash = bcrypt_hash();
        let account = account_from_secret(&secret(
            "cloud-b",
            &[("apiKeyHash", &hash), ("publicKeys", OPERATOR_PUB)],
        ))
        .expect("account");
        assert_eq!(account.name, "cloud-b");
        assert_eq!(account.subjects, ["cloud-b".to_owned()].into());
    }

    #[test]
    fn incomplete_or_wrong_accounts_are_refused_whole() {
        let hash = bcrypt_hash();
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("publicKeys", OPERATOR_PUB)], "no API key hash"),
            (vec![("apiKeyHash", &hash)], "no public key"),
            (
                vec![
                    ("apiKeyHash", "plain-text-key"),
                    ("publicKeys", OPERATOR_PUB),
                ],
                "apiKeyHash line 1",
            ),
            (
                vec![("apiKeyHash", &hash), ("publicKeys", ECDSA_PUB)],
                "ssh-ed25519 only",
            ),
            (
                vec![("apiKeyHash", &hash), ("publicKeys", "ssh-ed25519 garbage")],
                "publicKeys line 1",
            ),
            (
                vec![
                    ("account", "a:b"),
                    ("apiKeyHash", &hash),
                    ("publicKeys", OPERATOR_PUB),
                ],
                "contains ':'",
            ),
        ];
        for (data, expected) in cases {
            let err = account_from_secret(&secret("s", &data)).expect_err(expected);
            assert!(err.to_string().contains(expected), "{err} / {expected}");
        }
    }
}
