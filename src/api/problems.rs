//! Reusable error responses of the OpenAPI document; each is a problem+json body.

use utoipa::ToResponse;

use crate::error::Problem;

/// Declares each reusable problem response from its status, type slug, title and example detail
/// (and any further example members).
macro_rules! problems {
    ($($(#[doc = $doc:literal])* $name:ident($status:literal, $slug:literal, $title:literal, $detail:literal $(, $key:literal: $value:tt)*);)*) => {$(
        $(#[doc = $doc])*
        #[derive(ToResponse)]
        #[response(content_type = "application/problem+json", example = json!({"type": concat!("urn:palermo:problem:", $slug), "title": $title, "status": $status, "detail": $detail $(, $key: $value)*}))]
        pub struct $name(pub Problem);
    )*};
}

problems! {
    /// Malformed request: the body is not valid JSON, or a header is unreadable.
    BadRequest(400, "malformed-body", "Malformed request body", "The request body is not valid JSON: EOF while parsing an object at line 1 column 12.");
    /// Missing, malformed, expired or revoked bearer token (`WWW-Authenticate: Bearer` is set).
    Unauthorized(401, "unauthorized", "Authentication required", "Send `Authorization: Bearer <token>`; get a token from POST /api/v1/auth/token.");
    /// The caller's role or member state does not allow this; nothing was changed.
    Forbidden(403, "forbidden", "Forbidden", "This operation is reserved to administrators.");
    /// No such resource.
    NotFound(404, "not-found", "Not found", "No member state with code XYZ.");
    /// The request conflicts with the current state (duplicate key, last admin, ...).
    Conflict(409, "conflict", "Conflict", "The username \"ana\" is taken.");
    /// `If-Match` does not match the resource's current `ETag`: reload and retry.
    PreconditionFailed(412, "precondition-failed", "Precondition failed", "The resource has changed (current ETag \"3\").");
    /// The request body exceeds the size limit.
    PayloadTooLarge(413, "payload-too-large", "Payload too large", "The request body exceeds the limit of 262144 bytes.");
    /// The body is not `application/json`.
    UnsupportedMediaType(415, "unsupported-media-type", "Unsupported media type", "The request body must be JSON: send `Content-Type: application/json`.");
    /// A field, query or path parameter is invalid; `errors` names each one.
    ValidationFailed(422, "validation", "Validation failed", "limit: must be between 1 and 1000", "errors": [{"field": "limit", "message": "must be between 1 and 1000"}]);
    /// Too many failed sign-ins; `Retry-After` says how many seconds to wait.
    TooManyRequests(429, "too-many-requests", "Too many requests", "Too many failed sign-ins; retry in 900 seconds.");
    /// Unexpected failure; details are in the server log only.
    InternalError(500, "internal", "Internal server error", "The server failed to handle the request; the failure has been logged.");
    /// The database is unreachable or busy; retry after the `Retry-After` seconds.
    Unavailable(503, "unavailable", "Service unavailable", "The database is busy or unreachable; retry shortly.");
}
