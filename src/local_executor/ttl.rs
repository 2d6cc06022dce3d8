//! `ttlSecondsAfterFinished` and dependent cleanup: a finished Job is deleted once its TTL
//! passed (propagationPolicy Background), and since there is no garbage collector the
//! executor deletes the Job's Pods itself.

use super::job_status::{JobState, classify};
use super::job_worker::JobKey;
use super::pod_object::pods_of_job_selector;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{DeleteParams, ListParams, Preconditions};
use kube::{Api, Client, ResourceExt};

/// When a Job that finished at `finished_at` (unknown: `now`) expires.
pub fn expires_at(finished_at: Option<Timestamp>, ttl_seconds: i32, now: Timestamp) -> Timestamp {
    finished_at
        .unwrap_or(now)
        .checked_add(SignedDuration::from_secs(i64::from(ttl_seconds.max(0))))
        .unwrap_or(Timestamp::MAX)
}

/// Waits until the Job expires, then deletes it and its Pods. Re-reads the Job first: a
/// changed TTL, a re-created Job or a Job that is gone are respected.
pub async fn delete_after_ttl(client: Client, key: JobKey) {
    let jobs: Api<Job> = Api::namespaced(client.clone(), &key.namespace);
    loop {
        let job = match jobs.get_opt(&key.name).await {
            Ok(Some(job)) if job.uid().as_deref() == Some(key.uid.as_str()) => job,
            Ok(_) => return,
            Err(err) => {
                tracing::warn!(job = %key, %err, "cannot read job for its TTL; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                continue;
            }
        };
        let JobState::Finished { finished_at } = classify(&job) else {
            return;
        };
        let Some(ttl) = job.spec.as_ref().and_then(|s| s.ttl_seconds_after_finished) else {
            return;
        };
        let now = Timestamp::now();
        let at = expires_at(finished_at, ttl, now);
        if at > now {
            super::sleep_until(Some(at)).await;
            continue;
        }
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: Some(key.uid.clone()),
                resource_version: None,
            }),
            ..DeleteParams::background()
        };
        match jobs.delete(&key.name, &params).await {
            Ok(_) => tracing::info!(job = %key, ttl, "deleted finished job after its TTL"),
            Err(kube::Error::Api(status)) if status.is_not_found() || status.code == 409 => {}
            Err(err) => {
                tracing::warn!(job = %key, %err, "cannot delete job after its TTL; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                continue;
            }
        }
        delete_pods_of_job(&client, &key).await;
        return;
    }
}

/// Deletes every Pod of a Job (the garbage collector's part of a background deletion).
pub async fn delete_pods_of_job(client: &Client, key: &JobKey) {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &key.namespace);
    let params = DeleteParams {
        grace_period_seconds: Some(0),
        ..DeleteParams::background()
    };
    let selector = ListParams::default().labels(&pods_of_job_selector(&key.uid));
    if let Err(err) = pods.delete_collection(&params, &selector).await {
        tracing::warn!(job = %key, %err, "cannot delete the pods of a deleted job");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry() {
        let t = |s: &str| s.parse::<Timestamp>().expect("timestamp");
        let now = t("2026-01-01T01:00:00Z");
        let cases = [
            (
                Some(t("2026-01-01T00:00:00Z")),
                60,
                t("2026-01-01T00:01:00Z"),
            ),
            (
                Some(t("2026-01-01T00:00:00Z")),
                0,
                t("2026-01-01T00:00:00Z"),
            ),
            (None, 30, t("2026-01-01T01:00:30Z")),
            (
                Some(t("2026-01-01T00:00:00Z")),
                -5,
                t("2026-01-01T00:00:00Z"),
            ),
        ];
        for (finished, ttl, expected) in cases {
            assert_eq!(
                expires_at(finished, ttl, now),
                expected,
                "{finished:?} {ttl}"
            );
        }
    }
}
