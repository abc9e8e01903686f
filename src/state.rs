//! What every handler shares: the pool, the token service, the login throttle, metrics.

use std::sync::Arc;

use crate::api::http::client_address::TrustedProxies;
use crate::auth::{LoginThrottle, TokenService};
use crate::db::Pool;
use crate::metrics::Metrics;

#[derive(Debug, Clone)]
pub struct AppState {
    pub pool: Pool,
    pub tokens: TokenService,
    pub throttle: Arc<LoginThrottle>,
    /// Reverse proxies whose forwarding headers name the client.
    pub proxies: Arc<TrustedProxies>,
    pub metrics: Arc<Metrics>,
    /// The public view's settings and per-address throttle.
    pub public: Arc<crate::api::public::PublicView>,
    /// Value pages kept while no write happens.
    pub pages: Arc<crate::api::http::page_cache::PageCache>,
    /// Where webhook subscriptions may point.
    pub webhook_policy: crate::webhooks::address::Policy,
}
