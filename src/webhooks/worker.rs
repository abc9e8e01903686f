//! The webhook worker: a thread of its own with a small async runtime, so request handling never
//! waits on it. Each round it fans new change-feed events out to the queue, claims due
//! deliveries under a lease, POSTs them concurrently with the async HTTP client (timeouts on
//! connect and in total, no redirects, no proxy, the guarded resolver) and records each outcome.
//! Database work runs on the runtime's blocking threads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::redirect::Policy as Redirects;
use tokio::task::JoinSet;
use url::Host;

use super::address::{GuardedResolver, Policy};
use super::backoff::Schedule;
use super::{fanout, signature, WebhookSettings};
use crate::db::pool::write_transaction;
use crate::db::Pool;
use crate::domain::DeliveryStatus;
use crate::models::webhook_delivery::{Claimed, DeliveryRow, Outcome};
use crate::timestamp::Timestamp;

/// Longest time to open a connection to a receiver.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest time for a whole attempt (connect, send, response head).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a claimed delivery is not due again: longer than any attempt.
const LEASE: Duration = Duration::from_secs(60);
/// Deliveries claimed (and sent concurrently) per round.
const CLAIM: i64 = 32;
/// Longest error text kept in the delivery log.
const MAX_ERROR_LEN: usize = 500;

/// The running worker; dropping it stops it (at the end of its current round).
#[derive(Debug)]
pub struct Worker {
    stop: Arc<AtomicBool>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Starts the worker on its own thread.
pub fn start(pool: Pool, settings: &WebhookSettings) -> Result<Worker, String> {
    let stop = Arc::new(AtomicBool::new(false));
    let client = client(settings.policy())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(2)
        .build()
        .map_err(|e| format!("webhook worker: {e}"))?;
    let round = Round {
        pool,
        client,
        policy: settings.policy(),
        schedule: settings.schedule(),
    };
    let poll = settings.poll();
    let flag = stop.clone();
    std::thread::Builder::new()
        .name("webhooks".into())
        .spawn(move || runtime.block_on(run(round, poll, flag)))
        .map_err(|e| format!("webhook worker: {e}"))?;
    Ok(Worker { stop })
}

/// The HTTP client of deliveries.
pub fn client(policy: Policy) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(Redirects::none())
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .dns_resolver(Arc::new(GuardedResolver { policy }))
        .user_agent(concat!("palermo-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("webhook HTTP client: {e}"))
}

async fn run(round: Round, poll: Duration, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::SeqCst) {
        match round.once().await {
            Ok(true) => {}
            Ok(false) => tokio::time::sleep(poll).await,
            Err(e) => {
                log::warn!("webhook worker: {e}");
                tokio::time::sleep(poll.max(Duration::from_secs(1))).await;
            }
        }
    }
}

/// What one round needs.
struct Round {
    pool: Pool,
    client: reqwest::Client,
    policy: Policy,
    schedule: Schedule,
}

impl Round {
    /// One round; true when it found work (so the next one starts at once).
    async fn once(&self) -> Result<bool, String> {
        let fanned = self
            .db(|conn| fanout::run_once(conn).map_err(|e| e.to_string()))
            .await?;
        let lease = uuid::Uuid::new_v4().to_string();
        let now = Timestamp::now();
        let until = Timestamp(now.0 + chrono::Duration::from_std(LEASE).unwrap_or_default());
        let claimed = {
            let lease = lease.clone();
            self.db(move |conn| {
                write_transaction(conn, |conn| {
                    DeliveryRow::claim(conn, &now.to_db(), &lease, &until.to_db(), CLAIM)
                })
                .map_err(|e| e.to_string())
            })
            .await?
        };
        if claimed.is_empty() {
            return Ok(fanned > 0);
        }
        let mut sends = JoinSet::new();
        for c in claimed {
            let (client, policy, schedule) = (self.client.clone(), self.policy, self.schedule);
            sends.spawn(async move {
                let outcome = attempt(&client, policy, schedule, &c).await;
                (c.delivery.id, outcome)
            });
        }
        let mut outcomes = Vec::new();
        while let Some(done) = sends.join_next().await {
            match done {
                Ok(o) => outcomes.push(o),
                Err(e) => log::error!("webhook delivery task failed: {e}"),
            }
        }
        self.db(move |conn| {
            write_transaction(conn, |conn| {
                for (id, outcome) in &outcomes {
                    if !DeliveryRow::record(conn, id, &lease, outcome)? {
                        log::info!("webhook delivery {id} was requeued during its attempt");
                    }
                }
                Ok::<_, diesel::result::Error>(())
            })
            .map_err(|e| e.to_string())
        })
        .await?;
        Ok(true)
    }

    /// Database work on the runtime's blocking threads.
    async fn db<T, F>(&self, f: F) -> Result<T, String>
    where
        F: FnOnce(&mut crate::db::AnyConnection) -> Result<T, String> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| format!("database pool: {e}"))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| format!("blocking task failed: {e}"))?
    }
}

/// One attempt at a claimed delivery, and what to record.
async fn attempt(
    client: &reqwest::Client,
    policy: Policy,
    schedule: Schedule,
    c: &Claimed,
) -> Outcome {
    let attempted_at = Timestamp::now();
    let result = send(client, policy, c).await;
    let (status_code, error) = match result {
        Ok(code) if (200..300).contains(&code) => {
            return Outcome {
                status: DeliveryStatus::Succeeded,
                status_code: Some(i32::from(code)),
                error: None,
                attempted_at,
                next_attempt_at: None,
            }
        }
        Ok(code) => (
            Some(i32::from(code)),
            format!("the receiver answered HTTP {code}"),
        ),
        Err(e) => (None, e),
    };
    let attempts = u32::try_from(c.delivery.attempts).unwrap_or(0) + 1;
    let next = schedule
        .next(attempts)
        .map(|d| Timestamp(Utc::now() + chrono::Duration::from_std(d).unwrap_or_default()));
    Outcome {
        status: if next.is_some() {
            DeliveryStatus::Pending
        } else {
            DeliveryStatus::Failed
        },
        status_code,
        error: Some(truncate(error)),
        attempted_at,
        next_attempt_at: next,
    }
}

/// POSTs the delivery signed now; the response status, or why there is none.
async fn send(client: &reqwest::Client, policy: Policy, c: &Claimed) -> Result<u16, String> {
    let url = url::Url::parse(&c.url).map_err(|e| format!("invalid URL: {e}"))?;
    // A literal address is not resolved, so the resolver cannot refuse it: check it here.
    let literal = match url.host() {
        Some(Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
        _ => None,
    };
    if let Some(ip) = literal.filter(|ip| !policy.permits(*ip)) {
        return Err(format!(
            "refused target address {ip} (loopback, private and other non-global addresses are refused)"
        ));
    }
    let key = signature::key_of(&c.secret).map_err(|e| format!("the secret {e}"))?;
    let id = &c.delivery.id;
    let timestamp = Utc::now().timestamp();
    let body = c.delivery.payload.get().as_bytes().to_vec();
    let signed = signature::sign(&key, id, timestamp, &body);
    let res = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", id.as_str())
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signed)
        .body(body)
        .send()
        .await
        .map_err(describe)?;
    Ok(res.status().as_u16())
}

/// A failed request, with its causes (refused, timed out, resolution refused...).
fn describe(e: reqwest::Error) -> String {
    let timed_out = e.is_timeout();
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if timed_out && !text.contains("timed out") {
        text.push_str(" (timed out)");
    }
    text
}

/// At most [`MAX_ERROR_LEN`] bytes, cut at a character boundary.
fn truncate(mut text: String) -> String {
    if text.len() > MAX_ERROR_LEN {
        let mut end = MAX_ERROR_LEN;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}
