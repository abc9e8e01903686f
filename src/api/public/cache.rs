//! How the public view's answers are cached: the same for every caller, so `Cache-Control:
//! public` with a short lifetime, and a strong `ETag` (a digest of the body) that answers a
//! matching `If-None-Match` with 304 and no body.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::api::http::precondition::IfNoneMatch;
use crate::error::{ApiError, ApiResult};

/// Seconds a cache may serve an answer without asking again.
pub const MAX_AGE: u32 = 60;

/// The strong entity tag of a body: the first 128 bits of its SHA-256, in hex.
fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
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
    let fresh = IfNoneMatch::names(&IfNoneMatch::held(req), &tag);
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
