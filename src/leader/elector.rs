//! The Lease loop (I/O): acquire or renew every retry period, publish leadership changes,
//! release the Lease when stopped. Decisions come from [`super::record`].

use super::record::{Observed, Step, next_step, released};
use super::{Leadership, LeaseSettings};
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, ObjectMeta, PostParams};
use kube::{Client, ResourceExt};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};

/// The running elector; [`Elector::release`] stops it and frees the Lease.
pub struct Elector {
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Starts electing with `settings`; the returned [`Leadership`] follows the outcome.
pub fn start(client: Client, settings: LeaseSettings) -> (Leadership, Elector) {
    let api: Api<Lease> = Api::namespaced(client, &settings.namespace);
    let (leading, receiver) = watch::channel(false);
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(run(api, settings, leading, stopped));
    (
        Leadership::from_receiver(receiver),
        Elector {
            stop: Some(stop),
            task: Some(task),
        },
    )
}

impl Elector {
    /// Stops electing; when this replica holds the Lease, it is released so another replica
    /// takes over at its next try instead of after the lease duration.
    pub async fn release(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Elector {
    fn drop(&mut self) {
        // Dropped without release (an error path): stop renewing; the Lease then expires.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Result of one try.
enum Attempt {
    /// We hold the Lease (acquired or renewed).
    Holding,
    /// Another replica holds a current Lease.
    HeldBy(String),
    /// Another replica wrote the Lease between our read and write.
    Conflict,
}

async fn run(
    api: Api<Lease>,
    settings: LeaseSettings,
    leading: watch::Sender<bool>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut observed = Observed::default();
    let mut last_renewal: Option<Instant> = None;
    let mut last_holder: Option<String> = None;
    tracing::info!(lease = %settings.name, namespace = %settings.namespace, identity = %settings.identity, "leader election started");
    loop {
        let attempt = tokio::time::timeout(
            settings.renew_deadline,
            try_acquire_or_renew(&api, &settings, &mut observed),
        )
        .await;
        let now = Instant::now();
        let was_leader = *leading.borrow();
        match attempt {
            Ok(Ok(Attempt::Holding)) => {
                last_renewal = Some(now);
                if !was_leader {
                    tracing::info!(identity = %settings.identity, lease = %settings.name, "became the leader");
                    leading.send_replace(true);
                }
            }
            Ok(Ok(Attempt::HeldBy(holder))) => {
                if was_leader {
                    tracing::warn!(%holder, "lost leadership: another replica holds the Lease");
                    leading.send_replace(false);
                } else if last_holder.as_deref() != Some(holder.as_str()) {
                    tracing::info!(%holder, "following the leader");
                }
                last_holder = Some(holder);
            }
            other => {
                match other {
                    Ok(Ok(_)) => tracing::debug!("Lease changed concurrently; retrying"),
                    Ok(Err(err)) => tracing::warn!(%err, "cannot acquire or renew the Lease"),
                    Err(_) => tracing::warn!("acquiring or renewing the Lease timed out"),
                }
                let overdue = last_renewal.is_none_or(|t| now - t >= settings.renew_deadline);
                if was_leader && overdue {
                    tracing::warn!(
                        deadline_s = settings.renew_deadline.as_secs_f64(),
                        "lost leadership: the Lease was not renewed within the renew deadline"
                    );
                    leading.send_replace(false);
                }
            }
        }
        let wait = if *leading.borrow() {
            settings.retry_period
        } else {
            jittered(settings.retry_period)
        };
        tokio::select! {
            _ = &mut stop => break,
            () = tokio::time::sleep(wait) => {}
        }
    }
    leading.send_replace(false);
    match tokio::time::timeout(settings.renew_deadline, release(&api, &settings)).await {
        Ok(Ok(true)) => tracing::info!(lease = %settings.name, "Lease released"),
        Ok(Ok(false)) => {}
        Ok(Err(err)) => tracing::warn!(%err, "cannot release the Lease; it expires instead"),
        Err(_) => tracing::warn!("releasing the Lease timed out; it expires instead"),
    }
}

/// Up to 20 % more than `period`, so followers do not retry in lockstep.
fn jittered(period: Duration) -> Duration {
    let random = uuid::Uuid::new_v4().as_u128() % 1000;
    period + period.mul_f64(0.2 * random as f64 / 1000.0)
}

async fn try_acquire_or_renew(
    api: &Api<Lease>,
    settings: &LeaseSettings,
    observed: &mut Observed,
) -> Result<Attempt, kube::Error> {
    let current = api.get_opt(&settings.name).await?;
    let spec = current
        .as_ref()
        .map(|lease| lease.spec.clone().unwrap_or_default());
    let observed_for = spec
        .as_ref()
        .map_or(Duration::ZERO, |s| observed.observe(s, Instant::now()));
    let step = next_step(
        spec.as_ref(),
        &settings.identity,
        observed_for,
        settings.lease_duration,
        jiff::Timestamp::now(),
    );
    let written = match step {
        Step::Wait { holder } => return Ok(Attempt::HeldBy(holder)),
        Step::Create(spec) => {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(settings.name.clone()),
                    namespace: Some(settings.namespace.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(spec),
            };
            api.create(&PostParams::default(), &lease).await
        }
        Step::Update(spec) => {
            // Carries the read resourceVersion: a concurrent writer makes this a 409.
            let mut lease = current.unwrap_or_default();
            lease.spec = Some(spec);
            api.replace(&settings.name, &PostParams::default(), &lease)
                .await
        }
    };
    match written {
        Ok(lease) => {
            observed.observe(&lease.spec.unwrap_or_default(), Instant::now());
            Ok(Attempt::Holding)
        }
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(Attempt::Conflict),
        Err(err) => Err(err),
    }
}

/// Frees the Lease if this replica holds it; `true` when it did.
async fn release(api: &Api<Lease>, settings: &LeaseSettings) -> Result<bool, kube::Error> {
    let Some(mut lease) = api.get_opt(&settings.name).await? else {
        return Ok(false);
    };
    let Some(spec) = lease
        .spec
        .as_ref()
        .and_then(|s| released(s, &settings.identity, jiff::Timestamp::now()))
    else {
        return Ok(false);
    };
    lease.spec = Some(spec);
    api.replace(&lease.name_any(), &PostParams::default(), &lease)
        .await?;
    Ok(true)
}
