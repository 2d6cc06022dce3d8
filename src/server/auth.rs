//! Per-run authentication of uploads: the check pod presents its audience-bound projected
//! ServiceAccount token; a TokenReview proves it, and the pod it is bound to must belong to
//! exactly the run named in the URL.

use crate::controller::labels;
use k8s_openapi::api::authentication::v1::{TokenReview, TokenReviewSpec};
use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;
use kube::api::{Api, PostParams};

/// TokenReview `user.extra` key naming the pod a token is bound to.
const POD_NAME: &str = "authentication.kubernetes.io/pod-name";
/// TokenReview `user.extra` key with the uid of that pod.
const POD_UID: &str = "authentication.kubernetes.io/pod-uid";

/// Why an upload is refused; never contains the token.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// No usable bearer token.
    #[error("missing bearer token")]
    Missing,
    /// The API server does not accept the token (expired, forged, wrong audience).
    #[error("token not accepted: {0}")]
    Unauthenticated(String),
    /// A valid token, but not of this run's pod.
    #[error("token does not belong to run {run}: {why}")]
    WrongRun {
        /// The run the URL names.
        run: String,
        /// What did not match.
        why: String,
    },
    /// The API server could not be asked.
    #[error("cannot verify the token now: {0}")]
    Unavailable(String),
}

/// The run an upload claims to be for.
#[derive(Clone, Debug)]
pub struct ClaimedRun<'a> {
    /// Namespace of the CloudCertification.
    pub namespace: &'a str,
    /// UID of the CloudCertification.
    pub cloud_uid: &'a str,
    /// Run id.
    pub run_id: &'a str,
    /// ServiceAccount check pods run as.
    pub service_account: &'a str,
}

/// Verifies `token` (TokenReview with `audience`) and that it is bound to a pod of `claim`.
pub async fn authenticate_run(
    client: &kube::Client,
    audience: &str,
    token: &str,
    claim: &ClaimedRun<'_>,
) -> Result<(), AuthError> {
    if token.is_empty() {
        return Err(AuthError::Missing);
    }
    let review = TokenReview {
        spec: TokenReviewSpec {
            token: Some(token.to_owned()),
            audiences: Some(vec![audience.to_owned()]),
        },
        ..TokenReview::default()
    };
    let reviewed = Api::<TokenReview>::all(client.clone())
        .create(&PostParams::default(), &review)
        .await
        .map_err(|e| AuthError::Unavailable(e.to_string()))?;
    let status = reviewed.status.unwrap_or_default();
    if status.authenticated != Some(true) {
        return Err(AuthError::Unauthenticated(
            status
                .error
                .unwrap_or_else(|| "rejected by TokenReview".to_owned()),
        ));
    }
    if !status
        .audiences
        .unwrap_or_default()
        .iter()
        .any(|a| a == audience)
    {
        return Err(AuthError::Unauthenticated(format!(
            "token is not for audience {audience}"
        )));
    }
    let wrong = |why: String| AuthError::WrongRun {
        run: claim.run_id.to_owned(),
        why,
    };
    let user = status.user.unwrap_or_default();
    let expected_user = format!(
        "system:serviceaccount:{}:{}",
        claim.namespace, claim.service_account
    );
    let username = user.username.unwrap_or_default();
    if username != expected_user {
        return Err(wrong(format!(
            "token of {username}, expected {expected_user}"
        )));
    }
    let extra = user.extra.unwrap_or_default();
    let first = |key: &str| extra.get(key).and_then(|v| v.first()).cloned();
    let (Some(pod_name), Some(pod_uid)) = (first(POD_NAME), first(POD_UID)) else {
        return Err(wrong("token is not bound to a pod".to_owned()));
    };
    let pod = Api::<Pod>::namespaced(client.clone(), claim.namespace)
        .get_opt(&pod_name)
        .await
        .map_err(|e| AuthError::Unavailable(e.to_string()))?
        .ok_or_else(|| wrong(format!("pod {pod_name} no longer exists")))?;
    if pod.uid().as_deref() != Some(pod_uid.as_str()) {
        return Err(wrong(format!("pod {pod_name} was replaced")));
    }
    let pod_labels = pod.labels();
    if pod_labels.get(labels::RUN_ID).map(String::as_str) != Some(claim.run_id) {
        return Err(wrong(format!("pod {pod_name} belongs to another run")));
    }
    if pod_labels.get(labels::CLOUD_UID).map(String::as_str) != Some(claim.cloud_uid) {
        return Err(wrong(format!("pod {pod_name} belongs to another resource")));
    }
    Ok(())
}
