//! Command-line entry points; `main.rs` only parses arguments and dispatches here.
//! Each subcommand lives in its own file and returns the process exit code.

pub mod check;
pub mod crds;
pub mod evaluate;
pub mod install;
pub mod local_executor;
pub mod operator;
pub mod probe;
pub mod run;
pub mod spec;

/// Sets up `tracing` logging to stderr: `text` or `json`, level from `RUST_LOG` (default
/// info). Safe to call twice.
pub fn init_logging(format: &str) {
    let _ = init_logging_with_level(format, None);
}

/// Like [`init_logging`], but `level` (RUST_LOG syntax), when given, wins over `RUST_LOG`;
/// an invalid `level` is an error.
pub fn init_logging_with_level(
    format: &str,
    level: Option<&str>,
) -> Result<(), tracing_subscriber::filter::ParseError> {
    use tracing_subscriber::EnvFilter;
    let filter = match level {
        Some(level) => EnvFilter::try_new(level)?,
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    Ok(())
}
