//! Reusable error responses of the OpenAPI document; each is a problem+json body.

use utoipa::ToResponse;

use crate::error::Problem;

/// Malformed request: the body is not valid JSON, or a header is unreadable.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:malformed-body", "title": "Malformed request body", "status": 400, "detail": "The request body is not valid JSON: EOF while parsing an object at line 1 column 12."}))]
pub struct BadRequest(pub Problem);

/// Missing, malformed, expired or revoked bearer token (`WWW-Authenticate: Bearer` is set).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:unauthorized", "title": "Authentication required", "status": 401, "detail": "Send `Authorization: Bearer <token>`; get a token from POST /api/v1/auth/token."}))]
pub struct Unauthorized(pub Problem);

/// The caller's role or member state does not allow this; nothing was changed.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:forbidden", "title": "Forbidden", "status": 403, "detail": "This operation is reserved to administrators."}))]
pub struct Forbidden(pub Problem);

/// No such resource.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:not-found", "title": "Not found", "status": 404, "detail": "No member state with code XYZ."}))]
pub struct NotFound(pub Problem);

/// The request conflicts with the current state (duplicate key, last admin, ...).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:conflict", "title": "Conflict", "status": 409, "detail": "The username \"ana\" is taken."}))]
pub struct Conflict(pub Problem);

/// `If-Match` does not match the resource's current `ETag`: reload and retry.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:precondition-failed", "title": "Precondition failed", "status": 412, "detail": "The resource has changed (current ETag \"3\")."}))]
pub struct PreconditionFailed(pub Problem);

/// The request body exceeds the size limit.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:payload-too-large", "title": "Payload too large", "status": 413, "detail": "The request body exceeds the limit of 262144 bytes."}))]
pub struct PayloadTooLarge(pub Problem);

/// The body is not `application/json`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:unsupported-media-type", "title": "Unsupported media type", "status": 415, "detail": "The request body must be JSON: send `Content-Type: application/json`."}))]
pub struct UnsupportedMediaType(pub Problem);

/// A field, query or path parameter is invalid; `errors` names each one.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:validation", "title": "Validation failed", "status": 422, "detail": "limit: must be between 1 and 1000", "errors": [{"field": "limit", "message": "must be between 1 and 1000"}]}))]
pub struct ValidationFailed(pub Problem);

/// Too many failed sign-ins; `Retry-After` says how many seconds to wait.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:too-many-requests", "title": "Too many requests", "status": 429, "detail": "Too many failed sign-ins; retry in 900 seconds."}))]
pub struct TooManyRequests(pub Problem);

/// Unexpected failure; details are in the server log only.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:internal", "title": "Internal server error", "status": 500, "detail": "The server failed to handle the request; the failure has been logged."}))]
pub struct InternalError(pub Problem);

/// The database is unreachable or busy; retry after the `Retry-After` seconds.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "urn:palermo:problem:unavailable", "title": "Service unavailable", "status": 503, "detail": "The database is busy or unreachable; retry shortly."}))]
pub struct Unavailable(pub Problem);
