//! The one error type: every failure is rendered as RFC 9457 `application/problem+json`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// JSON pointer into the body (`/password`) or the name of a query or path parameter (`limit`).
    #[schema(example = "/password")]
    pub field: String,
    /// What is wrong with it.
    #[schema(example = "must be at least 12 characters long")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The field errors found while an input is checked, gathered so that one 422 names every bad
/// field at once.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// The checked value, or `None` with its message recorded against `field`.
    pub fn check<T>(&mut self, field: impl Into<String>, checked: Result<T, String>) -> Option<T> {
        checked.map_err(|m| self.add(field, m)).ok()
    }

    /// [`check`](Self::check) of an optional value (`None` stays `None`).
    pub fn check_opt<V, T>(
        &mut self,
        field: impl Into<String>,
        value: Option<V>,
        check: impl FnOnce(V) -> Result<T, String>,
    ) -> Option<T> {
        value.and_then(|v| self.check(field, check(v)))
    }

    pub fn extend(&mut self, more: Vec<FieldError>) {
        self.0.extend(more);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The 422 naming every recorded field.
    pub fn error(self) -> ApiError {
        ApiError::validation(self.0)
    }

    /// [`error`](Self::error) if any field was recorded.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.error())
        }
    }
}

/// An RFC 9457 problem details document, the body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:palermo:problem:validation",
    "title": "Validation failed",
    "status": 422,
    "detail": "The request has 1 invalid field.",
    "errors": [{"field": "/password", "message": "must be at least 12 characters long"}]
}))]
pub struct Problem {
    /// URI identifying the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "urn:palermo:problem:validation")]
    pub problem_type: String,
    /// Short summary of the kind of problem.
    #[schema(example = "Validation failed")]
    pub title: String,
    /// HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// Explanation of this occurrence.
    #[schema(example = "The request has 1 invalid field.")]
    pub detail: String,
    /// The invalid fields (validation problems only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// Members of this kind of problem (`violations`, `cycle`, ...).
    #[serde(flatten)]
    #[schema(ignore)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

/// An error a handler returns; rendered as a [`Problem`].
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    slug: &'static str,
    title: &'static str,
    detail: String,
    errors: Option<Vec<FieldError>>,
    headers: Vec<(header::HeaderName, String)>,
    /// Boxed: most errors have none, and the error type stays small.
    extensions: Option<Box<serde_json::Map<String, serde_json::Value>>>,
    /// The transaction lost a conflict and may be run again as it is.
    retryable: bool,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.title,
            self.detail
        )
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            slug,
            title,
            detail: detail.into(),
            errors: None,
            headers: Vec::new(),
            extensions: None,
            retryable: false,
        }
    }

    /// Marks the failure as one a fresh run of the same transaction may not meet (a race it
    /// lost), so `write_transaction` runs it again.
    pub fn retryable(mut self) -> Self {
        self.retryable = true;
        self
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Adds a member to the problem document.
    pub fn with_extension(mut self, name: &str, value: serde_json::Value) -> Self {
        self.extensions
            .get_or_insert_with(Default::default)
            .insert(name.to_string(), value);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    pub fn malformed_body(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed-body",
            "Malformed request body",
            detail,
        )
    }

    /// 422 with one invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    /// 422 with every invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("The request has {} invalid fields.", many.len()),
        };
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Validation failed",
            detail,
        );
        e.errors = Some(errors);
        e
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            detail,
        )
        .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"palermo\"")
    }

    pub fn unauthorized_login() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid-credentials",
            "Invalid credentials",
            "Wrong username or password.",
        )
        .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"palermo\"")
    }

    pub fn invalid_token(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid-token",
            "Invalid or expired token",
            detail,
        )
        .with_header(
            header::WWW_AUTHENTICATE,
            "Bearer realm=\"palermo\", error=\"invalid_token\"",
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn method_not_allowed(allow: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            format!("This resource supports: {allow}."),
        )
        .with_header(header::ALLOW, allow)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            "Precondition failed",
            detail,
        )
    }

    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
            detail,
        )
    }

    pub fn request_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            "Request timeout",
            "The request body did not arrive in time.",
        )
        .with_header(header::CONNECTION, "close")
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            detail,
        )
    }

    pub fn too_many_requests(retry_after_secs: u64, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-requests",
            "Too many requests",
            detail,
        )
        .with_header(header::RETRY_AFTER, retry_after_secs.max(1).to_string())
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            detail,
        )
        .with_header(header::RETRY_AFTER, "5")
    }

    /// An unexpected failure: the cause goes to the log, the client sees an opaque 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        log::error!("internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
            "The server failed to handle the request; the failure has been logged.",
        )
    }

    pub fn from_pool(e: diesel::r2d2::PoolError) -> Self {
        log::warn!("database pool: {e}");
        Self::unavailable("The database is busy or unreachable; retry shortly.")
    }

    pub fn problem(&self) -> Problem {
        Problem {
            problem_type: format!("urn:palermo:problem:{}", self.slug),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
            extensions: self.extensions.as_deref().cloned().unwrap_or_default(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        for (name, value) in &self.headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                res.insert_header((name.clone(), v));
            }
        }
        match serde_json::to_vec(&self.problem()) {
            Ok(body) => res.body(body),
            Err(_) => res.finish(),
        }
    }
}

impl crate::db::pool::Retryable for ApiError {
    fn is_retryable(&self) -> bool {
        self.retryable
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use crate::db::pool::Retryable;
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => Self::not_found("No such resource."),
            E::DatabaseError(K::UniqueViolation, info) => {
                log::info!("unique violation: {}", info.message());
                Self::conflict("A resource with the same identifying fields already exists.")
            }
            E::DatabaseError(K::ForeignKeyViolation, info) => {
                log::info!("foreign key violation: {}", info.message());
                Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation",
                    "Validation failed",
                    "The request refers to a resource that does not exist.",
                )
            }
            E::DatabaseError(K::CheckViolation, info) => {
                log::info!("check violation: {}", info.message());
                Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation",
                    "Validation failed",
                    "The request breaks a rule of the data model.",
                )
            }
            // Run again by `write_transaction`; when the attempts are spent, a 503 the client may
            // retry (every write is safe to repeat).
            e if e.is_retryable() => {
                log::warn!("transaction lost a conflict: {e}");
                Self::unavailable("A concurrent change won; retry the request.").retryable()
            }
            other => {
                let text = other.to_string();
                if text.contains("database is locked") || text.contains("busy") {
                    log::warn!("database busy: {text}");
                    return Self::unavailable("The database is busy; retry shortly.");
                }
                Self::internal(format!("database: {text}"))
            }
        }
    }
}

impl From<crate::db::pool::RunError> for ApiError {
    fn from(e: crate::db::pool::RunError) -> Self {
        match e {
            crate::db::pool::RunError::Pool(e) => Self::from_pool(e),
            other => Self::internal(other),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(format!("blocking task: {e}"))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
