//! Throttling of sign-ins, per username and per client address. Counts live in the database
//! (`login_attempts`), so every palermo process on it shares them and a restart keeps them. An
//! attempt is reserved before its password is hashed: of any number of concurrent attempts, no
//! more than the budget are checked. Password verifications are bounded by a semaphore sized to
//! the machine, since each holds 19 MiB for tens of milliseconds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};
use crate::models::login_attempt;

/// Attempts allowed for one username within the window (a success clears them).
pub const MAX_FAILURES_PER_USERNAME: i64 = 5;
/// Attempts allowed from one client address within the window (a success gives its one back).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// The window, fixed from its first attempt.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long a sign-in waits for a verification slot before it is answered 503.
const PERMIT_WAIT: Duration = Duration::from_secs(3);
/// Expired windows are purged once every this many reservations.
const PURGE_EVERY: u64 = 256;

#[derive(Debug)]
pub struct LoginThrottle {
    verifications: Arc<Semaphore>,
    reservations: AtomicU64,
}

impl Default for LoginThrottle {
    /// One concurrent verification per core.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores)
    }
}

/// An attempt counted against its username and its address.
#[derive(Debug, Clone)]
pub struct Attempt {
    user: String,
    address: String,
}

impl LoginThrottle {
    pub fn new(concurrent_verifications: usize) -> Self {
        Self {
            verifications: Arc::new(Semaphore::new(concurrent_verifications.max(1))),
            reservations: AtomicU64::new(0),
        }
    }

    /// Counts an attempt for `username` from `address`, or answers 429 with `Retry-After` when
    /// either has spent its budget (then nothing is counted).
    pub fn reserve(
        &self,
        conn: &mut AnyConnection,
        username: &str,
        address: &str,
    ) -> ApiResult<Attempt> {
        let now = chrono::Utc::now().timestamp();
        let window = i64::try_from(WINDOW.as_secs()).unwrap_or(i64::MAX);
        let expired_before = now - window;
        if self.reservations.fetch_add(1, Ordering::Relaxed) % PURGE_EVERY == 0 {
            login_attempt::purge(conn, expired_before)?;
        }
        let attempt = Attempt {
            user: format!("u:{}", username.to_lowercase()),
            address: format!("a:{address}"),
        };
        let refused = |w: login_attempt::Window| {
            let wait = (w.window_start + window - now).max(1);
            ApiError::too_many_requests(
                wait.unsigned_abs(),
                format!("Too many failed sign-ins; retry in {wait} seconds."),
            )
        };
        let user = login_attempt::reserve(
            conn,
            &attempt.user,
            now,
            expired_before,
            MAX_FAILURES_PER_USERNAME,
        )?;
        if let Err(full) = user {
            return Err(refused(full));
        }
        let address = login_attempt::reserve(
            conn,
            &attempt.address,
            now,
            expired_before,
            MAX_FAILURES_PER_ADDRESS,
        )?;
        if let Err(full) = address {
            login_attempt::release(conn, &attempt.user)?;
            return Err(refused(full));
        }
        Ok(attempt)
    }

    /// A slot to verify a password in, waited for briefly; 503 with `Retry-After` when every slot
    /// stays busy.
    pub async fn verification_slot(&self) -> ApiResult<OwnedSemaphorePermit> {
        let acquire = self.verifications.clone().acquire_owned();
        match actix_web::rt::time::timeout(PERMIT_WAIT, acquire).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError::unavailable(
                "Too many sign-ins are being checked at once; retry shortly.",
            )
            .with_header(actix_web::http::header::RETRY_AFTER, "1")),
        }
    }

    /// The attempt was not checked (no slot): both counts are given back.
    pub fn unchecked(conn: &mut AnyConnection, attempt: &Attempt) -> ApiResult<()> {
        login_attempt::release(conn, &attempt.user)?;
        login_attempt::release(conn, &attempt.address)?;
        Ok(())
    }

    /// The attempt succeeded: the username's failures are cleared, the address's attempt given back.
    pub fn succeeded(conn: &mut AnyConnection, attempt: &Attempt) -> ApiResult<()> {
        login_attempt::clear(conn, &attempt.user)?;
        login_attempt::release(conn, &attempt.address)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_the_verification_slots_a_sign_in_gets_503_with_retry_after() {
        let throttle = LoginThrottle::new(1);
        let _held = throttle.verification_slot().await.unwrap();
        let busy = throttle.verification_slot().await.unwrap_err();
        assert_eq!(busy.status().as_u16(), 503);
        let res = actix_web::ResponseError::error_response(&busy);
        assert_eq!(res.headers().get("retry-after").unwrap(), "1");
    }
}
