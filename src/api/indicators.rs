//! `/api/v1/dimensions` and `/api/v1/indicators`: the code lists and the indicator catalog.
//!
//! The catalog is seeded with a starter set: the OAS Table of Indicators (CSH/GT/RTP-3/14 add. 1)
//! that mandate 10 names is not available, so the starter indicators follow SDG indicator 16.2.2,
//! the UNODC Global Report on Trafficking in Persons data and the work plan's own guidelines.

use std::collections::HashSet;

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use diesel::QueryResult;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub use crate::domain::{GuidelineRef, Periodicity, ValueType};

use crate::api::http::idempotency::IdempotencyKey;
use crate::api::http::list::{ListParams, Listing, NoFilter};
use crate::api::http::precondition::IfMatch;
use crate::api::http::write;
use crate::auth::{Admin, Caller, With};
use crate::db::rows::Keyset;
use crate::db::text_enum::JsonText;
use crate::db::AnyConnection;
use crate::domain::contact;
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::models::indicator::{code_lists, dimension_rows, IndicatorRow};
use crate::models::work_plan::GuidelineRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

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

crate::record_routes! {
    tag = "indicators", view = Dimension;
    /// The dimensions and their code lists (`sector` uses the training audiences' codes).
    list list_dimensions("A page of dimensions, in their reporting order",
        Dimensions, NoFilter, |_: NoFilter, list: &ListParams| list.since());
}

/// The dimensions in their reporting order; the filter is `updated_since`.
pub struct Dimensions;

impl Listing for Dimensions {
    const KIND: &'static str = "dimensions";
    const CSV_NAME: &'static str = "dimensions.csv";
    const CSV_HEADERS: &'static [&'static str] = &["code", "codes", "updated_at"];
    type Filter = Option<Timestamp>;
    /// Code, position, updated_at and codes.
    type Row = (String, i32, Timestamp, Vec<String>);
    type Key = i32;
    type Item = Dimension;

    fn fetch(
        conn: &mut AnyConnection,
        since: &Option<Timestamp>,
        after: Option<&i32>,
        limit: i64,
    ) -> QueryResult<Vec<Self::Row>> {
        let mut lists = code_lists(conn)?;
        // A handful of seeded rows: filtered here rather than in SQL.
        Ok(dimension_rows(conn)?
            .into_iter()
            .filter(|(_, position, _)| after.is_none_or(|a| position > a))
            .filter(|(_, _, stamp)| since.is_none_or(|s| *stamp >= s))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(code, position, stamp)| {
                let codes = lists
                    .iter_mut()
                    .find(|(d, _)| d == &code)
                    .map(|(_, codes)| std::mem::take(codes))
                    .unwrap_or_default();
                (code, position, stamp, codes)
            })
            .collect())
    }
    fn key(row: &Self::Row) -> i32 {
        row.1
    }
    fn item((code, _, stamp, codes): Self::Row) -> Dimension {
        Dimension {
            code,
            codes,
            updated_at: stamp,
        }
    }
}

/// An indicator as served: the stored row.
pub type Indicator = IndicatorRow;

crate::secretariat_row!(
    IndicatorRow,
    "indicator",
    "indicators",
    Self,
    code,
    "/api/v1/indicators",
    exists(code)
);

fn exists(code: &str) -> ApiError {
    ApiError::conflict(format!("Indicator {code} exists; change it with PUT."))
}

crate::listing! {
    /// The catalog, ordered by code; the filter is `updated_since`.
    Indicators: IndicatorRow => Self, "indicator", "indicators.csv", [
        "code", "name", "description", "value_type", "unit", "periodicity", "dimensions",
        "guidelines", "references", "version", "created_at", "updated_at",
    ];
    fetch(conn, since: Option<Timestamp>, after: String, limit) =>
        IndicatorRow::list(conn, after.map(String::as_str), *since, limit);
    key(r) => r.code.clone();
}

crate::record_routes! {
    tag = "indicators", view = Indicator;
    /// The indicator catalog, ordered by code.
    list list_indicators("A page of indicators", Indicators,
        NoFilter, |_: NoFilter, list: &ListParams| list.since());
}

/// Get one indicator.
#[utoipa::path(
    tag = "indicators",
    params(("code" = String, Path, description = "Indicator code", example = "VICTIMS_DETECTED", max_length = 64)),
    responses(
        (status = 200, description = "The indicator", body = Indicator, headers(("ETag" = String, description = "Version"))),
    )
)]
#[get("/{code}")]
pub async fn get_indicator(
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    write::read::<IndicatorRow>(&state.pool, code.into_inner()).await
}

/// An indicator as written by an administrator.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
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
    let mut e = FieldErrors::default();
    if !(2..=64).contains(&code.len())
        || !code.starts_with(|c: char| c.is_ascii_uppercase())
        || !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        e.add(
            "/code",
            "must be upper-case letters, digits and '_' (2 to 64)",
        );
    }
    for (field, v, max) in [
        ("/name", &input.name, 300),
        ("/description", &input.description, 5000),
    ] {
        if let Err(m) = contact::text(v, max) {
            e.add(field, m);
        }
    }
    if let Some(u) = &input.unit {
        if let Err(m) = contact::text(u, 50) {
            e.add("/unit", m);
        }
    }
    let known: HashSet<String> = code_lists(conn)?.into_iter().map(|(d, _)| d).collect();
    let mut dims = Vec::new();
    for (i, d) in input.dimensions.iter().enumerate() {
        if !known.contains(d) {
            e.add(
                format!("/dimensions/{i}"),
                format!("{d:?} is not a dimension"),
            );
        } else if dims.contains(d) {
            e.add(format!("/dimensions/{i}"), "is repeated");
        } else {
            dims.push(d.clone());
        }
    }
    if input.guidelines.len() > 60 {
        e.add("/guidelines", "must have at most 60 guidelines");
    }
    for (i, g) in input.guidelines.iter().enumerate() {
        if g.work_plan.len() > 16 || GuidelineRow::find(conn, &g.work_plan, g.number)?.is_none() {
            e.add(
                format!("/guidelines/{i}"),
                format!("{}:{} is not a guideline", g.work_plan, g.number),
            );
        }
    }
    if input.references.len() > 20 {
        e.add("/references", "must have at most 20 references");
    }
    for (i, r) in input.references.iter().enumerate() {
        if let Err(m) = contact::text(r, 500) {
            e.add(format!("/references/{i}"), m);
        }
    }
    e.finish()?;
    let now = Timestamp::now();
    Ok(IndicatorRow {
        code: code.to_string(),
        name: input.name.clone(),
        description: input.description.clone(),
        value_type: input.value_type,
        unit: input.unit.clone(),
        periodicity: input.periodicity,
        dimensions: JsonText::new(dims),
        guidelines: JsonText::new(input.guidelines.clone()),
        reference_list: JsonText::new(input.references.clone()),
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

/// Add an indicator to the catalog (admin).
#[utoipa::path(
    tag = "indicators",
    params(IdempotencyKey),
    request_body(content = IndicatorInput, example = json!({"code": "PROSECUTIONS_COMPLETED", "name": "Prosecutions completed",
        "description": "Trafficking prosecutions concluded during the period.", "value_type": "count", "unit": "cases",
        "periodicity": "annual", "dimensions": ["form_of_exploitation"], "guidelines": [{"work_plan": "WP2", "number": 35}], "references": []})),
    responses(
        (status = 201, description = "Created", body = Indicator, headers(("Location" = String, description = "URL"))),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[post("")]
pub async fn create_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: With<Admin, IndicatorInput>,
) -> ApiResult<HttpResponse> {
    let With(admin, input) = body;
    write::create(
        &req,
        &state.pool,
        (*admin).clone(),
        input,
        move |conn, _, input| {
            let code = input
                .code
                .clone()
                .ok_or_else(|| ApiError::invalid("/code", "is required"))?;
            let row = build(conn, &code, input)?;
            if IndicatorRow::find(conn, &code)?.is_some() {
                return Err(exists(&code));
            }
            Ok(row)
        },
    )
    .await
}

/// Change an indicator (admin). Its value type and periodicity, and the dimensions it had, cannot
/// change once values are reported for it (409). Honours `If-Match`.
#[utoipa::path(
    tag = "indicators",
    params(("code" = String, Path, description = "Indicator code", example = "VICTIMS_DETECTED", max_length = 64), IfMatch),
    request_body = IndicatorInput,
    responses(
        (status = 200, description = "Updated", body = Indicator, headers(("ETag" = String, description = "Version"))),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[put("/{code}")]
pub async fn replace_indicator(
    state: web::Data<AppState>,
    code: web::Path<String>,
    precondition: IfMatch,
    body: With<Admin, IndicatorInput>,
) -> ApiResult<HttpResponse> {
    let With(admin, input) = body;
    let code = code.into_inner();
    write::update(
        &state.pool,
        (*admin).clone(),
        code.clone(),
        precondition,
        "update",
        move |conn, _, before: &IndicatorRow| {
            let after = build(conn, &code, &input)?;
            let shape_changed = after.value_type != before.value_type
                || after.periodicity != before.periodicity
                || before
                    .dimensions
                    .get()
                    .iter()
                    .any(|d| !after.dimensions.get().contains(d));
            if shape_changed && has_values(conn, &code)? {
                return Err(ApiError::conflict(
                    "Values are reported for this indicator: its value type, periodicity and dimensions cannot be narrowed. Create a new indicator instead.",
                ));
            }
            Ok(after)
        },
    )
    .await
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
