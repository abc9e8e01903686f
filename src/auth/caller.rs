//! The authenticated caller, extracted from the bearer token on every protected route, and the
//! one place that answers "may this caller do that?".

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use crate::api::http::run_db;
use crate::domain::Role;
use crate::error::ApiError;
use crate::models::audit_event::Actor;
use crate::models::user::UserRow;
use crate::state::AppState;

/// Who is calling: checked against the database on every request, so a deactivated user or a
/// changed password takes effect at once.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    /// The member state a reporter is bound to.
    pub member_state: Option<String>,
}

impl Caller {
    /// Who the audit trail records for this caller.
    pub fn actor(&self) -> Actor<'_> {
        Actor::user(&self.user_id, &self.username)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// May the caller write data of member state `code`? Admins: any; reporters: their own.
    pub fn may_write_state(&self, code: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Reporter => self.member_state.as_deref() == Some(code),
            Role::Viewer => false,
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let auth = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_string));
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = match auth {
                None => return Err(ApiError::unauthorized("Send `Authorization: Bearer <token>`; get a token from POST /api/v1/auth/token.")),
                Some(Err(_)) => return Err(ApiError::invalid_token("The Authorization header is not valid text.")),
                Some(Ok(value)) => match value.split_once(' ') {
                    Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
                        token.trim().to_string()
                    }
                    _ => return Err(ApiError::invalid_token("The Authorization header must be `Bearer <token>`.")),
                },
            };
            let claims = state
                .tokens
                .verify(&token)
                .map_err(|e| ApiError::invalid_token(format!("The token was refused: {e}.")))?;
            let user = run_db(&state.pool, move |conn| {
                Ok(UserRow::find(conn, &claims.sub)?.map(|u| (u, claims.tv)))
            })
            .await?;
            let Some((user, tv)) = user else {
                return Err(ApiError::invalid_token(
                    "The token's user no longer exists.",
                ));
            };
            if !user.active || user.token_version != tv {
                return Err(ApiError::invalid_token(
                    "The token was revoked: sign in again.",
                ));
            }
            Ok(Caller {
                user_id: user.id,
                username: user.username,
                role: user.role,
                member_state: user.member_state,
            })
        })
    }
}
