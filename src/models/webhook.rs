//! The `webhooks` table: subscriptions to the change feed, delivered by the webhook worker.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::webhooks as wh;
use crate::db::text_enum::JsonText;
use crate::db::AnyConnection;
use crate::timestamp::Timestamp;

// Stored and served as is: the signing secret is stored but never serialized (only the answer
// to the create, `CreatedWebhook`, holds it).
/// A webhook subscription. Its secret is never shown after the create.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, ToSchema,
)]
#[diesel(table_name = wh, treat_none_as_null = true)]
#[schema(as = Webhook, example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6c", "url": "https://dashboard.example.org/hooks/palermo",
    "events": ["submission"], "active": true, "description": "Dashboard of the Secretariat", "version": 1,
    "created_at": "2026-11-22T20:43:03.123456Z", "updated_at": "2026-11-22T20:43:03.123456Z", "deleted_at": null
}))]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    /// Resource types delivered; empty: all.
    #[schema(value_type = Vec<String>)]
    pub events: JsonText<Vec<String>>,
    #[serde(skip)]
    #[schema(ignore)]
    pub secret: String,
    pub active: bool,
    pub description: Option<String>,
    /// Feed position when it was created: only later events are delivered.
    #[serde(skip)]
    #[schema(ignore)]
    pub starts_after: i64,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set on a deleted subscription (listed with `include_deleted=true` only).
    pub deleted_at: Option<Timestamp>,
}

/// Filters of the subscription list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub active: Option<bool>,
    pub include_deleted: bool,
    pub updated_since: Option<Timestamp>,
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
