//! The check driver (drop-in for upstream `scs-compliance-check.py`, DOMAIN 3) and the
//! Job-side wrapper that uploads the report to the operator.
//!
//! `scs-cert check` ([`check_driver`]): pure parts decide what runs and what it means:
//! [`assignment`], [`selection`], [`invocation`] (templates, `cmd`, argv), [`shell_words`]
//! (Python `shlex.split`), [`lines`] (Python `splitlines`), [`parse_output`] (verdicts),
//! [`signal_counts`], [`capture`] (line cap), [`exit_code`], [`console`], [`report_writer`].
//! I/O lives in [`process`] (one script in its own process group, timeout, signals) and
//! [`check_driver`].
//!
//! `scs-cert run` ([`wrapper`]): runs the check command, then delivers the report (or a
//! failure record) to the operator: [`command`], [`output_tail`], [`upload`], [`retry`],
//! [`token`], [`failure_record`], [`termination_message`].

pub mod assignment;
pub mod capture;
pub mod check_driver;
pub mod command;
pub mod console;
pub mod duration;
pub mod exit_code;
pub mod failure_record;
pub mod invocation;
pub mod lines;
pub mod output_tail;
pub mod parse_output;
pub mod process;
pub mod process_group;
pub mod report_writer;
pub mod report_yaml;
pub mod retry;
pub mod selection;
pub mod shell_words;
pub mod signal_counts;
pub mod termination_message;
pub mod token;
pub mod upload;
pub mod wrapper;
