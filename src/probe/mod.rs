//! Native checks ("probes") built into `scs-cert`: light SCS testcases whose logic needs
//! nothing but an API, printed as `<testcase>: PASS|FAIL|ABORT` like the upstream check
//! scripts, so a scope spec can name `scs-cert probe ...` as a script (see docs/probes.md).
//!
//! Everything here is pure: the facts (API objects, data files) and the time come in as
//! parameters, the outcome goes out as a value. `cli::probe` fetches and prints.

pub mod kaas;

use std::fmt;

/// Verdict of one testcase, spelt like upstream reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every requirement checked is met.
    Pass,
    /// A requirement is violated.
    Fail,
    /// The check could not be completed (no access, unusable data).
    Abort,
}

impl Verdict {
    /// `PASS`, `FAIL` or `ABORT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Abort => "ABORT",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Severity of a finding; the prefixes are the ones the check driver counts (DOMAIN 3.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Background information.
    Info,
    /// A recommendation is not followed, or the input looks stale.
    Warning,
    /// A requirement (MUST) is violated: the testcase fails.
    Error,
    /// The check cannot be completed: the testcase aborts.
    Critical,
}

impl Level {
    /// Log prefix: `INFO`, `WARNING`, `ERROR`, `CRITICAL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "INFO",
            Self::Warning => "WARNING",
            Self::Error => "ERROR",
            Self::Critical => "CRITICAL",
        }
    }
}

/// One message of a probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Severity.
    pub level: Level,
    /// What was found, for humans.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.level.as_str(), self.message)
    }
}

/// The result of one probe: its findings in the order they were made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// All findings.
    pub findings: Vec<Finding>,
}

impl Outcome {
    /// Adds a finding.
    pub fn push(&mut self, level: Level, message: impl Into<String>) {
        self.findings.push(Finding {
            level,
            message: message.into(),
        });
    }

    /// Adds an `INFO` finding.
    pub fn info(&mut self, message: impl Into<String>) {
        self.push(Level::Info, message);
    }

    /// Adds a `WARNING` finding.
    pub fn warning(&mut self, message: impl Into<String>) {
        self.push(Level::Warning, message);
    }

    /// Adds an `ERROR` finding (the testcase fails).
    pub fn error(&mut self, message: impl Into<String>) {
        self.push(Level::Error, message);
    }

    /// Adds a `CRITICAL` finding (the testcase aborts).
    pub fn critical(&mut self, message: impl Into<String>) {
        self.push(Level::Critical, message);
    }

    /// An outcome that aborts with one message.
    pub fn aborted(message: impl Into<String>) -> Self {
        let mut outcome = Self::default();
        outcome.critical(message);
        outcome
    }

    /// The verdict the findings add up to: any critical aborts, else any error fails.
    pub fn verdict(&self) -> Verdict {
        let worst = self.findings.iter().map(|f| f.level).max();
        match worst {
            Some(Level::Critical) => Verdict::Abort,
            Some(Level::Error) => Verdict::Fail,
            _ => Verdict::Pass,
        }
    }

    /// Whether some finding has exactly this level and mentions `text` (for tests).
    pub fn mentions(&self, level: Level, text: &str) -> bool {
        self.findings
            .iter()
            .any(|f| f.level == level && f.message.contains(text))
    }
}

/// The verdict line the check driver parses: `<testcase>: <VERDICT>`.
pub fn verdict_line(testcase: &str, verdict: Verdict) -> String {
    format!("{testcase}: {verdict}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_is_the_worst_level() {
        let cases: [(&[Level], Verdict); 6] = [
            (&[], Verdict::Pass),
            (&[Level::Info], Verdict::Pass),
            (&[Level::Info, Level::Warning], Verdict::Pass),
            (&[Level::Warning, Level::Error], Verdict::Fail),
            (
                &[Level::Error, Level::Critical, Level::Info],
                Verdict::Abort,
            ),
            (&[Level::Critical], Verdict::Abort),
        ];
        for (levels, expected) in cases {
            let mut outcome = Outcome::default();
            for level in levels {
                outcome.push(*level, "x");
            }
            assert_eq!(outcome.verdict(), expected, "{levels:?}");
        }
    }

    #[test]
    fn lines_are_what_the_check_driver_parses() {
        assert_eq!(
            verdict_line("version-policy-check", Verdict::Fail),
            "version-policy-check: FAIL"
        );
        let finding = Finding {
            level: Level::Error,
            message: "too old".into(),
        };
        assert_eq!(finding.to_string(), "ERROR: too old");
        assert_eq!(Outcome::aborted("no access").verdict(), Verdict::Abort);
    }
}
