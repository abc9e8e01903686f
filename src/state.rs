//! What every handler shares: the pool, the token service, the login throttle, metrics.

use std::sync::Arc;

use crate::auth::{LoginThrottle, TokenService};
use crate::db::Pool;
use crate::metrics::Metrics;

#[derive(Debug, Clone)]
pub struct AppState {
    pub pool: Pool,
    pub tokens: TokenService,
    pub throttle: Arc<LoginThrottle>,
    pub metrics: Arc<Metrics>,
}
