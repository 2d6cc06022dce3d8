//! End-to-end tests against a real kube-apiserver + etcd built from source.
//!
//! Run with `make e2e` (or `cargo test --test e2e`). The harness starts one control plane per
//! run with `e2e/control-plane/start.sh` (or reuses a loopback cluster given by KUBECONFIG),
//! installs the CRDs from `crds/`, gives each test its own namespace and stops the control
//! plane at the end. Output and exit code follow libtest's.

mod crds;
mod demo;
mod ha; // high availability and metrics (issue 9)
mod harness;
mod install;
mod listing;
mod local_executor;
mod operator;
mod probe;
mod upload; // external report uploads (issue 11)

use libtest_mimic::{Arguments, Trial};

/// Wraps a plain test function as a trial that reports panics as failures.
fn trial(name: &'static str, test: fn()) -> Trial {
    Trial::test(name, move || {
        std::panic::catch_unwind(test).map_err(|panic| {
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "test panicked".to_owned())
                .into()
        })
    })
}

fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    let mut trials = crds::trials();
    trials.extend(local_executor::trials());
    trials.extend(operator::trials());
    trials.extend(listing::trials());
    trials.extend(operator::rbac::trials());
    trials.extend(operator::certificate::trials());
    trials.extend(operator::integrator::trials());
    trials.extend(install::trials());
    trials.extend(ha::trials());
    trials.extend(upload::trials());
    trials.extend(probe::trials());
    trials.extend(demo::trials());
    if args.list {
        return libtest_mimic::run(&args, trials).exit_code();
    }
    let plane = match harness::ControlPlane::start_or_reuse() {
        Ok(plane) => plane,
        Err(err) => {
            eprintln!("e2e: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let setup = harness::init(&plane).and_then(|_| harness::block_on(crds::install_crds()));
    if let Err(err) = setup {
        eprintln!("e2e: setup failed: {err}");
        drop(plane);
        return std::process::ExitCode::FAILURE;
    }
    let conclusion = libtest_mimic::run(&args, trials);
    drop(plane);
    conclusion.exit_code()
}
