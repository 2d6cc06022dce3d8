//! Delivering the report (or a failure record) to the operator's intake:
//! `POST <base>/v1/runs/<namespace>/<name>/<run-id>/{report,failure}` with
//! `Authorization: Bearer <token>`; transient failures retried within a budget ([`retry`]).
//!
//! [`retry`]: crate::runner::retry

use crate::runner::retry::{Answer, RetryPolicy};
use crate::runner::token::{TokenError, read_token_file};
use reqwest::Url;
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;
use tokio::time::Instant;

/// Most bytes of an answer's body quoted in messages.
const MAX_ANSWER_QUOTE: usize = 1024;

/// What is being delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// The report YAML.
    Report,
    /// A failure record (JSON).
    Failure,
}

impl BodyKind {
    /// Last path segment of the endpoint.
    pub fn segment(self) -> &'static str {
        match self {
            BodyKind::Report => "report",
            BodyKind::Failure => "failure",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            BodyKind::Report => "application/yaml",
            BodyKind::Failure => "application/json",
        }
    }
}

/// The run the upload belongs to, and where the intake is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadTarget {
    base: Url,
    namespace: String,
    name: String,
    run_id: String,
}

/// The upload target is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The base URL does not parse or is not http(s).
    #[error("invalid intake URL {url:?}: {reason}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// Namespace, name or run id is empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
}

impl UploadTarget {
    /// Validates the parts; `base` may carry a path prefix.
    pub fn new(base: &str, namespace: &str, name: &str, run_id: &str) -> Result<Self, TargetError> {
        let url = Url::parse(base).map_err(|e| TargetError::BadUrl {
            url: base.to_string(),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(TargetError::BadUrl {
                url: base.to_string(),
                reason: "expected an http:// or https:// URL".into(),
            });
        }
        for (value, what) in [(namespace, "namespace"), (name, "name"), (run_id, "run id")] {
            if value.is_empty() {
                return Err(TargetError::Empty(what));
            }
        }
        Ok(UploadTarget {
            base: url,
            namespace: namespace.to_string(),
            name: name.to_string(),
            run_id: run_id.to_string(),
        })
    }

    /// The endpoint for `kind` (each part percent-encoded as one path segment).
    pub fn url(&self, kind: BodyKind) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend([
                "v1",
                "runs",
                &self.namespace,
                &self.name,
                &self.run_id,
                kind.segment(),
            ]);
        }
        url
    }
}

/// How to upload.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    /// File holding the bearer token (read again before every attempt: tokens rotate).
    pub token_file: PathBuf,
    /// PEM file with extra CA certificates for an https intake.
    pub ca_file: Option<PathBuf>,
    /// Limit for connecting.
    pub connect_timeout: Duration,
    /// Limit for one whole request.
    pub request_timeout: Duration,
    /// Retries of transient failures.
    pub policy: RetryPolicy,
    /// Send the report gzip-compressed (`Content-Encoding: gzip`).
    pub gzip: bool,
}

/// The HTTP client cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The CA file cannot be read or parsed.
    #[error("cannot use CA file {}: {reason}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// reqwest refused the configuration.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// A body the intake accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// The accepting status (201 or 200).
    pub status: u16,
    /// Attempts made.
    pub attempts: u32,
}

/// A body that was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The token file cannot be used.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A final answer other than success.
    #[error("{url} answered {status} ({}): {message}", describe(*.answer))]
    Rejected {
        /// The endpoint.
        url: Url,
        /// Classification of the status.
        answer: Answer,
        /// The HTTP status.
        status: u16,
        /// Start of the answer's body.
        message: String,
    },
    /// Transient failures until the budget ran out.
    #[error(
        "gave up on {url} after {attempts} attempt(s) within the upload budget; last error: {last}"
    )]
    GaveUp {
        /// The endpoint.
        url: Url,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
}

fn describe(answer: Answer) -> &'static str {
    match answer {
        Answer::Conflict => "a different body is already stored for this run",
        Answer::Refused => "credential refused",
        Answer::TooLarge => "too large",
        Answer::Malformed => "malformed",
        Answer::OtherFinal => "unexpected answer",
        Answer::Transient => "transient failure",
        Answer::Stored | Answer::AlreadyStored => "stored",
    }
}

/// Uploads to one run's endpoints.
pub struct Uploader {
    client: reqwest::Client,
    target: UploadTarget,
    settings: UploadSettings,
}

impl Uploader {
    /// Builds the HTTP client (rustls; no redirects are followed: a POST must not turn into
    /// a GET elsewhere).
    pub fn new(target: UploadTarget, settings: UploadSettings) -> Result<Uploader, SetupError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("scs-cert-run/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &settings.ca_file {
            let pem = std::fs::read(path).map_err(|e| SetupError::CaFile {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            let certificates =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| SetupError::CaFile {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let client = builder
            .build()
            .map_err(|e| SetupError::Client(e.to_string()))?;
        Ok(Uploader {
            client,
            target,
            settings,
        })
    }

    /// The endpoint of `kind`.
    pub fn url(&self, kind: BodyKind) -> Url {
        self.target.url(kind)
    }

    /// POSTs `body` until it is accepted, refused, or the budget is used up; `note` receives
    /// progress messages (never the token).
    pub async fn deliver(
        &self,
        kind: BodyKind,
        body: &[u8],
        budget: Duration,
        note: &dyn Fn(String),
    ) -> Result<Delivered, UploadError> {
        let url = self.target.url(kind);
        let policy = RetryPolicy {
            budget,
            ..self.settings.policy
        };
        let (payload, gzipped) = if self.settings.gzip && kind == BodyKind::Report {
            match gzip(body) {
                Ok(compressed) => (compressed, true),
                Err(_) => (body.to_vec(), false),
            }
        } else {
            (body.to_vec(), false)
        };
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            // Re-read every time: projected ServiceAccount tokens are rotated by the kubelet.
            let token = read_token_file(&self.settings.token_file)?;
            let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .map_err(|_| TokenError::NotAHeaderValue {
                    path: self.settings.token_file.clone(),
                })?;
            authorization.set_sensitive(true);
            let mut request = self
                .client
                .post(url.clone())
                .header(AUTHORIZATION, authorization)
                .header(CONTENT_TYPE, kind.content_type())
                .body(payload.clone());
            if gzipped {
                request = request.header(CONTENT_ENCODING, "gzip");
            }
            let (failure, retry_after) = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let answer = Answer::of_status(status);
                    let retry_after = retry_after(response.headers().get(RETRY_AFTER));
                    if answer.is_delivered() {
                        return Ok(Delivered {
                            status,
                            attempts: attempt,
                        });
                    }
                    let message = answer_text(response).await;
                    if answer != Answer::Transient {
                        return Err(UploadError::Rejected {
                            url,
                            answer,
                            status,
                            message,
                        });
                    }
                    (format!("HTTP {status}: {message}"), retry_after)
                }
                // Connection refused/reset, DNS, TLS handshake, timeouts: all transient.
                Err(error) => (error_chain(&error), None),
            };
            let jitter = (uuid::Uuid::new_v4().as_u128() % 1000) as f64 / 1000.0;
            match policy.next_delay(attempt, started.elapsed(), jitter, retry_after) {
                Some(delay) => {
                    note(format!(
                        "upload attempt {attempt} to {url} failed ({failure}); retrying in {:.1}s",
                        delay.as_secs_f64()
                    ));
                    tokio::time::sleep(delay).await;
                }
                None => {
                    return Err(UploadError::GaveUp {
                        url,
                        attempts: attempt,
                        last: failure,
                    });
                }
            }
        }
    }
}

fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(body)?;
    encoder.finish()
}

fn retry_after(value: Option<&HeaderValue>) -> Option<Duration> {
    let seconds: u64 = value?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds))
}

async fn answer_text(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < MAX_ANSWER_QUOTE {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    bytes.truncate(MAX_ANSWER_QUOTE);
    String::from_utf8_lossy(&bytes).trim().to_string()
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_encode_each_part_and_keep_a_base_path() {
        let target =
            UploadTarget::new("https://op.example:8443/intake/", "ns", "cloud-a", "r1").unwrap();
        assert_eq!(
            target.url(BodyKind::Report).as_str(),
            "https://op.example:8443/intake/v1/runs/ns/cloud-a/r1/report"
        );
        let target = UploadTarget::new("http://127.0.0.1:9", "n s", "a/b", "r?1").unwrap();
        assert_eq!(
            target.url(BodyKind::Failure).as_str(),
            "http://127.0.0.1:9/v1/runs/n%20s/a%2Fb/r%3F1/failure"
        );
        assert!(UploadTarget::new("ftp://x", "n", "a", "r").is_err());
        assert!(UploadTarget::new("not a url", "n", "a", "r").is_err());
        assert_eq!(
            UploadTarget::new("http://x", "n", "", "r"),
            Err(TargetError::Empty("name"))
        );
    }

    #[test]
    fn retry_after_seconds_are_read() {
        assert_eq!(
            retry_after(Some(&HeaderValue::from_static("7"))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(retry_after(Some(&HeaderValue::from_static("soon"))), None);
        assert_eq!(retry_after(None), None);
    }
}
