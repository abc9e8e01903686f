//! `/api/v1/work-plans`: work plans with their aims, principles, sections, guidelines and mandates.

use std::collections::HashSet;

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::etag;
use crate::api::http::extract::{bounded, JsonBody, QueryParams};
use crate::api::http::list::{ListParams, ListQuery};
use crate::api::http::pagination::Page;
use crate::api::http::run_db;
use crate::auth::Caller;
use crate::db::{self, pool::write_transaction};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::models::audit_event::{Actor, AuditEventRow};
use crate::models::work_plan::{GuidelineRow, MandateRow, SectionRow, WorkPlanRow};
use crate::state::AppState;
use crate::timestamp::Timestamp;

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

/// A work plan in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkPlanSummary {
    #[schema(example = "WP2")]
    pub code: String,
    #[schema(
        example = "Second Work Plan against Trafficking in Persons in the Western Hemisphere"
    )]
    pub title: String,
    #[schema(example = "2015-01-01", format = Date)]
    pub period_start: String,
    #[schema(example = "2020-12-31", format = Date)]
    pub period_end: String,
    pub version: i32,
    pub updated_at: Timestamp,
}

/// A section of a work plan, grouping guidelines.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Key used by `?section=` and by guidelines.
    #[schema(example = "prevention", pattern = "^[a-z][a-z0-9_]{0,31}$")]
    pub key: String,
    #[schema(example = "Guidelines on prevention", min_length = 1, max_length = 500)]
    pub title: String,
}

/// A work plan with its aims, principles and sections.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkPlan {
    #[schema(example = "WP2")]
    pub code: String,
    #[schema(
        example = "Second Work Plan against Trafficking in Persons in the Western Hemisphere"
    )]
    pub title: String,
    #[schema(example = "2015-01-01", format = Date)]
    pub period_start: String,
    #[schema(example = "2020-12-31", format = Date)]
    pub period_end: String,
    pub note: Option<String>,
    pub aims: Vec<String>,
    pub principles: Vec<String>,
    pub sections: Vec<Section>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A guideline of a work plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct Guideline {
    #[schema(example = "WP2")]
    pub work_plan: String,
    #[schema(example = 45)]
    pub number: i32,
    #[schema(example = "protection")]
    pub section: String,
    pub text: String,
}

/// A mandate to the OAS General Secretariat.
#[derive(Debug, Serialize, ToSchema)]
pub struct Mandate {
    #[schema(example = "WP2")]
    pub work_plan: String,
    #[schema(example = 10)]
    pub number: i32,
    pub text: String,
}

impl From<GuidelineRow> for Guideline {
    fn from(r: GuidelineRow) -> Self {
        Guideline {
            work_plan: r.work_plan,
            number: r.number,
            section: r.section,
            text: r.text,
        }
    }
}

impl From<MandateRow> for Mandate {
    fn from(r: MandateRow) -> Self {
        Mandate {
            work_plan: r.work_plan,
            number: r.number,
            text: r.text,
        }
    }
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn full(plan: WorkPlanRow, sections: Vec<SectionRow>) -> WorkPlan {
    WorkPlan {
        aims: json_list(&plan.aims),
        principles: json_list(&plan.principles),
        sections: sections
            .into_iter()
            .map(|s| Section {
                key: s.section_key,
                title: s.title,
            })
            .collect(),
        created_at: Timestamp::from_db(&plan.created_at),
        updated_at: Timestamp::from_db(&plan.updated_at),
        code: plan.code,
        title: plan.title,
        period_start: plan.period_start,
        period_end: plan.period_end,
        note: plan.note,
        version: plan.version,
    }
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

/// Whether the plan's guidelines and mandates (written only with the plan) changed at or after
/// `since`; 404 when there is no such plan.
async fn plan_changed_since(
    state: &AppState,
    code: &str,
    since: Option<String>,
) -> ApiResult<bool> {
    let c = code.to_string();
    let updated_at = run_db(&state.pool, move |conn| {
        Ok(WorkPlanRow::find(conn, &c)?.map(|p| p.updated_at))
    })
    .await?
    .ok_or_else(|| ApiError::not_found(format!("No work plan with code {code}.")))?;
    Ok(since.is_none_or(|s| updated_at >= s))
}

/// List work plans, ordered by code.
#[utoipa::path(tag = "work-plans", params(ListParams), responses((status = 200, description = "A page of work plans", body = Page<WorkPlanSummary>)))]
#[get("")]
pub async fn list_work_plans(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<ListParams>,
) -> ApiResult<HttpResponse> {
    let page = query.0.page();
    let limit = page.limit()?;
    let after: Option<String> = page.after("work_plans")?;
    let since = query.0.since()?;
    let rows = run_db(&state.pool, move |conn| {
        Ok(WorkPlanRow::list(
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
        "work_plans",
        |r| r.code.clone(),
        |r| WorkPlanSummary {
            updated_at: Timestamp::from_db(&r.updated_at),
            code: r.code,
            title: r.title,
            period_start: r.period_start,
            period_end: r.period_end,
            version: r.version,
        },
    )
    .respond(&req))
}

/// Get a work plan with its aims, principles and sections.
#[utoipa::path(
    tag = "work-plans",
    params(("code" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16)),
    responses(
        (status = 200, description = "The work plan", body = WorkPlan, headers(("ETag" = String, description = "Current version"))),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{code}")]
pub async fn get_work_plan(
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code = plan_path(&code)?;
    let shown = code.clone();
    let (plan, sections) = run_db(&state.pool, move |conn| {
        let plan = WorkPlanRow::find(conn, &code)?
            .ok_or_else(|| ApiError::not_found(format!("No work plan with code {shown}.")))?;
        let sections = SectionRow::for_plan(conn, &code)?;
        Ok((plan, sections))
    })
    .await?;
    let tag = etag("work-plan", &plan.code, plan.version);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(full(plan, sections)))
}

/// Filters of the guideline list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GuidelineListParams {
    /// Only guidelines of this section (see the plan's `sections`).
    #[param(example = "prevention", max_length = 32)]
    pub section: Option<String>,
}

/// List a work plan's guidelines, ordered by number. They are written with their plan: with
/// `updated_since`, all of them are listed when the plan changed since, or none.
#[utoipa::path(
    tag = "work-plans",
    params(("code" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16), GuidelineListParams, ListParams),
    responses(
        (status = 200, description = "A page of guidelines", body = Page<Guideline>),
        (status = 404, response = crate::api::problems::NotFound),
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
    let code = plan_path(&code)?;
    bounded("section", query.filter.section.as_deref(), 32)?;
    let page = query.list.page();
    let limit = page.limit()?;
    let after: Option<i32> = page.after("guidelines")?;
    let changed = plan_changed_since(&state, &code, query.list.since()?).await?;
    let section = query.filter.section;
    let rows = run_db(&state.pool, move |conn| {
        if let Some(s) = &section {
            if !SectionRow::for_plan(conn, &code)?
                .iter()
                .any(|r| &r.section_key == s)
            {
                return Err(ApiError::invalid(
                    "section",
                    format!("{code} has no section {s:?}"),
                ));
            }
        }
        if !changed {
            return Ok(Vec::new());
        }
        Ok(GuidelineRow::list(
            conn,
            &code,
            section.as_deref(),
            after,
            limit + 1,
        )?)
    })
    .await?;
    Ok(Page::from_rows(rows, limit, "guidelines", |r| r.number, Guideline::from).respond(&req))
}

/// Get one guideline.
#[utoipa::path(
    tag = "work-plans",
    params(("code" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16),
        ("number" = i32, Path, description = "Guideline number", example = 45, minimum = 1)),
    responses(
        (status = 200, description = "The guideline", body = Guideline),
        (status = 404, response = crate::api::problems::NotFound),
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
    Ok(HttpResponse::Ok().json(Guideline::from(row)))
}

/// List a work plan's mandates to the General Secretariat, ordered by number.
#[utoipa::path(
    tag = "work-plans",
    params(("code" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16), ListParams),
    responses(
        (status = 200, description = "A page of mandates", body = Page<Mandate>),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{code}/mandates")]
pub async fn list_mandates(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: QueryParams<ListParams>,
) -> ApiResult<HttpResponse> {
    let code = plan_path(&code)?;
    let page = query.0.page();
    let limit = page.limit()?;
    let after: Option<i32> = page.after("mandates")?;
    // Mandates are written with their plan: all of them changed when it did, or none.
    let changed = plan_changed_since(&state, &code, query.0.since()?).await?;
    let rows = if changed {
        run_db(&state.pool, move |conn| {
            Ok(MandateRow::list(conn, &code, after, limit + 1)?)
        })
        .await?
    } else {
        Vec::new()
    };
    Ok(Page::from_rows(rows, limit, "mandates", |r| r.number, Mandate::from).respond(&req))
}

/// A guideline of a new work plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGuideline {
    #[schema(example = 1, minimum = 1, maximum = 10000)]
    pub number: i32,
    /// Key of one of the plan's sections.
    #[schema(example = "general", max_length = 32)]
    pub section: String,
    #[schema(min_length = 1, max_length = 10000)]
    pub text: String,
}

/// A mandate of a new work plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMandate {
    #[schema(example = 1, minimum = 1, maximum = 10000)]
    pub number: i32,
    #[schema(min_length = 1, max_length = 10000)]
    pub text: String,
}

/// A new work plan with all its guidelines.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkPlan {
    /// Upper-case letters, digits, `-` and `_`, up to 16 characters.
    #[schema(example = "WP3", pattern = "^[A-Z0-9_-]{2,16}$")]
    pub code: String,
    #[schema(
        example = "Third Work Plan against Trafficking in Persons in the Western Hemisphere",
        min_length = 1,
        max_length = 500
    )]
    pub title: String,
    #[schema(example = "2021-01-01", format = Date)]
    pub period_start: String,
    #[schema(example = "2025-12-31", format = Date)]
    pub period_end: String,
    #[schema(max_length = 5000)]
    pub note: Option<String>,
    #[serde(default)]
    pub aims: Vec<String>,
    #[serde(default)]
    pub principles: Vec<String>,
    #[schema(min_items = 1)]
    pub sections: Vec<Section>,
    #[schema(min_items = 1)]
    pub guidelines: Vec<NewGuideline>,
    #[serde(default)]
    pub mandates: Vec<NewMandate>,
}

fn text_ok(errors: &mut Vec<FieldError>, field: String, value: &str, max: usize) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        errors.push(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
}

/// A date written exactly `YYYY-MM-DD` (chrono alone also takes `2021-1-1`, ` 2021-01-01`, `+2021-01-01`).
fn strict_date(raw: &str) -> Result<NaiveDate, ()> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m-%d").to_string() == raw)
        .ok_or(())
}

impl NewWorkPlan {
    fn validate(&self) -> Result<(), ApiError> {
        let mut e = Vec::new();
        if !(2..=16).contains(&self.code.len())
            || !self
                .code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            e.push(FieldError::new(
                "/code",
                "must be 2 to 16 upper-case letters, digits, '-' or '_'",
            ));
        }
        text_ok(&mut e, "/title".into(), &self.title, 500);
        let start = strict_date(&self.period_start);
        let end = strict_date(&self.period_end);
        if start.is_err() {
            e.push(FieldError::new(
                "/period_start",
                "must be a date YYYY-MM-DD",
            ));
        }
        if end.is_err() {
            e.push(FieldError::new("/period_end", "must be a date YYYY-MM-DD"));
        }
        if let (Ok(s), Ok(t)) = (start, end) {
            if t < s {
                e.push(FieldError::new(
                    "/period_end",
                    "must not be before period_start",
                ));
            }
        }
        if let Some(note) = &self.note {
            text_ok(&mut e, "/note".into(), note, 5000);
        }
        for (name, list) in [("aims", &self.aims), ("principles", &self.principles)] {
            if list.len() > 100 {
                e.push(FieldError::new(
                    format!("/{name}"),
                    "must have at most 100 items",
                ));
            }
            for (i, t) in list.iter().enumerate() {
                text_ok(&mut e, format!("/{name}/{i}"), t, 5000);
            }
        }
        if self.sections.is_empty() {
            e.push(FieldError::new(
                "/sections",
                "must have at least one section",
            ));
        }
        let mut keys = HashSet::new();
        for (i, s) in self.sections.iter().enumerate() {
            let valid = !s.key.is_empty()
                && s.key.len() <= 32
                && s.key.starts_with(|c: char| c.is_ascii_lowercase())
                && s.key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                e.push(FieldError::new(
                    format!("/sections/{i}/key"),
                    "must be snake_case, up to 32 characters",
                ));
            } else if !keys.insert(s.key.as_str()) {
                e.push(FieldError::new(format!("/sections/{i}/key"), "is repeated"));
            }
            text_ok(&mut e, format!("/sections/{i}/title"), &s.title, 500);
        }
        if self.guidelines.is_empty() {
            e.push(FieldError::new(
                "/guidelines",
                "must have at least one guideline",
            ));
        }
        if self.guidelines.len() > 1000 || self.mandates.len() > 1000 {
            e.push(FieldError::new(
                "/guidelines",
                "a plan has at most 1000 guidelines and 1000 mandates",
            ));
        }
        let mut numbers = HashSet::new();
        for (i, g) in self.guidelines.iter().enumerate() {
            if !(1..=10000).contains(&g.number) {
                e.push(FieldError::new(
                    format!("/guidelines/{i}/number"),
                    "must be between 1 and 10000",
                ));
            } else if !numbers.insert(g.number) {
                e.push(FieldError::new(
                    format!("/guidelines/{i}/number"),
                    "is repeated",
                ));
            }
            if !keys.contains(g.section.as_str()) {
                e.push(FieldError::new(
                    format!("/guidelines/{i}/section"),
                    "is not one of the plan's sections",
                ));
            }
            text_ok(&mut e, format!("/guidelines/{i}/text"), &g.text, 10000);
        }
        let mut numbers = HashSet::new();
        for (i, m) in self.mandates.iter().enumerate() {
            if !(1..=10000).contains(&m.number) {
                e.push(FieldError::new(
                    format!("/mandates/{i}/number"),
                    "must be between 1 and 10000",
                ));
            } else if !numbers.insert(m.number) {
                e.push(FieldError::new(
                    format!("/mandates/{i}/number"),
                    "is repeated",
                ));
            }
            text_ok(&mut e, format!("/mandates/{i}/text"), &m.text, 10000);
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(e))
        }
    }
}

/// Add a work plan with its sections, guidelines and mandates (admin), for plans to come.
#[utoipa::path(
    tag = "work-plans",
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
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[post("")]
pub async fn create_work_plan(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<NewWorkPlan, WORK_PLAN_BODY_LIMIT>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let new = body.0;
    new.validate()?;
    let (plan, sections) = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            if WorkPlanRow::find(conn, &new.code)?.is_some() {
                return Err(ApiError::conflict(format!("A work plan with code {} exists.", new.code)));
            }
            let now = Timestamp::now().to_db();
            let plan = WorkPlanRow {
                code: new.code.clone(),
                title: new.title.clone(),
                period_start: new.period_start.clone(),
                period_end: new.period_end.clone(),
                note: new.note.clone(),
                aims: serde_json::to_string(&new.aims).map_err(ApiError::internal)?,
                principles: serde_json::to_string(&new.principles).map_err(ApiError::internal)?,
                version: 1,
                created_at: now.clone(),
                updated_at: now,
            };
            let sections: Vec<SectionRow> = new
                .sections
                .iter()
                .enumerate()
                .map(|(i, s)| SectionRow { work_plan: new.code.clone(), section_key: s.key.clone(), title: s.title.clone(), position: i as i32 + 1 })
                .collect();
            let guidelines: Vec<GuidelineRow> = new
                .guidelines
                .iter()
                .map(|g| GuidelineRow { work_plan: new.code.clone(), number: g.number, section: g.section.clone(), text: g.text.clone() })
                .collect();
            let mandates: Vec<MandateRow> = new
                .mandates
                .iter()
                .map(|m| MandateRow { work_plan: new.code.clone(), number: m.number, text: m.text.clone() })
                .collect();
            WorkPlanRow::insert_full(conn, &plan, &sections, &guidelines, &mandates)?;
            let after = serde_json::json!({
                "code": plan.code, "title": plan.title, "period_start": plan.period_start, "period_end": plan.period_end,
                "sections": new.sections, "guidelines": guidelines.len(), "mandates": mandates.len(),
            });
            AuditEventRow::record(conn, caller.actor(), "create", "work_plan", &plan.code, None::<&()>, Some(&after))?;
            Ok((plan, sections))
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/work-plans/{}", plan.code),
        ))
        .insert_header((header::ETAG, etag("work-plan", &plan.code, plan.version)))
        .json(full(plan, sections)))
}
