//! Webhooks: subscriptions (served by `api::webhooks`) receive every change-feed event as a
//! signed POST. The [`fanout`] step turns feed events into queued deliveries with their payload
//! fixed; the [`worker`] claims due deliveries, sends them and records the outcome, retrying on
//! the [`backoff`] schedule. [`address`] keeps deliveries off loopback and private networks;
//! [`signature`] signs them per Standard Webhooks.

pub mod address;
pub mod backoff;
pub mod fanout;
pub mod signature;
pub mod worker;

use std::time::Duration;

use clap::Args;

/// How webhooks are delivered, from flags or the environment.
#[derive(Debug, Clone, Args)]
pub struct WebhookSettings {
    /// Run the webhook worker in this process (fan-out of the change feed and deliveries).
    /// Several processes on one database may all run it: each delivery is sent by one of them.
    #[arg(long = "webhook-worker", env = "PALERMO_WEBHOOK_WORKER", default_value_t = true,
        action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    pub worker: bool,

    /// Allow webhook targets on loopback, private, link-local and other non-global addresses
    /// (for a receiver on the same host or network). Off: they are refused when a subscription
    /// is written and after DNS resolution at delivery time.
    #[arg(long = "webhook-allow-private", env = "PALERMO_WEBHOOK_ALLOW_PRIVATE", default_value_t = false,
        action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_private: bool,

    /// Delay before the first retry of a failed delivery, in milliseconds (1 to 25000, before
    /// ±20 % jitter, so at most 30 s); each further retry waits 4 times longer, 7 retries in all.
    #[arg(long = "webhook-retry-base-ms", env = "PALERMO_WEBHOOK_RETRY_BASE_MS", default_value_t = 15_000,
        value_parser = clap::value_parser!(u64).range(1..=25_000))]
    pub retry_base_ms: u64,

    /// How often the worker looks for new changes and due deliveries when idle, in milliseconds.
    #[arg(long = "webhook-poll-ms", env = "PALERMO_WEBHOOK_POLL_MS", default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub poll_ms: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            worker: true,
            allow_private: false,
            retry_base_ms: 15_000,
            poll_ms: 1000,
        }
    }
}

impl WebhookSettings {
    pub fn policy(&self) -> address::Policy {
        address::Policy {
            allow_private: self.allow_private,
        }
    }

    pub fn schedule(&self) -> backoff::Schedule {
        backoff::Schedule {
            base: Duration::from_millis(self.retry_base_ms),
        }
    }

    pub fn poll(&self) -> Duration {
        Duration::from_millis(self.poll_ms)
    }
}
