//! Version history of a resource, read from the audit trail (each event keeps the full
//! before/after snapshots, so every version can be shown with who made it and when), paginated
//! like every list.

use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::http::pagination::{Page, PageParams};
use crate::api::http::run_db;
use crate::db::text_enum::RawJson;
use crate::db::{AnyConnection, Pool};
use crate::error::{ApiError, ApiResult};
use crate::models::audit_event::AuditEventRow;
use crate::timestamp::Timestamp;

/// One change to a resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// Position in the audit trail (increasing).
    #[schema(example = 42)]
    pub event_id: i64,
    /// `create`, `update`, `deactivate`, `delete`, ...
    #[schema(example = "update")]
    pub action: String,
    /// The resource's version after the change (`null` when it was deleted).
    #[schema(example = 2)]
    pub version: Option<i64>,
    pub changed_at: Timestamp,
    /// Username of who made the change.
    #[schema(example = "arg-reporter")]
    pub changed_by: String,
    /// The resource before the change (`null` on creation).
    #[schema(value_type = Option<crate::openapi::types::Record>)]
    pub before: Option<RawJson>,
    /// The resource after the change (`null` on deletion).
    #[schema(value_type = Option<crate::openapi::types::Record>)]
    pub after: Option<RawJson>,
}

/// The one field of a snapshot an entry reads: the snapshots are served as stored.
#[derive(Deserialize)]
struct SnapshotVersion {
    version: Option<i64>,
}

impl From<AuditEventRow> for HistoryEntry {
    fn from(e: AuditEventRow) -> Self {
        let version = e.after.as_ref().and_then(|a| {
            serde_json::from_str::<SnapshotVersion>(a.get())
                .ok()
                .and_then(|s| s.version)
        });
        HistoryEntry {
            event_id: e.id,
            version,
            action: e.action,
            changed_at: e.occurred_at,
            changed_by: e.actor_username,
            before: e.before,
            after: e.after,
        }
    }
}

/// A page of the history of resource `kind`/`id`, oldest first. `exists` answers 404 for an
/// unknown resource (it runs in the same connection, before the events are read).
pub async fn respond<E>(
    req: &HttpRequest,
    pool: &Pool,
    kind: &'static str,
    id: String,
    page: PageParams,
    exists: E,
) -> ApiResult<HttpResponse>
where
    E: FnOnce(&mut AnyConnection, &str) -> ApiResult<()> + Send + 'static,
{
    let limit = page.limit()?;
    let after: Option<i64> = page.after("history")?;
    let events = run_db(pool, move |conn| {
        exists(conn, &id)?;
        Ok::<_, ApiError>(AuditEventRow::for_resource(
            conn,
            kind,
            &id,
            after.unwrap_or(0),
            limit + 1,
        )?)
    })
    .await?;
    Ok(Page::from_rows(events, limit, "history", |e| e.id, HistoryEntry::from).respond(req))
}
