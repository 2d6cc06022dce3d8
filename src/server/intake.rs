//! Report intake: `POST /v1/runs/{namespace}/{name}/{run}/report` and `.../failure`.
//!
//! Answers: 201 stored; 200 the identical report is already stored (a retry); 409 a different
//! report is already stored, or the run is not one of this resource's; 401/403 refused;
//! 413 too large; 422 malformed or for another subject or scope. Nothing is written unless
//! everything checks out.

use super::auth::{AuthError, ClaimedRun, authenticate_run};
use crate::api::CloudCertification;
use crate::controller::Context;
use crate::controller::report_store::{
    StoreError, failure_config_map, report_config_map, report_config_map_name, stored_sha256,
};
use crate::controller::scope_source::hex_sha256;
use crate::report::parse_report_stream;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use flate2::read::GzDecoder;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams};
use kube::runtime::reflector::ObjectRef;
use kube::{Resource, ResourceExt};
use serde_json::json;
use std::io::Read;
use std::sync::Arc;

/// Largest failure record accepted.
const MAX_FAILURE_BYTES: usize = 64 * 1024;

/// An intake answer: HTTP status plus a JSON body `{"status", "message"}`.
#[derive(Debug)]
pub struct Answer {
    code: StatusCode,
    message: String,
}

impl Answer {
    fn new(code: StatusCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let word = match self.code.as_u16() {
            200 => "already-stored",
            201 => "stored",
            _ => "refused",
        };
        (
            self.code,
            Json(json!({"status": word, "message": self.message})),
        )
            .into_response()
    }
}

impl From<AuthError> for Answer {
    fn from(err: AuthError) -> Self {
        let code = match err {
            AuthError::Missing | AuthError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AuthError::WrongRun { .. } => StatusCode::FORBIDDEN,
            AuthError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        Answer::new(code, err.to_string())
    }
}

/// Path parameters of both endpoints.
type RunPath = Path<(String, String, String)>;

fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default()
}

/// The body as text, gunzipped when `Content-Encoding: gzip`, never larger than `limit`.
fn body_text(headers: &HeaderMap, body: &[u8], limit: usize) -> Result<String, Answer> {
    let too_large = || {
        Answer::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the report is larger than {limit} bytes"),
        )
    };
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
    let bytes = if gzip {
        let mut out = Vec::new();
        GzDecoder::new(body)
            .take(u64::try_from(limit).unwrap_or(u64::MAX) + 1)
            .read_to_end(&mut out)
            .map_err(|e| {
                Answer::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("bad gzip body: {e}"),
                )
            })?;
        out
    } else {
        body.to_vec()
    };
    if bytes.len() > limit {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|_| {
        Answer::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the report is not UTF-8 text",
        )
    })
}

/// Finds the resource and authenticates the caller as the named run's pod.
async fn authorised_cloud(
    ctx: &Context,
    headers: &HeaderMap,
    namespace: &str,
    name: &str,
    run_id: &str,
) -> Result<Arc<CloudCertification>, Answer> {
    // Authenticate first, so nobody learns which resources exist without a valid token.
    let cloud = ctx
        .caches
        .clouds
        .get(&ObjectRef::new(name).within(namespace));
    let cloud_uid = cloud.as_ref().and_then(|c| c.uid()).unwrap_or_default();
    let service_account = cloud
        .as_ref()
        .and_then(|c| c.spec.runner.service_account_name.clone())
        .unwrap_or_else(|| ctx.settings.job.service_account.clone());
    let claim = ClaimedRun {
        namespace,
        cloud_uid: &cloud_uid,
        run_id,
        service_account: &service_account,
    };
    authenticate_run(
        &ctx.client,
        &ctx.settings.job.token_audience,
        bearer(headers),
        &claim,
    )
    .await?;
    cloud.ok_or_else(|| {
        Answer::new(
            StatusCode::NOT_FOUND,
            format!("no CloudCertification {namespace}/{name}"),
        )
    })
}

/// Whether `run_id` is a run of `cloud` that may still deliver (the active one, or a
/// finished one, for idempotent retries answered from the stored report).
fn run_is_known(cloud: &CloudCertification, run_id: &str) -> bool {
    let status = cloud.status.clone().unwrap_or_default();
    status
        .active_run
        .iter()
        .chain(status.last_run.iter())
        .chain(status.recent_runs.iter())
        .any(|r| r.id == run_id)
}

/// `POST /v1/runs/{namespace}/{name}/{run}/report`.
pub async fn post_report(
    State(ctx): State<Arc<Context>>,
    Path((namespace, name, run_id)): RunPath,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    match store_report(&ctx, &namespace, &name, &run_id, &headers, &body).await {
        Ok(answer) | Err(answer) => {
            tracing::info!(%namespace, %name, run = %run_id, code = answer.code.as_u16(), message = %answer.message, "report intake");
            answer
        }
    }
}

async fn store_report(
    ctx: &Context,
    namespace: &str,
    name: &str,
    run_id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Answer, Answer> {
    let limit = ctx.settings.max_report_bytes;
    if body.len() > limit {
        return Err(Answer::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the report is larger than {limit} bytes"),
        ));
    }
    let cloud = authorised_cloud(ctx, headers, namespace, name, run_id).await?;
    let text = body_text(headers, body, limit)?;
    let sha256 = hex_sha256(text.as_bytes());
    let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), namespace);
    let cm_name = report_config_map_name(name, run_id);
    if let Some(answer) = compare_with_stored(&api, &cm_name, &sha256).await? {
        return Ok(answer);
    }
    if !run_is_known(&cloud, run_id) {
        return Err(Answer::new(
            StatusCode::CONFLICT,
            format!("run {run_id} is not a run of {namespace}/{name}"),
        ));
    }
    let reports = parse_report_stream(&text).map_err(|e| {
        Answer::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("malformed report: {e}"),
        )
    })?;
    let [report] = reports.as_slice() else {
        return Err(Answer::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "a run delivers exactly one report document, got {}",
                reports.len()
            ),
        ));
    };
    if report.subject != cloud.spec.subject {
        return Err(Answer::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "the report is for subject {:?}, this resource tests {:?}",
                report.subject, cloud.spec.subject
            ),
        ));
    }
    if let Some(uuid) = cloud
        .status
        .as_ref()
        .and_then(|s| s.scope.as_ref())
        .and_then(|s| s.uuid.as_deref())
        && report.spec.uuid != uuid
    {
        return Err(Answer::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "the report is for scope {}, this resource tests scope {uuid}",
                report.spec.uuid
            ),
        ));
    }
    let owner = cloud.controller_owner_ref(&()).unwrap_or_default();
    let config_map = report_config_map(
        namespace,
        name,
        run_id,
        owner,
        &text,
        &sha256,
        &report.run.uuid,
    )
    .map_err(|e| match e {
        StoreError::TooLarge { .. } => Answer::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string()),
        StoreError::Compress(_) => Answer::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    })?;
    match api.create(&PostParams::default(), &config_map).await {
        Ok(_) => Ok(Answer::new(
            StatusCode::CREATED,
            format!("report of run {run_id} stored"),
        )),
        Err(kube::Error::Api(status)) if status.code == 409 => {
            compare_with_stored(&api, &cm_name, &sha256)
                .await?
                .ok_or_else(|| Answer::new(StatusCode::CONFLICT, "a concurrent upload won"))
        }
        Err(err) => Err(Answer::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("cannot store the report: {err}"),
        )),
    }
}

/// 200 when the identical report is stored, 409 when a different one is, None when none is.
async fn compare_with_stored(
    api: &Api<ConfigMap>,
    name: &str,
    sha256: &str,
) -> Result<Option<Answer>, Answer> {
    let stored = api.get_opt(name).await.map_err(|e| {
        Answer::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("cannot read stored reports: {e}"),
        )
    })?;
    Ok(stored.map(|cm| {
        if stored_sha256(&cm) == Some(sha256) {
            Answer::new(StatusCode::OK, "this report is already stored")
        } else {
            Answer::new(
                StatusCode::CONFLICT,
                "a different report is already stored for this run",
            )
        }
    }))
}

/// `POST /v1/runs/{namespace}/{name}/{run}/failure`: why a run has no report.
pub async fn post_failure(
    State(ctx): State<Arc<Context>>,
    Path((namespace, name, run_id)): RunPath,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let result = async {
        if body.len() > MAX_FAILURE_BYTES {
            return Err(Answer::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "failure record too large",
            ));
        }
        let cloud = authorised_cloud(&ctx, &headers, &namespace, &name, &run_id).await?;
        if !run_is_known(&cloud, &run_id) {
            return Err(Answer::new(
                StatusCode::CONFLICT,
                format!("run {run_id} is not a run of {namespace}/{name}"),
            ));
        }
        let record: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            Answer::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("malformed failure record: {e}"),
            )
        })?;
        let owner = cloud.controller_owner_ref(&()).unwrap_or_default();
        let config_map = failure_config_map(&namespace, &name, &run_id, owner, &record.to_string());
        let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), &namespace);
        match api.create(&PostParams::default(), &config_map).await {
            Ok(_) => Ok(Answer::new(StatusCode::CREATED, "failure record stored")),
            Err(kube::Error::Api(status)) if status.code == 409 => {
                Ok(Answer::new(StatusCode::OK, "failure record already stored"))
            }
            Err(err) => Err(Answer::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("cannot store: {err}"),
            )),
        }
    }
    .await;
    match result {
        Ok(answer) | Err(answer) => {
            tracing::info!(%namespace, %name, run = %run_id, code = answer.code.as_u16(), message = %answer.message, "failure intake");
            answer
        }
    }
}
