//! Throttling of failed logins, per username and per client address (in memory, per process).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed for one username within the window.
pub const MAX_FAILURES_PER_USERNAME: usize = 5;
/// Failures allowed from one client address within the window.
pub const MAX_FAILURES_PER_ADDRESS: usize = 20;
/// The sliding window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Most keys tracked at once; the oldest are forgotten past that (bounds memory under attack).
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginThrottle {
    /// `Some(seconds)` to wait when the username or the address has too many recent failures.
    pub fn check(&self, username: &str, address: &str) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let wait = |key: String, max: usize, map: &mut HashMap<String, Vec<Instant>>| {
            let list = map.get_mut(&key)?;
            list.retain(|t| now.duration_since(*t) < WINDOW);
            if list.len() >= max {
                let oldest = list.first().copied()?;
                Some((WINDOW.saturating_sub(now.duration_since(oldest))).as_secs() + 1)
            } else {
                None
            }
        };
        let a = wait(user_key(username), MAX_FAILURES_PER_USERNAME, &mut map);
        let b = wait(addr_key(address), MAX_FAILURES_PER_ADDRESS, &mut map);
        a.max(b)
    }

    pub fn record_failure(&self, username: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, list| list.last().is_some_and(|t| now.duration_since(*t) < WINDOW));
            if map.len() >= MAX_KEYS {
                map.clear();
            }
        }
        for key in [user_key(username), addr_key(address)] {
            map.entry(key).or_default().push(now);
        }
    }

    /// A successful login clears the username's failures (not the address's).
    pub fn record_success(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&user_key(username));
    }
}

fn user_key(username: &str) -> String {
    format!("u:{}", username.to_lowercase())
}

fn addr_key(address: &str) -> String {
    format!("a:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_a_username_after_five_failures_and_success_clears_it() {
        let t = LoginThrottle::default();
        for _ in 0..MAX_FAILURES_PER_USERNAME {
            assert!(t.check("ana", "1.1.1.1").is_none());
            t.record_failure("ana", "1.1.1.1");
        }
        let wait = t.check("ana", "2.2.2.2").expect("throttled");
        assert!(wait > 0 && wait <= WINDOW.as_secs() + 1);
        assert!(t.check("bob", "2.2.2.2").is_none());
        t.record_success("ana");
        assert!(t.check("ana", "2.2.2.2").is_none());
    }

    #[test]
    fn blocks_an_address_spraying_many_usernames() {
        let t = LoginThrottle::default();
        for i in 0..MAX_FAILURES_PER_ADDRESS {
            t.record_failure(&format!("user{i}"), "9.9.9.9");
        }
        assert!(t.check("someone-new", "9.9.9.9").is_some());
        assert!(t.check("someone-new", "8.8.8.8").is_none());
    }
}
