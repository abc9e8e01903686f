//! The `idempotency_keys` table: the first response to each (user, Idempotency-Key).

use diesel::prelude::*;

use crate::db::schema::idempotency_keys;
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyKeyRow {
    pub user_id: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub status: i32,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: String,
    pub created_at: Timestamp,
}

impl IdempotencyKeyRow {
    crate::find_by_key!(idempotency_keys, user_id: &str, key: &str);

    crate::insert_row!(idempotency_keys);
}
