//! Versions on the wire: the strong `ETag` of a versioned resource, the `If-Match` precondition
//! that guards its writes, and the `If-None-Match` of conditional reads.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use serde::Deserialize;
use utoipa::{IntoParams, ToResponse};

use crate::error::ApiError;

/// A strong ETag for a versioned resource.
pub fn etag(kind: &str, id: &str, version: i32) -> String {
    format!("\"{kind}-{id}-v{version}\"")
}

/// The `If-Match` header of a write, when sent. As a parameter of the OpenAPI document it is
/// declared once, here, and listed by every conditional write with `params(IfMatch)`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// ETag from a previous read (or `*`); the write is refused with 412 when the resource has
    /// changed since. Without it the write applies to whatever version is current.
    #[serde(rename = "If-Match")]
    #[param(
        rename = "If-Match",
        example = "\"national_authority-0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6a-v3\""
    )]
    value: Option<String>,
}

impl IfMatch {
    /// Parses the header of `req`.
    pub fn from_request(req: &HttpRequest) -> Result<Self, ApiError> {
        match req.headers().get(header::IF_MATCH) {
            None => Ok(Self::default()),
            Some(v) => v
                .to_str()
                .map(|s| Self {
                    value: Some(s.to_string()),
                })
                .map_err(|_| ApiError::invalid("If-Match", "is not valid text")),
        }
    }

    /// A precondition that always holds (writes that were not asked to be conditional).
    pub fn any() -> Self {
        Self::default()
    }

    /// Absent or `*` passes; a list passes when it names `current`; anything else is 412.
    pub fn check(&self, current: &str) -> Result<(), ApiError> {
        let Some(value) = self.value.as_deref() else {
            return Ok(());
        };
        if value.trim() == "*" || value.split(',').any(|t| t.trim() == current) {
            Ok(())
        } else {
            Err(ApiError::precondition_failed(format!(
                "The resource has changed since you read it (current ETag {current}); reload it and retry."
            )))
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(IfMatch::from_request(req))
    }
}

/// The `If-None-Match` header of a conditional read, as a parameter of the OpenAPI document
/// (read from the request by [`IfNoneMatch::held`]).
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

impl IfNoneMatch {
    /// The tags the request holds, weak ones by their opaque part (RFC 9110 compares
    /// `If-None-Match` weakly), or `*`.
    pub fn held(req: &HttpRequest) -> Vec<String> {
        req.headers()
            .get_all(header::IF_NONE_MATCH)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim())
            .map(|t| t.strip_prefix("W/").unwrap_or(t).to_string())
            .collect()
    }

    /// Whether `held` names `tag` (or is `*`): the answer is then a 304.
    pub fn names(held: &[String], tag: &str) -> bool {
        held.iter().any(|t| t == "*" || t == tag)
    }
}

/// Not modified: `If-None-Match` names the current `ETag`; no body.
#[derive(ToResponse)]
#[response(headers(("ETag" = String, description = "Strong entity tag of the answer.")))]
pub struct NotModified;

/// The `{id}` path parameter of a resource addressed by its id, declared once for the document.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdPath {
    /// Id of the resource (a UUID, as returned when it was created).
    #[param(max_length = 64, example = "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6a")]
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(v: &str) -> IfMatch {
        IfMatch {
            value: Some(v.to_string()),
        }
    }

    #[test]
    fn if_match_passes_when_absent_star_or_listed() {
        assert!(IfMatch::any().check("\"a-v1\"").is_ok());
        assert!(with("*").check("\"a-v1\"").is_ok());
        assert!(with("\"a-v0\", \"a-v1\"").check("\"a-v1\"").is_ok());
        assert_eq!(
            with("\"a-v0\"")
                .check("\"a-v1\"")
                .map_err(|e| e.status().as_u16()),
            Err(412)
        );
    }
}
