//! `scs-cert probe`: native SCS checks. Each probe fetches what it needs from the system
//! under test, hands it to the pure decision logic in `crate::probe`, prints the findings
//! (`INFO: ...`, `ERROR: ...`) on stderr and one verdict line `<testcase>: PASS|FAIL|ABORT`
//! on stdout, like the upstream check scripts. Exit code: 0 when the check ran (PASS or
//! FAIL), 1 when it aborted, 2 on usage errors.

use crate::probe::kaas::{
    NODE_DISTRIBUTION_TESTCASE, STORAGE_CLASS_TESTCASE, VERSION_POLICY_TESTCASE, node_distribution,
    storage_class, version_policy,
};
use crate::probe::{Outcome, Verdict, verdict_line};
use clap::{Args, Subcommand};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `scs-cert probe`.
#[derive(Args, Debug)]
pub struct ProbeArgs {
    /// What is probed.
    #[command(subcommand)]
    pub target: ProbeTarget,
}

/// The layer a probe checks.
#[derive(Subcommand, Debug)]
pub enum ProbeTarget {
    /// KaaS checks against the Kubernetes API of the cluster under test.
    Kaas(KaasArgs),
}

/// Arguments of `scs-cert probe kaas`.
#[derive(Args, Debug)]
pub struct KaasArgs {
    /// The check to run.
    #[command(subcommand)]
    pub check: KaasCheck,
}

/// The KaaS checks.
#[derive(Subcommand, Debug)]
pub enum KaasCheck {
    /// scs-0210-v2 Kubernetes version policy: the branch is not end of life and patch
    /// releases are rolled out in time (prints `version-policy-check: ...`).
    VersionPolicy(VersionPolicyArgs),
    /// scs-0211 default storage class: exactly one default StorageClass, not node-local
    /// (prints `default-storage-class-check: ...`).
    DefaultStorageClass(ClusterArgs),
    /// scs-0214-v2 node distribution: topology labels, control plane in every zone
    /// (prints `node-distribution-check: ...`).
    NodeDistribution(NodeDistributionArgs),
}

/// How to reach the cluster under test, and the testcase id to print.
#[derive(Args, Debug, Clone)]
pub struct ClusterArgs {
    /// Kubeconfig of the cluster under test.
    #[arg(short = 'k', long, value_name = "FILE")]
    pub kubeconfig: PathBuf,
    /// Context in the kubeconfig (default: its current context).
    #[arg(long)]
    pub context: Option<String>,
    /// Testcase id printed with the verdict (default: the check's usual id).
    #[arg(long, value_name = "ID")]
    pub testcase: Option<String>,
}

/// Arguments of `scs-cert probe kaas version-policy`.
#[derive(Args, Debug)]
pub struct VersionPolicyArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// End-of-life data in the upstream k8s-eol-data.yml format (default: the copy built
    /// into scs-cert, see data/README.md).
    #[arg(long, value_name = "FILE")]
    pub eol_data: Option<PathBuf>,
    /// Kubernetes release data: the JSON of the GitHub releases API
    /// (api.github.com/repos/kubernetes/kubernetes/releases?per_page=100). Without it the
    /// check aborts.
    #[arg(long, value_name = "FILE")]
    pub releases: Option<PathBuf>,
    /// Critical CVEs (CVSS >= 8) and the versions they affect (YAML; see docs/probes.md).
    #[arg(long, value_name = "FILE")]
    pub critical_cves: Option<PathBuf>,
    /// Judge as of this instant (RFC 3339) instead of now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<Timestamp>,
}

/// Arguments of `scs-cert probe kaas node-distribution`.
#[derive(Args, Debug)]
pub struct NodeDistributionArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Only nodes matching this label selector (default: all nodes), e.g. for one node pool
    /// of a cluster shared with others.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
}

/// Runs `scs-cert probe`.
pub fn run(args: &ProbeArgs) -> ExitCode {
    let ProbeTarget::Kaas(kaas) = &args.target;
    let (cluster, default_id) = match &kaas.check {
        KaasCheck::VersionPolicy(a) => (&a.cluster, VERSION_POLICY_TESTCASE),
        KaasCheck::DefaultStorageClass(a) => (a, STORAGE_CLASS_TESTCASE),
        KaasCheck::NodeDistribution(a) => (&a.cluster, NODE_DISTRIBUTION_TESTCASE),
    };
    let testcase = cluster.testcase.as_deref().unwrap_or(default_id);
    let outcome = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run_kaas(&kaas.check)),
        Err(err) => Outcome::aborted(format!("cannot start the async runtime: {err}")),
    };
    for finding in &outcome.findings {
        eprintln!("{finding}");
    }
    let verdict = outcome.verdict();
    println!("{}", verdict_line(testcase, verdict));
    if verdict == Verdict::Abort {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

async fn run_kaas(check: &KaasCheck) -> Outcome {
    match check {
        KaasCheck::VersionPolicy(args) => version_policy_probe(args).await,
        KaasCheck::DefaultStorageClass(args) => storage_class_probe(args).await,
        KaasCheck::NodeDistribution(args) => node_distribution_probe(args).await,
    }
    .unwrap_or_else(Outcome::aborted)
}

/// A client for the cluster under test; the message names the kubeconfig, never its content.
async fn client(args: &ClusterArgs) -> Result<Client, String> {
    let path = &args.kubeconfig;
    let file = Kubeconfig::read_from(path)
        .map_err(|e| format!("cannot read kubeconfig {}: {e}", path.display()))?;
    let options = KubeConfigOptions {
        context: args.context.clone(),
        ..KubeConfigOptions::default()
    };
    let mut config = Config::from_custom_kubeconfig(file, &options)
        .await
        .map_err(|e| format!("kubeconfig {}: {e}", path.display()))?;
    // A probe should end, not hang on an unreachable endpoint.
    config.connect_timeout = Some(Duration::from_secs(15));
    config.read_timeout = Some(Duration::from_secs(60));
    Client::try_from(config).map_err(|e| format!("cannot build a Kubernetes client: {e}"))
}

/// A kube error in one line: the API's own message for API errors.
fn api_error(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => {
            format!("{} ({} {})", status.message, status.code, status.reason)
        }
        other => other.to_string(),
    }
}

fn read_file(path: &Path, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {what} {}: {e}", path.display()))
}

async fn version_policy_probe(args: &VersionPolicyArgs) -> Result<Outcome, String> {
    let eol_text = match &args.eol_data {
        Some(path) => read_file(path, "EOL data")?,
        None => version_policy::BUILTIN_EOL_DATA.to_owned(),
    };
    let eol = version_policy::parse_eol_data(&eol_text).map_err(|e| e.to_string())?;
    let releases = match &args.releases {
        Some(path) => Some(
            version_policy::parse_releases(&read_file(path, "release data")?)
                .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    let critical_cves = match &args.critical_cves {
        Some(path) => version_policy::parse_critical_cves(&read_file(path, "critical CVE data")?)
            .map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    let client = client(&args.cluster).await?;
    let info = client.apiserver_version().await.map_err(|e| {
        format!(
            "cannot read the cluster version (GET /version): {}",
            api_error(&e)
        )
    })?;
    let cluster = version_policy::Version::parse(&info.git_version).map_err(|e| e.to_string())?;
    Ok(version_policy::evaluate(&version_policy::Facts {
        cluster,
        eol: &eol,
        releases: releases.as_deref(),
        critical_cves: &critical_cves,
        now: args.at.unwrap_or_else(Timestamp::now),
    }))
}

async fn storage_class_probe(args: &ClusterArgs) -> Result<Outcome, String> {
    let client = client(args).await?;
    let api: Api<StorageClass> = Api::all(client);
    let mut facts = Vec::new();
    let mut params = ListParams::default().limit(500);
    loop {
        let page = api
            .list(&params)
            .await
            .map_err(|e| format!("cannot list StorageClasses: {}", api_error(&e)))?;
        for class in &page.items {
            let annotation = |key: &str| {
                class
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(key))
                    .cloned()
            };
            facts.push(storage_class::StorageClassFacts {
                name: class.metadata.name.clone().unwrap_or_default(),
                provisioner: class.provisioner.clone(),
                default_annotation: annotation(storage_class::DEFAULT_ANNOTATION),
                beta_default_annotation: annotation(storage_class::BETA_DEFAULT_ANNOTATION),
            });
        }
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => break,
        }
    }
    Ok(storage_class::evaluate(&facts))
}

async fn node_distribution_probe(args: &NodeDistributionArgs) -> Result<Outcome, String> {
    let client = client(&args.cluster).await?;
    let api: Api<Node> = Api::all(client);
    // An empty selector (a scope variable left at its default) means all nodes.
    let selector = args.selector.as_deref().filter(|s| !s.trim().is_empty());
    let mut params = ListParams::default().limit(500);
    if let Some(selector) = selector {
        params = params.labels(selector);
    }
    let mut facts = Vec::new();
    loop {
        // Labels are all the check needs: metadata only keeps large clusters cheap.
        let page = api
            .list_metadata(&params)
            .await
            .map_err(|e| format!("cannot list Nodes: {}", api_error(&e)))?;
        for node in page.items {
            facts.push(node_distribution::NodeFacts {
                name: node.metadata.name.unwrap_or_default(),
                labels: node.metadata.labels.unwrap_or_default(),
            });
        }
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => break,
        }
    }
    let mut outcome = node_distribution::evaluate(&facts);
    if let Some(selector) = selector {
        outcome.findings.insert(
            0,
            info(format!("nodes selected by {selector:?}: {}", facts.len())),
        );
    }
    Ok(outcome)
}

fn info(message: String) -> crate::probe::Finding {
    crate::probe::Finding {
        level: crate::probe::Level::Info,
        message,
    }
}
