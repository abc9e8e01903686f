//! `/api/v1/dimensions` and `/api/v1/indicators`: the code lists and the indicator catalog.
//!
//! The catalog is seeded with a starter set: the OAS Table of Indicators (CSH/GT/RTP-3/14 add. 1)
//! that mandate 10 names is not available, so the starter indicators follow SDG indicator 16.2.2,
//! the UNODC Global Report on Trafficking in Persons data and the work plan's own guidelines.

use std::collections::HashSet;

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::extract::{JsonBody, QueryParams};
use crate::api::http::list::ListParams;
use crate::api::http::pagination::Page;
use crate::api::http::run_db;
use crate::api::{check_if_match, etag, if_match};
use crate::auth::Caller;
use crate::db::{self, pool::write_transaction, AnyConnection};
use crate::domain::contact;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::models::audit_event::{Actor, AuditEventRow};
use crate::models::indicator::{code_lists, dimension_rows, IndicatorRow};
use crate::models::work_plan::GuidelineRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

const KIND: &str = "indicator";

pub fn configure_dimensions(cfg: &mut ServiceConfig) {
    cfg.service(list_dimensions);
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_indicators)
        .service(create_indicator)
        .service(get_indicator)
        .service(replace_indicator);
}

/// A dimension values can be broken down by, with its code list.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "age_group", "codes": ["child", "adult", "unknown"], "updated_at": "2026-11-22T00:00:00.000000Z"}))]
pub struct Dimension {
    pub code: String,
    pub codes: Vec<String>,
    /// When the code list last changed (it changes only by migration).
    pub updated_at: Timestamp,
}

/// The dimensions and their code lists (`sector` uses the training audiences' codes).
#[utoipa::path(tag = "indicators", params(ListParams), responses((status = 200, description = "A page of dimensions, in their reporting order", body = Page<Dimension>)))]
#[get("")]
pub async fn list_dimensions(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<ListParams>,
) -> ApiResult<HttpResponse> {
    let page = query.0.page();
    let limit = page.limit()?;
    let after: Option<i32> = page.after("dimensions")?;
    let since = query.0.since()?;
    let (rows, mut lists) = run_db(&state.pool, |conn| {
        Ok((dimension_rows(conn)?, code_lists(conn)?))
    })
    .await?;
    // A handful of seeded rows: filtered here rather than in SQL.
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|(_, position, _)| after.is_none_or(|a| *position > a))
        .filter(|(_, _, stamp)| since.as_ref().is_none_or(|s| stamp >= s))
        .collect();
    Ok(Page::from_rows(
        rows,
        limit,
        "dimensions",
        |(_, position, _)| *position,
        |(code, _, stamp)| Dimension {
            codes: lists
                .iter_mut()
                .find(|(d, _)| d == &code)
                .map(|(_, codes)| std::mem::take(codes))
                .unwrap_or_default(),
            code,
            updated_at: Timestamp::from_db(&stamp),
        },
    )
    .respond(&req))
}

/// What kind of value an indicator takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// Non-negative integer.
    Count,
    Number,
    /// 0 to 100.
    Percent,
    Boolean,
    /// Up to 2000 characters.
    Text,
}

/// How often values are reported (the period form: `2019`, `2019-Q1`, `2019-03`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Periodicity {
    Annual,
    Quarterly,
    Monthly,
}

/// A guideline of a work plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuidelineRef {
    #[schema(example = "WP2", max_length = 16)]
    pub work_plan: String,
    #[schema(example = 45, minimum = 1)]
    pub number: i32,
}

/// An indicator of the catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct Indicator {
    #[schema(example = "VICTIMS_DETECTED")]
    pub code: String,
    #[schema(example = "Victims of trafficking in persons detected")]
    pub name: String,
    pub description: String,
    pub value_type: ValueType,
    #[schema(example = "persons")]
    pub unit: Option<String>,
    pub periodicity: Periodicity,
    /// Dimensions values may be broken down by.
    #[schema(example = json!(["sex", "age_group"]))]
    pub dimensions: Vec<String>,
    /// Guidelines the indicator measures.
    pub guidelines: Vec<GuidelineRef>,
    /// Where the definition comes from.
    #[schema(example = json!(["SDG 16.2.2 (series VC_HTF_DETV)"]))]
    pub references: Vec<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&IndicatorRow> for Indicator {
    fn from(r: &IndicatorRow) -> Self {
        Indicator {
            code: r.code.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            value_type: serde_json::from_value(serde_json::Value::String(r.value_type.clone()))
                .unwrap_or(ValueType::Number),
            unit: r.unit.clone(),
            periodicity: serde_json::from_value(serde_json::Value::String(r.periodicity.clone()))
                .unwrap_or(Periodicity::Annual),
            dimensions: r.dimension_list(),
            guidelines: serde_json::from_str(&r.guidelines).unwrap_or_default(),
            references: serde_json::from_str(&r.reference_list).unwrap_or_default(),
            version: r.version,
            created_at: Timestamp::from_db(&r.created_at),
            updated_at: Timestamp::from_db(&r.updated_at),
        }
    }
}

/// The indicator catalog, ordered by code.
#[utoipa::path(tag = "indicators", params(ListParams), responses((status = 200, description = "A page of indicators", body = Page<Indicator>)))]
#[get("")]
pub async fn list_indicators(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<ListParams>,
) -> ApiResult<HttpResponse> {
    let page = query.0.page();
    let limit = page.limit()?;
    let after: Option<String> = page.after(KIND)?;
    let since = query.0.since()?;
    let rows = run_db(&state.pool, move |conn| {
        Ok(IndicatorRow::list(
            conn,
            after.as_deref(),
            since.as_deref(),
            limit + 1,
        )?)
    })
    .await?;
    Ok(Page::from_rows(
        rows,
        limit,
        KIND,
        |r| r.code.clone(),
        |r| Indicator::from(&r),
    )
    .respond(&req))
}

/// Get one indicator.
#[utoipa::path(
    tag = "indicators",
    params(("code" = String, Path, description = "Indicator code", example = "VICTIMS_DETECTED", max_length = 64)),
    responses(
        (status = 200, description = "The indicator", body = Indicator, headers(("ETag" = String, description = "Version"))),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{code}")]
pub async fn get_indicator(
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code = code.into_inner();
    let row = run_db(&state.pool, move |conn| {
        IndicatorRow::find(conn, &code)?
            .ok_or_else(|| ApiError::not_found(format!("No indicator {code}.")))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(KIND, &row.code, row.version)))
        .json(Indicator::from(&row)))
}

/// An indicator as written by an administrator.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    /// Upper-case letters, digits and `_` (ignored by PUT, which takes it from the path).
    #[schema(example = "PROSECUTIONS_COMPLETED", pattern = "^[A-Z][A-Z0-9_]{1,63}$")]
    pub code: Option<String>,
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    #[schema(min_length = 1, max_length = 5000)]
    pub description: String,
    pub value_type: ValueType,
    #[schema(max_length = 50)]
    pub unit: Option<String>,
    pub periodicity: Periodicity,
    #[serde(default)]
    #[schema(max_items = 5)]
    pub dimensions: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 60)]
    pub guidelines: Vec<GuidelineRef>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub references: Vec<String>,
}

fn build(conn: &mut AnyConnection, code: &str, input: &IndicatorInput) -> ApiResult<IndicatorRow> {
    let mut e = Vec::new();
    if !(2..=64).contains(&code.len())
        || !code.starts_with(|c: char| c.is_ascii_uppercase())
        || !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        e.push(FieldError::new(
            "/code",
            "must be upper-case letters, digits and '_' (2 to 64)",
        ));
    }
    for (field, v, max) in [
        ("/name", &input.name, 300),
        ("/description", &input.description, 5000),
    ] {
        if let Err(m) = contact::text(v, max) {
            e.push(FieldError::new(field, m));
        }
    }
    if let Some(u) = &input.unit {
        if let Err(m) = contact::text(u, 50) {
            e.push(FieldError::new("/unit", m));
        }
    }
    let known: HashSet<String> = code_lists(conn)?.into_iter().map(|(d, _)| d).collect();
    let mut dims = Vec::new();
    for (i, d) in input.dimensions.iter().enumerate() {
        if !known.contains(d) {
            e.push(FieldError::new(
                format!("/dimensions/{i}"),
                format!("{d:?} is not a dimension"),
            ));
        } else if dims.contains(d) {
            e.push(FieldError::new(format!("/dimensions/{i}"), "is repeated"));
        } else {
            dims.push(d.clone());
        }
    }
    if input.guidelines.len() > 60 {
        e.push(FieldError::new(
            "/guidelines",
            "must have at most 60 guidelines",
        ));
    }
    for (i, g) in input.guidelines.iter().enumerate() {
        if g.work_plan.len() > 16 || GuidelineRow::find(conn, &g.work_plan, g.number)?.is_none() {
            e.push(FieldError::new(
                format!("/guidelines/{i}"),
                format!("{}:{} is not a guideline", g.work_plan, g.number),
            ));
        }
    }
    if input.references.len() > 20 {
        e.push(FieldError::new(
            "/references",
            "must have at most 20 references",
        ));
    }
    for (i, r) in input.references.iter().enumerate() {
        if let Err(m) = contact::text(r, 500) {
            e.push(FieldError::new(format!("/references/{i}"), m));
        }
    }
    if !e.is_empty() {
        return Err(ApiError::validation(e));
    }
    let now = Timestamp::now().to_db();
    Ok(IndicatorRow {
        code: code.to_string(),
        name: input.name.clone(),
        description: input.description.clone(),
        value_type: snake(&input.value_type),
        unit: input.unit.clone(),
        periodicity: snake(&input.periodicity),
        dimensions: serde_json::to_string(&dims).unwrap_or_else(|_| "[]".into()),
        guidelines: serde_json::to_string(&input.guidelines).unwrap_or_else(|_| "[]".into()),
        reference_list: serde_json::to_string(&input.references).unwrap_or_else(|_| "[]".into()),
        version: 1,
        created_at: now.clone(),
        updated_at: now,
    })
}

/// The snake_case name of a unit enum variant.
fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Add an indicator to the catalog (admin).
#[utoipa::path(
    tag = "indicators",
    request_body(content = IndicatorInput, example = json!({"code": "PROSECUTIONS_COMPLETED", "name": "Prosecutions completed",
        "description": "Trafficking prosecutions concluded during the period.", "value_type": "count", "unit": "cases",
        "periodicity": "annual", "dimensions": ["form_of_exploitation"], "guidelines": [{"work_plan": "WP2", "number": 35}], "references": []})),
    responses(
        (status = 201, description = "Created", body = Indicator, headers(("Location" = String, description = "URL"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[post("")]
pub async fn create_indicator(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<IndicatorInput>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let input = body.0;
    let row = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let code = input
                .code
                .clone()
                .ok_or_else(|| ApiError::invalid("/code", "is required"))?;
            let row = build(conn, &code, &input)?;
            if IndicatorRow::find(conn, &code)?.is_some() {
                return Err(ApiError::conflict(format!(
                    "Indicator {code} exists; change it with PUT."
                )));
            }
            row.insert(conn)?;
            AuditEventRow::record(
                conn,
                caller.actor(),
                "create",
                KIND,
                &row.code,
                None::<&()>,
                Some(&Indicator::from(&row)),
            )?;
            Ok(row)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/indicators/{}", row.code)))
        .insert_header((header::ETAG, etag(KIND, &row.code, row.version)))
        .json(Indicator::from(&row)))
}

/// Change an indicator (admin). Its value type and periodicity, and the dimensions it had, cannot
/// change once values are reported for it (409). Honours `If-Match`.
#[utoipa::path(
    tag = "indicators",
    params(("code" = String, Path, description = "Indicator code", example = "VICTIMS_DETECTED", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; 412 when stale")),
    request_body = IndicatorInput,
    responses(
        (status = 200, description = "Updated", body = Indicator, headers(("ETag" = String, description = "Version"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 409, response = crate::api::problems::Conflict),
        (status = 412, response = crate::api::problems::PreconditionFailed),
    )
)]
#[put("/{code}")]
pub async fn replace_indicator(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
    body: JsonBody<IndicatorInput>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let code = code.into_inner();
    let input = body.0;
    let if_match = if_match(&req)?;
    let row = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let before = IndicatorRow::find(conn, &code)?.ok_or_else(|| ApiError::not_found(format!("No indicator {code}.")))?;
            check_if_match(if_match.as_deref(), &etag(KIND, &before.code, before.version))?;
            let mut after = build(conn, &code, &input)?;
            after.version = before.version;
            after.created_at = before.created_at.clone();
            after.updated_at = before.updated_at.clone();
            if after == before {
                return Ok(before);
            }
            let shape_changed = after.value_type != before.value_type
                || after.periodicity != before.periodicity
                || before.dimension_list().iter().any(|d| !after.dimension_list().contains(d));
            if shape_changed && has_values(conn, &code)? {
                return Err(ApiError::conflict(
                    "Values are reported for this indicator: its value type, periodicity and dimensions cannot be narrowed. Create a new indicator instead.",
                ));
            }
            after.version = before.version + 1;
            after.updated_at = Timestamp::now().to_db();
            if !after.update(conn, before.version)? {
                return Err(ApiError::precondition_failed("The indicator changed concurrently; reload it and retry."));
            }
            AuditEventRow::record(conn, caller.actor(), "update", KIND, &after.code, Some(&Indicator::from(&before)), Some(&Indicator::from(&after)))?;
            Ok(after)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(KIND, &row.code, row.version)))
        .json(Indicator::from(&row)))
}

fn has_values(conn: &mut AnyConnection, code: &str) -> ApiResult<bool> {
    use crate::models::indicator_value::{Filter, IndicatorValueRow};
    let f = Filter {
        indicator: Some(code.to_string()),
        include_deleted: true,
        ..Default::default()
    };
    Ok(!IndicatorValueRow::list(conn, &f, None, 1)?.is_empty())
}
