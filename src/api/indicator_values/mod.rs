//! `/api/v1/indicator-values`: values reported by member states; the batch import, filtered
//! reads (JSON pages or streamed CSV), and tombstoning deletes.

mod record;
mod wire;

use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub use record::{filter as value_filter, repeatable as repeatable_filters};
pub use wire::{Batch, IndicatorValue, ValueListParams};
use wire::{ImportParams, ImportProblem, ImportRejected, ImportSummary, Mode};

use crate::api::http::extract::{QueryParams, MAX_BODY_LIMIT};
use crate::api::http::list::{self, ListParams, ListQuery};
use crate::api::http::pagination::Page;
use crate::api::http::precondition::{IdPath, IfMatch};
use crate::api::http::run_db;
use crate::api::http::write;
use crate::auth::{Bearer, Caller, Owner, With, Writer};
use crate::db::pool::write_transaction;
use crate::error::{ApiError, ApiResult};
use crate::indicator_import::{
    self, Catalog, Counts, RowError, ValidRow, MAX_ERRORS_LISTED, MAX_VALUES,
};
use crate::models::indicator_value::IndicatorValueRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;
use record::Values;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(import_indicator_values)
        .service(list_indicator_values)
        .service(get_indicator_value)
        .service(delete_indicator_value);
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
        (status = 422, description = "Atomic batch with invalid rows (nothing written), or more than 10,000 values", body = ImportProblem, content_type = "application/problem+json"),
    )
)]
#[post("/batch")]
pub async fn import_indicator_values(
    state: web::Data<AppState>,
    query: QueryParams<ImportParams>,
    body: With<Writer, Batch, MAX_BODY_LIMIT>,
) -> ApiResult<HttpResponse> {
    let With(writer, Batch { values }) = body;
    let dry_run = query.0.dry_run.unwrap_or(false);
    let mode = query.0.mode.unwrap_or(Mode::Atomic);
    if values.len() > MAX_VALUES {
        return Err(ApiError::invalid(
            "/values",
            format!("has {} values; at most {MAX_VALUES} per batch: split the table into several requests", values.len()),
        ));
    }
    // Scope first: a batch touching another state's data is refused as a whole.
    if !writer.is_admin() {
        let mut seen = HashSet::new();
        for raw in &values {
            if let Some(ms) = indicator_import::row_state(raw, writer.own_state()) {
                if seen.insert(ms) {
                    writer.scope(Owner::State(ms))?;
                }
            }
        }
    }
    let summary = run_db(&state.pool, move |conn| {
        // Validation reads only the catalog: it runs before the write transaction, which holds
        // SQLite's write lock only for the lock check and the upserts.
        let catalog = Catalog::load(conn)?;
        let received = values.len();
        let mut errors: Vec<RowError> = Vec::new();
        let mut valid: Vec<ValidRow> = Vec::with_capacity(received);
        let mut rejected = 0;
        for (i, raw) in values.iter().enumerate() {
            match indicator_import::validate(i, raw, &catalog, writer.own_state()) {
                Ok(row) => valid.push(row),
                Err(mut e) => {
                    rejected += 1;
                    errors.append(&mut e);
                }
            }
        }
        drop(values);
        let valid = indicator_import::reject_repeated_keys(valid, &mut errors, &mut rejected);
        let (counts, locked, warnings) = write_transaction(conn, |conn| {
            // Rows of a locked (submitted or validated) state and year are rejected.
            let locks = crate::locks::ValueLocks::load(
                conn,
                valid.iter().map(|r| r.member_state.as_str()),
            )?;
            let locked: Vec<RowError> = valid
                .iter()
                .filter_map(|r| {
                    let cycle = locks.locking(&r.member_state, r.year())?;
                    Some(RowError {
                        index: r.index,
                        field: "period".into(),
                        code: "locked".into(),
                        message: crate::locks::value_message(&r.member_state, r.year(), cycle),
                    })
                })
                .collect();
            let refuse = mode == Mode::Atomic && (rejected > 0 || !locked.is_empty());
            let open: Vec<ValidRow>;
            let rows = if locked.is_empty() {
                &valid
            } else {
                open = valid
                    .iter()
                    .filter(|r| locks.locking(&r.member_state, r.year()).is_none())
                    .cloned()
                    .collect();
                &open
            };
            let counts = indicator_import::apply(conn, &writer, rows, dry_run || refuse)?;
            let warnings = crate::quality::checks::after_import(conn, &catalog, rows)?;
            Ok::<_, ApiError>((counts, locked, warnings))
        })?;
        if counts.created > 0 {
            crate::db::statistics::refresh(conn)?;
        }
        rejected += locked.len();
        errors.extend(locked);
        errors.sort_by_key(|e| e.index);
        let errors_total = errors.len();
        errors.truncate(MAX_ERRORS_LISTED);
        let Counts {
            created,
            updated,
            unchanged,
        } = counts;
        let refuse = mode == Mode::Atomic && rejected > 0;
        Ok(ImportSummary {
            received,
            created,
            updated,
            unchanged,
            rejected,
            written: !dry_run && !refuse && (created + updated) > 0,
            dry_run,
            mode,
            errors,
            errors_total,
            warnings,
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

/// List values in natural-key order (indicator, member state, period, disaggregation): a stable
/// keyset order for dashboards that page or sync. `Accept: text/csv` or `format=csv` streams them all.
#[utoipa::path(
    tag = "indicator-values",
    params(ValueListParams, ListParams),
    responses((status = 200, description = "A page of values (JSON) or all of them (CSV)",
        content((Page<IndicatorValue> = "application/json"), (String = "text/csv")),
        headers(("Link" = String, description = "Next page, when there is one"))))
)]
#[get("")]
pub async fn list_indicator_values(
    req: HttpRequest,
    who: Bearer,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let (ListQuery { filter, list }, repeated) =
        ListQuery::<ValueListParams>::parse(req.query_string(), &record::repeatable())?;
    let filter = record::filter(filter, &repeated, &list)?;
    list::respond_signed_in::<Values>(&req, &state.pool, who, filter, &list).await
}

/// Get one value (also a deleted one, with `deleted_at` set).
#[utoipa::path(
    tag = "indicator-values",
    params(IdPath),
    responses(
        (status = 200, description = "The value", body = IndicatorValue, headers(("ETag" = String, description = "Version"))),
    )
)]
#[get("/{id}")]
pub async fn get_indicator_value(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner().id;
    let row = run_db(&state.pool, move |conn| {
        IndicatorValueRow::find(conn, &id)?.ok_or_else(|| ApiError::not_found("No such value."))
    })
    .await?;
    Ok(write::respond(&row))
}

/// Delete a value. It stays as a tombstone (listed with `include_deleted=true`) so dashboards that
/// sync learn of the deletion; sending it again in a batch records it anew. Honours `If-Match`.
/// 409 while the state's submission for a cycle covering the period is submitted or validated.
#[utoipa::path(
    tag = "indicator-values",
    params(IdPath, IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[delete("/{id}")]
pub async fn delete_indicator_value(
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
    precondition: IfMatch,
    writer: Writer,
) -> ApiResult<HttpResponse> {
    write::change(
        &state.pool,
        writer,
        path.into_inner().id,
        precondition,
        "delete",
        |conn, scope, before: &IndicatorValueRow| {
            let year = indicator_import::year_of(&before.period);
            crate::locks::check_value(conn, &before.member_state, year)?;
            Ok(IndicatorValueRow {
                deleted_at: Some(Timestamp::now().to_db()),
                reported_by: scope.writer().caller().username.clone(),
                ..before.clone()
            })
        },
    )
    .await
    .map(write::no_content)
}
