//! `POST /api/v1/auth/token`: sign in with username and password, get a bearer token.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::extract::JsonBody;
use crate::api::http::run_db;
use crate::auth::{password, LoginThrottle};
use crate::error::{ApiError, ApiResult};
use crate::models::user::UserRow;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_token);
}

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(example = "arg-reporter", min_length = 1, max_length = 64)]
    pub username: String,
    #[schema(example = "a long passphrase", min_length = 1, max_length = 1024, format = Password)]
    pub password: String,
}

/// A bearer token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT to send as `Authorization: Bearer <access_token>`.
    #[schema(example = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...")]
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires.
    #[schema(example = 3600)]
    pub expires_in: i64,
}

impl TokenResponse {
    pub fn issue(state: &AppState, user: &UserRow) -> ApiResult<Self> {
        let token = state
            .tokens
            .issue(
                &user.id,
                user.role.as_str(),
                user.member_state.as_deref(),
                user.token_version,
            )
            .map_err(ApiError::internal)?;
        Ok(Self {
            access_token: token,
            token_type: "Bearer".into(),
            expires_in: state.tokens.ttl_seconds(),
        })
    }
}

/// Sign in. Repeated failures for one username or from one address are throttled (429 with
/// `Retry-After`); the answer never reveals whether a username exists.
#[utoipa::path(
    tag = "auth",
    request_body(content = TokenRequest, example = json!({"username": "arg-reporter", "password": "a long passphrase"})),
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong username or password, or the account is deactivated", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A control character in the username", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, response = crate::api::problems::TooManyRequests),
        (status = 503, description = "Too many sign-ins are being checked at once (`Retry-After`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/token")]
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let TokenRequest {
        username,
        password: given,
    } = body.0;
    if username.len() > 256 || given.len() > 1024 {
        return Err(ApiError::unauthorized_login());
    }
    crate::api::http::text::refuse_control("/username", &username)?;
    let address = state.proxies.client_address(&req);
    let throttle = state.throttle.clone();
    let (user, attempt) = {
        let (lookup, address) = (username.clone(), address.clone());
        run_db(&state.pool, move |conn| {
            let attempt = throttle.reserve(conn, &lookup, &address)?;
            Ok((UserRow::find_by_username(conn, &lookup)?, attempt))
        })
        .await?
    };
    let slot = match state.throttle.verification_slot().await {
        Ok(slot) => slot,
        Err(busy) => {
            let attempt = attempt.clone();
            run_db(&state.pool, move |conn| {
                LoginThrottle::unchecked(conn, &attempt)
            })
            .await?;
            return Err(busy);
        }
    };
    let verified = web::block(move || {
        let _slot = slot;
        match user {
            Some(user) => {
                let ok = password::verify(&user.password_hash, &given) && user.active;
                ok.then_some(user)
            }
            None => {
                password::verify_dummy(&given);
                None
            }
        }
    })
    .await?;
    match verified {
        Some(user) => {
            run_db(&state.pool, move |conn| {
                LoginThrottle::succeeded(conn, &attempt)
            })
            .await?;
            log::info!("sign-in: user {} ({})", user.username, user.role);
            Ok(HttpResponse::Ok().json(TokenResponse::issue(&state, &user)?))
        }
        None => {
            log::info!("failed sign-in from {address}");
            Err(ApiError::unauthorized_login())
        }
    }
}
