//! The list pipeline. A resource declares how to fetch a page of rows after a keyset position,
//! the key of a row, its JSON item and its CSV cells ([`Listing`]); [`respond`] gives JSON pages
//! with `next_cursor` and `Link`, or every matching row as streamed CSV. The parameters all lists
//! share (`limit`, `cursor`, `updated_since`, `include_deleted`, `format`) are declared once in
//! [`ListParams`] and split off the query by the [`ListQuery`] extractor, so a resource's own
//! filter struct holds only its filters and still refuses unknown parameters.

use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use diesel::QueryResult;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::api::http::csv::{self, Format};
use crate::api::http::extract::decode_query;
use crate::api::http::page_cache::{self, KeptPage, PageCache};
use crate::api::http::pagination::{Page, PageParams};
use crate::api::http::precondition::IfNoneMatch;
use crate::api::http::query::{self, Repeated};
use crate::api::http::run_db;
use crate::auth::Bearer;
use crate::db::{AnyConnection, Pool};
use crate::error::{ApiError, ApiResult};
use crate::timestamp::Timestamp;

/// A list served by the pipeline.
pub trait Listing: 'static {
    /// Cursor kind: a cursor of one list is refused by every other.
    const KIND: &'static str;
    /// File name of the CSV download.
    const CSV_NAME: &'static str;
    /// The CSV header row.
    const CSV_HEADERS: &'static [&'static str];
    /// What selects the rows (built from the request by the resource).
    type Filter: Send + Sync + 'static;
    type Row: Clone + Send + 'static;
    /// Keyset position of a row, in the list's order.
    type Key: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    /// The JSON item of a row.
    type Item: Serialize;

    /// Up to `limit` rows matching `filter`, in the list's order, after `after`.
    fn fetch(
        conn: &mut AnyConnection,
        filter: &Self::Filter,
        after: Option<&Self::Key>,
        limit: i64,
    ) -> QueryResult<Vec<Self::Row>>;
    fn key(row: &Self::Row) -> Self::Key;
    fn item(row: Self::Row) -> Self::Item;
    /// The CSV cells of a row: by default its item's fields named by the headers.
    fn csv_cells(row: &Self::Row) -> Vec<String> {
        crate::api::http::rows::csv_cells_of(&Self::item(row.clone()), Self::CSV_HEADERS)
    }
}

/// The query parameters every list shares.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Items per page, 1 to 1000 (default 50). Larger values are refused, not clamped.
    #[param(minimum = 1, maximum = 1000, example = 50)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[param(max_length = 512)]
    pub cursor: Option<String>,
    /// Only items changed at or after this instant (RFC 3339), for dashboards that sync.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-01-01T00:00:00Z")]
    pub updated_since: Option<String>,
    /// Also list deleted items, as tombstones with `deleted_at`. Lists whose items are never
    /// deleted (they are deactivated, or not deletable) accept it and list the same.
    pub include_deleted: Option<bool>,
    /// `csv` for a CSV download of every matching item (same as `Accept: text/csv`); `sdmx-csv`
    /// (indicator values only) for SDMX-CSV 2.0.
    #[param(inline)]
    pub format: Option<Format>,
}

const SHARED: [&str; 5] = [
    "limit",
    "cursor",
    "updated_since",
    "include_deleted",
    "format",
];

impl ListParams {
    pub fn page(&self) -> PageParams {
        PageParams {
            limit: self.limit,
            cursor: self.cursor.clone(),
        }
    }

    /// The validated `updated_since`.
    pub fn since(&self) -> ApiResult<Option<Timestamp>> {
        updated_since(self.updated_since.as_deref())
    }

    pub fn include_deleted(&self) -> bool {
        self.include_deleted.unwrap_or(false)
    }
}

/// A list request: the resource's own filters `F` and the shared [`ListParams`]. An unknown
/// parameter is a 422 naming it.
#[derive(Debug)]
pub struct ListQuery<F> {
    pub filter: F,
    pub list: ListParams,
}

impl<F: DeserializeOwned> ListQuery<F> {
    /// Decodes a query string; the parameters named in `repeatable` may occur any number of
    /// times and are returned apart (serde cannot decode a repeated key into a struct).
    pub fn parse(raw: &str, repeatable: &[&str]) -> ApiResult<(Self, Repeated)> {
        let mut shared = form_urlencoded::Serializer::new(String::new());
        let mut own = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            if SHARED.contains(&k.as_ref()) {
                shared.append_pair(&k, &v);
            } else {
                own.append_pair(&k, &v);
            }
        }
        let list: ListParams = decode_query(&shared.finish())?;
        let (filter, repeated) = query::decode(&own.finish(), repeatable)?;
        Ok((Self { filter, list }, repeated))
    }
}

impl<F: DeserializeOwned> FromRequest for ListQuery<F> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Self::parse(req.query_string(), &[]).map(|(q, _)| q))
    }
}

/// A list without filters of its own.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoFilter {}

/// Parses an `updated_since` query value (RFC 3339, any offset).
pub fn updated_since(raw: Option<&str>) -> ApiResult<Option<Timestamp>> {
    match raw {
        None => Ok(None),
        Some(text) => Timestamp::parse(text).map(Some).ok_or_else(|| {
            ApiError::invalid(
                "updated_since",
                "must be an RFC 3339 timestamp such as 2026-01-31T00:00:00Z",
            )
        }),
    }
}

/// Answers a list request: a JSON page, or every matching row as CSV when the caller asked for
/// it (`format=csv` or `Accept: text/csv`). `limit` and `cursor` are validated for CSV too.
pub async fn respond<L: Listing>(
    req: &HttpRequest,
    pool: &Pool,
    filter: L::Filter,
    list: &ListParams,
) -> ApiResult<HttpResponse> {
    answer::<L>(req, pool, None, filter, list).await
}

/// [`respond`] for a list any signed-in caller may read: the token's user is checked in the same
/// trip to the database as the page's query (before it; a refused token reads nothing).
pub async fn respond_signed_in<L: Listing>(
    req: &HttpRequest,
    pool: &Pool,
    who: Bearer,
    filter: L::Filter,
    list: &ListParams,
) -> ApiResult<HttpResponse> {
    answer::<L>(req, pool, Some(who), filter, list).await
}

/// [`respond_signed_in`] for a list whose pages read the same for every signed-in caller and are
/// polled (the value list): a JSON page carries an `ETag`, `If-None-Match` with it is a 304
/// without reading the page, and pages are kept in `pages` while no write happens (see
/// [`page_cache`]). CSV is answered as by [`respond_signed_in`].
pub async fn respond_kept<L: Listing>(
    req: &HttpRequest,
    pool: &Pool,
    pages: &Arc<PageCache>,
    who: Bearer,
    filter: L::Filter,
    list: &ListParams,
) -> ApiResult<HttpResponse> {
    if csv::wanted(req, list.format) {
        return answer::<L>(req, pool, Some(who), filter, list).await;
    }
    let (limit, after) = position::<L>(list)?;
    enum Read<R> {
        Unchanged(i64),
        Kept(i64, Arc<KeptPage>),
        Fresh(i64, Vec<R>),
    }
    let key = format!("{}?{}", req.path(), req.query_string());
    let held = IfNoneMatch::held(req);
    let (kept, wanted) = (pages.clone(), key.clone());
    let read = run_db(pool, move |conn| {
        let (_, head) = who.caller_at_feed_head(conn)?;
        if IfNoneMatch::names(&held, &page_cache::etag(head)) {
            return Ok(Read::Unchanged(head));
        }
        if let Some(page) = kept.get(&wanted, head) {
            return Ok(Read::Kept(head, page));
        }
        Ok::<_, ApiError>(Read::Fresh(
            head,
            L::fetch(conn, &filter, after.as_ref(), limit + 1)?,
        ))
    })
    .await?;
    let (head, rows) = match read {
        Read::Unchanged(head) => return Ok(page_cache::unchanged(head)),
        Read::Kept(head, page) => return Ok(page_cache::ok(head, &page)),
        Read::Fresh(head, rows) => (head, rows),
    };
    let page = Page::from_rows(rows, limit, L::KIND, L::key, L::item);
    let body = serde_json::to_vec(&page).map_err(ApiError::internal)?;
    let kept = Arc::new(KeptPage {
        link: page.link(req),
        body: body.into(),
    });
    pages.put(key, head, kept.clone());
    Ok(page_cache::ok(head, &kept))
}

/// The page size and keyset position asked for (validated for CSV too, which has no pages).
fn position<L: Listing>(list: &ListParams) -> ApiResult<(i64, Option<L::Key>)> {
    let page = list.page();
    csv::refuse_sdmx(list.format)?;
    Ok((page.limit()?, page.after(L::KIND)?))
}

async fn answer<L: Listing>(
    req: &HttpRequest,
    pool: &Pool,
    who: Option<Bearer>,
    filter: L::Filter,
    list: &ListParams,
) -> ApiResult<HttpResponse> {
    let (limit, after) = position::<L>(list)?;
    if csv::wanted(req, list.format) {
        if let Some(who) = who {
            run_db(pool, move |conn| who.caller(conn)).await?;
        }
        let filter = Arc::new(filter);
        let file = csv::File {
            content_type: "text/csv; charset=utf-8",
            filename: L::CSV_NAME.to_string(),
            head: csv::line(L::CSV_HEADERS),
        };
        return Ok(csv::stream_lines(
            pool,
            file,
            move |conn, after: Option<L::Key>, n| Ok(L::fetch(conn, &filter, after.as_ref(), n)?),
            L::key,
            |r: &L::Row, out: &mut String| out.push_str(&csv::line(&L::csv_cells(r))),
        ));
    }
    let rows = run_db(pool, move |conn| {
        if let Some(who) = &who {
            who.caller(conn)?;
        }
        Ok::<_, ApiError>(L::fetch(conn, &filter, after.as_ref(), limit + 1)?)
    })
    .await?;
    Ok(Page::from_rows(rows, limit, L::KIND, L::key, L::item).respond(req))
}
