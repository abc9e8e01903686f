//! The `webhooks` table: subscriptions to the change feed, delivered by the webhook worker.

use diesel::prelude::*;

use crate::db::schema::webhooks as wh;
use crate::db::text_enum::JsonText;
use crate::db::AnyConnection;

/// A subscription as stored, its signing secret included (never served after the create).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = wh, treat_none_as_null = true)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    /// Change-feed resource types delivered; empty: all.
    pub events: JsonText<Vec<String>>,
    pub secret: String,
    pub active: bool,
    pub description: Option<String>,
    /// Feed position when it was created: only later events are delivered.
    pub starts_after: i64,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

/// Filters of the subscription list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub active: Option<bool>,
    pub include_deleted: bool,
    pub updated_since: Option<String>,
}

impl WebhookRow {
    crate::versioned_queries!(wh, id: &str);

    crate::tombstoned_list!(wh, id, Filter, eq(active));

    /// Every live, active subscription: the fan-out's targets.
    pub fn all_active(conn: &mut AnyConnection) -> QueryResult<Vec<Self>> {
        wh::table
            .filter(wh::deleted_at.is_null())
            .filter(wh::active.eq(true))
            .order(wh::id)
            .select(Self::as_select())
            .load(conn)
    }

    /// Whether the subscription wants events of `resource_type` at feed position `sequence`.
    pub fn wants(&self, resource_type: &str, sequence: i64) -> bool {
        sequence > self.starts_after
            && (self.events.get().is_empty()
                || self.events.get().iter().any(|e| e == resource_type))
    }
}

impl WebhookRow {
    /// The change feed's last position (0 when empty).
    pub fn feed_end(conn: &mut AnyConnection) -> QueryResult<i64> {
        use crate::db::schema::audit_events;
        Ok(audit_events::table
            .select(diesel::dsl::max(audit_events::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0))
    }
}
