//! `/api/v1/users`: accounts of people and member-state systems (admin only).

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::list::{ListParams, NoFilter};
use crate::api::http::precondition::{IdPath, IfMatch};
use crate::api::http::write::{self, Versioned};
use crate::auth::{password, Admin, With};
use crate::db::rows::Keyset;
use crate::db::AnyConnection;
use crate::domain::{MemberStateCode, Password, Role, Username};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::models::audit_event::{Actor, AuditEventRow};
use crate::models::user::UserRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user);
}

/// A user account. The password is never returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    #[schema(example = "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6a")]
    pub id: String,
    #[schema(example = "arg-reporter")]
    pub username: String,
    pub role: Role,
    /// The member state a reporter is bound to; `null` for other roles.
    #[schema(example = "ARG")]
    pub member_state: Option<String>,
    /// Deactivated users cannot sign in and their tokens stop working.
    pub active: bool,
    #[schema(example = 1)]
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&UserRow> for User {
    fn from(r: &UserRow) -> Self {
        User {
            id: r.id.clone(),
            username: r.username.clone(),
            role: r.role,
            member_state: r.member_state.clone(),
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// 3 to 64 characters: ASCII letters, digits, `.`, `_`, `-`, `@`.
    #[schema(
        example = "arg-reporter",
        min_length = 3,
        max_length = 64,
        pattern = r"^[A-Za-z0-9._@-]{3,64}$"
    )]
    pub username: String,
    /// At least 12 characters.
    #[schema(example = "a long passphrase", min_length = 12, max_length = 1024, format = Password)]
    pub password: String,
    pub role: Role,
    /// Required for `reporter` (an existing member state's code), absent otherwise.
    #[schema(example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<String>,
}

/// Changes to a user; omitted fields stay as they are. Changing the password, role or member
/// state, or deactivating the user, revokes the user's existing tokens.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub role: Option<Role>,
    /// `null` clears it (for non-reporters).
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<Option<String>>,
    pub active: Option<bool>,
    /// A new password (reset by an administrator), at least 12 characters.
    #[schema(min_length = 12, max_length = 1024, format = Password)]
    pub password: Option<String>,
}

crate::secretariat_row!(
    UserRow,
    "user",
    "users",
    User,
    id,
    "/api/v1/users",
    taken(username)
);

fn taken(username: &str) -> ApiError {
    ApiError::conflict(format!("The username {username:?} is taken."))
}

/// 409 when the username is in use.
fn check_free(conn: &mut AnyConnection, username: &str) -> ApiResult<()> {
    match UserRow::find_by_username(conn, username)? {
        Some(_) => Err(taken(username)),
        None => Ok(()),
    }
}

/// Stores a new account made outside the API (bootstrap, command line) and audits it as `actor`
/// (call inside a write transaction).
pub fn insert_account(conn: &mut AnyConnection, actor: Actor<'_>, row: &UserRow) -> ApiResult<()> {
    check_free(conn, &row.username)?;
    row.insert(conn).map_err(|e| row.write_error(e))?;
    AuditEventRow::record(
        conn,
        actor,
        "create",
        UserRow::KIND,
        &row.id,
        None::<&()>,
        Some(&row.view()),
    )?;
    Ok(())
}

/// Hashes a password on the blocking pool, off the async workers.
pub async fn hash_off_workers(pw: Password) -> ApiResult<String> {
    web::block(move || password::hash(pw.expose()))
        .await?
        .map_err(ApiError::internal)
}

/// Validates role and member state together: a reporter has exactly one existing member state.
fn check_scope(
    conn: &mut AnyConnection,
    role: Role,
    member_state: Option<&str>,
    field: &str,
) -> ApiResult<()> {
    match (role, member_state) {
        (Role::Reporter, None) => Err(ApiError::invalid(field, "is required for reporters")),
        (Role::Reporter, Some(code)) => {
            MemberStateCode::parse(code).map_err(|m| ApiError::invalid(field, m))?;
            write::member_state_exists(conn, code, field)
        }
        (_, Some(_)) => Err(ApiError::invalid(field, "is only allowed for reporters")),
        (_, None) => Ok(()),
    }
}

crate::listing! {
    /// The users, ordered by username; the filter is `updated_since`.
    Users: UserRow => User, "users", "users.csv", [
        "id", "username", "role", "member_state", "active", "version", "created_at", "updated_at",
    ];
    fetch(conn, since: Option<Timestamp>, after: String, limit) =>
        UserRow::list(conn, after.map(String::as_str), *since, limit);
    key(r) => r.username.clone();
}

crate::record_routes! {
    tag = "users", record = UserRow, view = User;
    /// List users, ordered by username. Users are never deleted: deactivated users stay listed with
    /// `active: false`.
    list list_users("A page of users", Users, NoFilter,
        |_: NoFilter, list: &ListParams| list.since()) by Admin;
    /// Get a user.
    get get_user("The user") by Admin;
}

/// Create a user. Member-state systems get ordinary `reporter` accounts.
#[utoipa::path(
    tag = "users",
    params(crate::api::http::idempotency::IdempotencyKey),
    request_body(content = NewUserRequest, example = json!({"username": "arg-reporter", "password": "a long passphrase", "role": "reporter", "member_state": "ARG"})),
    responses(
        (status = 201, description = "Created", body = User, headers(("Location" = String, description = "URL of the new user"))),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[post("")]
pub async fn create_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: With<Admin, NewUserRequest>,
) -> ApiResult<HttpResponse> {
    let With(admin, body) = body;
    let mut errors = FieldErrors::default();
    let username = errors.check("/username", Username::parse(&body.username));
    let pw = errors.check("/password", Password::parse(&body.password));
    let (Some(username), Some(pw)) = (username, pw) else {
        return Err(errors.error());
    };
    let hash = hash_off_workers(pw).await?;
    // The password stays out of the idempotency fingerprint (which is stored).
    let fingerprint = (username.as_str(), body.role, &body.member_state);
    let fingerprint = serde_json::json!(fingerprint);
    write::create(
        &req,
        &state.pool,
        (*admin).clone(),
        fingerprint,
        move |conn, _, _| {
            check_scope(
                conn,
                body.role,
                body.member_state.as_deref(),
                "/member_state",
            )?;
            check_free(conn, username.as_str())?;
            Ok(UserRow::new(
                username.as_str(),
                hash.clone(),
                body.role,
                body.member_state.clone(),
            ))
        },
    )
    .await
}

/// Change a user's role, member state or active flag, or reset its password. Honours `If-Match`.
/// The last active admin cannot be demoted or deactivated.
#[utoipa::path(
    tag = "users",
    params(IdPath, IfMatch),
    request_body(content = UserPatch, example = json!({"active": false})),
    responses(
        (status = 200, description = "Updated", body = User, headers(("ETag" = String, description = "New version"))),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[patch("/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
    precondition: IfMatch,
    body: With<Admin, UserPatch>,
) -> ApiResult<HttpResponse> {
    let With(admin, patch) = body;
    let new_hash = match &patch.password {
        Some(p) => {
            let pw = Password::parse(p).map_err(|m| ApiError::invalid("/password", m))?;
            Some(hash_off_workers(pw).await?)
        }
        None => None,
    };
    // A reset is named in the audit trail: the password itself is never in a user's view.
    let action = match new_hash {
        Some(_) => "reset_password",
        None => "update",
    };
    write::update(
        &state.pool,
        (*admin).clone(),
        path.into_inner().id,
        precondition,
        action,
        move |conn, _, before: &UserRow| {
            let role = patch.role.unwrap_or(before.role);
            let member_state = match patch.member_state.clone() {
                Some(ms) => ms,
                None if role != Role::Reporter => None,
                None => before.member_state.clone(),
            };
            check_scope(conn, role, member_state.as_deref(), "/member_state")?;
            let active = patch.active.unwrap_or(before.active);
            let was_admin = before.role == Role::Admin && before.active;
            if was_admin
                && (role != Role::Admin || !active)
                && UserRow::count_active_admins(conn)? <= 1
            {
                return Err(ApiError::conflict(
                    "This is the last active admin: create another admin first.",
                ));
            }
            let revoke = new_hash.is_some()
                || role != before.role
                || member_state != before.member_state
                || (before.active && !active);
            let mut after = before.clone();
            if let Some(hash) = new_hash.clone() {
                after.password_hash = hash;
            }
            after.role = role;
            after.member_state = member_state;
            after.active = active;
            after.token_version += i32::from(revoke);
            Ok(after)
        },
    )
    .await
}
