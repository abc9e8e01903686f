//! When a failed delivery is tried again: exponential backoff with jitter. With the default base
//! of 15 s the retries come after about 15 s, 1 min, 4 min, 16 min, 1 h, 4.3 h and 17 h (each
//! ±20 %), about 23 hours in all; after the last one the delivery is `failed`.

use std::time::Duration;

use rand::Rng;

/// Retries after the first attempt.
pub const RETRIES: u32 = 7;
/// Each delay is this many times the previous one.
const FACTOR: u32 = 4;
/// Jitter: a delay is scaled by a random factor in `1 ± JITTER`.
const JITTER: f64 = 0.2;

/// The retry schedule.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// Delay before the first retry (before jitter).
    pub base: Duration,
}

impl Schedule {
    /// The delay before the next attempt after `attempts` failed ones, or `None` when the
    /// schedule is spent. `jitter` in `[0, 1)` places it in the ±20 % window.
    pub fn delay(&self, attempts: u32, jitter: f64) -> Option<Duration> {
        if attempts == 0 || attempts > RETRIES {
            return None;
        }
        let nominal = self.base.saturating_mul(FACTOR.pow(attempts - 1));
        let scale = 1.0 - JITTER + 2.0 * JITTER * jitter.clamp(0.0, 1.0);
        Some(nominal.mul_f64(scale))
    }

    /// [`delay`](Self::delay) with random jitter.
    pub fn next(&self, attempts: u32) -> Option<Duration> {
        self.delay(attempts, rand::thread_rng().gen::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULT: Schedule = Schedule {
        base: Duration::from_secs(15),
    };

    #[test]
    fn the_first_retry_comes_within_30_seconds_whatever_the_jitter() {
        for j in [0.0, 0.5, 0.999] {
            let d = DEFAULT.delay(1, j).unwrap();
            assert!(
                d >= Duration::from_secs(12) && d <= Duration::from_secs(18),
                "{d:?}"
            );
        }
    }

    #[test]
    fn the_largest_configurable_base_still_retries_within_30_seconds() {
        let slowest = Schedule {
            base: Duration::from_millis(25_000),
        };
        assert!(slowest.delay(1, 0.999).unwrap() <= Duration::from_secs(30));
    }

    #[test]
    fn delays_grow_and_the_schedule_lasts_about_a_day() {
        let mut total = Duration::ZERO;
        let mut previous = Duration::ZERO;
        for attempt in 1..=RETRIES {
            let d = DEFAULT.delay(attempt, 0.5).unwrap();
            assert!(d > previous, "attempt {attempt}: {d:?} after {previous:?}");
            previous = d;
            total += d;
        }
        let hours = total.as_secs_f64() / 3600.0;
        assert!((20.0..=28.0).contains(&hours), "{hours} h");
        // Even all jitter one way stays near a day.
        let longest: Duration = (1..=RETRIES).filter_map(|a| DEFAULT.delay(a, 1.0)).sum();
        assert!(longest.as_secs_f64() / 3600.0 <= 28.0);
    }

    #[test]
    fn nothing_comes_after_the_last_retry() {
        assert!(DEFAULT.delay(RETRIES, 0.5).is_some());
        assert!(DEFAULT.delay(RETRIES + 1, 0.5).is_none());
        assert!(DEFAULT.delay(0, 0.5).is_none());
    }

    #[test]
    fn jitter_spreads_retries_of_one_attempt() {
        let low = DEFAULT.delay(3, 0.0).unwrap();
        let high = DEFAULT.delay(3, 0.999).unwrap();
        assert!(high > low);
    }
}
