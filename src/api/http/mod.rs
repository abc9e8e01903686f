//! HTTP plumbing shared by every resource: extractors, preconditions, pagination, the list and
//! versioned-write pipelines, CSV, idempotency keys, query parsing, languages and fallbacks.

pub mod client_address;
pub mod csv;
pub mod extract;
pub mod fallback;
pub mod headers;
pub mod history;
pub mod idempotency;
pub mod language;
pub mod list;
pub mod page_cache;
pub mod pagination;
pub mod precondition;
pub mod query;
pub mod replace;
pub mod routes;
pub mod rows;
pub mod text;
pub mod write;

use crate::db::{AnyConnection, Pool};
use crate::error::ApiResult;

/// Runs database work off the actix workers, failing as a problem document.
pub async fn run_db<F, T>(pool: &Pool, f: F) -> ApiResult<T>
where
    F: FnOnce(&mut AnyConnection) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    crate::db::run(pool, f).await
}
