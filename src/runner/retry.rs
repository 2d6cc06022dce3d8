//! The upload protocol's answers and the retry policy (pure).
//!
//! Transient failures (connection errors, timeouts, 5xx, 429) are retried with exponential
//! backoff until a total time budget is used up; every other 4xx is final.

use std::time::Duration;

/// What an HTTP status means for the upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 201 (or another 2xx but 200): stored.
    Stored,
    /// 200: the identical body was already stored (an idempotent retry).
    AlreadyStored,
    /// 409: something different is already stored for this run.
    Conflict,
    /// 401/403: the credential was refused.
    Refused,
    /// 413: the body is too large.
    TooLarge,
    /// 422: the body is malformed.
    Malformed,
    /// Any other final answer (other 4xx, 1xx, 3xx).
    OtherFinal,
    /// 429 or 5xx: try again later.
    Transient,
}

impl Answer {
    /// Classifies an HTTP status code.
    pub fn of_status(status: u16) -> Answer {
        match status {
            200 => Answer::AlreadyStored,
            201..=299 => Answer::Stored,
            409 => Answer::Conflict,
            401 | 403 => Answer::Refused,
            413 => Answer::TooLarge,
            422 => Answer::Malformed,
            429 | 500..=599 => Answer::Transient,
            _ => Answer::OtherFinal,
        }
    }

    /// Whether the body is now stored at the operator.
    pub fn is_delivered(self) -> bool {
        matches!(self, Answer::Stored | Answer::AlreadyStored)
    }
}

/// Exponential backoff within a total budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay before the first retry.
    pub initial_delay: Duration,
    /// Upper bound of one delay.
    pub max_delay: Duration,
    /// Total time for all attempts and delays.
    pub budget: Duration,
}

impl RetryPolicy {
    /// The policy used by `scs-cert run` for a given budget: 1 s doubling up to 30 s.
    pub fn with_budget(budget: Duration) -> RetryPolicy {
        RetryPolicy {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            budget,
        }
    }

    /// Delay after failed attempt number `attempt` (1-based), before jitter: doubling, capped.
    pub fn base_delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.initial_delay
            .saturating_mul(factor)
            .min(self.max_delay)
    }

    /// The delay to wait after failed attempt `attempt`, or `None` when the budget does not
    /// allow another try. `jitter` in [0, 1) spreads retries of many pods (up to -20%);
    /// `retry_after` (from the server) is honoured as a lower bound.
    pub fn next_delay(
        &self,
        attempt: u32,
        elapsed: Duration,
        jitter: f64,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let base = self.base_delay(attempt);
        let jittered = base.mul_f64(1.0 - 0.2 * jitter.clamp(0.0, 1.0));
        let delay = retry_after.map_or(jittered, |floor| jittered.max(floor.min(self.max_delay)));
        (elapsed + delay < self.budget).then_some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_statuses_as_the_protocol_says() {
        let cases = [
            (201, Answer::Stored),
            (202, Answer::Stored),
            (200, Answer::AlreadyStored),
            (409, Answer::Conflict),
            (401, Answer::Refused),
            (403, Answer::Refused),
            (413, Answer::TooLarge),
            (422, Answer::Malformed),
            (429, Answer::Transient),
            (500, Answer::Transient),
            (503, Answer::Transient),
            (400, Answer::OtherFinal),
            (404, Answer::OtherFinal),
            (408, Answer::OtherFinal),
            (301, Answer::OtherFinal),
        ];
        for (status, answer) in cases {
            assert_eq!(Answer::of_status(status), answer, "{status}");
        }
        assert!(Answer::AlreadyStored.is_delivered() && !Answer::Conflict.is_delivered());
    }

    #[test]
    fn backoff_doubles_caps_and_respects_the_budget() {
        let policy = RetryPolicy::with_budget(Duration::from_secs(60));
        let secs: Vec<u64> = (1..=7).map(|a| policy.base_delay(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(
            policy.next_delay(1, Duration::ZERO, 0.0, None),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            policy.next_delay(3, Duration::ZERO, 0.5, None),
            Some(Duration::from_millis(3600))
        );
        assert_eq!(
            policy.next_delay(6, Duration::from_secs(31), 0.0, None),
            None
        );
        assert_eq!(
            policy.next_delay(1, Duration::ZERO, 0.0, Some(Duration::from_secs(5))),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            policy.next_delay(1, Duration::ZERO, 0.0, Some(Duration::from_secs(3600))),
            Some(Duration::from_secs(30)),
            "a huge Retry-After is capped"
        );
        assert_eq!(policy.base_delay(u32::MAX), Duration::from_secs(30));
    }
}
