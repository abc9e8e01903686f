//! Authorization as a type. A handler that writes takes a [`Writer`] (admins and reporters) or an
//! [`Admin`]; both are extractors, so a viewer or a non-admin is refused before the body is read,
//! and neither can be built any other way. The write pipelines take the grant and turn it into a
//! [`Scope`] for the record's [`Owner`], so a write without a check does not compile.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::api::http::extract::{JsonBody, DEFAULT_BODY_LIMIT};
use crate::auth::Caller;
use crate::domain::Role;
use crate::error::{ApiError, ApiResult};
use crate::models::audit_event::Actor;

/// Whose data a record is, for authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    /// Data of one member state: its reporters and the administrators may write it.
    State(&'a str),
    /// Data of the General Secretariat (regional events, reference data, accounts, cycles):
    /// administrators only.
    Secretariat,
}

/// A caller who may write some data: an administrator or a reporter.
#[derive(Debug, Clone)]
pub struct Writer(Caller);

/// A caller who may write anything: an administrator.
#[derive(Debug, Clone)]
pub struct Admin(Writer);

/// Proof that a writer may write one owner's data; only [`Writer::scope`] makes one.
#[derive(Debug)]
pub struct Scope<'a> {
    writer: &'a Writer,
}

impl Writer {
    pub fn caller(&self) -> &Caller {
        &self.0
    }

    /// Who the audit trail records.
    pub fn actor(&self) -> Actor<'_> {
        self.0.actor()
    }

    pub fn is_admin(&self) -> bool {
        self.0.is_admin()
    }

    /// The member state a reporter is bound to (`None` for an administrator).
    pub fn own_state(&self) -> Option<&str> {
        match self.0.role {
            Role::Reporter => self.0.member_state.as_deref(),
            _ => None,
        }
    }

    /// The proof that this writer may write `owner`'s data, or 403.
    pub fn scope(&self, owner: Owner<'_>) -> ApiResult<Scope<'_>> {
        match owner {
            Owner::State(code) if self.0.may_write_state(code) => Ok(Scope { writer: self }),
            Owner::State(code) => Err(ApiError::forbidden(format!(
                "A reporter for {} may not write data of member state {code}.",
                self.0.member_state.as_deref().unwrap_or("?")
            ))),
            Owner::Secretariat if self.is_admin() => Ok(Scope { writer: self }),
            Owner::Secretariat => Err(ApiError::forbidden(
                "This data is kept by the General Secretariat: administrators only.",
            )),
        }
    }
}

impl Scope<'_> {
    pub fn writer(&self) -> &Writer {
        self.writer
    }

    pub fn actor(&self) -> Actor<'_> {
        self.writer.actor()
    }
}

impl Deref for Admin {
    type Target = Writer;

    fn deref(&self) -> &Writer {
        &self.0
    }
}

/// An administrator writes as any writer does.
impl From<Admin> for Writer {
    fn from(admin: Admin) -> Writer {
        admin.0
    }
}

type Extracting<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for Writer {
    type Error = ApiError;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            match caller.role {
                Role::Viewer => Err(ApiError::forbidden("Viewers have read-only access.")),
                _ => Ok(Writer(caller)),
            }
        })
    }
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let writer = Writer::from_request(req, payload);
        Box::pin(async move {
            let writer = writer.await?;
            if writer.is_admin() {
                Ok(Admin(writer))
            } else {
                Err(ApiError::forbidden(
                    "This operation is reserved to administrators.",
                ))
            }
        })
    }
}

/// A grant `G` and a JSON body `T`, extracted in that order: the body is not read unless the
/// grant was given.
#[derive(Debug)]
pub struct With<G, T, const LIMIT: usize = DEFAULT_BODY_LIMIT>(pub G, pub T);

impl<G, T, const LIMIT: usize> FromRequest for With<G, T, LIMIT>
where
    G: FromRequest<Error = ApiError> + 'static,
    T: serde::de::DeserializeOwned + 'static,
{
    type Error = ApiError;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let grant = G::from_request(req, &mut Payload::None);
        // Futures are lazy: the body starts to be read only when this one is polled.
        let body = JsonBody::<T, LIMIT>::from_request(req, payload);
        Box::pin(async move {
            let grant = grant.await?;
            let JsonBody(body) = body.await?;
            Ok(With(grant, body))
        })
    }
}
