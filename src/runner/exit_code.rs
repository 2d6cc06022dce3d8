//! The check tool's exit code (DOMAIN 3.8):
//! `min(127, critical + (0 if -C else error + FAIL results))`, summed over invocations.
//! A script's own return code and ABORT results never enter the formula.

use crate::report::Invocation;
use crate::results::Verdict;

/// Exit code of a completed check run.
pub fn exit_code(invocations: &[Invocation], critical_only: bool) -> u8 {
    let critical: u64 = invocations.iter().map(|i| i.critical).sum();
    let errors: u64 = invocations
        .iter()
        .map(|i| i.error + i.results.values().filter(|v| **v == Verdict::Fail).count() as u64)
        .sum();
    let total = if critical_only {
        critical
    } else {
        critical.saturating_add(errors)
    };
    // min(127, ..) always fits in a u8.
    u8::try_from(total.min(127)).unwrap_or(127)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invocation(error: u64, critical: u64, results: &[(&str, Verdict)]) -> Invocation {
        Invocation {
            error,
            critical,
            results: results.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            ..Invocation::default()
        }
    }

    #[test]
    fn follows_the_upstream_formula() {
        let one_error_one_fail = [invocation(
            1,
            0,
            &[("a", Verdict::Fail), ("b", Verdict::Pass)],
        )];
        assert_eq!(exit_code(&one_error_one_fail, false), 2);
        assert_eq!(exit_code(&one_error_one_fail, true), 0);
        let launch_failed = [invocation(0, 1, &[])];
        assert_eq!(exit_code(&launch_failed, false), 1);
        assert_eq!(exit_code(&launch_failed, true), 1);
        let two_critical_three_fail = [
            invocation(0, 2, &[("a", Verdict::Fail)]),
            invocation(
                0,
                0,
                &[
                    ("b", Verdict::Fail),
                    ("c", Verdict::Fail),
                    ("d", Verdict::Abort),
                ],
            ),
        ];
        assert_eq!(exit_code(&two_critical_three_fail, false), 5);
        assert_eq!(exit_code(&two_critical_three_fail, true), 2);
        assert_eq!(exit_code(&[invocation(300, 0, &[])], false), 127);
        assert_eq!(
            exit_code(&[invocation(u64::MAX, u64::MAX, &[])], false),
            127
        );
        assert_eq!(exit_code(&[], false), 0);
        assert_eq!(
            exit_code(&[invocation(0, 0, &[("a", Verdict::Abort)])], false),
            0
        );
    }
}
