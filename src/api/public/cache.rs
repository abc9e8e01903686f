//! How the public view's answers are cached: the same for every caller, so `Cache-Control:
//! public` with a short lifetime, and a strong `ETag` (a digest of the body) that answers a
//! matching `If-None-Match` with 304 and no body.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use crate::error::{ApiError, ApiResult};

/// Seconds a cache may serve an answer without asking again.
pub const MAX_AGE: u32 = 60;

/// The `If-None-Match` header, as a parameter of the OpenAPI document (read from the request by
/// [`respond`]).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IfNoneMatch {
    /// The `ETag` of an answer held: 304 without a body while it is still current.
    #[serde(rename = "If-None-Match")]
    #[param(
        rename = "If-None-Match",
        example = "\"5d41402abc4b2a76b9719d911017c592\""
    )]
    value: Option<String>,
}

/// The strong entity tag of a body: the first 128 bits of its SHA-256, in hex.
fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether the request's `If-None-Match` names `tag` (or is `*`); weak tags compare by their
/// opaque part, as RFC 9110 has it for `If-None-Match`.
fn not_modified(req: &HttpRequest, tag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

/// The cacheable answer: 200 with `body` as JSON, or 304 when the client holds it already;
/// `link` is the next page's `Link`, `language` the `Content-Language` (the answer then varies
/// by `Accept-Language`).
pub fn respond<T: Serialize>(
    req: &HttpRequest,
    body: &T,
    link: Option<String>,
    language: Option<&str>,
) -> ApiResult<HttpResponse> {
    let json = serde_json::to_vec(body).map_err(ApiError::internal)?;
    let tag = etag(&json);
    let fresh = not_modified(req, &tag);
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={MAX_AGE}")));
    if let Some(link) = link {
        res.insert_header((header::LINK, link));
    }
    if let Some(lang) = language {
        res.insert_header((header::CONTENT_LANGUAGE, lang.to_string()))
            .insert_header((header::VARY, "Accept-Language"));
    }
    if fresh {
        return Ok(res.finish());
    }
    Ok(res.content_type("application/json").body(json))
}
