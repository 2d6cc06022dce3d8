//! The upload credential: a bearer token read from a file (a projected ServiceAccount token
//! or a per-run Secret). It is never logged, printed or put into an error message.

use std::fmt;
use std::path::{Path, PathBuf};

/// A bearer token; `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    /// The token text, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

/// The token file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The file cannot be read.
    #[error("cannot read token file {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is empty (or only whitespace).
    #[error("token file {} is empty", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The token cannot be sent as an HTTP header (line breaks or control characters).
    #[error("token file {} holds characters not allowed in an HTTP header", path.display())]
    NotAHeaderValue {
        /// The file.
        path: PathBuf,
    },
}

/// Reads the token; surrounding whitespace (a trailing newline) is dropped.
pub fn read_token_file(path: &Path) -> Result<BearerToken, TokenError> {
    let raw = std::fs::read(path).map_err(|source| TokenError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(raw).map_err(|_| TokenError::NotAHeaderValue {
        path: path.to_path_buf(),
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(TokenError::Empty {
            path: path.to_path_buf(),
        });
    }
    if token.chars().any(|c| c.is_control() || !c.is_ascii()) {
        return Err(TokenError::NotAHeaderValue {
            path: path.to_path_buf(),
        });
    }
    Ok(BearerToken(token.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_trims_and_never_shows_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cr3t-value\n").unwrap();
        let token = read_token_file(&path).unwrap();
        assert_eq!(token.expose(), "s3cr3t-value");
        assert!(!format!("{token:?}").contains("s3cr3t"));
        std::fs::write(&path, " \n").unwrap();
        assert!(matches!(
            read_token_file(&path),
            Err(TokenError::Empty { .. })
        ));
        std::fs::write(&path, "a\nb").unwrap();
        let error = read_token_file(&path).unwrap_err();
        assert!(matches!(error, TokenError::NotAHeaderValue { .. }));
        assert!(!error.to_string().contains('a') || !error.to_string().contains("a\nb"));
        let missing = read_token_file(&dir.path().join("absent")).unwrap_err();
        assert!(missing.to_string().contains("absent"), "{missing}");
    }
}
