//! Counting log signals in script output (DOMAIN 3.7): lines of stdout and stderr whose
//! lower-cased text starts with `info`, `warning`, `error` or `critical`.

use crate::runner::lines::lowercase_starts_with;

/// Signal counts of one invocation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignalCounts {
    /// Lines starting with "info".
    pub info: u64,
    /// Lines starting with "warning".
    pub warning: u64,
    /// Lines starting with "error".
    pub error: u64,
    /// Lines starting with "critical".
    pub critical: u64,
}

impl SignalCounts {
    /// Counts one line (of either stream).
    pub fn count_line(&mut self, line: &str) {
        // "information..." counts as info and "Errors found" as error, exactly as upstream.
        if lowercase_starts_with(line, "info") {
            self.info += 1;
        }
        if lowercase_starts_with(line, "warning") {
            self.warning += 1;
        }
        if lowercase_starts_with(line, "error") {
            self.error += 1;
        }
        if lowercase_starts_with(line, "critical") {
            self.critical += 1;
        }
    }

    /// Sum of two counts.
    pub fn plus(self, other: SignalCounts) -> SignalCounts {
        SignalCounts {
            info: self.info + other.info,
            warning: self.warning + other.warning,
            error: self.error + other.error,
            critical: self.critical + other.critical,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_lowercase_prefix() {
        let mut counts = SignalCounts::default();
        for line in [
            "INFO: x",
            "information",
            "WARNING: y",
            "warnings",
            "ERROR: z",
            "Errors found",
            "CRITICAL: boom",
            " ERROR: indented does not count",
            "tc: FAIL",
            "",
        ] {
            counts.count_line(line);
        }
        assert_eq!(
            counts,
            SignalCounts {
                info: 2,
                warning: 2,
                error: 2,
                critical: 1
            }
        );
    }
}
