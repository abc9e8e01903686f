//! Keyset pagination shared by every list: `limit` and an opaque `cursor` in, `{items, next_cursor}`
//! and a `Link: <...>; rel="next"` header out.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 1000;

/// `limit` and `cursor`: the whole query of a history list (any other parameter is a 422).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 1000 (default 50). Larger values are refused, not clamped.
    #[param(minimum = 1, maximum = 1000, example = 50)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[param(max_length = 512)]
    pub cursor: Option<String>,
}

impl PageParams {
    /// The validated page size.
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            )),
        }
    }

    /// The decoded keyset position, for a list whose cursor kind is `kind`.
    pub fn after<K: for<'de> Deserialize<'de>>(&self, kind: &str) -> Result<Option<K>, ApiError> {
        let Some(cursor) = self.cursor.as_deref() else {
            return Ok(None);
        };
        decode(kind, cursor)
            .map(Some)
            .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor issued by this list"))
    }
}

#[derive(Serialize, Deserialize)]
struct CursorBody<K> {
    k: String,
    v: K,
}

/// The cursor of kind `kind` at `key`.
pub fn encode<K: Serialize>(kind: &str, key: &K) -> String {
    let json = serde_json::to_vec(&CursorBody {
        k: kind.to_string(),
        v: key,
    })
    .unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

fn decode<K: for<'de> Deserialize<'de>>(kind: &str, cursor: &str) -> Option<K> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let body: CursorBody<K> = serde_json::from_slice(&bytes).ok()?;
    (body.k == kind).then_some(body.v)
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page, in the list's documented order.
    pub items: Vec<T>,
    /// Cursor of the next page; `null` on the last page of a list. The change feed gives one on
    /// every page, the last included, to poll from.
    #[schema(example = json!(null))]
    pub next_cursor: Option<String>,
}

impl<T: Serialize> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched after the cursor: the extra row only
    /// says that there is more.
    pub fn from_rows<R, K: Serialize>(
        mut rows: Vec<R>,
        limit: i64,
        kind: &str,
        key: impl Fn(&R) -> K,
        to_item: impl FnMut(R) -> T,
    ) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode(kind, &key(r)))
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(to_item).collect(),
            next_cursor,
        }
    }

    /// The 200 response with a `Link` header when there is a next page.
    pub fn respond(self, req: &HttpRequest) -> HttpResponse {
        let mut res = HttpResponse::Ok();
        if let Some(link) = self.link(req) {
            res.insert_header((header::LINK, link));
        }
        res.json(self)
    }

    /// The `Link` header of the next page, when there is one.
    pub fn link(&self, req: &HttpRequest) -> Option<String> {
        let cursor = self.next_cursor.as_deref()?;
        Some(format!("<{}>; rel=\"next\"", next_url(req, cursor)))
    }
}

fn next_url(req: &HttpRequest, cursor: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if k != "cursor" {
            query.append_pair(&k, &v);
        }
    }
    query.append_pair("cursor", cursor);
    format!("{}?{}", req.path(), query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_list() {
        let c = encode("users", &"maria".to_string());
        assert_eq!(decode::<String>("users", &c).as_deref(), Some("maria"));
        assert_eq!(decode::<String>("member_states", &c), None);
        assert_eq!(decode::<String>("users", "not-base64!"), None);
    }

    #[test]
    fn limit_is_bounded_not_clamped() {
        let p = |n| PageParams {
            limit: Some(n),
            cursor: None,
        };
        assert_eq!(p(1000).limit().ok(), Some(1000));
        assert!(p(1001).limit().is_err());
        assert!(p(0).limit().is_err());
        assert_eq!(PageParams::default().limit().ok(), Some(DEFAULT_LIMIT));
    }

    #[test]
    fn pages_know_when_there_is_more() {
        let page = Page::from_rows(vec![1, 2, 3], 2, "n", |r| *r, |r| r);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(
            page.next_cursor.and_then(|c| decode::<i32>("n", &c)),
            Some(2)
        );
        let last = Page::from_rows(vec![1, 2], 2, "n", |r| *r, |r| r);
        assert!(last.next_cursor.is_none());
    }
}
