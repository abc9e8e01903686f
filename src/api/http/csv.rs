//! CSV output for list endpoints: `Accept: text/csv` or `?format=csv`, a header row, every row
//! of the filtered list (no `limit`), streamed page by page so memory stays flat.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::http::run_db;
use crate::db::{AnyConnection, Pool};
use crate::error::{ApiError, ApiResult};

/// Rows fetched per database round trip while streaming.
const PAGE: i64 = 500;

/// Response format of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Csv,
    /// SDMX-CSV 2.0: the indicator values only.
    #[serde(rename = "sdmx-csv")]
    SdmxCsv,
}

/// Refuses `format=sdmx-csv` on a list other than the indicator values, naming the parameter.
pub fn refuse_sdmx(format: Option<Format>) -> ApiResult<()> {
    if format == Some(Format::SdmxCsv) {
        return Err(ApiError::invalid(
            "format",
            "sdmx-csv is served for GET /api/v1/indicator-values only; use json or csv",
        ));
    }
    Ok(())
}

/// True when the caller asked for CSV, by `?format=csv` or by `Accept: text/csv`.
pub fn wanted(req: &HttpRequest, format: Option<Format>) -> bool {
    match format {
        Some(f) => f == Format::Csv,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.split(',').any(|t| t.trim().starts_with("text/csv"))),
    }
}

/// One CSV line (RFC 4180 quoting). A cell holding either separator spreadsheets use (`,`, or `;`
/// in locales with a decimal comma), a quote or a line break is quoted, so no locale splits it.
/// Text that a spreadsheet would run as a formula is prefixed with `'` (CSV injection).
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let cell = cell.as_ref();
        if cell.starts_with(['=', '+', '@', '\t', '\r'])
            || (cell.starts_with('-') && cell.parse::<f64>().is_err())
        {
            push_cell(&mut out, &format!("'{cell}"));
        } else {
            push_cell(&mut out, cell);
        }
    }
    out.push_str("\r\n");
    out
}

/// One CSV line for another system rather than a spreadsheet (SDMX-CSV): quoted as [`line`]
/// quotes, but every cell written as it is, so the file reads back unchanged.
pub fn exchange_line<S: AsRef<str>>(cells: &[S], out: &mut String) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, cell.as_ref());
    }
    out.push_str("\r\n");
}

/// A cell, quoted (its quotes doubled) when it holds a separator, a quote or a line break.
fn push_cell(out: &mut String, cell: &str) {
    if cell.contains([',', ';', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// What a streamed download is: its media type, file name and first line(s).
pub struct File {
    pub content_type: &'static str,
    pub filename: String,
    pub head: String,
}

/// A streamed download of `file.head` then one line per row, each written by `render`.
/// `fetch(conn, after, n)` returns up to `n` rows after the keyset position `after`; `key` gives
/// a row's position.
pub fn stream_lines<R, K, F, KF, LF>(
    pool: &Pool,
    file: File,
    fetch: F,
    key: KF,
    render: LF,
) -> HttpResponse
where
    R: Send + 'static,
    K: Clone + Send + 'static,
    F: Fn(&mut AnyConnection, Option<K>, i64) -> ApiResult<Vec<R>> + Clone + Send + Sync + 'static,
    KF: Fn(&R) -> K + Clone + Send + Sync + 'static,
    LF: Fn(&R, &mut String) + Clone + Send + Sync + 'static,
{
    let File {
        content_type,
        filename,
        head,
    } = file;
    struct State<K> {
        after: Option<K>,
        started: bool,
        done: bool,
    }
    let pool = pool.clone();
    let body = futures_util::stream::unfold(
        State {
            after: None,
            started: false,
            done: false,
        },
        move |mut st| {
            let pool = pool.clone();
            let fetch = fetch.clone();
            let key = key.clone();
            let render = render.clone();
            let head = head.clone();
            async move {
                if st.done {
                    return None;
                }
                let mut chunk = String::new();
                if !st.started {
                    st.started = true;
                    chunk.push_str(&head);
                }
                let after = st.after.clone();
                let rows = match run_db(&pool, move |conn| fetch(conn, after, PAGE)).await {
                    Ok(rows) => rows,
                    Err(e) => {
                        log::error!("CSV stream aborted: {e}");
                        st.done = true;
                        return Some((Err(e), st));
                    }
                };
                if (rows.len() as i64) < PAGE {
                    st.done = true;
                }
                if let Some(last) = rows.last() {
                    st.after = Some(key(last));
                }
                for r in &rows {
                    render(r, &mut chunk);
                }
                Some((Ok::<Bytes, ApiError>(Bytes::from(chunk)), st))
            }
        },
    );
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(body)
}

/// Joins list cells with `;`.
pub fn join(items: &[String]) -> String {
    items.join(";")
}

/// An optional value as a cell.
pub fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The lists whose CSV representation has a path of its own, `PATH.csv` (see
/// `openapi::contract`), as path templates split into segments.
#[derive(Debug, Clone, Default)]
pub struct CsvPaths(Vec<Vec<String>>);

impl CsvPaths {
    /// The `.csv` paths the document declares.
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let suffix = crate::openapi::contract::CSV_SUFFIX;
        Self(
            (api.paths.paths.keys())
                .filter_map(|p| p.strip_suffix(suffix))
                .map(|p| p.split('/').map(str::to_string).collect())
                .collect(),
        )
    }

    fn declares(&self, path: &str) -> bool {
        let segments: Vec<&str> = path.split('/').collect();
        self.0.iter().any(|t| {
            t.len() == segments.len()
                && t.iter().zip(&segments).all(|(t, s)| {
                    (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s
                })
        })
    }

    /// `GET PATH.csv?q` is served as `GET PATH?q&format=csv` (any `format` of `q` dropped),
    /// when `PATH.csv` is declared; anything else is left as it is.
    pub fn rewrite(&self, req: &mut actix_web::dev::ServiceRequest) {
        // HEAD is served as GET (`fallback::before_routing`), so it is rewritten alike.
        if !matches!(
            *req.method(),
            actix_web::http::Method::GET | actix_web::http::Method::HEAD
        ) {
            return;
        }
        let Some(list) = req
            .path()
            .strip_suffix(crate::openapi::contract::CSV_SUFFIX)
        else {
            return;
        };
        if !self.declares(list) {
            return;
        }
        let mut query: Vec<&str> = (req.query_string().split('&'))
            .filter(|p| !p.is_empty() && *p != "format" && !p.starts_with("format="))
            .collect();
        query.push("format=csv");
        let target = format!("{list}?{}", query.join("&"));
        let mut parts = req.head().uri.clone().into_parts();
        let Ok(pq) = target.parse::<actix_web::http::uri::PathAndQuery>() else {
            return;
        };
        parts.path_and_query = Some(pq);
        let Ok(uri) = actix_web::http::Uri::from_parts(parts) else {
            return;
        };
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
}

#[cfg(test)]
mod tests {
    use super::line;

    #[test]
    fn quotes_and_guards_cells() {
        assert_eq!(
            line(&["a", "b,c", "say \"hi\""]),
            "a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(
            line(&["=HYPERLINK(\"x\")", "-12.5", "-x", "@sum"]),
            "\"'=HYPERLINK(\"\"x\"\")\",-12.5,'-x,'@sum\r\n"
        );
        assert_eq!(line(&["line\nbreak"]), "\"line\nbreak\"\r\n");
        assert_eq!(line(&["x;=2+5;y", "a;b"]), "\"x;=2+5;y\",\"a;b\"\r\n");
        assert_eq!(line(&["=1;2"]), "\"'=1;2\"\r\n");
    }
}
