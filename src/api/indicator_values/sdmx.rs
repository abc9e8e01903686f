//! The value list as SDMX-CSV 2.0 (`Accept: application/vnd.sdmx.data+csv; version=2.0.0` or
//! `format=sdmx-csv`), streamed with the list's filters, and the batch import of an SDMX-CSV body.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::batch;
use crate::api::http::csv::{self, Format};
use crate::api::http::extract::{read_body, MAX_BODY_LIMIT};
use crate::api::http::list::ListParams;
use crate::api::http::run_db;
use crate::auth::Writer;
use crate::db::Pool;
use crate::domain::Disaggregation;
use crate::error::{ApiError, ApiResult};
use crate::indicator_import::Catalog;
use crate::models::indicator_value::{Filter, IndicatorValueRow};
use crate::models::member_state::MemberStateRow;
use crate::sdmx::{self, lines};
use crate::state::AppState;

/// An SDMX-CSV 2.0 file (UTF-8), as the batch import reads it and the value list writes it.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct SdmxCsv(#[allow(dead_code)] String);

/// How `REF_AREA` names a member state in SDMX-CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RefArea {
    /// ISO 3166-1 alpha-3 (`ARG`).
    #[default]
    Alpha3,
    /// UN M49 (`032`).
    M49,
}

/// True when the list is asked for SDMX-CSV: `format=sdmx-csv`, or no `format` and an `Accept`
/// naming the SDMX-CSV data media type.
pub fn wanted(req: &HttpRequest, list: &ListParams) -> bool {
    match list.format {
        Some(f) => f == Format::SdmxCsv,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.split(',').any(sdmx::is_media_type)),
    }
}

/// True when the body is SDMX-CSV (`Content-Type: application/vnd.sdmx.data+csv`).
pub fn is_body(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(sdmx::is_media_type)
}

/// Every value `filter` selects, one SDMX-CSV line each after the header, in the list's order.
pub async fn export(pool: &Pool, filter: Filter, ref_area: RefArea) -> ApiResult<HttpResponse> {
    let m49: Option<Arc<HashMap<String, String>>> = match ref_area {
        RefArea::Alpha3 => None,
        RefArea::M49 => Some(Arc::new(
            run_db(pool, |conn| {
                Ok::<_, ApiError>(
                    MemberStateRow::list(conn, None, 1000)?
                        .into_iter()
                        .map(|s| (s.code, s.m49))
                        .collect(),
                )
            })
            .await?,
        )),
    };
    let mut head = String::new();
    csv::exchange_line(&sdmx::COLUMNS, &mut head);
    let file = csv::File {
        content_type: sdmx::MEDIA_TYPE,
        filename: "indicator-values.sdmx.csv".into(),
        head,
    };
    let filter = Arc::new(filter);
    Ok(csv::stream_lines(
        pool,
        file,
        move |conn, after, n| Ok(IndicatorValueRow::list(conn, &filter, after.as_ref(), n)?),
        IndicatorValueRow::key,
        move |r: &IndicatorValueRow, out: &mut String| line(r, m49.as_deref(), out),
    ))
}

/// A value's SDMX-CSV line.
fn line(r: &IndicatorValueRow, m49: Option<&HashMap<String, String>>, out: &mut String) {
    let d = Disaggregation::from_canonical(&r.disaggregation);
    let ref_area = m49
        .and_then(|codes| codes.get(&r.member_state))
        .unwrap_or(&r.member_state);
    let value = super::record::shown_value(r.value.as_deref()).unwrap_or_default();
    let (obs_status, conf_status) = sdmx::statuses(r.flag);
    let action = if r.deleted_at.is_some() { "D" } else { "I" };
    let mut cells: Vec<&str> = vec![
        sdmx::STRUCTURE,
        sdmx::STRUCTURE_ID,
        action,
        ref_area,
        &r.indicator,
        &r.period,
    ];
    cells.extend(
        sdmx::DIMENSIONS
            .iter()
            .map(|(dim, _)| d.get(dim).unwrap_or(sdmx::TOTAL)),
    );
    cells.extend([
        value.as_str(),
        obs_status,
        conf_status,
        r.comment.as_deref().unwrap_or(""),
        r.source.as_deref().unwrap_or(""),
    ]);
    csv::exchange_line(&cells, out);
}

/// The batch import of an SDMX-CSV body: the grant first, then the body (the JSON batch's
/// limit), read line by line into validated rows in one pass.
pub async fn import(
    req: &HttpRequest,
    payload: Payload,
    state: &AppState,
    options: batch::Options,
) -> ApiResult<HttpResponse> {
    let writer = Writer::from_request(req, &mut Payload::None).await?;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let body = read_body(payload, declared, MAX_BODY_LIMIT).await?;
    let summary = run_db(&state.pool, move |conn| {
        let text = std::str::from_utf8(&body.bytes)
            .map_err(|_| ApiError::malformed_body("The request body is not valid UTF-8."))?;
        let catalog = Catalog::load(conn)?;
        let m49: lines::M49 = MemberStateRow::list(conn, None, 1000)?
            .into_iter()
            .map(|s| (s.m49, s.code))
            .collect();
        let checked = lines::check(text, &catalog, &m49, &writer)?;
        drop(body);
        batch::import(conn, &writer, &catalog, checked, options, lines::column_of)
    })
    .await?;
    batch::answer(summary)
}
