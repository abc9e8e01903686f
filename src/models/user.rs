//! The `users` table: people and member-state systems that call the API.

use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::AnyConnection;
use crate::domain::Role;
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub member_state: Option<String>,
    pub active: bool,
    pub token_version: i32,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

crate::keyset_list!(UserRow, users, username);

impl UserRow {
    /// The user with this id, if any, and the change feed's head (the last audit event's id, 0
    /// before the first), read in one statement: the head is at least as old as the user read.
    pub fn find_at_feed_head(
        conn: &mut AnyConnection,
        id: &str,
    ) -> QueryResult<Option<(Self, i64)>> {
        use crate::db::schema::audit_events;
        let head = audit_events::table
            .select(diesel::dsl::max(audit_events::id))
            .single_value();
        users::table
            .find(id.to_string())
            .select((Self::as_select(), head))
            .first::<(Self, Option<i64>)>(conn)
            .optional()
            .map(|found| found.map(|(user, head)| (user, head.unwrap_or(0))))
    }

    /// A new active account (not stored yet).
    pub fn new(
        username: &str,
        password_hash: String,
        role: Role,
        member_state: Option<String>,
    ) -> Self {
        let now = Timestamp::now();
        UserRow {
            id: uuid::Uuid::now_v7().to_string(),
            username: username.to_string(),
            password_hash,
            role,
            member_state,
            active: true,
            token_version: 1,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    crate::versioned_queries!(users, id: &str);

    pub fn find_by_username(conn: &mut AnyConnection, username: &str) -> QueryResult<Option<Self>> {
        users::table
            .filter(users::username.eq(username.to_string()))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    pub fn count_active_admins(conn: &mut AnyConnection) -> QueryResult<i64> {
        users::table
            .filter(users::role.eq(Role::Admin))
            .filter(users::active.eq(true))
            .count()
            .get_result(conn)
    }
}
