//! `/api/v1/reporting-cycles`: the biennial reporting cycles of mandate 10 and each member state's
//! submission in them, with its review workflow (submit, return, validate, reopen).

use std::collections::{HashMap, HashSet};

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::extract::{JsonBody, QueryParams};
use crate::api::http::history::HistoryEntry;
use crate::api::http::language;
use crate::api::http::list::ListParams;
use crate::api::http::pagination::Page;
use crate::api::http::run_db;
use crate::api::{check_if_match, etag, if_match, updated_since};
use crate::auth::Caller;
use crate::db::{self, pool::write_transaction, AnyConnection};
use crate::domain::{contact, MemberStateCode};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::models::audit_event::{Actor, AuditEventRow};
use crate::models::indicator::IndicatorRow;
use crate::models::member_state::MemberStateRow;
use crate::models::reporting_cycle::{ReportingCycleRow, SubmissionRow};
use crate::models::work_plan::WorkPlanRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

const KIND: &str = "reporting_cycle";

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
        .service(list_submission_history);
}

/// Whether a cycle accepts submissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CycleStatus {
    Open,
    Closed,
}

/// A reporting cycle.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "2019-2020", "work_plan": "WP2", "period_from": 2019, "period_to": 2020, "due_date": "2021-03-31",
    "status": "open", "version": 1, "created_at": "2026-11-22T20:43:03.123456Z", "updated_at": "2026-11-22T20:43:03.123456Z"}))]
pub struct ReportingCycle {
    pub code: String,
    pub work_plan: String,
    /// First year reported.
    pub period_from: i32,
    /// Last year reported.
    pub period_to: i32,
    #[schema(format = Date)]
    pub due_date: String,
    pub status: CycleStatus,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&ReportingCycleRow> for ReportingCycle {
    fn from(r: &ReportingCycleRow) -> Self {
        ReportingCycle {
            code: r.code.clone(),
            work_plan: r.work_plan.clone(),
            period_from: r.period_from,
            period_to: r.period_to,
            due_date: r.due_date.clone(),
            status: if r.status == "closed" {
                CycleStatus::Closed
            } else {
                CycleStatus::Open
            },
            version: r.version,
            created_at: Timestamp::from_db(&r.created_at),
            updated_at: Timestamp::from_db(&r.updated_at),
        }
    }
}

/// A new reporting cycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReportingCycle {
    /// `YYYY-YYYY`, the years it covers.
    #[schema(example = "2019-2020", pattern = "^[0-9]{4}-[0-9]{4}$")]
    pub code: String,
    #[schema(example = "WP2", max_length = 16)]
    pub work_plan: String,
    #[schema(example = 2019, minimum = 1990, maximum = 2100)]
    pub period_from: i32,
    #[schema(example = 2020, minimum = 1990, maximum = 2100)]
    pub period_to: i32,
    #[schema(example = "2021-03-31", format = Date)]
    pub due_date: String,
}

/// Changes to a cycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportingCyclePatch {
    #[schema(example = "2021-06-30", format = Date)]
    pub due_date: Option<String>,
    pub status: Option<CycleStatus>,
}

async fn load_cycle(state: &AppState, code: String) -> ApiResult<ReportingCycleRow> {
    run_db(&state.pool, move |conn| {
        ReportingCycleRow::find(conn, &code)?
            .ok_or_else(|| ApiError::not_found(format!("No reporting cycle {code}.")))
    })
    .await
}

/// Reporting cycles, ordered by code.
#[utoipa::path(tag = "reporting-cycles", params(ListParams), responses((status = 200, description = "A page of cycles", body = Page<ReportingCycle>)))]
#[get("")]
pub async fn list_reporting_cycles(
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
        Ok(ReportingCycleRow::list(
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
        |r| ReportingCycle::from(&r),
    )
    .respond(&req))
}

/// Open a reporting cycle (admin).
#[utoipa::path(
    tag = "reporting-cycles",
    request_body(content = NewReportingCycle, example = json!({"code": "2019-2020", "work_plan": "WP2", "period_from": 2019, "period_to": 2020, "due_date": "2021-03-31"})),
    responses(
        (status = 201, description = "Created", body = ReportingCycle, headers(("Location" = String, description = "URL"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[post("")]
pub async fn create_reporting_cycle(
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<NewReportingCycle>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let b = body.0;
    let mut e = Vec::new();
    let years_ok = |y: i32| (1990..=2100).contains(&y);
    if !years_ok(b.period_from) {
        e.push(FieldError::new(
            "/period_from",
            "must be a year between 1990 and 2100",
        ));
    }
    if !years_ok(b.period_to) || b.period_to < b.period_from {
        e.push(FieldError::new(
            "/period_to",
            "must be a year between period_from and 2100",
        ));
    }
    if b.code != format!("{}-{}", b.period_from, b.period_to) {
        e.push(FieldError::new(
            "/code",
            "must be PERIOD_FROM-PERIOD_TO, e.g. 2019-2020",
        ));
    }
    if let Err(m) = contact::date(&b.due_date) {
        e.push(FieldError::new("/due_date", m));
    }
    if b.work_plan.len() > 16 {
        e.push(FieldError::new("/work_plan", "is not a work plan"));
    }
    if !e.is_empty() {
        return Err(ApiError::validation(e));
    }
    let row = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            if WorkPlanRow::find(conn, &b.work_plan)?.is_none() {
                return Err(ApiError::invalid(
                    "/work_plan",
                    format!("{} is not a work plan", b.work_plan),
                ));
            }
            if ReportingCycleRow::find(conn, &b.code)?.is_some() {
                return Err(ApiError::conflict(format!(
                    "Reporting cycle {} exists.",
                    b.code
                )));
            }
            let now = Timestamp::now().to_db();
            let row = ReportingCycleRow {
                code: b.code.clone(),
                work_plan: b.work_plan.clone(),
                period_from: b.period_from,
                period_to: b.period_to,
                due_date: b.due_date.clone(),
                status: "open".into(),
                version: 1,
                created_at: now.clone(),
                updated_at: now,
            };
            row.insert(conn)?;
            AuditEventRow::record(
                conn,
                caller.actor(),
                "create",
                KIND,
                &row.code,
                None::<&()>,
                Some(&ReportingCycle::from(&row)),
            )?;
            Ok(row)
        })
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/reporting-cycles/{}", row.code),
        ))
        .insert_header((header::ETAG, etag(KIND, &row.code, row.version)))
        .json(ReportingCycle::from(&row)))
}

/// Get a reporting cycle.
#[utoipa::path(
    tag = "reporting-cycles",
    params(("code" = String, Path, description = "Cycle code", example = "2019-2020", max_length = 9)),
    responses(
        (status = 200, description = "The cycle", body = ReportingCycle, headers(("ETag" = String, description = "Version"))),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{code}")]
pub async fn get_reporting_cycle(
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let row = load_cycle(&state, code.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(KIND, &row.code, row.version)))
        .json(ReportingCycle::from(&row)))
}

/// Change a cycle's due date or close/reopen it (admin). A closed cycle takes no submissions.
#[utoipa::path(
    tag = "reporting-cycles",
    params(("code" = String, Path, description = "Cycle code", example = "2019-2020", max_length = 9),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; 412 when stale")),
    request_body(content = ReportingCyclePatch, example = json!({"status": "closed"})),
    responses(
        (status = 200, description = "Updated", body = ReportingCycle),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 412, response = crate::api::problems::PreconditionFailed),
    )
)]
#[patch("/{code}")]
pub async fn update_reporting_cycle(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
    body: JsonBody<ReportingCyclePatch>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let patch = body.0;
    if let Some(d) = &patch.due_date {
        contact::date(d).map_err(|m| ApiError::invalid("/due_date", m))?;
    }
    let code = code.into_inner();
    let if_match = if_match(&req)?;
    let row = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let before = ReportingCycleRow::find(conn, &code)?
                .ok_or_else(|| ApiError::not_found(format!("No reporting cycle {code}.")))?;
            check_if_match(
                if_match.as_deref(),
                &etag(KIND, &before.code, before.version),
            )?;
            let mut after = before.clone();
            if let Some(d) = &patch.due_date {
                after.due_date = d.clone();
            }
            if let Some(s) = patch.status {
                after.status = if s == CycleStatus::Closed {
                    "closed".into()
                } else {
                    "open".into()
                };
            }
            if after == before {
                return Ok(before);
            }
            after.version += 1;
            after.updated_at = Timestamp::now().to_db();
            if !after.update(conn, before.version)? {
                return Err(ApiError::precondition_failed(
                    "The cycle changed concurrently; reload it and retry.",
                ));
            }
            AuditEventRow::record(
                conn,
                caller.actor(),
                "update",
                KIND,
                &after.code,
                Some(&ReportingCycle::from(&before)),
                Some(&ReportingCycle::from(&after)),
            )?;
            Ok(after)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(KIND, &row.code, row.version)))
        .json(ReportingCycle::from(&row)))
}

/// Where a member state's submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    Draft,
    Submitted,
    Returned,
    Validated,
}

impl SubmissionStatus {
    fn from_db(s: &str) -> Self {
        match s {
            "submitted" => Self::Submitted,
            "returned" => Self::Returned,
            "validated" => Self::Validated,
            _ => Self::Draft,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Validated => "validated",
        }
    }
}

/// An indicator and year without a total value.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissingValue {
    #[schema(example = "SHELTERS")]
    pub indicator: String,
    #[schema(example = 2020)]
    pub year: i32,
}

/// How much of the cycle's indicator table a state has filled: catalog indicators x years with at
/// least a total value (no disaggregation).
#[derive(Debug, Serialize, ToSchema)]
pub struct Completeness {
    #[schema(example = 32)]
    pub expected: usize,
    #[schema(example = 20)]
    pub reported: usize,
    #[schema(example = 62.5)]
    pub percent: f64,
    /// What is missing, by indicator and year.
    pub missing: Vec<MissingValue>,
}

/// A member state's submission in a cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submission {
    #[schema(example = "2019-2020")]
    pub cycle: String,
    #[schema(example = "ARG")]
    pub member_state: String,
    /// Name in the negotiated language.
    #[schema(example = "Argentina")]
    pub name: String,
    pub status: SubmissionStatus,
    /// The comment of the last transition (required when returned).
    pub comment: Option<String>,
    pub completeness: Completeness,
    /// Commitments recorded on the cycle's work plan.
    #[schema(example = 41)]
    pub commitments_recorded: usize,
    /// Guidelines of the cycle's work plan.
    #[schema(example = 60)]
    pub commitments_expected: usize,
    /// Training events hosted by the state overlapping the cycle's years.
    #[schema(example = 3)]
    pub training_events: usize,
    pub version: i32,
    /// When the status last changed (`null` while never touched).
    pub updated_at: Option<Timestamp>,
    pub updated_by: Option<String>,
}

pub(crate) fn completeness(
    indicators: &[String],
    from: i32,
    to: i32,
    reported: &HashSet<(String, i32)>,
) -> Completeness {
    let mut missing = Vec::new();
    for i in indicators {
        for y in from..=to {
            if !reported.contains(&(i.clone(), y)) {
                missing.push(MissingValue {
                    indicator: i.clone(),
                    year: y,
                });
            }
        }
    }
    let expected = indicators.len() * (to - from + 1).max(0) as usize;
    let n = expected - missing.len();
    let percent = if expected == 0 {
        0.0
    } else {
        ((n as f64 / expected as f64) * 1000.0).round() / 10.0
    };
    Completeness {
        expected,
        reported: n,
        percent,
        missing,
    }
}

/// Every member state's submission in the cycle (all 35; untouched ones are `draft`), by code.
pub(crate) fn submissions_of(
    conn: &mut AnyConnection,
    cycle: &ReportingCycleRow,
    lang: &str,
) -> ApiResult<Vec<Submission>> {
    use crate::models::commitment::{self, CommitmentRow};
    use crate::models::training_event::{Filter as EventFilter, TrainingEventRecord};
    use crate::models::work_plan::GuidelineRow;
    let states = MemberStateRow::list(conn, None, 1000)?;
    let rows: HashMap<String, SubmissionRow> = SubmissionRow::for_cycle(conn, &cycle.code)?
        .into_iter()
        .map(|s| (s.member_state.clone(), s))
        .collect();
    let indicators: Vec<String> = IndicatorRow::all(conn)?
        .into_iter()
        .map(|i| i.code)
        .collect();
    let mut reported: HashMap<String, HashSet<(String, i32)>> = HashMap::new();
    for (ms, ind, year) in cycle.reported(conn, None)? {
        reported.entry(ms).or_default().insert((ind, year));
    }
    let guidelines = GuidelineRow::list(conn, &cycle.work_plan, None, None, 100_000)?.len();
    let mut commitments: HashMap<String, usize> = HashMap::new();
    let cf = commitment::Filter {
        work_plan: Some(cycle.work_plan.clone()),
        ..Default::default()
    };
    for c in CommitmentRow::list(conn, &cf, None, 1_000_000)? {
        *commitments.entry(c.member_state).or_default() += 1;
    }
    let ef = EventFilter {
        from: Some(format!("{:04}-01-01", cycle.period_from)),
        to: Some(format!("{:04}-12-31", cycle.period_to)),
        ..Default::default()
    };
    let mut events: HashMap<String, usize> = HashMap::new();
    for e in TrainingEventRecord::list(conn, &ef, None, 1_000_000)? {
        if let Some(ms) = e.row.member_state {
            *events.entry(ms).or_default() += 1;
        }
    }
    let empty = HashSet::new();
    Ok(states
        .into_iter()
        .map(|s| {
            let row = rows.get(&s.code);
            Submission {
                cycle: cycle.code.clone(),
                member_state: s.code.clone(),
                name: s.name_in(lang).to_string(),
                status: row.map_or(SubmissionStatus::Draft, |r| {
                    SubmissionStatus::from_db(&r.status)
                }),
                comment: row.and_then(|r| r.comment.clone()),
                completeness: completeness(
                    &indicators,
                    cycle.period_from,
                    cycle.period_to,
                    reported.get(&s.code).unwrap_or(&empty),
                ),
                commitments_recorded: commitments.get(&s.code).copied().unwrap_or(0),
                commitments_expected: guidelines,
                training_events: events.get(&s.code).copied().unwrap_or(0),
                version: row.map_or(0, |r| r.version),
                updated_at: row.map(|r| Timestamp::from_db(&r.updated_at)),
                updated_by: row.map(|r| r.updated_by.clone()),
            }
        })
        .collect())
}

/// Delta sync of the submission list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmissionListParams {
    /// Only submissions whose status changed at or after this instant (RFC 3339); a state that never
    /// left `draft` counts as changed when the cycle was opened. Completeness figures follow the
    /// values, commitments and events, which their own lists sync.
    #[param(example = "2026-01-01T00:00:00Z")]
    pub updated_since: Option<String>,
    /// Accepted by every list so that a syncing client can send the same parameters everywhere.
    /// Submissions are never deleted, so it changes nothing here.
    pub include_deleted: Option<bool>,
}

/// Every member state's submission in the cycle (all 35, by code) with its status and how complete
/// its indicator table is.
#[utoipa::path(
    tag = "reporting-cycles",
    params(("code" = String, Path, description = "Cycle code", example = "2019-2020", max_length = 9),
        SubmissionListParams,
        ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt")),
    responses(
        (status = 200, description = "The submissions", body = Page<Submission>),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{code}/submissions")]
pub async fn list_submissions(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: QueryParams<SubmissionListParams>,
) -> ApiResult<HttpResponse> {
    let lang = language::negotiate(&req);
    let code = code.into_inner();
    let since = updated_since(query.0.updated_since.as_deref())?;
    let items = run_db(&state.pool, move |conn| {
        let cycle = ReportingCycleRow::find(conn, &code)?
            .ok_or_else(|| ApiError::not_found(format!("No reporting cycle {code}.")))?;
        let mut items = submissions_of(conn, &cycle, lang)?;
        if let Some(since) = since {
            items.retain(|s| {
                s.updated_at
                    .as_ref()
                    .map_or(cycle.created_at.clone(), |t| t.to_db())
                    >= since
            });
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
    params(("code" = String, Path, description = "Cycle code", example = "2019-2020", max_length = 9),
        ("member_state" = String, Path, description = "Member state (ISO alpha-3)", example = "ARG"),
        ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt")),
    responses(
        (status = 200, description = "The submission", body = Submission),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{code}/submissions/{member_state}")]
pub async fn get_submission(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let lang = language::negotiate(&req);
    let (code, ms) = path.into_inner();
    MemberStateCode::parse(&ms).map_err(|m| ApiError::invalid("member_state", m))?;
    let item = run_db(&state.pool, move |conn| {
        let cycle = ReportingCycleRow::find(conn, &code)?
            .ok_or_else(|| ApiError::not_found(format!("No reporting cycle {code}.")))?;
        submissions_of(conn, &cycle, lang)?
            .into_iter()
            .find(|s| s.member_state == ms)
            .ok_or_else(|| ApiError::not_found(format!("No member state with code {ms}.")))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_LANGUAGE, lang))
        .json(item))
}

/// A transition's comment.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// Required to return a submission; optional otherwise.
    #[schema(
        max_length = 5000,
        example = "Please add the 2020 disaggregation by sex."
    )]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy)]
enum Transition {
    Submit,
    Return,
    Validate,
    Reopen,
}

impl Transition {
    fn name(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Return => "return",
            Self::Validate => "validate",
            Self::Reopen => "reopen",
        }
    }

    fn next(self, from: SubmissionStatus) -> Option<SubmissionStatus> {
        use SubmissionStatus::*;
        match (self, from) {
            (Self::Submit, Draft | Returned) => Some(Submitted),
            (Self::Return, Submitted) => Some(Returned),
            (Self::Validate, Submitted) => Some(Validated),
            (Self::Reopen, Submitted | Returned | Validated) => Some(Draft),
            _ => None,
        }
    }
}

async fn transition(
    req: &HttpRequest,
    caller: Caller,
    state: &AppState,
    path: (String, String),
    body: TransitionBody,
    t: Transition,
) -> ApiResult<HttpResponse> {
    let (code, ms) = path;
    MemberStateCode::parse(&ms).map_err(|m| ApiError::invalid("member_state", m))?;
    match t {
        Transition::Submit => caller.require_write_state(&ms)?,
        _ => caller.require_admin()?,
    }
    let comment = match &body.comment {
        Some(c) => Some(contact::text(c, 5000).map_err(|m| ApiError::invalid("/comment", m))?),
        None => None,
    };
    if matches!(t, Transition::Return) && comment.is_none() {
        return Err(ApiError::invalid(
            "/comment",
            "is required to return a submission",
        ));
    }
    let lang = language::negotiate(req);
    let item = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let cycle = ReportingCycleRow::find(conn, &code)?.ok_or_else(|| ApiError::not_found(format!("No reporting cycle {code}.")))?;
            if !MemberStateRow::exists(conn, &ms)? {
                return Err(ApiError::not_found(format!("No member state with code {ms}.")));
            }
            if cycle.status == "closed" && !matches!(t, Transition::Reopen) {
                return Err(ApiError::conflict(format!("Reporting cycle {code} is closed.")));
            }
            let before = SubmissionRow::find(conn, &code, &ms)?;
            let from = before.as_ref().map_or(SubmissionStatus::Draft, |r| SubmissionStatus::from_db(&r.status));
            let to = t.next(from).ok_or_else(|| {
                let allowed: Vec<&str> = [Transition::Submit, Transition::Return, Transition::Validate, Transition::Reopen]
                    .into_iter()
                    .filter(|c| c.next(from).is_some())
                    .map(Transition::name)
                    .collect();
                ApiError::conflict(format!(
                    "Cannot {} a {} submission. Allowed from {}: {}.",
                    t.name(),
                    from.as_str(),
                    from.as_str(),
                    allowed.join(", ")
                ))
            })?;
            let row = SubmissionRow {
                cycle: code.clone(),
                member_state: ms.clone(),
                status: to.as_str().into(),
                comment: comment.clone(),
                version: before.as_ref().map_or(1, |b| b.version + 1),
                updated_at: Timestamp::now().to_db(),
                updated_by: caller.username.clone(),
            };
            row.upsert(conn, before.is_some())?;
            let view = |r: &SubmissionRow| serde_json::json!({"cycle": r.cycle, "member_state": r.member_state, "status": r.status, "comment": r.comment, "version": r.version});
            let id = format!("{code}/{ms}");
            AuditEventRow::record(conn, caller.actor(), t.name(), "submission", &id, before.as_ref().map(view).as_ref(), Some(&view(&row)))?;
            let all = submissions_of(conn, &cycle, lang)?;
            all.into_iter().find(|s| s.member_state == ms).ok_or_else(|| ApiError::internal("submission vanished"))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(item))
}

macro_rules! transition_handler {
    ($name:ident, $path:literal, $t:expr, $doc:literal, $example:expr) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "reporting-cycles",
            params(("code" = String, Path, description = "Cycle code", example = "2019-2020", max_length = 9),
                ("member_state" = String, Path, description = "Member state (ISO alpha-3)", example = "ARG")),
            request_body(content = TransitionBody, example = $example),
            responses(
                (status = 200, description = "The submission after the transition", body = Submission),
                (status = 403, response = crate::api::problems::Forbidden),
                (status = 404, response = crate::api::problems::NotFound),
                (status = 409, response = crate::api::problems::Conflict),
            )
        )]
        #[post($path)]
        pub async fn $name(
            req: HttpRequest,
            caller: Caller,
            state: web::Data<AppState>,
            path: web::Path<(String, String)>,
            body: JsonBody<TransitionBody>,
        ) -> ApiResult<HttpResponse> {
            transition(&req, caller, &state, path.into_inner(), body.0, $t).await
        }
    };
}

transition_handler!(
    submit_submission,
    "/{code}/submissions/{member_state}/submit",
    Transition::Submit,
    "Submit a state's report for review (that state's reporter, or admin): draft or returned -> submitted. \
     While submitted or validated, the state's values for the cycle's years and its commitments are locked for reporters.",
    json!({})
);
transition_handler!(
    return_submission,
    "/{code}/submissions/{member_state}/return",
    Transition::Return,
    "Return a submitted report to the state with a comment (admin): submitted -> returned.",
    json!({"comment": "Please add the 2020 disaggregation by sex."})
);
transition_handler!(
    validate_submission,
    "/{code}/submissions/{member_state}/validate",
    Transition::Validate,
    "Validate a submitted report (admin): submitted -> validated.",
    json!({})
);
transition_handler!(
    reopen_submission,
    "/{code}/submissions/{member_state}/reopen",
    Transition::Reopen,
    "Reopen a report for changes (admin): submitted, returned or validated -> draft.",
    json!({"comment": "Reopened at the state's request."})
);

/// Every transition of a state's submission, oldest first, with who and when.
#[utoipa::path(
    tag = "reporting-cycles",
    params(("code" = String, Path, description = "Cycle code", example = "2019-2020", max_length = 9),
        ("member_state" = String, Path, description = "Member state (ISO alpha-3)", example = "ARG")),
    responses(
        (status = 200, description = "The history", body = Page<HistoryEntry>),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{code}/submissions/{member_state}/history")]
pub async fn list_submission_history(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (code, ms) = path.into_inner();
    MemberStateCode::parse(&ms).map_err(|m| ApiError::invalid("member_state", m))?;
    let events = run_db(&state.pool, move |conn| {
        ReportingCycleRow::find(conn, &code)?
            .ok_or_else(|| ApiError::not_found(format!("No reporting cycle {code}.")))?;
        Ok(AuditEventRow::for_resource(
            conn,
            "submission",
            &format!("{code}/{ms}"),
            0,
            i64::MAX,
        )?)
    })
    .await?;
    let items: Vec<HistoryEntry> = events.into_iter().map(HistoryEntry::from).collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
