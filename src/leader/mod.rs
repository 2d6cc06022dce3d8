//! Leader election on a `coordination.k8s.io/v1` Lease: with several operator replicas only
//! the leader runs the controllers and writes the listing; every replica keeps its caches,
//! serves the listing and accepts report uploads.
//!
//! A small Lease loop (client-go's algorithm, see [`record`]) rather than the
//! kube-lease-manager crate: that crate keeps reporting leadership while its renewals fail
//! (no renew deadline), and judges expiry by the holder's clock. Here a leader that cannot
//! renew within `renew_deadline` gives up (before `lease_duration`, after which another
//! replica may take over), and only `get`, `create` and `update` on one Lease are needed.

pub mod elector;
pub mod record;

use std::time::Duration;
use tokio::sync::watch;

/// Where and how leadership is negotiated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseSettings {
    /// Name of the Lease.
    pub name: String,
    /// Namespace of the Lease.
    pub namespace: String,
    /// This replica's identity in the Lease (unique per process).
    pub identity: String,
    /// How long a Lease stays valid after its last renewal.
    pub lease_duration: Duration,
    /// The leader gives up when it could not renew for this long (less than `lease_duration`).
    pub renew_deadline: Duration,
    /// Time between two attempts to acquire or renew.
    pub retry_period: Duration,
}

/// Why leader election settings are unusable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    /// The durations do not satisfy retry < renew deadline < lease duration.
    #[error(
        "leader election needs retry period ({retry:?}) < renew deadline ({renew:?}) < lease duration ({lease:?})"
    )]
    Durations {
        /// Retry period.
        retry: Duration,
        /// Renew deadline.
        renew: Duration,
        /// Lease duration.
        lease: Duration,
    },
    /// The Lease name or namespace is empty.
    #[error(
        "leader election needs a Lease name and namespace (--lease-name, --lease-namespace or $POD_NAMESPACE)"
    )]
    Missing,
}

impl LeaseSettings {
    /// Defaults of client-go: 15 s lease, 10 s renew deadline, 2 s retry period.
    pub fn new(name: &str, namespace: &str, identity: &str) -> Self {
        Self {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            identity: identity.to_owned(),
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
        }
    }

    /// Checks that the durations leave the old leader time to stop before a new one starts.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.name.is_empty() || self.namespace.is_empty() {
            return Err(SettingsError::Missing);
        }
        if self.retry_period.is_zero()
            || self.retry_period >= self.renew_deadline
            || self.renew_deadline >= self.lease_duration
        {
            return Err(SettingsError::Durations {
                retry: self.retry_period,
                renew: self.renew_deadline,
                lease: self.lease_duration,
            });
        }
        Ok(())
    }
}

/// A unique identity for this process: `$POD_NAME` (else `$HOSTNAME`) plus a random suffix,
/// so a restarted pod with the same name never mistakes the old process's Lease for its own.
pub fn default_identity() -> String {
    let base = ["POD_NAME", "HOSTNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "scs-cert-operator".to_owned());
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!("{base}_{}", &suffix[..8])
}

/// Whether this replica leads, as last decided by the elector (cheap to clone and read).
#[derive(Clone, Debug)]
pub struct Leadership(watch::Receiver<bool>);

impl Leadership {
    /// Leadership of a process without election: it always leads.
    pub fn always() -> Self {
        let (_, receiver) = watch::channel(true);
        Self(receiver)
    }

    /// A handle following `receiver` (the elector's channel).
    pub fn from_receiver(receiver: watch::Receiver<bool>) -> Self {
        Self(receiver)
    }

    /// Whether this replica leads now.
    pub fn is_leader(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until this replica leads; `false` when the elector stopped first.
    pub async fn acquired(&mut self) -> bool {
        self.0.wait_for(|leading| *leading).await.is_ok()
    }

    /// Waits until this replica no longer leads (never returns for [`Leadership::always`]).
    pub async fn lost(&mut self) {
        let _ = self.0.wait_for(|leading| !*leading).await;
        if self.is_leader() {
            // The channel closed while leading: only [`Leadership::always`] does that.
            std::future::pending::<()>().await;
        }
    }
}
