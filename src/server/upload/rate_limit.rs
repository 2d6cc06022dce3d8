//! A token bucket per account name (the Basic-auth user name as presented, before it is
//! verified), so neither guessing an account's API key nor flooding it with uploads gets far.
//! Time is a parameter; the map is bounded.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Most buckets kept; beyond it, buckets that are full again (idle callers) are forgotten.
const MAX_BUCKETS: usize = 10_000;

/// Per-account request limit: `burst` requests at once, refilled at `per_minute`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    /// Requests allowed back to back.
    pub burst: u32,
    /// Requests per minute in the long run.
    pub per_minute: u32,
}

impl Default for Limit {
    fn default() -> Self {
        Self {
            burst: 6,
            per_minute: 6,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of all accounts.
#[derive(Debug)]
pub struct RateLimiter {
    limit: Limit,
    buckets: HashMap<String, Bucket>,
}

impl RateLimiter {
    /// A limiter with `limit` for every account.
    pub fn new(limit: Limit) -> Self {
        Self {
            limit,
            buckets: HashMap::new(),
        }
    }

    /// Takes one request of `account` at `now`; on refusal, how long until one is allowed.
    pub fn take(&mut self, account: &str, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(self.limit.burst.max(1));
        let rate = f64::from(self.limit.per_minute.max(1)) / 60.0;
        if self.buckets.len() >= MAX_BUCKETS && !self.buckets.contains_key(account) {
            self.buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < burst
            });
            if self.buckets.len() >= MAX_BUCKETS {
                // Everybody is busy: a stranger waits like an exhausted account.
                return Err(Duration::from_secs_f64(1.0 / rate));
            }
        }
        let bucket = self.buckets.entry(account.to_owned()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_rate_applies_per_account() {
        let mut limiter = RateLimiter::new(Limit {
            burst: 3,
            per_minute: 6,
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take("a", t0), Ok(()));
        }
        let wait = limiter.take("a", t0).expect_err("burst used up");
        assert_eq!(wait, Duration::from_secs(10));
        // Another account is not affected.
        assert_eq!(limiter.take("b", t0), Ok(()));
        // One token comes back every 10 s.
        assert!(limiter.take("a", t0 + Duration::from_secs(9)).is_err());
        assert_eq!(limiter.take("a", t0 + Duration::from_secs(20)), Ok(()));
        // Never more than the burst, however long the pause.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(limiter.take("a", later), Ok(()));
        }
        assert!(limiter.take("a", later).is_err());
    }

    #[test]
    fn the_map_stays_bounded() {
        let mut limiter = RateLimiter::new(Limit::default());
        let t0 = Instant::now();
        for i in 0..MAX_BUCKETS {
            let _ = limiter.take(&format!("user-{i}"), t0);
        }
        assert!(limiter.take("newcomer", t0).is_err(), "all buckets busy");
        // A minute later the old buckets are full again and are forgotten.
        let later = t0 + Duration::from_secs(60);
        assert_eq!(limiter.take("newcomer", later), Ok(()));
        assert!(limiter.buckets.len() <= 2);
    }
}
