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

/// A bearer token whose signature, issuer, audience and expiry are checked, and whose user is
/// not yet: [`Bearer::caller`] checks that against the database. A handler that takes this
/// instead of [`Caller`] does the check in the same trip to the database as its own query (one
/// hop to the blocking pool instead of two), with the same effect: a deactivated user or a
/// changed password is refused at once.
#[derive(Debug, Clone)]
pub struct Bearer {
    claims: crate::auth::token::Claims,
}

impl Bearer {
    fn from_headers(req: &HttpRequest, state: &AppState) -> Result<Self, ApiError> {
        let value = match req.headers().get(header::AUTHORIZATION) {
            None => return Err(ApiError::unauthorized(
                "Send `Authorization: Bearer <token>`; get a token from POST /api/v1/auth/token.",
            )),
            Some(v) => v.to_str().map_err(|_| {
                ApiError::invalid_token("The Authorization header is not valid text.")
            })?,
        };
        let token = match value.split_once(' ') {
            Some((scheme, token))
                if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
            {
                token.trim()
            }
            _ => {
                return Err(ApiError::invalid_token(
                    "The Authorization header must be `Bearer <token>`.",
                ))
            }
        };
        let claims = state
            .tokens
            .verify(token)
            .map_err(|e| ApiError::invalid_token(format!("The token was refused: {e}.")))?;
        Ok(Self { claims })
    }

    /// The caller the token stands for, if its user still exists, is active and has not
    /// revoked the token since (by changing the password).
    pub fn caller(&self, conn: &mut crate::db::AnyConnection) -> Result<Caller, ApiError> {
        self.checked(UserRow::find(conn, &self.claims.sub)?)
    }

    /// [`Self::caller`], and the change feed's head read in the same statement (see
    /// [`crate::api::http::page_cache`]).
    pub fn caller_at_feed_head(
        &self,
        conn: &mut crate::db::AnyConnection,
    ) -> Result<(Caller, i64), ApiError> {
        let found = UserRow::find_at_feed_head(conn, &self.claims.sub)?;
        let head = found.as_ref().map_or(0, |(_, head)| *head);
        Ok((self.checked(found.map(|(user, _)| user))?, head))
    }

    fn checked(&self, user: Option<UserRow>) -> Result<Caller, ApiError> {
        let Some(user) = user else {
            return Err(ApiError::invalid_token(
                "The token's user no longer exists.",
            ));
        };
        if !user.active || user.token_version != self.claims.tv {
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
    }
}

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(match req.app_data::<web::Data<AppState>>() {
            None => Err(ApiError::internal("application state missing")),
            Some(state) => Self::from_headers(req, state),
        })
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let bearer = state
            .as_ref()
            .ok_or_else(|| ApiError::internal("application state missing"))
            .and_then(|state| Bearer::from_headers(req, state));
        Box::pin(async move {
            let bearer = bearer?;
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            run_db(&state.pool, move |conn| bearer.caller(conn)).await
        })
    }
}
