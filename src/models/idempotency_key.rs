//! The `idempotency_keys` table: the first response to each (user, Idempotency-Key).

use diesel::prelude::*;

use crate::db::schema::idempotency_keys;
use crate::db::AnyConnection;

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
    pub created_at: String,
}

impl IdempotencyKeyRow {
    pub fn find(conn: &mut AnyConnection, user_id: &str, key: &str) -> QueryResult<Option<Self>> {
        idempotency_keys::table
            .find((user_id.to_string(), key.to_string()))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    pub fn insert(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        diesel::insert_into(idempotency_keys::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }
}
