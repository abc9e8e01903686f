//! `/api/v1/indicator-values`: values reported by member states; the batch import, filtered
//! reads (JSON pages or streamed CSV), and tombstoning deletes.

use std::collections::HashSet;

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::csv;
use crate::api::http::extract::{decode_query, JsonBody, QueryParams, MAX_BODY_LIMIT};
use crate::api::http::pagination::{Page, PageParams};
use crate::api::http::run_db;
use crate::api::{check_if_match, etag, if_match, updated_since};
use crate::auth::Caller;
use crate::db::{self, pool::write_transaction};
use crate::domain::{Disaggregation, MemberStateCode};
use crate::error::{ApiError, ApiResult};
use crate::indicator_import::{self, Catalog, Counts, RawRow, RowError, ValidRow, MAX_VALUES};
use crate::models::audit_event::{Actor, AuditEventRow};
use crate::models::indicator_value::{Filter, IndicatorValueRow, Key};
use crate::state::AppState;
use crate::timestamp::Timestamp;

const KIND: &str = "indicator_value";
/// The dimensions that may filter the list (`?sex=female`).
const DIMENSIONS: [&str; 5] = [
    "sex",
    "age_group",
    "form_of_exploitation",
    "citizenship",
    "sector",
];

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(import_indicator_values)
        .service(list_indicator_values)
        .service(get_indicator_value)
        .service(delete_indicator_value);
}

/// A reported value.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6c", "member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2019",
    "disaggregation": {"sex": "female", "age_group": "child"}, "value": 42, "flag": null, "comment": null,
    "source": "Ministerio Público Fiscal", "reported_by": "arg-system", "version": 1,
    "created_at": "2026-11-22T20:43:03.123456Z", "updated_at": "2026-11-22T20:43:03.123456Z", "deleted_at": null
}))]
pub struct IndicatorValue {
    pub id: String,
    pub member_state: String,
    pub indicator: String,
    /// `2019`, `2019-Q1` or `2019-03`, per the indicator's periodicity.
    pub period: String,
    /// Dimension -> code; `{}` is the total.
    #[schema(value_type = Object)]
    pub disaggregation: Value,
    /// Typed by the indicator (integer, number, boolean or string); `null` only when confidential.
    pub value: Value,
    pub flag: Option<String>,
    pub comment: Option<String>,
    pub source: Option<String>,
    /// Username of who last wrote it.
    pub reported_by: String,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set on deleted values (tombstones, listed with `include_deleted=true`).
    pub deleted_at: Option<Timestamp>,
}

impl From<&IndicatorValueRow> for IndicatorValue {
    fn from(r: &IndicatorValueRow) -> Self {
        let d = Disaggregation::from_canonical(&r.disaggregation);
        IndicatorValue {
            id: r.id.clone(),
            member_state: r.member_state.clone(),
            indicator: r.indicator.clone(),
            period: r.period.clone(),
            disaggregation: serde_json::to_value(d.pairs()).unwrap_or(Value::Null),
            value: r
                .value
                .as_deref()
                .and_then(|v| serde_json::from_str(v).ok())
                .unwrap_or(Value::Null),
            flag: r.flag.clone(),
            comment: r.comment.clone(),
            source: r.source.clone(),
            reported_by: r.reported_by.clone(),
            version: r.version,
            created_at: Timestamp::from_db(&r.created_at),
            updated_at: Timestamp::from_db(&r.updated_at),
            deleted_at: r.deleted_at.as_deref().map(Timestamp::from_db),
        }
    }
}

/// A batch of values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// Up to 10,000 values. Each: `member_state` (a reporter may omit it), `indicator`, `period`,
    /// `disaggregation` (object dimension -> code, `{}` or absent for the total), `value`, and
    /// optional `flag` (`provisional`, `estimated`, `below_threshold`, `confidential`), `comment`, `source`.
    #[schema(value_type = Vec<Object>, max_items = 10000)]
    pub values: Vec<RawRow>,
}

/// How a batch is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Any invalid row: 422 and nothing written.
    Atomic,
    /// Valid rows written, invalid rows reported.
    Partial,
}

/// Options of the import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Validate and count, write nothing.
    pub dry_run: Option<bool>,
    /// `atomic` (default) or `partial`.
    #[param(inline)]
    pub mode: Option<Mode>,
}

/// The import summary. `received = created + updated + unchanged + rejected`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"received": 3, "created": 1, "updated": 1, "unchanged": 0, "rejected": 1, "written": true, "dry_run": false, "mode": "partial",
    "errors": [{"index": 2, "field": "disaggregation/sex", "code": "unknown_code", "message": "\"girl\" is not a code of dimension sex (female, male, other, unknown)"}]}))]
pub struct ImportSummary {
    pub received: usize,
    /// New values (including values deleted before and sent again).
    pub created: usize,
    /// Stored values whose value, flag, comment or source changed.
    pub updated: usize,
    /// Values identical to what is stored (nothing written for them).
    pub unchanged: usize,
    /// Invalid rows, each described in `errors`.
    pub rejected: usize,
    /// Whether anything was written (false for dry runs and refused atomic batches).
    pub written: bool,
    pub dry_run: bool,
    pub mode: Mode,
    pub errors: Vec<RowError>,
}

/// A refused atomic batch: a problem document (RFC 9457) extended with the import summary; its
/// `errors` carry `index` and `code` besides `field` and `message`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRejected {
    #[serde(rename = "type")]
    #[schema(example = "urn:palermo:problem:import-rejected")]
    pub problem_type: String,
    #[schema(example = "Batch rejected")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(
        example = "1 of 3 values is invalid; nothing was written. Fix the rows listed in errors and send the batch again."
    )]
    pub detail: String,
    #[serde(flatten)]
    pub summary: ImportSummary,
}

/// The 422 of the import: either a refused atomic batch (every summary field present, each error
/// with `index` and `code`) or a request-level problem (too many values, a bad query parameter)
/// with only the problem fields.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ImportProblem {
    #[serde(rename = "type")]
    #[schema(example = "urn:palermo:problem:import-rejected")]
    problem_type: String,
    #[schema(example = "Batch rejected")]
    title: String,
    #[schema(example = 422)]
    status: u16,
    detail: String,
    received: Option<usize>,
    created: Option<usize>,
    updated: Option<usize>,
    unchanged: Option<usize>,
    rejected: Option<usize>,
    written: Option<bool>,
    dry_run: Option<bool>,
    #[schema(inline)]
    mode: Option<Mode>,
    errors: Option<Vec<ImportProblemError>>,
}

/// An error of the import's 422: row errors carry `index` and `code`.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ImportProblemError {
    index: Option<usize>,
    field: String,
    code: Option<String>,
    message: String,
}

/// Import a table of values in one transaction: upsert by natural key (member state, indicator,
/// period, disaggregation). `atomic` (default): any invalid row answers 422 and nothing is written;
/// `partial`: valid rows are written and invalid ones reported; `dry_run=true`: the same summary,
/// nothing written. Counts in a refused atomic batch are what the valid rows would do. A reporter
/// may send only its own state's values (any other state: 403, nothing written).
#[utoipa::path(
    tag = "indicator-values",
    params(ImportParams),
    request_body(content = Batch, example = json!({"values": [
        {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2019", "disaggregation": {"sex": "female", "age_group": "child"}, "value": 42, "source": "Ministerio Público Fiscal"},
        {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2019", "disaggregation": {}, "value": 310},
        {"member_state": "ARG", "indicator": "NATIONAL_ACTION_PLAN", "period": "2019", "value": true}
    ]})),
    responses(
        (status = 200, description = "Applied (or, for a dry run, checked)", body = ImportSummary),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 422, description = "Atomic batch with invalid rows (nothing written), or more than 10,000 values", body = ImportProblem, content_type = "application/problem+json"),
    )
)]
#[post("/batch")]
pub async fn import_indicator_values(
    caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<ImportParams>,
    body: JsonBody<Batch, MAX_BODY_LIMIT>,
) -> ApiResult<HttpResponse> {
    let dry_run = query.0.dry_run.unwrap_or(false);
    let mode = query.0.mode.unwrap_or(Mode::Atomic);
    let values = body.0.values;
    if values.len() > MAX_VALUES {
        return Err(ApiError::invalid(
            "/values",
            format!("has {} values; at most {MAX_VALUES} per batch: split the table into several requests", values.len()),
        ));
    }
    // Scope first: a batch touching another state's data is refused as a whole.
    if !caller.is_admin() {
        let mut seen = HashSet::new();
        for raw in &values {
            if let Some(ms) = indicator_import::row_state(raw, &caller) {
                if seen.insert(ms.to_string()) {
                    caller.require_write_state(ms)?;
                }
            }
        }
    }
    let summary = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let catalog = Catalog::load(conn)?;
            let received = values.len();
            let mut errors: Vec<RowError> = Vec::new();
            let mut valid: Vec<ValidRow> = Vec::with_capacity(received);
            let mut rejected = 0;
            for (i, raw) in values.iter().enumerate() {
                match indicator_import::validate(i, raw, &catalog, &caller) {
                    Ok(row) => valid.push(row),
                    Err(mut e) => {
                        rejected += 1;
                        errors.append(&mut e);
                    }
                }
            }
            let valid = indicator_import::reject_repeated_keys(valid, &mut errors, &mut rejected);
            // Rows of a locked (submitted or validated) state and year are rejected.
            let locks = crate::locks::ValueLocks::load(
                conn,
                valid.iter().map(|r| r.member_state.as_str()),
            )?;
            let mut open_rows = Vec::with_capacity(valid.len());
            for r in valid {
                match locks.locking(&r.member_state, r.year()) {
                    Some(cycle) => {
                        rejected += 1;
                        errors.push(RowError {
                            index: r.index,
                            field: "period".into(),
                            code: "locked".into(),
                            message: crate::locks::value_message(&r.member_state, r.year(), cycle),
                        });
                    }
                    None => open_rows.push(r),
                }
            }
            let valid = open_rows;
            errors.sort_by_key(|e| e.index);
            let refuse = mode == Mode::Atomic && rejected > 0;
            let applied = indicator_import::apply(conn, &caller, &valid, dry_run || refuse)?;
            let Counts {
                created,
                updated,
                unchanged,
            } = applied.counts;
            let written = !dry_run && !refuse && (created + updated) > 0;
            Ok(ImportSummary {
                received,
                created,
                updated,
                unchanged,
                rejected,
                written,
                dry_run,
                mode,
                errors,
            })
        })
    })
    .await?;
    if mode == Mode::Atomic && summary.rejected > 0 {
        let detail = format!(
            "{} of {} values {} invalid; nothing was written. Fix the rows listed in errors and send the batch again.",
            summary.rejected,
            summary.received,
            if summary.rejected == 1 { "is" } else { "are" }
        );
        let body = ImportRejected {
            problem_type: "urn:palermo:problem:import-rejected".into(),
            title: "Batch rejected".into(),
            status: 422,
            detail,
            summary,
        };
        let json = serde_json::to_vec(&body).map_err(ApiError::internal)?;
        return Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
            .content_type(crate::error::PROBLEM_JSON)
            .body(json));
    }
    Ok(HttpResponse::Ok().json(summary))
}

/// Filters of the value list. Any dimension filters too: `sex=female&age_group=child` keeps values
/// whose disaggregation includes those codes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValueListParams {
    #[param(example = "VICTIMS_DETECTED", max_length = 64)]
    pub indicator: Option<String>,
    /// Repeatable: `member_state=ARG&member_state=BRA`.
    #[param(example = json!(["ARG"]), explode = true, style = Form)]
    pub member_state: Option<Vec<String>>,
    #[param(example = "2015", max_length = 7)]
    pub period_from: Option<String>,
    /// Inclusive; `2019` includes `2019-Q4` and `2019-12`.
    #[param(example = "2020", max_length = 7)]
    pub period_to: Option<String>,
    #[param(example = "female")]
    pub sex: Option<String>,
    pub age_group: Option<String>,
    pub form_of_exploitation: Option<String>,
    pub citizenship: Option<String>,
    pub sector: Option<String>,
    #[param(example = "provisional")]
    pub flag: Option<String>,
    /// Only values changed at or after this instant (RFC 3339).
    pub updated_since: Option<String>,
    /// Also list deleted values, as tombstones with `deleted_at`.
    pub include_deleted: Option<bool>,
    /// `csv` streams every matching value as CSV (same as `Accept: text/csv`).
    #[param(inline)]
    pub format: Option<csv::Format>,
    /// Items per page, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    #[param(max_length = 512)]
    pub cursor: Option<String>,
}

/// Single-valued parameters of the list (decoded without the repeatable ones).
#[derive(Debug, Deserialize)]
struct ScalarParams {
    indicator: Option<String>,
    period_from: Option<String>,
    period_to: Option<String>,
    flag: Option<String>,
    updated_since: Option<String>,
    include_deleted: Option<bool>,
    format: Option<csv::Format>,
    limit: Option<i64>,
    cursor: Option<String>,
}

fn parse_list_query(raw: &str) -> ApiResult<(Filter, Option<csv::Format>, PageParams)> {
    let mut member_states = Vec::new();
    let mut dimensions = Vec::new();
    let mut scalar = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        if k == "member_state" {
            MemberStateCode::parse(&v).map_err(|m| ApiError::invalid("member_state", m))?;
            if member_states.len() >= 35 {
                return Err(ApiError::invalid(
                    "member_state",
                    "at most 35 member states",
                ));
            }
            member_states.push(v.into_owned());
        } else if DIMENSIONS.contains(&k.as_ref()) {
            if v.is_empty()
                || v.len() > 64
                || !v.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            {
                return Err(ApiError::invalid(
                    k.as_ref(),
                    "must be a code of the dimension's code list",
                ));
            }
            dimensions.push((k.into_owned(), v.into_owned()));
        } else {
            scalar.append_pair(&k, &v);
        }
    }
    let s: ScalarParams = decode_query(&scalar.finish())?;
    for (name, v, max) in [
        ("indicator", &s.indicator, 64),
        ("period_from", &s.period_from, 7),
        ("period_to", &s.period_to, 7),
    ] {
        crate::api::http::extract::bounded(name, v.as_deref(), max)?;
    }
    if let Some(f) = &s.flag {
        if !indicator_import::FLAGS.contains(&f.as_str()) {
            return Err(ApiError::invalid(
                "flag",
                format!("must be one of {}", indicator_import::FLAGS.join(", ")),
            ));
        }
    }
    let filter = Filter {
        indicator: s.indicator,
        member_states,
        period_from: s.period_from,
        period_to: s.period_to,
        dimensions,
        flag: s.flag,
        updated_since: updated_since(s.updated_since.as_deref())?,
        include_deleted: s.include_deleted.unwrap_or(false),
    };
    Ok((
        filter,
        s.format,
        PageParams {
            limit: s.limit,
            cursor: s.cursor,
        },
    ))
}

const CSV_HEADERS: &[&str] = &[
    "indicator",
    "member_state",
    "period",
    "sex",
    "age_group",
    "form_of_exploitation",
    "citizenship",
    "sector",
    "value",
    "flag",
    "comment",
    "source",
    "reported_by",
    "version",
    "updated_at",
    "deleted_at",
    "id",
];

fn csv_cells(r: &IndicatorValueRow) -> Vec<String> {
    let d = Disaggregation::from_canonical(&r.disaggregation);
    let value = r
        .value
        .as_deref()
        .map(|v| match serde_json::from_str::<Value>(v) {
            Ok(Value::String(s)) => s,
            _ => v.to_string(),
        });
    let mut cells = vec![
        r.indicator.clone(),
        r.member_state.clone(),
        r.period.clone(),
    ];
    cells.extend(
        DIMENSIONS
            .iter()
            .map(|dim| d.get(dim).unwrap_or("").to_string()),
    );
    cells.extend([
        value.unwrap_or_default(),
        csv::opt(&r.flag),
        csv::opt(&r.comment),
        csv::opt(&r.source),
        r.reported_by.clone(),
        r.version.to_string(),
        r.updated_at.clone(),
        csv::opt(&r.deleted_at),
        r.id.clone(),
    ]);
    cells
}

/// List values in natural-key order (indicator, member state, period, disaggregation): a stable
/// keyset order for dashboards that page or sync. `Accept: text/csv` or `format=csv` streams them all.
#[utoipa::path(
    tag = "indicator-values",
    params(ValueListParams),
    responses((status = 200, description = "A page of values (JSON) or all of them (CSV)",
        content((Page<IndicatorValue> = "application/json"), (String = "text/csv")),
        headers(("Link" = String, description = "Next page, when there is one"))))
)]
#[get("")]
pub async fn list_indicator_values(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let (filter, format, page) = parse_list_query(req.query_string())?;
    let limit = page.limit()?;
    let after: Option<Key> = page.after(KIND)?;
    if csv::wanted(&req, format) {
        return Ok(csv::stream(
            &state.pool,
            "indicator-values.csv",
            CSV_HEADERS,
            move |conn, after: Option<Key>, n| {
                Ok(IndicatorValueRow::list(conn, &filter, after.as_ref(), n)?)
            },
            IndicatorValueRow::key,
            csv_cells,
        ));
    }
    let rows = run_db(&state.pool, move |conn| {
        Ok(IndicatorValueRow::list(
            conn,
            &filter,
            after.as_ref(),
            limit + 1,
        )?)
    })
    .await?;
    Ok(
        Page::from_rows(rows, limit, KIND, IndicatorValueRow::key, |r| {
            IndicatorValue::from(&r)
        })
        .respond(&req),
    )
}

/// Get one value (also a deleted one, with `deleted_at` set).
#[utoipa::path(
    tag = "indicator-values",
    params(("id" = String, Path, description = "Value id (UUID)", max_length = 64)),
    responses(
        (status = 200, description = "The value", body = IndicatorValue, headers(("ETag" = String, description = "Version"))),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{id}")]
pub async fn get_indicator_value(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let row = run_db(&state.pool, move |conn| {
        IndicatorValueRow::find(conn, &id)?.ok_or_else(|| ApiError::not_found("No such value."))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(KIND, &row.id, row.version)))
        .json(IndicatorValue::from(&row)))
}

/// Delete a value. It stays as a tombstone (listed with `include_deleted=true`) so dashboards that
/// sync learn of the deletion; sending it again in a batch records it anew. Honours `If-Match`.
/// 409 while the state's submission for a cycle covering the period is submitted or validated.
#[utoipa::path(
    tag = "indicator-values",
    params(("id" = String, Path, description = "Value id (UUID)", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; 412 when stale")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 409, response = crate::api::problems::Conflict),
        (status = 412, response = crate::api::problems::PreconditionFailed),
    )
)]
#[delete("/{id}")]
pub async fn delete_indicator_value(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let if_match = if_match(&req)?;
    run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let before = IndicatorValueRow::find(conn, &id)?
                .filter(|r| r.deleted_at.is_none())
                .ok_or_else(|| ApiError::not_found("No such value."))?;
            caller.require_write_state(&before.member_state)?;
            let year = before
                .period
                .get(..4)
                .and_then(|y| y.parse().ok())
                .unwrap_or(0);
            crate::locks::check_value(conn, &before.member_state, year)?;
            check_if_match(if_match.as_deref(), &etag(KIND, &before.id, before.version))?;
            let now = Timestamp::now().to_db();
            let after = IndicatorValueRow {
                version: before.version + 1,
                updated_at: now.clone(),
                deleted_at: Some(now),
                reported_by: caller.username.clone(),
                ..before.clone()
            };
            after.update(conn)?;
            AuditEventRow::record(
                conn,
                caller.actor(),
                "delete",
                KIND,
                &after.id,
                Some(&IndicatorValue::from(&before)),
                Some(&IndicatorValue::from(&after)),
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
