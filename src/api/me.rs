//! `/api/v1/me`: the caller's own account and password.

use actix_web::{get, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::auth::TokenResponse;
use crate::api::http::extract::JsonBody;
use crate::api::http::run_db;
use crate::api::users::User;
use crate::auth::{password, Caller};
use crate::db::{self, pool::write_transaction};
use crate::domain::Password;
use crate::error::{ApiError, ApiResult};
use crate::models::audit_event::{Actor, AuditEventRow};
use crate::models::user::{UserChanges, UserRow};
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
    let row = run_db(&state.pool, move |conn| {
        UserRow::find(conn, &id)?.ok_or_else(|| ApiError::not_found("No such user."))
    })
    .await?;
    Ok(HttpResponse::Ok().json(User::from(row)))
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
    let user = run_db(&state.pool, move |conn| {
        UserRow::find(conn, &id)?.ok_or_else(|| ApiError::not_found("No such user."))
    })
    .await?;
    let current_hash = user.password_hash.clone();
    let current = body.current_password;
    let (ok, new_hash) = web::block(move || {
        let ok = password::verify(&current_hash, &current);
        let new_hash = if ok {
            Some(password::hash(new_pw.expose()))
        } else {
            None
        };
        (ok, new_hash)
    })
    .await?;
    if !ok {
        return Err(ApiError::invalid(
            "/current_password",
            "is not your current password",
        ));
    }
    let new_hash = new_hash.transpose().map_err(ApiError::internal)?;
    let updated = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let changes = UserChanges {
                password_hash: new_hash,
                token_version: Some(user.token_version + 1),
                version: Some(user.version + 1),
                updated_at: Some(Timestamp::now().to_db()),
                ..Default::default()
            };
            if !UserRow::update(conn, &user.id, user.version, &changes)? {
                return Err(ApiError::conflict(
                    "Your account changed concurrently; retry.",
                ));
            }
            let after = UserRow::find(conn, &user.id)?
                .ok_or_else(|| ApiError::internal("user vanished"))?;
            let mut view = after.audit_view();
            view["password_changed"] = serde_json::Value::Bool(true);
            AuditEventRow::record(
                conn,
                caller.actor(),
                "change_password",
                "user",
                &after.id,
                Some(&user.audit_view()),
                Some(&view),
            )?;
            Ok(after)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(TokenResponse::issue(&state, &updated)?))
}
