//! Command-line entry points; `main.rs` only parses arguments and dispatches here.
//! Each subcommand lives in its own file and returns the process exit code.

pub mod check;
pub mod crds;
pub mod evaluate;
pub mod local_executor;
pub mod run;
pub mod spec;
