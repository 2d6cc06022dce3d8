//! What the check driver prints: the per-version target summary on stdout (DOMAIN 2.3, 3.8)
//! and log lines `LEVEL: message` on stderr, as upstream's Python logging does.

use crate::results::Verdict;
use crate::scope::{ScopeSpec, Version};
use indexmap::IndexMap;
use std::fmt::Write as _;
use std::io::Write as _;

/// Log levels of the driver's own messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `--debug` or `-vv`.
    Debug,
    /// Default.
    Info,
    /// Warnings.
    Warning,
    /// `-q` shows only errors and above.
    Error,
    /// Fatal problems.
    Critical,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
        }
    }
}

/// The driver's logger: `LEVEL: message` lines on stderr at or above a threshold.
#[derive(Debug, Clone, Copy)]
pub struct Log {
    threshold: Level,
}

impl Log {
    /// A logger printing `threshold` and above.
    pub fn new(threshold: Level) -> Log {
        Log { threshold }
    }

    /// Threshold from the flags: debug wins, then quiet, else info.
    pub fn from_flags(verbose: u8, quiet: bool, debug: bool) -> Log {
        let threshold = if debug || verbose >= 2 {
            Level::Debug
        } else if quiet {
            Level::Error
        } else {
            Level::Info
        };
        Log { threshold }
    }

    /// Logs one message.
    pub fn log(&self, level: Level, message: impl std::fmt::Display) {
        if level >= self.threshold {
            // A closed stderr must not abort the run.
            let _ = writeln!(std::io::stderr().lock(), "{}: {message}", level.name());
        }
    }

    /// Debug message.
    pub fn debug(&self, message: impl std::fmt::Display) {
        self.log(Level::Debug, message);
    }
    /// Info message.
    pub fn info(&self, message: impl std::fmt::Display) {
        self.log(Level::Info, message);
    }
    /// Warning message.
    pub fn warning(&self, message: impl std::fmt::Display) {
        self.log(Level::Warning, message);
    }
    /// Error message.
    pub fn error(&self, message: impl std::fmt::Display) {
        self.log(Level::Error, message);
    }
    /// Critical message.
    pub fn critical(&self, message: impl std::fmt::Display) {
        self.log(Level::Critical, message);
    }
}

/// The header title: scope name plus the active filters.
pub fn title(spec_name: &str, sections: Option<&[String]>, tests: Option<&str>) -> String {
    let mut title = spec_name.to_string();
    // An empty `-S` list is falsy upstream and adds nothing.
    if let Some(sections) = sections.filter(|s| !s.is_empty()) {
        let _ = write!(title, " [sections: {}]", sections.join(", "));
    }
    if let Some(pattern) = tests {
        let _ = write!(title, " [tests: '{pattern}']");
    }
    title
}

/// The summary of one version: a header and one block per target.
pub fn version_summary(
    spec: &ScopeSpec,
    subject: &str,
    title: &str,
    version: &Version,
    results: &IndexMap<String, Verdict>,
    partial: bool,
    verbose: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{subject} {title} {}:", version.name);
    for (target, ids) in version.targets.iter() {
        let mut failed = Vec::new();
        let mut aborted = Vec::new();
        let mut missing = Vec::new();
        let mut passed = Vec::new();
        for id in ids {
            match results.get(id) {
                Some(Verdict::Fail) => failed.push(id),
                Some(Verdict::Abort) => aborted.push(id),
                Some(Verdict::Pass) => passed.push(id),
                None => missing.push(id),
            }
        }
        // Stricter than the monitor: an abort fails the console verdict.
        let mut verdict = if !failed.is_empty() || !aborted.is_empty() {
            "FAIL"
        } else if !missing.is_empty() {
            "TENTATIVE pass"
        } else {
            "PASS"
        }
        .to_string();
        let mut parts = vec![format!("{} passed", passed.len())];
        for (list, word) in [
            (&failed, "failed"),
            (&aborted, "aborted"),
            (&missing, "missing"),
        ] {
            if !list.is_empty() {
                parts.push(format!("{} {word}", list.len()));
            }
        }
        let _ = write!(verdict, " ({})", parts.join(", "));
        let _ = writeln!(out, "- {target}: {verdict}");
        let mut categories = vec![
            (&failed, "FAILED"),
            (&aborted, "ABORTED"),
            (&missing, "MISSING"),
        ];
        if verbose {
            categories.push((&passed, "PASSED"));
        }
        for (offenders, category) in categories {
            // With a filter active, missing testcases are expected and not itemised.
            if offenders.is_empty() || (category == "MISSING" && partial) {
                continue;
            }
            let _ = writeln!(out, "  - {category}:");
            for id in offenders {
                let _ = writeln!(out, "    - {id}:");
                if let Some(testcase) = spec.testcase(id) {
                    if let Some(description) = &testcase.description {
                        let _ = writeln!(out, "      > {description}");
                    }
                    if let Some(url) = &testcase.url {
                        let _ = writeln!(out, "      > {url}");
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_shows_filters() {
        let sections = vec!["light".to_string(), "heavy".to_string()];
        assert_eq!(title("S", None, None), "S");
        assert_eq!(
            title("S", Some(&sections), Some("scs-0")),
            "S [sections: light, heavy] [tests: 'scs-0']"
        );
    }
}
