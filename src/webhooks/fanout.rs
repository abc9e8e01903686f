//! The fan-out step: reads the change feed after the stored cursor and queues one delivery per
//! event and matching active subscription, its payload fixed now (the resource as the audit
//! event recorded it), and advances the cursor in the same transaction. It reads the feed
//! through the feed's own query, whose ids follow commit order (the feed lock), so no event is
//! skipped when writers commit out of order; the cursor row is locked, so of several instances
//! one fans out a given event.

use diesel::QueryResult;
use serde::Serialize;

use crate::api::changes::resource_url;
use crate::db::text_enum::RawJson;
use crate::db::{pool::write_transaction, AnyConnection};
use crate::domain::DeliveryStatus;
use crate::models::audit_event::AuditEventRow;
use crate::models::webhook::WebhookRow;
use crate::models::webhook_delivery::{self as deliveries, DeliveryRow};
use crate::timestamp::Timestamp;

/// Resource types of the feed that are never delivered: the subscriptions' own changes.
pub const NOT_DELIVERED: &[&str] = &["webhook"];

/// Events read per fan-out transaction.
const BATCH: i64 = 500;

/// The body of a delivery.
#[derive(Serialize)]
struct Payload<'a> {
    #[serde(rename = "type")]
    kind: String,
    timestamp: Timestamp,
    data: Data<'a>,
}

#[derive(Serialize)]
struct Data<'a> {
    sequence: i64,
    resource_type: &'a str,
    resource_id: &'a str,
    action: &'a str,
    changed_at: Timestamp,
    resource_url: Option<String>,
    /// The snapshot as recorded, not decoded and re-encoded.
    resource: Option<&'a RawJson>,
}

/// The body delivered for `event`: the resource is its `after` snapshot, or `before` for a
/// deletion (and whenever there is no `after`).
pub fn payload(event: &AuditEventRow) -> serde_json::Result<RawJson> {
    let resource = if event.action == "delete" {
        event.before.as_ref().or(event.after.as_ref())
    } else {
        event.after.as_ref().or(event.before.as_ref())
    };
    let changed_at = event.occurred_at;
    let body = Payload {
        kind: format!("{}.{}", event.resource_type, event.action),
        timestamp: changed_at,
        data: Data {
            sequence: event.id,
            resource_type: &event.resource_type,
            resource_id: &event.resource_id,
            action: &event.action,
            changed_at,
            resource_url: resource_url(event),
            resource,
        },
    };
    RawJson::of(&body)
}

/// One fan-out transaction: up to [`BATCH`] events. Returns how many events it read (0: the
/// queue is up to date with the feed).
pub fn run_once(conn: &mut AnyConnection) -> QueryResult<usize> {
    // Cheap checks first, outside any write transaction: most polls find nothing to do.
    let cursor = deliveries::read_cursor(conn)?;
    if AuditEventRow::feed(conn, cursor, NOT_DELIVERED, 1)?.is_empty() {
        return Ok(0);
    }
    write_transaction(conn, |conn| {
        let cursor = deliveries::lock_cursor(conn)?;
        let events = AuditEventRow::feed(conn, cursor, NOT_DELIVERED, BATCH)?;
        let Some(last) = events.last().map(|e| e.id) else {
            return Ok(0);
        };
        let subscriptions = WebhookRow::all_active(conn)?;
        let now = Timestamp::now();
        for event in &events {
            let targets: Vec<&WebhookRow> = subscriptions
                .iter()
                .filter(|s| s.wants(&event.resource_type, event.id))
                .collect();
            if targets.is_empty() {
                continue;
            }
            let body =
                payload(event).map_err(|e| diesel::result::Error::SerializationError(e.into()))?;
            for s in targets {
                DeliveryRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    webhook_id: s.id.clone(),
                    sequence: event.id,
                    event_type: format!("{}.{}", event.resource_type, event.action),
                    payload: body.clone(),
                    status: DeliveryStatus::Pending,
                    attempts: 0,
                    next_attempt_at: Some(now),
                    lease: None,
                    last_status_code: None,
                    last_error: None,
                    last_attempt_at: None,
                    created_at: now,
                }
                .insert(conn)?;
            }
        }
        deliveries::advance_cursor(conn, last)?;
        Ok(events.len())
    })
}
