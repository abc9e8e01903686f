//! `/api/v1/work-plans`: work plans with their aims, principles, sections, guidelines and mandates.

mod record;
mod wire;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub use record::{Guidelines, Mandates, PlanPart, WorkPlanRecord};
pub use wire::{
    Guideline, GuidelineListParams, Mandate, NewGuideline, NewMandate, NewWorkPlan, Section,
    WorkPlan, WorkPlanSummary,
};

use crate::api::http::extract::bounded;
use crate::api::http::idempotency::IdempotencyKey;
use crate::api::http::list::{self, ListParams, ListQuery, Listing, NoFilter};
use crate::api::http::pagination::Page;
use crate::api::http::run_db;
use crate::api::http::write::{self, Versioned};
use crate::auth::{Admin, Caller, With};
use crate::error::{ApiError, ApiResult};
use crate::models::work_plan::GuidelineRow;
use crate::state::AppState;

/// A whole work plan (all guidelines and mandates) comes in one request.
const WORK_PLAN_BODY_LIMIT: usize = 4 * 1024 * 1024;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_work_plans)
        .service(create_work_plan)
        .service(get_work_plan)
        .service(list_guidelines)
        .service(get_guideline)
        .service(list_mandates);
}

fn plan_path(code: &str) -> ApiResult<String> {
    if code.is_empty()
        || code.len() > 16
        || !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ApiError::invalid(
            "code",
            "must be a work-plan code such as WP2",
        ));
    }
    Ok(code.to_string())
}

fn number_path(raw: &str, what: &str) -> ApiResult<i32> {
    raw.parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::invalid("number", format!("must be a positive {what} number")))
}

/// The guidelines or mandates (list `L`) of plan `code`: the code, `section` and the list
/// parameters are checked first, then the plan (404) and the `section` (422).
async fn plan_part<L: Listing<Filter = PlanPart>>(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
    section: Option<String>,
    list: &ListParams,
) -> ApiResult<HttpResponse> {
    let code = plan_path(code)?;
    bounded("section", section.as_deref(), 32)?;
    let page = list.page();
    page.limit()?;
    page.after::<L::Key>(L::KIND)?;
    let since = list.since()?;
    let part = run_db(&state.pool, move |conn| {
        let plan = record::load(conn, &code)?;
        if let Some(s) = &section {
            if !plan.sections.iter().any(|r| &r.section_key == s) {
                return Err(ApiError::invalid(
                    "section",
                    format!("{code} has no section {s:?}"),
                ));
            }
        }
        let changed = since.is_none_or(|s| plan.plan.updated_at >= s);
        Ok(PlanPart {
            plan: code,
            section,
            changed,
        })
    })
    .await?;
    list::respond::<L>(req, &state.pool, part, list).await
}

crate::record_routes! {
    tag = "work-plans", view = WorkPlanSummary;
    /// List work plans, ordered by code.
    list list_work_plans("A page of work plans", record::Plans,
        NoFilter, |_: NoFilter, list: &ListParams| list.since());
}

/// Get a work plan with its aims, principles and sections.
#[utoipa::path(
    tag = "work-plans",
    params(("code" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16)),
    responses(
        (status = 200, description = "The work plan", body = WorkPlan, headers(("ETag" = String, description = "Current version"))),
    )
)]
#[get("/{code}")]
pub async fn get_work_plan(
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code = plan_path(&code)?;
    let plan = run_db(&state.pool, move |conn| record::load(conn, &code)).await?;
    Ok(write::respond(&plan))
}

/// List a work plan's guidelines, ordered by number. They are written with their plan: with
/// `updated_since`, all of them are listed when the plan changed since, or none.
#[utoipa::path(
    tag = "work-plans",
    params(("code" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16), GuidelineListParams, ListParams),
    responses(
        (status = 200, description = "A page of guidelines", body = Page<Guideline>),
    )
)]
#[get("/{code}/guidelines")]
pub async fn list_guidelines(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: ListQuery<GuidelineListParams>,
) -> ApiResult<HttpResponse> {
    plan_part::<Guidelines>(&req, &state, &code, query.filter.section, &query.list).await
}

/// Get one guideline.
#[utoipa::path(
    tag = "work-plans",
    params(("code" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16),
        ("number" = i32, Path, description = "Guideline number", example = 45, minimum = 1)),
    responses(
        (status = 200, description = "The guideline", body = Guideline),
    )
)]
#[get("/{code}/guidelines/{number}")]
pub async fn get_guideline(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (code, number) = path.into_inner();
    let code = plan_path(&code)?;
    let number = number_path(&number, "guideline")?;
    let row = run_db(&state.pool, move |conn| {
        GuidelineRow::find(conn, &code, number)?
            .ok_or_else(|| ApiError::not_found(format!("{code} has no guideline {number}.")))
    })
    .await?;
    Ok(HttpResponse::Ok().json(row))
}

/// List a work plan's mandates to the General Secretariat, ordered by number.
#[utoipa::path(
    tag = "work-plans",
    params(("code" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16), ListParams),
    responses(
        (status = 200, description = "A page of mandates", body = Page<Mandate>),
    )
)]
#[get("/{code}/mandates")]
pub async fn list_mandates(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: ListQuery<NoFilter>,
) -> ApiResult<HttpResponse> {
    plan_part::<Mandates>(&req, &state, &code, None, &query.list).await
}

/// Add a work plan with its sections, guidelines and mandates (admin), for plans to come.
#[utoipa::path(
    tag = "work-plans",
    params(IdempotencyKey),
    request_body(content = NewWorkPlan, example = json!({
        "code": "WP3", "title": "Third Work Plan against Trafficking in Persons in the Western Hemisphere",
        "period_start": "2021-01-01", "period_end": "2025-12-31",
        "aims": ["To promote interagency cooperation."], "principles": ["Respect for human dignity;"],
        "sections": [{"key": "general", "title": "General guidelines"}],
        "guidelines": [{"number": 1, "section": "general", "text": "Establish and strengthen legislation."}],
        "mandates": [{"number": 1, "text": "Develop training materials."}]
    })),
    responses(
        (status = 201, description = "Created", body = WorkPlan, headers(("Location" = String, description = "URL of the new plan"))),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[post("")]
pub async fn create_work_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: With<Admin, NewWorkPlan, WORK_PLAN_BODY_LIMIT>,
) -> ApiResult<HttpResponse> {
    let With(admin, new) = body;
    new.validate()?;
    write::create(
        &req,
        &state.pool,
        (*admin).clone(),
        new,
        move |conn, _, new| {
            if WorkPlanRecord::find(conn, &new.code)?.is_some() {
                return Err(record::exists(&new.code));
            }
            Ok(new.record())
        },
    )
    .await
}
