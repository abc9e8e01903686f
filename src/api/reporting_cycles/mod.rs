//! `/api/v1/reporting-cycles`: the biennial reporting cycles of mandate 10 and each member state's
//! submission in them, with its review workflow (submit, return, validate, reopen).

mod record;
mod transitions;
mod wire;

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub use crate::domain::{CycleStatus, SubmissionStatus};
pub use crate::reporting::completeness::{Completeness, MissingValue};
pub use crate::reporting::submissions::Submission;
pub use transitions::{
    reopen_submission, return_submission, submit_submission, validate_submission,
};
pub use wire::{
    CyclePath, NewReportingCycle, ReportingCycle, ReportingCyclePatch, SubmissionListParams,
    SubmissionPath, TransitionBody,
};

use crate::api::http::extract::QueryParams;
use crate::api::http::history::{self, HistoryEntry};
use crate::api::http::idempotency::IdempotencyKey;
use crate::api::http::language;
use crate::api::http::list::{updated_since, ListParams, NoFilter};
use crate::api::http::pagination::{Page, PageParams};
use crate::api::http::precondition::IfMatch;
use crate::api::http::run_db;
use crate::api::http::write::{self, Versioned};
use crate::auth::{Admin, Caller, With};
use crate::domain::contact;
use crate::error::{ApiError, ApiResult};
use crate::models::reporting_cycle::ReportingCycleRow;
use crate::models::work_plan::WorkPlanRow;
use crate::reporting::submissions::{submission_of, submissions_of};
use crate::reporting::{self};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_reporting_cycles)
        .service(create_reporting_cycle)
        .service(get_reporting_cycle)
        .service(update_reporting_cycle)
        .service(list_submissions)
        .service(get_submission)
        .service(submit_submission)
        .service(return_submission)
        .service(validate_submission)
        .service(reopen_submission)
        .service(list_submission_history)
        .service(crate::api::submission_validation::get_submission_validation);
}

crate::record_routes! {
    tag = "reporting-cycles", view = ReportingCycle;
    /// Reporting cycles, ordered by code.
    list list_reporting_cycles("A page of cycles", record::Cycles,
        NoFilter, |_: NoFilter, list: &ListParams| list.since());
}

/// Open a reporting cycle (admin).
#[utoipa::path(
    tag = "reporting-cycles",
    params(IdempotencyKey),
    request_body(content = NewReportingCycle, example = json!({"code": "2019-2020", "work_plan": "WP2", "period_from": 2019, "period_to": 2020, "due_date": "2021-03-31"})),
    responses(
        (status = 201, description = "Created", body = ReportingCycle, headers(("Location" = String, description = "URL"))),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[post("")]
pub async fn create_reporting_cycle(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: With<Admin, NewReportingCycle>,
) -> ApiResult<HttpResponse> {
    let With(admin, input) = body;
    let row = record::validate(&input)?;
    write::create(
        &req,
        &state.pool,
        (*admin).clone(),
        input,
        move |conn, _, _| {
            if WorkPlanRow::find(conn, &row.work_plan)?.is_none() {
                return Err(ApiError::invalid(
                    "/work_plan",
                    format!("{} is not a work plan", row.work_plan),
                ));
            }
            if ReportingCycleRow::find(conn, &row.code)?.is_some() {
                return Err(ApiError::conflict(format!(
                    "Reporting cycle {} exists.",
                    row.code
                )));
            }
            Ok(row.clone())
        },
    )
    .await
}

/// Get a reporting cycle.
#[utoipa::path(
    tag = "reporting-cycles",
    params(CyclePath),
    responses(
        (status = 200, description = "The cycle", body = ReportingCycle, headers(("ETag" = String, description = "Version"))),
    )
)]
#[get("/{code}")]
pub async fn get_reporting_cycle(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<CyclePath>,
) -> ApiResult<HttpResponse> {
    write::read::<ReportingCycleRow>(&state.pool, path.into_inner().code).await
}

/// Change a cycle's due date or close/reopen it (admin). A closed cycle takes no submissions.
#[utoipa::path(
    tag = "reporting-cycles",
    params(CyclePath, IfMatch),
    request_body(content = ReportingCyclePatch, example = json!({"status": "closed"})),
    responses(
        (status = 200, description = "Updated", body = ReportingCycle),
    )
)]
#[patch("/{code}")]
pub async fn update_reporting_cycle(
    state: web::Data<AppState>,
    path: web::Path<CyclePath>,
    precondition: IfMatch,
    body: With<Admin, ReportingCyclePatch>,
) -> ApiResult<HttpResponse> {
    let With(admin, patch) = body;
    if let Some(d) = &patch.due_date {
        contact::date(d).map_err(|m| ApiError::invalid("/due_date", m))?;
    }
    write::update(
        &state.pool,
        (*admin).clone(),
        path.into_inner().code,
        precondition,
        "update",
        move |_, _, before: &ReportingCycleRow| {
            let mut after = before.clone();
            if let Some(d) = patch.due_date.clone() {
                after.due_date = d;
            }
            if let Some(s) = patch.status {
                after.status = s;
            }
            Ok(after)
        },
    )
    .await
}

/// Every member state's submission in the cycle (all 35, by code) with its status and how complete
/// its indicator table is.
#[utoipa::path(
    tag = "reporting-cycles",
    params(CyclePath, SubmissionListParams,
        ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt")),
    responses(
        (status = 200, description = "The submissions", body = Page<Submission>),
    )
)]
#[get("/{code}/submissions")]
pub async fn list_submissions(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<CyclePath>,
    query: QueryParams<SubmissionListParams>,
) -> ApiResult<HttpResponse> {
    let lang = language::negotiate(&req);
    let code = path.into_inner().code;
    let since = updated_since(query.0.updated_since.as_deref())?;
    let items = run_db(&state.pool, move |conn| {
        let cycle = reporting::cycle(conn, &code)?;
        let mut items = submissions_of(conn, &cycle, lang)?;
        if let Some(since) = since {
            items.retain(|s| s.updated_at.unwrap_or(cycle.created_at) >= since);
        }
        Ok(items)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_LANGUAGE, lang))
        .json(Page {
            items,
            next_cursor: None,
        }))
}

/// One member state's submission in the cycle.
#[utoipa::path(
    tag = "reporting-cycles",
    params(SubmissionPath,
        ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt")),
    responses(
        (status = 200, description = "The submission", body = Submission),
    )
)]
#[get("/{code}/submissions/{member_state}")]
pub async fn get_submission(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<SubmissionPath>,
) -> ApiResult<HttpResponse> {
    let lang = language::negotiate(&req);
    let (code, ms) = path.into_inner().checked()?;
    let item = run_db(&state.pool, move |conn| {
        let cycle = reporting::cycle(conn, &code)?;
        submission_of(conn, &cycle, &ms, lang)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_LANGUAGE, lang))
        .json(item))
}

/// Every transition of a state's submission, oldest first, with who and when.
#[utoipa::path(
    tag = "reporting-cycles",
    params(SubmissionPath, PageParams),
    responses(
        (status = 200, description = "The history", body = Page<HistoryEntry>),
    )
)]
#[get("/{code}/submissions/{member_state}/history")]
pub async fn list_submission_history(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<SubmissionPath>,
    page: QueryParams<PageParams>,
) -> ApiResult<HttpResponse> {
    let (code, ms) = path.into_inner().checked()?;
    history::respond(
        &req,
        &state.pool,
        record::SubmissionRecord::KIND,
        format!("{code}/{ms}"),
        page.0,
        move |conn, _| reporting::cycle(conn, &code).map(drop),
    )
    .await
}
