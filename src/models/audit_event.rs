//! The `audit_events` table: who changed what and when, written in the write's own transaction.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::audit_events;
use crate::db::text_enum::RawJson;
use crate::db::AnyConnection;
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    /// Assigned by the database on insert.
    #[diesel(skip_insertion)]
    pub id: i64,
    pub occurred_at: Timestamp,
    pub actor_id: Option<String>,
    pub actor_username: String,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    /// The resource as it was and as it became, as served then (JSON, checked when read).
    pub before: Option<RawJson>,
    pub after: Option<RawJson>,
}

/// Who did it: a user of the API (id and username), or the system itself (bootstrap, command
/// line), which has a name and no id; and, when the change carries its own time, when.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    id: Option<&'a str>,
    username: &'a str,
    at: Option<Timestamp>,
}

impl<'a> Actor<'a> {
    pub fn user(id: &'a str, username: &'a str) -> Self {
        Self {
            id: Some(id),
            username,
            at: None,
        }
    }

    pub fn system(name: &'a str) -> Self {
        Self {
            id: None,
            username: name,
            at: None,
        }
    }

    /// The same actor, for a change that took place at `at` (the time the changed rows carry)
    /// rather than when it is recorded.
    pub fn at(self, at: Timestamp) -> Self {
        Self {
            at: Some(at),
            ..self
        }
    }
}

impl AuditEventRow {
    /// Records one change; call inside the transaction that makes it, as its last locking step
    /// (after it, the transaction only reads). The event takes its feed position under the feed
    /// lock ([`take_feed_lock`]), so positions are given in commit order.
    pub fn record<B: Serialize, A: Serialize>(
        conn: &mut AnyConnection,
        actor: Actor<'_>,
        action: &str,
        resource_type: &str,
        resource_id: &str,
        before: Option<&B>,
        after: Option<&A>,
    ) -> QueryResult<()> {
        let row = Self {
            id: 0,
            occurred_at: actor.at.unwrap_or_else(Timestamp::now),
            actor_id: actor.id.map(str::to_string),
            actor_username: actor.username.to_string(),
            action: action.to_string(),
            resource_type: resource_type.to_string(),
            resource_id: resource_id.to_string(),
            before: before
                .map(RawJson::of)
                .transpose()
                .map_err(unserializable)?,
            after: after.map(RawJson::of).transpose().map_err(unserializable)?,
        };
        take_feed_lock(conn)?;
        diesel::insert_into(audit_events::table)
            .values(row)
            .execute(conn)?;
        Ok(())
    }

    /// Every event of one resource type, oldest first.
    pub fn of_type(conn: &mut AnyConnection, resource_type: &str) -> QueryResult<Vec<Self>> {
        audit_events::table
            .filter(audit_events::resource_type.eq(resource_type.to_string()))
            .order(audit_events::id)
            .select(Self::as_select())
            .load(conn)
    }

    /// Up to `limit` events after id `after`, oldest first, leaving out `hidden` resource types.
    pub fn feed(
        conn: &mut AnyConnection,
        after: i64,
        hidden: &[&str],
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        audit_events::table
            .filter(audit_events::id.gt(after))
            .filter(
                audit_events::resource_type
                    .ne_all(hidden.iter().map(|h| h.to_string()).collect::<Vec<_>>()),
            )
            .order(audit_events::id)
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// Up to `limit` events of one resource after event id `after`, oldest first.
    pub fn for_resource(
        conn: &mut AnyConnection,
        resource_type: &str,
        resource_id: &str,
        after: i64,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        audit_events::table
            .filter(audit_events::resource_type.eq(resource_type.to_string()))
            .filter(audit_events::resource_id.eq(resource_id.to_string()))
            .filter(audit_events::id.gt(after))
            .order(audit_events::id)
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }
}

/// Key of the PostgreSQL advisory lock that orders the feed ("palermo feed" in ASCII).
const FEED_LOCK: i64 = 0x7061_6c65_6665_6564;

/// Takes the feed lock until the transaction ends, so that audit events are numbered in commit
/// order: a transaction gets its ids only once every earlier writer of events has committed (or
/// rolled back), and no later one gets any before it commits. Without it, ids come from the
/// sequence at insert time and a reader could see id 11 committed while id 10 is still in flight,
/// then move its cursor past 10 for good. The lock is released after the commit is visible, and
/// taking it again in the same transaction is free of waits. SQLite needs nothing: its writers
/// are serialized by the database lock, held to commit.
fn take_feed_lock(conn: &mut AnyConnection) -> QueryResult<()> {
    crate::db::locks::advisory(conn, FEED_LOCK, crate::db::locks::Mode::Exclusive)
}

fn unserializable(e: serde_json::Error) -> diesel::result::Error {
    diesel::result::Error::SerializationError(e.into())
}
