//! `/api/v1/indicator-values`: values reported by member states; the batch import, filtered
//! reads (JSON pages or streamed CSV), and tombstoning deletes.

mod batch;
mod record;
pub mod sdmx;
mod wire;

use std::collections::HashSet;

use actix_web::{delete, get, post, web, FromRequest, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub use record::{filter as value_filter, repeatable as repeatable_filters};
pub use wire::{Batch, IndicatorValue, ValueListParams};
use wire::{ImportParams, ImportProblem, ImportSummary};

use crate::api::http::extract::{QueryParams, MAX_BODY_LIMIT};
use crate::api::http::list::{self, ListParams, ListQuery};
use crate::api::http::pagination::Page;
use crate::api::http::precondition::{IdPath, IfMatch, IfNoneMatch, NotModified};
use crate::api::http::run_db;
use crate::api::http::write;
use crate::auth::{Bearer, Caller, Owner, With, Writer};
use crate::error::{ApiError, ApiResult};
use crate::indicator_import::{self, Catalog, Checked, MAX_VALUES};
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
///
/// The body may also be SDMX-CSV 2.0 (`Content-Type: application/vnd.sdmx.data+csv;
/// version=2.0.0`), the dataflow `OAS:DF_TIP(1.0)` of `GET /api/v1/sdmx/structure`: a header
/// row naming its columns in any order (`STRUCTURE`, `STRUCTURE_ID`, `REF_AREA`, `INDICATOR` and
/// `TIME_PERIOD` required; an unknown or missing column is one 422 naming it), the separator the
/// character after `STRUCTURE` (or after its `[...]` term; a comma otherwise), then one value a
/// line, up to the body limit rather than 10,000. `index` is the 0-based data line and `field`
/// its column. `ACTION` `I`, `A`, `M`, `R` (or empty) upsert the whole value; `D` deletes it (a
/// tombstone; a line with content for a key never stored records the tombstone, so an export
/// with `include_deleted=true` imports to the same state). `REF_AREA` is alpha-3 or M49; a
/// dimension `_T` or empty is not broken down; `OBS_STATUS`/`CONF_STATUS` give the flag: `A,F`
/// none, `P,F` provisional, `E,F` estimated, `A,C` confidential, `A,A` below threshold.
#[utoipa::path(
    tag = "indicator-values",
    params(ImportParams),
    request_body(content(
        (Batch = "application/json", example = json!({"values": [
            {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2019", "disaggregation": {"sex": "female", "age_group": "child"}, "value": 42, "source": "Ministerio Público Fiscal"},
            {"member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": "2019", "disaggregation": {}, "value": 310},
            {"member_state": "ARG", "indicator": "NATIONAL_ACTION_PLAN", "period": "2019", "value": true}
        ]})),
        (sdmx::SdmxCsv = "application/vnd.sdmx.data+csv; version=2.0.0", example = json!(
            "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,INDICATOR,TIME_PERIOD,SEX,AGE_GROUP,FORM_OF_EXPLOITATION,CITIZENSHIP,SECTOR,OBS_VALUE,OBS_STATUS,CONF_STATUS,COMMENT,SOURCE\r\ndataflow,OAS:DF_TIP(1.0),I,ARG,VICTIMS_DETECTED,2019,female,child,_T,_T,_T,42,A,F,,Ministerio Público Fiscal\r\ndataflow,OAS:DF_TIP(1.0),I,ARG,VICTIMS_DETECTED,2019,_T,_T,_T,_T,_T,310,P,F,,\r\n"
        ))
    )),
    responses(
        (status = 200, description = "Applied (or, for a dry run, checked)", body = ImportSummary),
        (status = 422, description = "Atomic batch with invalid rows (nothing written), or more than 10,000 values", body = ImportProblem, content_type = "application/problem+json"),
    )
)]
#[post("/batch")]
pub async fn import_indicator_values(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    query: QueryParams<ImportParams>,
) -> ApiResult<HttpResponse> {
    let options = batch::Options::of(&query.0);
    let mut payload = payload.into_inner();
    if sdmx::is_body(&req) {
        return sdmx::import(&req, payload, &state, options).await;
    }
    let With(writer, Batch { values }) =
        With::<Writer, Batch, MAX_BODY_LIMIT>::from_request(&req, &mut payload).await?;
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
        let mut checked = Checked {
            received: values.len(),
            valid: Vec::with_capacity(values.len()),
            ..Checked::default()
        };
        for (i, raw) in values.iter().enumerate() {
            match indicator_import::validate(i, raw, &catalog, writer.own_state()) {
                Ok(row) => checked.valid.push(row),
                Err(mut e) => {
                    checked.rejected += 1;
                    checked.errors.append(&mut e);
                }
            }
        }
        drop(values);
        batch::import(conn, &writer, &catalog, checked, options, str::to_string)
    })
    .await?;
    batch::answer(summary)
}

/// List values in natural-key order (indicator, member state, period, disaggregation): a stable
/// keyset order for dashboards that page or sync. `Accept: text/csv` or `format=csv` streams them all.
///
/// `Accept: application/vnd.sdmx.data+csv; version=2.0.0` or `format=sdmx-csv` streams them all
/// as SDMX-CSV 2.0 (dataflow `OAS:DF_TIP(1.0)`, see `GET /api/v1/sdmx/structure`), with every
/// filter: columns `STRUCTURE`, `STRUCTURE_ID`, `ACTION` (`I`; `D` for the tombstones of
/// `include_deleted=true`), `REF_AREA` (alpha-3, or M49 with `ref_area=m49`), `INDICATOR`,
/// `TIME_PERIOD`, `SEX`, `AGE_GROUP`, `FORM_OF_EXPLOITATION`, `CITIZENSHIP`, `SECTOR` (`_T` where
/// the value is not broken down by the dimension), `OBS_VALUE`, `OBS_STATUS` (`A` normal, `P`
/// provisional, `E` estimated), `CONF_STATUS` (`F` free, `C` confidential, `A` below threshold:
/// SDMX's primary confidentiality due to small counts), `COMMENT`, `SOURCE`; empty is missing.
/// The batch import reads the same file back.
#[utoipa::path(
    tag = "indicator-values",
    params(ValueListParams, ListParams, IfNoneMatch),
    responses((status = 200, description = "A page of values (JSON) or all of them (CSV, SDMX-CSV)",
        content((Page<IndicatorValue> = "application/json"), (String = "text/csv"),
            (sdmx::SdmxCsv = "application/vnd.sdmx.data+csv; version=2.0.0", example = json!(
                "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,INDICATOR,TIME_PERIOD,SEX,AGE_GROUP,FORM_OF_EXPLOITATION,CITIZENSHIP,SECTOR,OBS_VALUE,OBS_STATUS,CONF_STATUS,COMMENT,SOURCE\r\ndataflow,OAS:DF_TIP(1.0),I,ARG,VICTIMS_DETECTED,2019,female,child,_T,_T,_T,42,A,F,,Ministerio Público Fiscal\r\n"
            ))),
        headers(("Link" = String, description = "Next page, when there is one"),
            ("ETag" = String, description = "Of a JSON page: the change feed's position it was read at"))),
        (status = 304, response = NotModified))
)]
#[get("")]
pub async fn list_indicator_values(
    req: HttpRequest,
    who: Bearer,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let (ListQuery { filter, list }, repeated) =
        ListQuery::<ValueListParams>::parse(req.query_string(), &record::repeatable())?;
    let ref_area = filter.ref_area.unwrap_or_default();
    let filter = record::filter(filter, &repeated, &list)?;
    if sdmx::wanted(&req, &list) {
        run_db(&state.pool, move |conn| who.caller(conn)).await?;
        return sdmx::export(&state.pool, filter, ref_area).await;
    }
    list::respond_kept::<Values>(&req, &state.pool, &state.pages, who, filter, &list).await
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
                deleted_at: Some(Timestamp::now()),
                reported_by: scope.writer().caller().username.clone(),
                ..before.clone()
            })
        },
    )
    .await
    .map(write::no_content)
}
