//! `/api/v1/users`: accounts of people and member-state systems (admin only).

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::extract::{JsonBody, QueryParams};
use crate::api::http::list::ListParams;
use crate::api::http::pagination::Page;
use crate::api::http::run_db;
use crate::api::{check_if_match, etag};
use crate::auth::{password, Caller};
use crate::db::{self, pool::write_transaction, AnyConnection};
use crate::domain::{MemberStateCode, Password, Role, Username};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::models::audit_event::{Actor, AuditEventRow};
use crate::models::member_state::MemberStateRow;
use crate::models::user::{UserChanges, UserRow};
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

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            role: Role::from_db(&r.role).unwrap_or(Role::Viewer),
            created_at: Timestamp::from_db(&r.created_at),
            updated_at: Timestamp::from_db(&r.updated_at),
            id: r.id,
            username: r.username,
            member_state: r.member_state,
            active: r.active,
            version: r.version,
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
            if MemberStateRow::exists(conn, code)? {
                Ok(())
            } else {
                Err(ApiError::invalid(
                    field,
                    format!("{code} is not an OAS member state"),
                ))
            }
        }
        (_, Some(_)) => Err(ApiError::invalid(field, "is only allowed for reporters")),
        (_, None) => Ok(()),
    }
}

/// List users, ordered by username. Users are never deleted: deactivated users stay listed with
/// `active: false`.
#[utoipa::path(
    tag = "users",
    params(ListParams),
    responses(
        (status = 200, description = "A page of users", body = Page<User>,
            headers(("Link" = String, description = "`<...>; rel=\"next\"` while there are more pages"))),
        (status = 403, response = crate::api::problems::Forbidden),
    )
)]
#[get("")]
pub async fn list_users(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<ListParams>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let page = query.0.page();
    let limit = page.limit()?;
    let after: Option<String> = page.after("users")?;
    let since = query.0.since()?;
    let rows = run_db(&state.pool, move |conn| {
        Ok(UserRow::list(
            conn,
            after.as_deref(),
            since.as_deref(),
            limit + 1,
        )?)
    })
    .await?;
    Ok(Page::from_rows(rows, limit, "users", |r| r.username.clone(), User::from).respond(&req))
}

/// Create a user. Member-state systems get ordinary `reporter` accounts.
#[utoipa::path(
    tag = "users",
    request_body(content = NewUserRequest, example = json!({"username": "arg-reporter", "password": "a long passphrase", "role": "reporter", "member_state": "ARG"})),
    responses(
        (status = 201, description = "Created", body = User, headers(("Location" = String, description = "URL of the new user"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[post("")]
pub async fn create_user(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<NewUserRequest>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let body = body.0;
    let mut errors = Vec::new();
    let username = Username::parse(&body.username)
        .map_err(|m| errors.push(FieldError::new("/username", m)))
        .ok();
    let pw = Password::parse(&body.password)
        .map_err(|m| errors.push(FieldError::new("/password", m)))
        .ok();
    let (Some(username), Some(pw)) = (username, pw) else {
        return Err(ApiError::validation(errors));
    };
    let hash = web::block(move || password::hash(pw.expose()))
        .await?
        .map_err(ApiError::internal)?;
    let row = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            check_scope(
                conn,
                body.role,
                body.member_state.as_deref(),
                "/member_state",
            )?;
            UserRow::create(
                conn,
                caller.actor(),
                username.as_str(),
                hash,
                body.role,
                body.member_state.clone(),
            )
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", row.id)))
        .insert_header((header::ETAG, etag("user", &row.id, row.version)))
        .json(User::from(row)))
}

/// Get a user.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id (UUID)", max_length = 64)),
    responses(
        (status = 200, description = "The user", body = User, headers(("ETag" = String, description = "Current version, for If-Match"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{id}")]
pub async fn get_user(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let id = id.into_inner();
    let row = run_db(&state.pool, move |conn| {
        UserRow::find(conn, &id)?.ok_or_else(|| ApiError::not_found("No such user."))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag("user", &row.id, row.version)))
        .json(User::from(row)))
}

/// Change a user's role, member state or active flag, or reset its password. Honours `If-Match`.
/// The last active admin cannot be demoted or deactivated.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = String, Path, description = "User id (UUID)", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous GET; 412 if the user changed since"),
    ),
    request_body(content = UserPatch, example = json!({"active": false})),
    responses(
        (status = 200, description = "Updated", body = User, headers(("ETag" = String, description = "New version"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 409, response = crate::api::problems::Conflict),
        (status = 412, response = crate::api::problems::PreconditionFailed),
    )
)]
#[patch("/{id}")]
pub async fn update_user(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<UserPatch>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let patch = body.0;
    let new_hash = match &patch.password {
        Some(p) => {
            let pw = Password::parse(p).map_err(|m| ApiError::invalid("/password", m))?;
            Some(
                web::block(move || password::hash(pw.expose()))
                    .await?
                    .map_err(ApiError::internal)?,
            )
        }
        None => None,
    };
    let id = id.into_inner();
    let if_match = crate::api::if_match(&req)?;
    let row = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let before =
                UserRow::find(conn, &id)?.ok_or_else(|| ApiError::not_found("No such user."))?;
            check_if_match(
                if_match.as_deref(),
                &etag("user", &before.id, before.version),
            )?;
            let old_role = Role::from_db(&before.role).unwrap_or(Role::Viewer);
            let role = patch.role.unwrap_or(old_role);
            let member_state = match &patch.member_state {
                Some(ms) => ms.clone(),
                None if role != Role::Reporter => None,
                None => before.member_state.clone(),
            };
            check_scope(conn, role, member_state.as_deref(), "/member_state")?;
            let active = patch.active.unwrap_or(before.active);
            let was_admin = old_role == Role::Admin && before.active;
            if was_admin
                && (role != Role::Admin || !active)
                && UserRow::count_active_admins(conn)? <= 1
            {
                return Err(ApiError::conflict(
                    "This is the last active admin: create another admin first.",
                ));
            }
            let revoke = new_hash.is_some()
                || role != old_role
                || member_state != before.member_state
                || (before.active && !active);
            let changed = revoke || active != before.active;
            if !changed {
                return Ok(before);
            }
            let changes = UserChanges {
                password_hash: new_hash.clone(),
                role: Some(role.as_str().to_string()),
                member_state: Some(member_state.clone()),
                active: Some(active),
                token_version: revoke.then_some(before.token_version + 1),
                version: Some(before.version + 1),
                updated_at: Some(Timestamp::now().to_db()),
            };
            if !UserRow::update(conn, &before.id, before.version, &changes)? {
                return Err(ApiError::precondition_failed(
                    "The user changed concurrently; reload it and retry.",
                ));
            }
            let after = UserRow::find(conn, &before.id)?
                .ok_or_else(|| ApiError::internal("updated user vanished"))?;
            let mut after_view = after.audit_view();
            if new_hash.is_some() {
                after_view["password_reset"] = serde_json::Value::Bool(true);
            }
            AuditEventRow::record(
                conn,
                caller.actor(),
                "update",
                "user",
                &after.id,
                Some(&before.audit_view()),
                Some(&after_view),
            )?;
            Ok(after)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag("user", &row.id, row.version)))
        .json(User::from(row)))
}
