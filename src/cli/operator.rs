//! `scs-cert operator`: run the controllers and the HTTP server.

use crate::controller::Settings;
use crate::controller::job::JobSettings;
use crate::leader::{LeaseSettings, default_identity};
use crate::operator::{OperatorOptions, run as run_operator};
use clap::Args;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `scs-cert operator`; every flag can also come from its environment variable.
#[derive(Args, Debug)]
pub struct OperatorArgs {
    /// Address of the HTTP server (report intake, health endpoints).
    #[arg(long, env = "SCS_LISTEN", default_value = "0.0.0.0:8080")]
    pub listen: SocketAddr,
    /// Watch only this namespace (default: all namespaces).
    #[arg(long, env = "SCS_WATCH_NAMESPACE")]
    pub namespace: Option<String>,
    /// Base URL of the intake as check pods reach it, e.g. http://scs-cert-operator.scs-cert-system.svc:8080.
    #[arg(long, env = "SCS_INTAKE_URL")]
    pub intake_url: String,
    /// Image of the operator itself (the check Job's init container copies scs-cert from it).
    #[arg(
        long,
        env = "SCS_OPERATOR_IMAGE",
        default_value = "ghcr.io/scs-cert-operator/scs-cert:latest"
    )]
    pub operator_image: String,
    /// Path of the scs-cert binary inside the operator image.
    #[arg(
        long,
        env = "SCS_OPERATOR_BINARY",
        default_value = "/usr/local/bin/scs-cert"
    )]
    pub operator_binary: String,
    /// Check image used when a resource names none.
    #[arg(
        long,
        env = "SCS_RUNNER_IMAGE",
        default_value = "ghcr.io/sovereigncloudstack/scs-compliance-check:latest"
    )]
    pub runner_image: String,
    /// Directory of the check scripts inside the check image.
    #[arg(long, env = "SCS_SCRIPTS_DIR", default_value = "/scs/Tests")]
    pub scripts_dir: String,
    /// Audience of the upload tokens.
    #[arg(long, env = "SCS_TOKEN_AUDIENCE", default_value = "scs-cert-operator")]
    pub token_audience: String,
    /// ServiceAccount check pods run as (created per namespace, without permissions).
    #[arg(
        long,
        env = "SCS_CHECK_SERVICE_ACCOUNT",
        default_value = "scs-cert-check"
    )]
    pub check_service_account: String,
    /// At most this many check runs at once across all resources.
    #[arg(long, env = "SCS_MAX_CONCURRENT_RUNS", default_value_t = 10)]
    pub max_concurrent_runs: usize,
    /// Largest report the intake accepts (bytes, uncompressed).
    #[arg(long, env = "SCS_MAX_REPORT_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_report_bytes: usize,
    /// Reconciles running at once.
    #[arg(long, env = "SCS_CONCURRENCY", default_value_t = 4)]
    pub concurrency: u16,
    /// Log format: text or json.
    #[arg(long, env = "SCS_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
    /// SCS-0007 v1 vote: how a beneficiary that is a Forum member is kept from counting
    /// against the quorum (DOMAIN 5.1 leaves it open): ExcludeFromBase (quorum of the others)
    /// or CountAsPresent (the beneficiary counts as present).
    #[arg(
        long,
        env = "SCS_BENEFICIARY_QUORUM",
        default_value = "ExcludeFromBase",
        value_parser = ["ExcludeFromBase", "CountAsPresent"]
    )]
    pub beneficiary_quorum: String,
    /// Integrator continuation: compare the granted tier with the score today (CurrentScore)
    /// or with today's proofs at the ages of the attestation date (AgeAtGrant).
    #[arg(
        long,
        env = "SCS_CONTINUATION_BASIS",
        default_value = "CurrentScore",
        value_parser = ["CurrentScore", "AgeAtGrant"]
    )]
    pub continuation_basis: String,
    // --- public listing (issue 8) ---
    /// Name of the listing ConfigMap (split into `<name>-1`, `<name>-2`, ... when large);
    /// empty: serve the pages from memory only.
    #[arg(
        long,
        env = "SCS_LISTING_CONFIG_MAP",
        default_value = "scs-certification-listing"
    )]
    pub listing_config_map: String,
    /// Namespace of the listing ConfigMap (default: the watched namespace, else $POD_NAMESPACE).
    #[arg(long, env = "SCS_LISTING_NAMESPACE")]
    pub listing_namespace: Option<String>,
    /// Quiet time after a change before the listing is rebuilt, in milliseconds.
    #[arg(long, env = "SCS_LISTING_DEBOUNCE_MS", default_value_t = 2000)]
    pub listing_debounce_ms: u64,
    /// Title of the listing pages.
    #[arg(
        long,
        env = "SCS_LISTING_TITLE",
        default_value = "SCS certification status"
    )]
    pub listing_title: String,
    /// Public base URL of the listing pages (absolute links in badges and embed snippets).
    #[arg(long, env = "SCS_LISTING_BASE_URL")]
    pub listing_base_url: Option<String>,
    // --- end listing ---
    // --- external report uploads (issue 11) ---
    /// Namespace of the upload account Secrets (labelled
    /// certification.scs.community/upload-account=true); default: $POD_NAMESPACE. Without
    /// one, `POST /reports` answers 503.
    #[arg(long, env = "SCS_UPLOAD_ACCOUNTS_NAMESPACE")]
    pub upload_accounts_namespace: Option<String>,
    /// Uploads per minute and account (also the burst); more are answered 429.
    #[arg(long, env = "SCS_UPLOAD_RATE_PER_MINUTE", default_value_t = 6)]
    pub upload_rate_per_minute: u32,
    // --- end uploads ---
    // --- high availability and logs (issue 9) ---
    /// Log filter (RUST_LOG syntax, e.g. `info` or `scs_cert_operator=debug,info`); wins over
    /// $RUST_LOG, which applies when this flag is absent (default: info).
    #[arg(long)]
    pub log_level: Option<String>,
    /// Elect a leader on a Lease: only the leader runs the controllers and writes the
    /// listing; every replica serves intake, listing and metrics. Needed with several
    /// replicas (the chart turns it on); off for a single local `scs-cert operator`.
    #[arg(long, env = "SCS_LEADER_ELECTION")]
    pub leader_election: bool,
    /// Name of the leader election Lease.
    #[arg(long, env = "SCS_LEASE_NAME", default_value = "scs-cert-operator")]
    pub lease_name: String,
    /// Namespace of the leader election Lease (default: $POD_NAMESPACE).
    #[arg(long, env = "SCS_LEASE_NAMESPACE")]
    pub lease_namespace: Option<String>,
    /// Seconds a Lease stays valid after its last renewal (a crashed leader is replaced
    /// after at most this plus two retry periods).
    #[arg(long, env = "SCS_LEASE_DURATION_SECONDS", default_value_t = 15)]
    pub lease_duration_seconds: u64,
    /// Seconds the leader keeps trying to renew before it gives up and exits.
    #[arg(long, env = "SCS_LEASE_RENEW_DEADLINE_SECONDS", default_value_t = 10)]
    pub lease_renew_deadline_seconds: u64,
    /// Seconds between two tries to acquire or renew the Lease.
    #[arg(long, env = "SCS_LEASE_RETRY_PERIOD_SECONDS", default_value_t = 2)]
    pub lease_retry_period_seconds: u64,
    // --- end high availability ---
}

// --- high availability (issue 9) ---
/// The leader election settings of `args`; `None` without `--leader-election`.
fn leader_election(args: &OperatorArgs) -> Result<Option<LeaseSettings>, String> {
    if !args.leader_election {
        return Ok(None);
    }
    let namespace = args
        .lease_namespace
        .clone()
        .or_else(|| std::env::var("POD_NAMESPACE").ok())
        .unwrap_or_default();
    let settings = LeaseSettings {
        lease_duration: Duration::from_secs(args.lease_duration_seconds),
        renew_deadline: Duration::from_secs(args.lease_renew_deadline_seconds),
        retry_period: Duration::from_secs(args.lease_retry_period_seconds),
        ..LeaseSettings::new(&args.lease_name, &namespace, &default_identity())
    };
    settings.validate().map_err(|e| e.to_string())?;
    Ok(Some(settings))
}
// --- end high availability ---

// --- public listing (issue 8) ---
/// The listing settings of `args`.
fn listing_settings(args: &OperatorArgs) -> crate::listing::PublisherSettings {
    let namespace = args
        .listing_namespace
        .clone()
        .or_else(|| args.namespace.clone())
        .or_else(|| std::env::var("POD_NAMESPACE").ok())
        .filter(|ns| !ns.is_empty());
    let name = Some(args.listing_config_map.clone()).filter(|n| !n.is_empty());
    if name.is_some() && namespace.is_none() {
        tracing::warn!(
            "no namespace for the listing ConfigMap (--listing-namespace, \
             --namespace or $POD_NAMESPACE); the pages are served from memory only"
        );
    }
    crate::listing::PublisherSettings {
        config_map: namespace.zip(name),
        debounce: std::time::Duration::from_millis(args.listing_debounce_ms),
        options: crate::listing::ListingOptions {
            title: args.listing_title.clone(),
            base_url: args
                .listing_base_url
                .as_ref()
                .map(|u| u.trim_end_matches('/').to_owned())
                .filter(|u| !u.is_empty()),
        },
        ..crate::listing::PublisherSettings::default()
    }
}
// --- end listing ---

/// The integrator assessment settings of `args` (values already checked by clap).
fn integrator_settings(args: &OperatorArgs) -> crate::integrator::AssessmentSettings {
    use crate::integrator::{BeneficiaryQuorumRule, ContinuationBasis};
    crate::integrator::AssessmentSettings {
        beneficiary_quorum: if args.beneficiary_quorum == "CountAsPresent" {
            BeneficiaryQuorumRule::CountAsPresent
        } else {
            BeneficiaryQuorumRule::ExcludeFromBase
        },
        continuation_basis: if args.continuation_basis == "AgeAtGrant" {
            ContinuationBasis::AgeAtGrant
        } else {
            ContinuationBasis::CurrentScore
        },
    }
}

/// The upload settings of `args` (issue 11).
fn upload_settings(args: &OperatorArgs) -> crate::server::upload::UploadSettings {
    let rate = args.upload_rate_per_minute.max(1);
    crate::server::upload::UploadSettings {
        accounts_namespace: args
            .upload_accounts_namespace
            .clone()
            .or_else(|| std::env::var("POD_NAMESPACE").ok())
            .filter(|ns| !ns.is_empty()),
        limit: crate::server::upload::rate_limit::Limit {
            burst: rate,
            per_minute: rate,
        },
    }
}

/// Runs `scs-cert operator`.
pub fn run(args: &OperatorArgs) -> ExitCode {
    if let Err(err) = super::init_logging_with_level(&args.log_format, args.log_level.as_deref()) {
        eprintln!("scs-cert operator: --log-level: {err}");
        return ExitCode::from(2);
    }
    let leader_election = match leader_election(args) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("scs-cert operator: {err}");
            return ExitCode::from(2);
        }
    };
    let defaults = Settings::default();
    let settings = Settings {
        job: JobSettings {
            operator_image: args.operator_image.clone(),
            operator_binary: args.operator_binary.clone(),
            default_runner_image: args.runner_image.clone(),
            scripts_dir: args.scripts_dir.clone(),
            intake_url: args.intake_url.trim_end_matches('/').to_owned(),
            token_audience: args.token_audience.clone(),
            service_account: args.check_service_account.clone(),
        },
        max_concurrent_runs: args.max_concurrent_runs.max(1),
        max_report_bytes: args.max_report_bytes,
        listing: listing_settings(args), // public listing (issue 8)
        upload: upload_settings(args),   // external report uploads (issue 11)
        integrator: integrator_settings(args),
        ..defaults
    };
    let options = OperatorOptions {
        listen: args.listen,
        namespace: args.namespace.clone(),
        concurrency: args.concurrency.max(1),
        settings,
        leader_election, // high availability (issue 9)
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("scs-cert operator: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let client = kube::Client::try_default().await?;
        run_operator(client, options).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "operator stopped");
            eprintln!("scs-cert operator: {err:#}");
            ExitCode::FAILURE
        }
    }
}
