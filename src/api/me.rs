//! `/api/v1/me`: the caller's own account and password.

use actix_web::{get, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::auth::TokenResponse;
use crate::api::http::extract::JsonBody;
use crate::api::http::run_db;
use crate::api::http::write::{self, Versioned};
use crate::api::users::User;
use crate::auth::{password, Caller};
use crate::db::pool::write_transaction;
use crate::domain::Password;
use crate::error::{ApiError, ApiResult};
use crate::models::audit_event::AuditEventRow;
use crate::models::user::UserRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_me).service(change_password);
}

/// The signed-in user.
#[utoipa::path(tag = "auth", responses((status = 200, description = "The caller's account", body = User)))]
#[get("")]
pub async fn get_me(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let id = caller.user_id.clone();
    let row: UserRow = run_db(&state.pool, move |conn| write::load(conn, &id)).await?;
    Ok(HttpResponse::Ok().json(row.view()))
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(example = "the current passphrase", min_length = 1, max_length = 1024, format = Password)]
    pub current_password: String,
    /// At least 12 characters.
    #[schema(example = "a new long passphrase", min_length = 12, max_length = 1024, format = Password)]
    pub new_password: String,
}

/// Change your password. Every existing token of yours is revoked; the answer carries a new one.
#[utoipa::path(
    tag = "auth",
    request_body(content = PasswordChange, example = json!({"current_password": "the current passphrase", "new_password": "a new long passphrase"})),
    responses((status = 200, description = "Changed; use the new token", body = TokenResponse))
)]
#[put("/password")]
pub async fn change_password(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<PasswordChange>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let new_pw =
        Password::parse(&body.new_password).map_err(|m| ApiError::invalid("/new_password", m))?;
    if body.new_password == body.current_password {
        return Err(ApiError::invalid(
            "/new_password",
            "must differ from the current password",
        ));
    }
    let id = caller.user_id.clone();
    let user: UserRow = run_db(&state.pool, move |conn| write::load(conn, &id)).await?;
    let current_hash = user.password_hash.clone();
    let current = body.current_password;
    let new_hash = web::block(move || {
        password::verify(&current_hash, &current).then(|| password::hash(new_pw.expose()))
    })
    .await?
    .ok_or_else(|| ApiError::invalid("/current_password", "is not your current password"))?
    .map_err(ApiError::internal)?;
    let updated = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let mut after = user.clone();
            after.password_hash = new_hash.clone();
            after.token_version += 1;
            after.stamp(user.version + 1, Timestamp::now());
            if !after.store(conn, user.version)? {
                return Err(ApiError::conflict(
                    "Your account changed concurrently; retry.",
                ));
            }
            AuditEventRow::record(
                conn,
                caller.actor(),
                "change_password",
                UserRow::KIND,
                &after.id,
                Some(&user.view()),
                Some(&after.view()),
            )?;
            Ok(after)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(TokenResponse::issue(&state, &updated)?))
}
