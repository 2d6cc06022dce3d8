//! `POST /reports`: signed reports from runners outside the cluster (issue 11), compatible
//! with the upstream compliance monitor's upload (DOMAIN 6.2), so a cloud operator can point
//! `scs-test-runner.py run --monitor-url` at this operator.
//!
//! Order of checks and answers (upstream's codes where upstream has the case):
//! 1. Content-Type `application/x-signed-yaml` or `-json`, else 415.
//! 2. HTTP Basic auth present, else 401; per-account rate limit, else 429.
//! 3. Body size, else 413.
//! 4. The account (a labelled Secret, [`accounts`]) and its API key hash, else 401.
//! 5. The SSH signature (namespace `report`) by one of the account's keys, else 401.
//! 6. The documents parse (the report model's checks), else 422; none at all: 200 `empty reports`.
//! 7. Per document: the account may upload for the subject, else 401; exactly one External
//!    CloudCertification of that subject tests the report's scope, else 422 ([`claims`]).
//! 8. No run uuid twice, neither in the upload nor stored, else 409.
//! 9. All documents are stored, or none ([`store`]): 200 with an empty body.
//!
//! Refusals after authentication are recorded as Warning events on the resource concerned,
//! or on the account's Secret when no resource is (events from unauthenticated callers would
//! let anybody fill the event log). Logs name the account, never the key.

pub mod accounts;
pub mod claims;
pub mod documents;
pub mod password;
pub mod rate_limit;
pub mod signature;
pub mod store;

use crate::api::CloudCertification;
use crate::controller::Context;
use accounts::{Account, SELECTOR, account_from_secret, declared_name};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use documents::Format;
use k8s_openapi::api::core::v1::{ObjectReference, Secret};
use kube::api::{Api, ListParams};
use kube::runtime::events::{Event, EventType};
use kube::{Resource, ResourceExt};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Room for the armored signature and the separator on top of the largest report.
const SIGNATURE_ROOM: usize = 16 * 1024;
/// Longest account name looked at (longer ones cannot exist: they are refused).
const MAX_ACCOUNT_NAME: usize = 253;

/// Settings of the upload endpoint.
#[derive(Clone, Debug, Default)]
pub struct UploadSettings {
    /// Namespace of the account Secrets; `None`: uploads are refused (503) as unconfigured.
    pub accounts_namespace: Option<String>,
    /// Per-account request limit.
    pub limit: rate_limit::Limit,
}

/// State of the endpoint: the operator's context, the rate limiter, and a permit that lets
/// one API key verification run at a time (argon2 is made to be slow and memory-hungry).
struct Uploads {
    ctx: Arc<Context>,
    limiter: Mutex<rate_limit::RateLimiter>,
    verifying: tokio::sync::Semaphore,
}

/// The `/reports` route.
pub fn routes(ctx: Arc<Context>) -> Router {
    let state = Arc::new(Uploads {
        limiter: Mutex::new(rate_limit::RateLimiter::new(ctx.settings.upload.limit)),
        ctx,
        verifying: tokio::sync::Semaphore::new(1),
    });
    Router::new()
        .route("/reports", post(post_reports))
        .with_state(state)
}

/// An answer: the status, and `{"detail": ...}` (FastAPI's shape, as upstream) unless it is
/// the empty success.
#[derive(Debug)]
struct Answer {
    code: StatusCode,
    detail: Option<String>,
    retry_after: Option<u64>,
}

impl Answer {
    fn new(code: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: Some(detail.into()),
            retry_after: None,
        }
    }

    fn unauthorised(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = match &self.detail {
            None => (self.code, Body::empty()).into_response(),
            Some(detail) => (
                self.code,
                axum::Json(serde_json::json!({ "detail": detail })),
            )
                .into_response(),
        };
        let headers = response.headers_mut();
        if self.code == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"scs-cert-operator\""),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// `POST /reports`.
async fn post_reports(State(uploads): State<Arc<Uploads>>, request: Request) -> Response {
    let answer = uploads.handle(request).await;
    answer.into_response()
}

/// Basic-auth user and password.
struct Credentials {
    user: String,
    password: String,
}

fn basic_credentials(headers: &HeaderMap) -> Option<Credentials> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    if user.is_empty() || user.len() > MAX_ACCOUNT_NAME {
        return None;
    }
    Some(Credentials {
        user: user.to_owned(),
        password: password.to_owned(),
    })
}

/// Who is uploading, once authenticated.
struct Caller {
    account: Account,
    secret: ObjectReference,
}

impl Uploads {
    async fn handle(&self, request: Request) -> Answer {
        let (parts, body) = request.into_parts();
        let Some(format) = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(Format::from_content_type)
        else {
            return Answer::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported content type",
            );
        };
        let Some(credentials) = basic_credentials(&parts.headers) else {
            return Answer::unauthorised("Incorrect username or password");
        };
        let user = credentials.user.clone();
        let taken = self
            .limiter
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take(&user, std::time::Instant::now());
        if let Err(wait) = taken {
            let seconds = wait.as_secs() + 1;
            tracing::warn!(account = %user, "upload refused: rate limit");
            return Answer {
                retry_after: Some(seconds),
                ..Answer::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("too many requests for this account; retry in {seconds} s"),
                )
            };
        }
        let limit = self.ctx.settings.max_report_bytes + SIGNATURE_ROOM;
        let too_large = || {
            Answer::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the upload is larger than {limit} bytes"),
            )
        };
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            tracing::warn!(account = %user, "upload refused: too large");
            return too_large();
        }
        let Ok(body) = axum::body::to_bytes(body, limit).await else {
            tracing::warn!(account = %user, "upload refused: too large or interrupted");
            return too_large();
        };
        let caller = match self.authenticate(credentials).await {
            Ok(caller) => caller,
            Err(answer) => return answer,
        };
        let answer = self.accept(&caller, format, &body).await;
        let level_ok = answer.code.is_success();
        if level_ok {
            tracing::info!(account = %user, code = answer.code.as_u16(), detail = ?answer.detail, "upload");
        } else {
            tracing::warn!(account = %user, code = answer.code.as_u16(), detail = ?answer.detail, "upload refused");
        }
        answer
    }

    /// The account named by `credentials`, if the API key is one of its keys.
    async fn authenticate(&self, credentials: Credentials) -> Result<Caller, Answer> {
        let Some(namespace) = self.ctx.settings.upload.accounts_namespace.as_deref() else {
            tracing::warn!(
                "upload refused: no accounts namespace configured (--upload-accounts-namespace)"
            );
            return Err(Answer::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "uploads are not configured on this operator",
            ));
        };
        let secrets = Api::<Secret>::namespaced(self.ctx.client.clone(), namespace)
            .list(&ListParams::default().labels(SELECTOR))
            .await
            .map_err(|err| {
                tracing::error!(%err, %namespace, "cannot list upload account Secrets");
                Answer::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "cannot read the upload accounts now",
                )
            })?;
        let named: Vec<&Secret> = secrets
            .items
            .iter()
            .filter(|s| declared_name(s) == credentials.user)
            .collect();
        let account = match named.as_slice() {
            [secret] => match account_from_secret(secret) {
                Ok(account) => Some((account, secret.object_ref(&()))),
                Err(err) => {
                    tracing::warn!(account = %credentials.user, secret = %secret.name_any(), %err, "upload account Secret is unusable");
                    None
                }
            },
            [] => None,
            several => {
                let names: Vec<String> = several.iter().map(|s| s.name_any()).collect();
                tracing::warn!(account = %credentials.user, secrets = ?names, "several Secrets define this upload account; refusing it");
                None
            }
        };
        let hashes = match &account {
            Some((account, _)) => account.api_keys.clone(),
            None => vec![password::decoy().clone()],
        };
        let matched = {
            let _permit = self.verifying.acquire().await;
            let secret = credentials.password.clone();
            tokio::task::spawn_blocking(move || password::verify_any(&hashes, secret.as_bytes()))
                .await
                .unwrap_or(false)
        };
        match account {
            Some((account, secret)) if matched => Ok(Caller { account, secret }),
            _ => {
                tracing::warn!(account = %credentials.user, "upload refused: unknown account or wrong API key");
                Err(Answer::unauthorised("Incorrect username or password"))
            }
        }
    }

    /// Checks the signature and the documents of an authenticated upload, and stores them.
    async fn accept(&self, caller: &Caller, format: Format, body: &[u8]) -> Answer {
        let signed = match signature::split(body) {
            Ok(signed) => signed,
            Err(err) => return Answer::unauthorised(err.to_string()),
        };
        if let Err(err) = signature::verify(&signed, &caller.account.public_keys) {
            return Answer::unauthorised(err.to_string());
        }
        let documents = match documents::documents(signed.report, format) {
            Ok(documents) => documents,
            Err(err) => {
                let answer = Answer::new(StatusCode::UNPROCESSABLE_ENTITY, err.to_string());
                self.refused_event(caller, &[], &err.to_string()).await;
                return answer;
            }
        };
        if documents.is_empty() {
            return Answer::new(StatusCode::OK, "empty reports");
        }
        let clouds: Vec<Arc<CloudCertification>> = self.ctx.caches.clouds.state();
        let mut targets = Vec::new();
        let mut refusals = Vec::new();
        for document in &documents {
            match claims::claim(&caller.account, &document.report, &clouds) {
                Ok(target) => targets.push(target),
                Err(refusal) => refusals.push((document, refusal)),
            }
        }
        if !refusals.is_empty() {
            let unauthorised = refusals.iter().any(|(_, r)| r.is_unauthorised());
            let mut lines = Vec::new();
            for (document, refusal) in &refusals {
                let line = format!(
                    "document {} (subject {:?}, run uuid {}): {}",
                    document.number,
                    document.report.subject,
                    document.report.run.uuid,
                    refusal.message(&clouds)
                );
                let on: Vec<&CloudCertification> = refusal
                    .resources()
                    .iter()
                    .filter_map(|&i| clouds.get(i).map(Arc::as_ref))
                    .collect();
                self.refused_event(caller, &on, &line).await;
                lines.push(line);
            }
            let code = if unauthorised {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            return Answer::new(code, format!("nothing stored: {}", lines.join("; ")));
        }
        // Replays: a run uuid twice in this upload, or already stored.
        let stored = self.ctx.caches.owned_config_maps.state();
        let mut seen = BTreeSet::new();
        for (document, &target) in documents.iter().zip(&targets) {
            let uuid = document.report.run.uuid.as_str();
            if !seen.insert(uuid) || store::already_stored(&stored, uuid) {
                let detail = format!("Conflict: report already present (run uuid {uuid})");
                self.refused_event(caller, &[clouds[target].as_ref()], &detail)
                    .await;
                return Answer::new(StatusCode::CONFLICT, detail);
            }
        }
        let now = jiff::Timestamp::now();
        let prepared: Result<Vec<_>, _> = documents
            .iter()
            .zip(&targets)
            .map(|(document, &target)| {
                store::prepare(&clouds[target], document, &caller.account.name, now)
            })
            .collect();
        let stored = match prepared {
            Ok(prepared) => store::store_all(&self.ctx.client, &prepared)
                .await
                .map(|()| prepared),
            Err(err) => Err(err),
        };
        match stored {
            Ok(prepared) => {
                for (item, document) in prepared.iter().zip(&documents) {
                    let note = format!(
                        "report {} (checked at {}) uploaded by account {}",
                        item.report_uuid, document.report.checked_at, caller.account.name
                    );
                    self.event(item.cloud.object_ref(&()), false, "ReportUploaded", note)
                        .await;
                }
                Answer {
                    code: StatusCode::OK,
                    detail: None,
                    retry_after: None,
                }
            }
            Err(err) => {
                let code = match &err {
                    store::StoreFailure::Duplicate(_) => StatusCode::CONFLICT,
                    store::StoreFailure::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                    store::StoreFailure::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                };
                if !matches!(err, store::StoreFailure::Unavailable(_)) {
                    let distinct: BTreeSet<usize> = targets.iter().copied().collect();
                    let on: Vec<&CloudCertification> =
                        distinct.iter().map(|&i| clouds[i].as_ref()).collect();
                    self.refused_event(caller, &on, &err.to_string()).await;
                }
                Answer::new(code, err.to_string())
            }
        }
    }

    /// A Warning `UploadRefused` event on each of `on`, or on the account's Secret.
    async fn refused_event(&self, caller: &Caller, on: &[&CloudCertification], why: &str) {
        let note = format!("upload by account {} refused: {why}", caller.account.name);
        if on.is_empty() {
            self.event(caller.secret.clone(), true, "UploadRefused", note.clone())
                .await;
        }
        for cloud in on {
            self.event(cloud.object_ref(&()), true, "UploadRefused", note.clone())
                .await;
        }
    }

    /// Publishes an event; best effort, like the reconciler's.
    async fn event(&self, reference: ObjectReference, warning: bool, reason: &str, note: String) {
        let event = Event {
            type_: if warning {
                EventType::Warning
            } else {
                EventType::Normal
            },
            reason: reason.to_owned(),
            note: Some(note.chars().take(1024).collect()),
            action: "Upload".to_owned(),
            secondary: None,
        };
        if let Err(err) = self.ctx.recorder.publish(&event, &reference).await {
            tracing::warn!(%err, reason, "cannot publish event");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(authorization).expect("header"),
        );
        headers
    }

    #[test]
    fn basic_credentials_are_read_like_the_runner_sends_them() {
        // The runner's token file holds base64("subject:password").
        let token = base64::engine::general_purpose::STANDARD.encode("cloud-a:pa:ss word");
        let credentials = basic_credentials(&headers(&format!("Basic {token}"))).expect("basic");
        assert_eq!(credentials.user, "cloud-a");
        assert_eq!(credentials.password, "pa:ss word");
        let lower = basic_credentials(&headers(&format!("basic  {token}"))).expect("basic");
        assert_eq!(lower.user, "cloud-a");
        for bad in [
            "Bearer abc".to_owned(),
            "Basic !!!".to_owned(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("no-colon")
            ),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(":empty-user")
            ),
        ] {
            assert!(basic_credentials(&headers(&bad)).is_none(), "{bad}");
        }
        assert!(basic_credentials(&HeaderMap::new()).is_none());
    }

    #[test]
    fn success_is_an_empty_200_and_errors_carry_a_detail() {
        let ok = Answer {
            code: StatusCode::OK,
            detail: None,
            retry_after: None,
        }
        .into_response();
        assert_eq!(ok.status(), StatusCode::OK);
        assert!(ok.headers().get(header::CONTENT_TYPE).is_none());
        let refused = Answer::unauthorised("Incorrect username or password").into_response();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(refused.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
