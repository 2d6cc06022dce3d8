//! Delivery of transitions to the sinks of `spec.notifications`: Kubernetes events and
//! webhooks. One path for both kinds: certificate transitions of CloudCertifications (SCS-0004
//! item 8) and IntegratorCertification transitions (SCS-0007 continuation), each a [`Notice`].
//! Which notices are still due per sink is decided by the pure [`NotificationLog`]; this
//! module only delivers and reports what went through, so the caller can record it in status
//! (no duplicates across restarts, nothing lost).
//!
//! Webhook URLs and HMAC keys come from Secrets and are never logged, put into events or
//! echoed in errors (reqwest errors are stripped of their URL).

use crate::api::common::{Notifications, SecretKeyRef, Webhook};
use crate::certificate::{NotificationLog, StableId, Transition};
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ObjectReference, Secret};
use kube::Api;
use kube::runtime::events::{Event as KubeEvent, EventType};
use serde::Serialize;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Name of the Kubernetes events sink in the notification log.
pub const EVENTS_SINK: &str = "events";
/// Something worth one event and one webhook call per sink: the payload (`transition` in the
/// webhook body) with a stable id. Holds no credentials.
pub trait Notice: StableId + Serialize {
    /// `kind` of the webhook body, e.g. `CertificateTransition`.
    const BODY_KIND: &'static str;
    /// The transition kind (header `X-SCS-Event`), e.g. `Degraded`.
    fn kind(&self) -> &str;
    /// Reason of the Kubernetes event, e.g. `CertificateDegraded`.
    fn event_reason(&self) -> String;
    /// Whether it asks for attention (a `Warning` event) rather than informs.
    fn is_warning(&self) -> bool;
    /// For humans (the event note, with the id appended).
    fn message(&self) -> &str;
}

impl Notice for Transition {
    const BODY_KIND: &'static str = "CertificateTransition";

    fn kind(&self) -> &str {
        self.kind.as_str()
    }

    fn event_reason(&self) -> String {
        format!("Certificate{}", self.kind)
    }

    fn is_warning(&self) -> bool {
        self.kind.is_warning()
    }

    fn message(&self) -> &str {
        &self.message
    }
}

/// Header carrying the transition id (receivers deduplicate on it).
pub const DELIVERY_HEADER: &str = "X-SCS-Delivery";
/// Header carrying the transition kind.
pub const EVENT_HEADER: &str = "X-SCS-Event";
/// Header carrying `sha256=<hex HMAC-SHA256 of the body>` when an HMAC key is configured.
pub const SIGNATURE_HEADER: &str = "X-SCS-Signature-256";
/// Longest wait between two delivery attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(600);
/// How long one webhook request may take.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// Log name of a webhook sink.
pub fn webhook_sink(webhook: &Webhook) -> String {
    format!("webhook/{}", webhook.name)
}

/// The resource a transition belongs to, as webhooks receive it.
#[derive(Clone, Debug, Serialize)]
pub struct ResourceRef {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// UID.
    pub uid: String,
}

/// The JSON body of one webhook delivery.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WebhookBody<'a, N> {
    api_version: &'static str,
    kind: &'static str,
    /// Stable id ([`StableId::id`]): the idempotency key.
    id: String,
    resource: &'a ResourceRef,
    transition: &'a N,
}

/// The JSON body a webhook receives for `notice` of `resource`.
pub fn webhook_body<N: Notice>(
    resource: &ResourceRef,
    notice: &N,
) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(&WebhookBody {
        api_version: "certification.scs.community/v1alpha1",
        kind: N::BODY_KIND,
        id: notice.id(),
        resource,
        transition: notice,
    })
}

/// HMAC-SHA256 of `body` under `key`, lower-case hex.
pub fn signature(key: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a delivery did not go through; safe to show (no URL, no key).
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The Secret or key is missing or unreadable.
    #[error("Secret {secret} key {key}: {problem}")]
    Secret {
        /// Secret name.
        secret: String,
        /// Key.
        key: String,
        /// What is wrong.
        problem: String,
    },
    /// The receiver could not be reached.
    #[error("request failed: {0}")]
    Request(String),
    /// The receiver answered with a non-2xx status.
    #[error("receiver answered HTTP {0}")]
    Status(u16),
    /// Publishing the Kubernetes event failed.
    #[error("publishing the event failed: {0}")]
    Event(String),
}

/// What one round of deliveries did.
#[derive(Debug, Default)]
pub struct DeliveryRound {
    /// The log with every successful delivery recorded (and pruned).
    pub log: NotificationLog,
    /// Failures per sink (first failure; later transitions of that sink wait).
    pub failures: Vec<(String, DeliveryError)>,
}

/// Sends transitions and remembers per resource how often delivery failed in a row, for the
/// retry backoff, and what it delivered: a reconcile working from a cache that does not show
/// the latest status write yet must neither resend nor drop those records.
#[derive(Default)]
pub struct Notifier {
    failures_in_a_row: Mutex<HashMap<String, u32>>,
    delivered: Mutex<HashMap<String, NotificationLog>>,
    superseded: Mutex<HashMap<String, String>>,
}

impl Notifier {
    /// `log` (from status) completed with what this process delivered for resource `uid`;
    /// `None` when empty.
    pub fn known_log(&self, uid: &str, log: Option<NotificationLog>) -> Option<NotificationLog> {
        let mut log = log.unwrap_or_default();
        if let Some(memory) = self
            .delivered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(uid)
        {
            for sent in &memory.sent {
                log.record_sent(&sent.sink, &sent.id, sent.sent_at);
            }
        }
        Some(log).filter(|log| !log.sent.is_empty())
    }

    /// Delivers every notice not yet recorded for each sink, in order, stopping a sink at
    /// its first failure (so order is kept), and returns the updated log.
    #[allow(clippy::too_many_arguments)]
    pub async fn deliver<N: Notice>(
        &self,
        client: &kube::Client,
        http: &reqwest::Client,
        recorder: &kube::runtime::events::Recorder,
        object: &ObjectReference,
        resource: &ResourceRef,
        sinks: &Notifications,
        transitions: &[N],
        mut log: NotificationLog,
        now: Timestamp,
    ) -> DeliveryRound {
        let mut failures = Vec::new();
        if sinks.events {
            for transition in log.pending(EVENTS_SINK, transitions) {
                let id = transition.id();
                match publish_event(recorder, object, transition).await {
                    Ok(()) => log.record_sent(EVENTS_SINK, &id, now),
                    Err(err) => {
                        failures.push((EVENTS_SINK.to_owned(), err));
                        break;
                    }
                }
            }
        }
        for webhook in &sinks.webhooks {
            let sink = webhook_sink(webhook);
            let pending = log.pending(&sink, transitions);
            if pending.is_empty() {
                continue;
            }
            let target = match WebhookTarget::resolve(client, &resource.namespace, webhook).await {
                Ok(target) => target,
                Err(err) => {
                    failures.push((sink, err));
                    continue;
                }
            };
            for transition in pending {
                let id = transition.id();
                match target.post(http, resource, transition).await {
                    Ok(()) => log.record_sent(&sink, &id, now),
                    Err(err) => {
                        failures.push((sink.clone(), err));
                        break;
                    }
                }
            }
        }
        log.prune(transitions, now, crate::certificate::DEFAULT_SENT_RETENTION);
        self.delivered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(resource.uid.clone(), log.clone());
        let mut counts = self
            .failures_in_a_row
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if failures.is_empty() {
            counts.remove(&resource.uid);
        } else {
            *counts.entry(resource.uid.clone()).or_default() += 1;
        }
        DeliveryRound { log, failures }
    }

    /// Remembers that this process replaced `resource_version` of resource `uid` by writing
    /// its delivery records, so a cache still showing that version is known to be behind.
    pub fn supersede(&self, uid: &str, resource_version: String) {
        self.superseded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(uid.to_owned(), resource_version);
    }

    /// Whether `resource_version` of `uid` is one this process already replaced (see
    /// [`Notifier::supersede`]): a reconcile from it would only write what is already stored.
    pub fn is_superseded(&self, uid: &str, resource_version: Option<&str>) -> bool {
        resource_version.is_some_and(|version| {
            self.superseded
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(uid)
                .is_some_and(|replaced| replaced == version)
        })
    }

    /// When to try again after failures: 5 s, doubling per failed round, at most 10 min.
    pub fn retry_after(&self, uid: &str) -> Duration {
        let n = self
            .failures_in_a_row
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(uid)
            .copied()
            .unwrap_or(0);
        backoff(n)
    }

    /// Forgets a deleted resource.
    pub fn forget(&self, uid: &str) {
        self.failures_in_a_row
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(uid);
        self.delivered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(uid);
        self.superseded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(uid);
    }
}

/// Whether some sink of `sinks` has not received some of `notices` according to `log`
/// (cheap; decides whether a delivery round is needed at all).
pub fn anything_due<N: StableId>(
    sinks: &Notifications,
    log: &NotificationLog,
    notices: &[N],
) -> bool {
    let events = std::iter::once(EVENTS_SINK.to_owned()).filter(|_| sinks.events);
    events
        .chain(sinks.webhooks.iter().map(webhook_sink))
        .any(|sink| !log.pending(&sink, notices).is_empty())
}

/// Logs each failed sink and publishes a `NotificationFailed` Warning event about `object`
/// (best effort). Neither the URL nor the key is in a [`DeliveryError`].
pub async fn report_failures(
    recorder: &kube::runtime::events::Recorder,
    object: &ObjectReference,
    resource: &ResourceRef,
    failures: &[(String, DeliveryError)],
    retry: Duration,
) {
    for (sink, error) in failures {
        tracing::warn!(name = %resource.name, namespace = %resource.namespace, sink, %error, retry_in = ?retry, "notification not delivered");
        let _ = recorder
            .publish(
                &KubeEvent {
                    type_: EventType::Warning,
                    reason: "NotificationFailed".to_owned(),
                    note: Some(format!("{sink}: {error}; retrying with backoff")),
                    action: "Notify".to_owned(),
                    secondary: None,
                },
                object,
            )
            .await;
    }
}

/// 5 s after the first failed round, doubling, capped at [`MAX_BACKOFF`].
pub fn backoff(failed_rounds: u32) -> Duration {
    let secs = 5u64.saturating_mul(1u64 << failed_rounds.saturating_sub(1).min(16));
    Duration::from_secs(secs).min(MAX_BACKOFF)
}

async fn publish_event<N: Notice>(
    recorder: &kube::runtime::events::Recorder,
    object: &ObjectReference,
    transition: &N,
) -> Result<(), DeliveryError> {
    let note: String = format!("{} [{}]", transition.message(), transition.id())
        .chars()
        .take(1024)
        .collect();
    recorder
        .publish(
            &KubeEvent {
                type_: if transition.is_warning() {
                    EventType::Warning
                } else {
                    EventType::Normal
                },
                reason: transition.event_reason(),
                note: Some(note),
                action: "Notify".to_owned(),
                secondary: None,
            },
            object,
        )
        .await
        .map_err(|e| DeliveryError::Event(e.to_string()))
}

/// A webhook with its URL and key read from the Secret.
struct WebhookTarget {
    url: String,
    hmac_key: Option<Vec<u8>>,
}

impl WebhookTarget {
    async fn resolve(
        client: &kube::Client,
        namespace: &str,
        webhook: &Webhook,
    ) -> Result<Self, DeliveryError> {
        let url = read_secret_key(client, namespace, &webhook.url_secret_ref).await?;
        let url = String::from_utf8(url)
            .map(|u| u.trim().to_owned())
            .map_err(|_| secret_error(&webhook.url_secret_ref, "the URL is not UTF-8"))?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(secret_error(
                &webhook.url_secret_ref,
                "the value is not an http(s) URL",
            ));
        }
        let hmac_key = match &webhook.hmac_secret_ref {
            Some(reference) => Some(read_secret_key(client, namespace, reference).await?),
            None => None,
        };
        Ok(Self { url, hmac_key })
    }

    async fn post<N: Notice>(
        &self,
        http: &reqwest::Client,
        resource: &ResourceRef,
        transition: &N,
    ) -> Result<(), DeliveryError> {
        let body = webhook_body(resource, transition)
            .map_err(|e| DeliveryError::Request(e.to_string()))?;
        let mut request = http
            .post(&self.url)
            .timeout(WEBHOOK_TIMEOUT)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(DELIVERY_HEADER, transition.id())
            .header(EVENT_HEADER, transition.kind());
        if let Some(key) = &self.hmac_key {
            request = request.header(
                SIGNATURE_HEADER,
                format!("sha256={}", signature(key, &body)),
            );
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| DeliveryError::Request(e.without_url().to_string()))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(DeliveryError::Status(response.status().as_u16()))
        }
    }
}

fn secret_error(reference: &SecretKeyRef, problem: &str) -> DeliveryError {
    DeliveryError::Secret {
        secret: reference.name.clone(),
        key: reference.key.clone(),
        problem: problem.to_owned(),
    }
}

async fn read_secret_key(
    client: &kube::Client,
    namespace: &str,
    reference: &SecretKeyRef,
) -> Result<Vec<u8>, DeliveryError> {
    let secret = Api::<Secret>::namespaced(client.clone(), namespace)
        .get_opt(&reference.name)
        .await
        .map_err(|e| secret_error(reference, &format!("cannot read it ({})", api_reason(&e))))?
        .ok_or_else(|| secret_error(reference, "the Secret does not exist"))?;
    secret
        .data
        .and_then(|mut d| d.remove(&reference.key))
        .map(|v| v.0)
        .ok_or_else(|| secret_error(reference, "the key does not exist"))
}

/// A short reason for an API error that cannot leak Secret content.
fn api_reason(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => format!("HTTP {} {}", status.code, status.reason),
        _ => "API unreachable".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_rfc_4231_test_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn certificate_transitions_keep_their_wire_format() {
        use crate::certificate::TransitionKind;
        let transition = Transition {
            kind: TransitionKind::Degraded,
            serial: "SCS-0A1B-2C3D-4E5F-6A7B".to_owned(),
            at: "2026-12-06T02:00:00Z".parse().expect("timestamp"),
            subject: "regio-a".to_owned(),
            scope: "uuid".to_owned(),
            version: "v5.1".to_owned(),
            self_assessed: false,
            message: "stays valid, but tc-b fails".to_owned(),
            testcases: vec!["tc-b".to_owned()],
        };
        let resource = ResourceRef {
            namespace: "clouds".to_owned(),
            name: "regio-a".to_owned(),
            uid: "u-1".to_owned(),
        };
        let body: serde_json::Value =
            serde_json::from_slice(&webhook_body(&resource, &transition).expect("body"))
                .expect("json");
        assert_eq!(
            body,
            serde_json::json!({
                "apiVersion": "certification.scs.community/v1alpha1",
                "kind": "CertificateTransition",
                "id": "SCS-0A1B-2C3D-4E5F-6A7B/Degraded/2026-12-06T02:00:00Z",
                "resource": {"namespace": "clouds", "name": "regio-a", "uid": "u-1"},
                "transition": {"kind": "Degraded", "serial": "SCS-0A1B-2C3D-4E5F-6A7B",
                    "at": "2026-12-06T02:00:00Z", "subject": "regio-a", "scope": "uuid",
                    "version": "v5.1", "selfAssessed": false,
                    "message": "stays valid, but tc-b fails", "testcases": ["tc-b"]}
            })
        );
        assert_eq!(
            (
                Notice::kind(&transition),
                transition.event_reason(),
                Notice::is_warning(&transition)
            ),
            ("Degraded", "CertificateDegraded".to_owned(), true)
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let secs: Vec<u64> = [0, 1, 2, 3, 4, 10, 40]
            .iter()
            .map(|n| backoff(*n).as_secs())
            .collect();
        assert_eq!(secs, [5, 5, 10, 20, 40, 600, 600]);
    }
}
