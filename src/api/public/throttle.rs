//! The public view's throttle: a token bucket per client address, in this process's memory.
//!
//! In memory rather than in the database (as sign-ins are, `auth::throttle`): a public read is
//! anonymous and cheap to refuse, and a database write per read would make every read, refused
//! ones included, cost a write transaction; the throttle is there to keep the database free. The
//! budget is per process, so behind a balancer over N processes an address gets up to N times it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::error::{ApiError, ApiResult};

/// Past this many addresses, buckets that have filled up again are forgotten.
const MAX_TRACKED: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    /// Tokens a minute; also the burst an idle address may spend at once.
    per_minute: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: f64::from(per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Spends one token of `address`, or answers 429 with `Retry-After` (the seconds until one
    /// is back) when it has none.
    pub fn admit(&self, address: &str) -> ApiResult<()> {
        self.admit_at(address, Instant::now())
    }

    fn admit_at(&self, address: &str, now: Instant) -> ApiResult<()> {
        let per_second = self.per_minute / 60.0;
        // A panic elsewhere while holding the map leaves counts that are still counts.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(address) {
            let full = self.per_minute;
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * per_second < full
            });
        }
        let bucket = buckets.entry(address.to_string()).or_insert(Bucket {
            tokens: self.per_minute,
            at: now,
        });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(self.per_minute);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = ((1.0 - bucket.tokens) / per_second).ceil().max(1.0);
        Err(ApiError::too_many_requests(
            wait as u64,
            format!(
                "Too many requests to the public view from this address (at most {} a minute); retry in {wait} seconds.",
                self.per_minute
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_address_spends_its_budget_then_waits_for_a_token() {
        let limiter = RateLimiter::new(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.admit_at("198.51.100.7", t0).is_ok());
        }
        let refused = limiter.admit_at("198.51.100.7", t0);
        assert!(refused.is_err(), "the fourth request within the minute");
        assert!(
            limiter.admit_at("203.0.113.5", t0).is_ok(),
            "another address has its own budget"
        );
        // One token is back after 20 seconds at 3 a minute.
        assert!(limiter
            .admit_at("198.51.100.7", t0 + Duration::from_secs(20))
            .is_ok());
        assert!(limiter
            .admit_at("198.51.100.7", t0 + Duration::from_secs(20))
            .is_err());
    }
}
