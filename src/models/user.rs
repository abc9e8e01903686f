//! The `users` table: people and member-state systems that call the API.

use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::AnyConnection;
use crate::domain::Role;
use crate::error::ApiError;
use crate::models::audit_event::{Actor, AuditEventRow};
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub member_state: Option<String>,
    pub active: bool,
    pub token_version: i32,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub member_state: Option<String>,
    pub active: bool,
    pub token_version: i32,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

/// A change to a user; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub password_hash: Option<String>,
    pub role: Option<String>,
    pub member_state: Option<Option<String>>,
    pub active: Option<bool>,
    pub token_version: Option<i32>,
    pub version: Option<i32>,
    pub updated_at: Option<String>,
}

impl UserRow {
    pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Self>> {
        users::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    pub fn find_by_username(conn: &mut AnyConnection, username: &str) -> QueryResult<Option<Self>> {
        users::table
            .filter(users::username.eq(username.to_string()))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Up to `limit` users ordered by username, after `after` when given.
    pub fn list(
        conn: &mut AnyConnection,
        after: Option<&str>,
        since: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut q = users::table
            .select(Self::as_select())
            .order(users::username)
            .into_boxed();
        if let Some(after) = after {
            q = q.filter(users::username.gt(after.to_string()));
        }
        if let Some(since) = since {
            q = q.filter(users::updated_at.ge(since.to_string()));
        }
        q.limit(limit).load(conn)
    }

    pub fn count_active_admins(conn: &mut AnyConnection) -> QueryResult<i64> {
        users::table
            .filter(users::role.eq("admin"))
            .filter(users::active.eq(true))
            .count()
            .get_result(conn)
    }

    pub fn insert(conn: &mut AnyConnection, new: &NewUser) -> QueryResult<()> {
        diesel::insert_into(users::table)
            .values(new)
            .execute(conn)
            .map(|_| ())
    }

    /// Applies `changes` only if the row is still at `expected_version`; false when it was not.
    pub fn update(
        conn: &mut AnyConnection,
        id: &str,
        expected_version: i32,
        changes: &UserChanges,
    ) -> QueryResult<bool> {
        let n = diesel::update(
            users::table
                .filter(users::id.eq(id.to_string()))
                .filter(users::version.eq(expected_version)),
        )
        .set(changes)
        .execute(conn)?;
        Ok(n == 1)
    }
}

impl UserRow {
    /// Creates a user and records it in the audit trail (call inside a write transaction).
    pub fn create(
        conn: &mut AnyConnection,
        actor: Actor<'_>,
        username: &str,
        password_hash: String,
        role: Role,
        member_state: Option<String>,
    ) -> Result<Self, ApiError> {
        if Self::find_by_username(conn, username)?.is_some() {
            return Err(ApiError::conflict(format!(
                "The username {username:?} is taken."
            )));
        }
        let now = Timestamp::now().to_db();
        let id = uuid::Uuid::now_v7().to_string();
        Self::insert(
            conn,
            &NewUser {
                id: id.clone(),
                username: username.to_string(),
                password_hash,
                role: role.as_str().to_string(),
                member_state,
                active: true,
                token_version: 1,
                version: 1,
                created_at: now.clone(),
                updated_at: now,
            },
        )?;
        let row =
            Self::find(conn, &id)?.ok_or_else(|| ApiError::internal("created user vanished"))?;
        AuditEventRow::record(
            conn,
            actor,
            "create",
            "user",
            &id,
            None::<&()>,
            Some(&row.audit_view()),
        )?;
        Ok(row)
    }

    /// What the audit trail keeps of a user: everything but the password hash.
    pub fn audit_view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "username": self.username,
            "role": self.role,
            "member_state": self.member_state,
            "active": self.active,
            "version": self.version,
        })
    }
}
