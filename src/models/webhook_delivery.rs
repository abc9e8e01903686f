//! The `webhook_deliveries` table: the delivery queue and log. A delivery is `pending` until an
//! attempt succeeds (`succeeded`) or its retries are spent (`failed`). Workers claim due pending
//! deliveries with a lease (a token and a time past which it is due again), so of several
//! workers on one database only one sends a delivery at a time, and an outcome is recorded only
//! by the worker that still holds the lease.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::schema::{webhook_cursor, webhook_deliveries as wd, webhooks as wh};
use crate::db::text_enum::RawJson;
use crate::db::AnyConnection;
use crate::domain::DeliveryStatus;
use crate::timestamp::Timestamp;

/// The fan-out's cursor row.
const CURSOR: &str = "deliveries";

/// A delivery as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = wd)]
pub struct DeliveryRow {
    pub id: String,
    pub webhook_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub payload: RawJson,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<Timestamp>,
    pub lease: Option<String>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// A claimed delivery and what is needed to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: DeliveryRow,
    pub url: String,
    pub secret: String,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: DeliveryStatus,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub attempted_at: Timestamp,
    /// When pending, when to try again.
    pub next_attempt_at: Option<Timestamp>,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

impl DeliveryRow {
    crate::insert_row!(wd);

    /// The delivery `id` of subscription `webhook_id`, if any.
    pub fn find(conn: &mut AnyConnection, webhook_id: &str, id: &str) -> QueryResult<Option<Self>> {
        wd::table
            .filter(wd::webhook_id.eq(webhook_id.to_string()))
            .filter(wd::id.eq(id.to_string()))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Up to `limit` deliveries of a subscription, oldest first, after `after`, with `status`
    /// when given.
    pub fn list(
        conn: &mut AnyConnection,
        webhook_id: &str,
        status: Option<DeliveryStatus>,
        since: Option<Timestamp>,
        after: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut q = wd::table
            .filter(wd::webhook_id.eq(webhook_id.to_string()))
            .select(Self::as_select())
            .order(wd::id)
            .into_boxed();
        if let Some(status) = status {
            q = q.filter(wd::status.eq(status));
        }
        if let Some(since) = since {
            // Created or attempted since (an attempt is never before its delivery's creation).
            q = q.filter(wd::created_at.ge(since).or(wd::last_attempt_at.ge(since)));
        }
        if let Some(after) = after {
            q = q.filter(wd::id.gt(after.to_string()));
        }
        q.limit(limit).load(conn)
    }

    /// Claims up to `limit` deliveries due at `now` for live, active subscriptions: each gets
    /// `lease` and is not due again before `lease_until`. Call inside a write transaction. On
    /// PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED`, so concurrent workers
    /// take different deliveries without waiting; on SQLite the transaction is already exclusive.
    /// Either way the update is conditional on the delivery still being due.
    pub fn claim(
        conn: &mut AnyConnection,
        now: &str,
        lease: &str,
        lease_until: &str,
        limit: i64,
    ) -> QueryResult<Vec<Claimed>> {
        let ids: Vec<String> = match conn {
            AnyConnection::Postgresql(pg) => diesel::sql_query(
                "SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                 WHERE d.status = 'pending' AND d.next_attempt_at <= $1 \
                 AND w.active AND w.deleted_at IS NULL \
                 ORDER BY d.next_attempt_at, d.id LIMIT $2 FOR UPDATE OF d SKIP LOCKED",
            )
            .bind::<Text, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<IdRow>(pg)?
            .into_iter()
            .map(|r| r.id)
            .collect(),
            AnyConnection::Sqlite(_) => wd::table
                .inner_join(wh::table)
                .filter(wd::status.eq(DeliveryStatus::Pending))
                .filter(wd::next_attempt_at.le(now.to_string()))
                .filter(wh::active.eq(true))
                .filter(wh::deleted_at.is_null())
                .order((wd::next_attempt_at, wd::id))
                .limit(limit)
                .select(wd::id)
                .load(conn)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(
            wd::table
                .filter(wd::id.eq_any(ids.clone()))
                .filter(wd::status.eq(DeliveryStatus::Pending))
                .filter(wd::next_attempt_at.le(now.to_string())),
        )
        .set((
            wd::lease.eq(Some(lease.to_string())),
            wd::next_attempt_at.eq(Some(lease_until.to_string())),
        ))
        .execute(conn)?;
        let rows: Vec<(DeliveryRow, (String, String))> = wd::table
            .inner_join(wh::table)
            .filter(wd::id.eq_any(ids))
            .filter(wd::lease.eq(Some(lease.to_string())))
            .order((wd::next_attempt_at, wd::id))
            .select((Self::as_select(), (wh::url, wh::secret)))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(delivery, (url, secret))| Claimed {
                delivery,
                url,
                secret,
            })
            .collect())
    }

    /// Records the outcome of an attempt made under `lease`; false when the lease was lost (the
    /// delivery was requeued meanwhile), and then nothing is written.
    pub fn record(
        conn: &mut AnyConnection,
        id: &str,
        lease: &str,
        outcome: &Outcome,
    ) -> QueryResult<bool> {
        let n = diesel::update(
            wd::table
                .filter(wd::id.eq(id.to_string()))
                .filter(wd::lease.eq(Some(lease.to_string()))),
        )
        .set((
            wd::status.eq(outcome.status),
            wd::attempts.eq(wd::attempts + 1),
            wd::last_status_code.eq(outcome.status_code),
            wd::last_error.eq(outcome.error.clone()),
            wd::last_attempt_at.eq(Some(outcome.attempted_at)),
            wd::next_attempt_at.eq(outcome.next_attempt_at),
            wd::lease.eq(None::<String>),
        ))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// Puts delivery `id` back in the queue, due at `now`, with a fresh retry schedule; the same
    /// payload and id (so the same `webhook-id`). An attempt in flight loses its lease.
    pub fn requeue(conn: &mut AnyConnection, id: &str, now: &str) -> QueryResult<bool> {
        let n = diesel::update(wd::table.filter(wd::id.eq(id.to_string())))
            .set((
                wd::status.eq(DeliveryStatus::Pending),
                wd::attempts.eq(0),
                wd::next_attempt_at.eq(Some(now.to_string())),
                wd::lease.eq(None::<String>),
            ))
            .execute(conn)?;
        Ok(n == 1)
    }
}

/// The fan-out's position in the change feed, locked until the transaction ends (a row lock on
/// PostgreSQL, so one instance fans out at a time; SQLite's write transaction is exclusive).
pub fn lock_cursor(conn: &mut AnyConnection) -> QueryResult<i64> {
    crate::db::locks::row(conn, "webhook_cursor", "name", CURSOR)?;
    read_cursor(conn)
}

/// The fan-out's position, without a lock.
pub fn read_cursor(conn: &mut AnyConnection) -> QueryResult<i64> {
    Ok(webhook_cursor::table
        .find(CURSOR)
        .select(webhook_cursor::last_sequence)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Moves the fan-out's position to `sequence`.
pub fn advance_cursor(conn: &mut AnyConnection, sequence: i64) -> QueryResult<()> {
    diesel::update(webhook_cursor::table.find(CURSOR))
        .set(webhook_cursor::last_sequence.eq(sequence))
        .execute(conn)?;
    Ok(())
}
