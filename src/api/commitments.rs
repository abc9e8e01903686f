//! Guideline commitments: a member state's undertaking on one guideline of a work plan, written
//! with an idempotent PUT on its natural key `/member-states/{code}/commitments/{work_plan}/{number}`.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::csv;
use crate::api::http::extract::{bounded, JsonBody, QueryParams};
use crate::api::http::history::HistoryEntry;
use crate::api::http::pagination::{Page, PageParams};
use crate::api::http::run_db;
use crate::api::{check_if_match, etag, if_match, updated_since};
use crate::auth::Caller;
use crate::db::{self, pool::write_transaction, AnyConnection};
use crate::domain::{contact, MemberStateCode};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::models::audit_event::{Actor, AuditEventRow};
use crate::models::commitment::{CommitmentRow, Filter, Key};
use crate::models::member_state::MemberStateRow;
use crate::models::work_plan::GuidelineRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

const KIND: &str = "commitment";

/// Routes under `/member-states` (the natural key).
pub fn configure_by_member_state(cfg: &mut ServiceConfig) {
    cfg.service(put_commitment)
        .service(get_commitment)
        .service(delete_commitment)
        .service(list_commitment_history);
}

/// Routes under `/commitments` (the list across states).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_commitments);
}

/// How far a member state has come on a guideline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentStatus {
    NotStarted,
    Planned,
    InProgress,
    Implemented,
    NotApplicable,
}

impl CommitmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Implemented => "implemented",
            Self::NotApplicable => "not_applicable",
        }
    }

    pub fn from_db(s: &str) -> Self {
        match s {
            "planned" => Self::Planned,
            "in_progress" => Self::InProgress,
            "implemented" => Self::Implemented,
            "not_applicable" => Self::NotApplicable,
            _ => Self::NotStarted,
        }
    }
}

/// A member state's commitment on a guideline.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6b", "member_state": "ARG", "work_plan": "WP2", "guideline": 12,
    "status": "in_progress", "lead_institution": "Ministerio de Seguridad",
    "actions": "Training module for federal police academies.", "target_date": "2026-12-31",
    "evidence_urls": ["https://www.argentina.gob.ar/seguridad/trata"], "budget_allocated": 250000.0, "currency": "ARS",
    "version": 3, "created_at": "2026-01-10T12:00:00.000000Z", "updated_at": "2026-06-01T09:30:00.000000Z", "deleted_at": null
}))]
pub struct Commitment {
    pub id: String,
    pub member_state: String,
    pub work_plan: String,
    /// Guideline number within the work plan.
    pub guideline: i32,
    pub status: CommitmentStatus,
    pub lead_institution: Option<String>,
    pub actions: Option<String>,
    #[schema(format = Date)]
    pub target_date: Option<String>,
    pub evidence_urls: Vec<String>,
    pub budget_allocated: Option<f64>,
    /// ISO 4217 code of `budget_allocated`.
    pub currency: Option<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set on deleted commitments (tombstones, listed with `include_deleted=true`).
    pub deleted_at: Option<Timestamp>,
}

impl From<&CommitmentRow> for Commitment {
    fn from(r: &CommitmentRow) -> Self {
        Commitment {
            id: r.id.clone(),
            member_state: r.member_state.clone(),
            work_plan: r.work_plan.clone(),
            guideline: r.guideline_number,
            status: CommitmentStatus::from_db(&r.status),
            lead_institution: r.lead_institution.clone(),
            actions: r.actions.clone(),
            target_date: r.target_date.clone(),
            evidence_urls: serde_json::from_str(&r.evidence_urls).unwrap_or_default(),
            budget_allocated: r.budget_allocated,
            currency: r.currency.clone(),
            version: r.version,
            created_at: Timestamp::from_db(&r.created_at),
            updated_at: Timestamp::from_db(&r.updated_at),
            deleted_at: r.deleted_at.as_deref().map(Timestamp::from_db),
        }
    }
}

/// The commitment as written by PUT (every field; omitted optional fields become null).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    pub status: CommitmentStatus,
    #[schema(example = "Ministerio de Seguridad", max_length = 300)]
    pub lead_institution: Option<String>,
    /// What the state undertakes to do.
    #[schema(max_length = 5000)]
    pub actions: Option<String>,
    #[schema(example = "2026-12-31", format = Date)]
    pub target_date: Option<String>,
    /// http(s) links to evidence (laws, reports, programmes).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub evidence_urls: Vec<String>,
    /// Amount allocated, non-negative, at most two decimals; requires `currency`.
    #[schema(example = 250000.0, minimum = 0, maximum = 1_000_000_000_000_000.0_f64)]
    pub budget_allocated: Option<f64>,
    /// ISO 4217 currency code; only with `budget_allocated`.
    #[schema(example = "ARS", pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
}

fn validate(input: &CommitmentInput) -> Result<CommitmentInput, ApiError> {
    let mut e = Vec::new();
    let mut out = input.clone();
    let mut text = |field: &str, v: &Option<String>, max: usize| -> Option<String> {
        v.as_ref().and_then(|t| {
            contact::text(t, max)
                .map_err(|m| e.push(FieldError::new(format!("/{field}"), m)))
                .ok()
        })
    };
    out.lead_institution = text("lead_institution", &input.lead_institution, 300);
    out.actions = text("actions", &input.actions, 5000);
    if let Some(d) = &input.target_date {
        if let Err(m) = contact::date(d) {
            e.push(FieldError::new("/target_date", m));
        }
    }
    if input.evidence_urls.len() > 20 {
        e.push(FieldError::new(
            "/evidence_urls",
            "must have at most 20 links",
        ));
    }
    for (i, u) in input.evidence_urls.iter().enumerate() {
        if let Err(m) = contact::web_url(u) {
            e.push(FieldError::new(format!("/evidence_urls/{i}"), m));
        } else if input.evidence_urls[..i].contains(u) {
            e.push(FieldError::new(
                format!("/evidence_urls/{i}"),
                "is repeated",
            ));
        }
    }
    match (input.budget_allocated, &input.currency) {
        (Some(b), cur) => {
            if !b.is_finite() || !(0.0..=1e15).contains(&b) {
                e.push(FieldError::new(
                    "/budget_allocated",
                    "must be between 0 and 10^15",
                ));
            } else if ((b * 100.0).round() - b * 100.0).abs() > 1e-6 {
                e.push(FieldError::new(
                    "/budget_allocated",
                    "must have at most two decimals",
                ));
            }
            match cur {
                None => e.push(FieldError::new(
                    "/currency",
                    "is required with budget_allocated",
                )),
                Some(c) => {
                    if let Err(m) = contact::currency(c) {
                        e.push(FieldError::new("/currency", m));
                    }
                }
            }
        }
        (None, Some(_)) => e.push(FieldError::new(
            "/currency",
            "is only allowed with budget_allocated",
        )),
        (None, None) => {}
    }
    if e.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::validation(e))
    }
}

fn row_values(input: &CommitmentInput, base: &CommitmentRow) -> CommitmentRow {
    CommitmentRow {
        status: input.status.as_str().to_string(),
        lead_institution: input.lead_institution.clone(),
        actions: input.actions.clone(),
        target_date: input.target_date.clone(),
        evidence_urls: serde_json::to_string(&input.evidence_urls).unwrap_or_else(|_| "[]".into()),
        budget_allocated: input.budget_allocated,
        currency: input.currency.clone(),
        ..base.clone()
    }
}

fn view(row: &CommitmentRow) -> serde_json::Value {
    serde_json::to_value(Commitment::from(row)).unwrap_or_default()
}

fn location(row: &CommitmentRow) -> String {
    format!(
        "/api/v1/member-states/{}/commitments/{}/{}",
        row.member_state, row.work_plan, row.guideline_number
    )
}

/// Parses the natural key from the path; 422 names the malformed part.
fn natural_key(path: (String, String, String)) -> ApiResult<(String, String, i32)> {
    let (code, plan, number) = path;
    MemberStateCode::parse(&code).map_err(|m| ApiError::invalid("code", m))?;
    if plan.is_empty()
        || plan.len() > 16
        || !plan
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ApiError::invalid(
            "work_plan",
            "must be a work-plan code such as WP2",
        ));
    }
    let n = number
        .parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::invalid("number", "must be a positive guideline number"))?;
    Ok((code, plan, n))
}

/// 404 unless the member state and the guideline exist.
fn require_targets(conn: &mut AnyConnection, code: &str, plan: &str, number: i32) -> ApiResult<()> {
    if !MemberStateRow::exists(conn, code)? {
        return Err(ApiError::not_found(format!(
            "No member state with code {code}."
        )));
    }
    if GuidelineRow::find(conn, plan, number)?.is_none() {
        return Err(ApiError::not_found(format!(
            "{plan} has no guideline {number}."
        )));
    }
    Ok(())
}

/// Record or update a commitment. Idempotent: sending the same body again changes nothing (same
/// version, no new history entry). 201 when it creates, 200 otherwise. Reporters write their own
/// state's commitments only. Honours `If-Match`.
#[utoipa::path(
    tag = "commitments",
    params(
        ("code" = String, Path, description = "Member state (ISO alpha-3)", example = "ARG"),
        ("work_plan" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16),
        ("number" = i32, Path, description = "Guideline number", example = 12, minimum = 1),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; 412 when stale"),
    ),
    request_body(content = CommitmentInput, example = json!({
        "status": "in_progress", "lead_institution": "Ministerio de Seguridad",
        "actions": "Training module for federal police academies.", "target_date": "2026-12-31",
        "evidence_urls": ["https://www.argentina.gob.ar/seguridad/trata"], "budget_allocated": 250000, "currency": "ARS"
    })),
    responses(
        (status = 200, description = "Updated, or unchanged", body = Commitment, headers(("ETag" = String, description = "Version"))),
        (status = 201, description = "Created", body = Commitment, headers(("Location" = String, description = "URL"), ("ETag" = String, description = "Version"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 409, response = crate::api::problems::Conflict),
        (status = 412, response = crate::api::problems::PreconditionFailed),
    )
)]
#[put("/{code}/commitments/{work_plan}/{number}")]
pub async fn put_commitment(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    body: JsonBody<CommitmentInput>,
) -> ApiResult<HttpResponse> {
    let (code, plan, number) = natural_key(path.into_inner())?;
    caller.require_write_state(&code)?;
    let input = validate(&body.0)?;
    let if_match = if_match(&req)?;
    let (row, created) = run_db(&state.pool, move |conn| {
        let attempt = |conn: &mut AnyConnection| {
            write_transaction(conn, |conn| {
                upsert(
                    conn,
                    &caller,
                    &code,
                    &plan,
                    number,
                    &input,
                    if_match.as_deref(),
                )
            })
        };
        match attempt(conn) {
            // Two first writes raced on the natural key: the loser retries as an update.
            Err(e) if e.status() == StatusCode::CONFLICT => attempt(conn),
            other => other,
        }
    })
    .await?;
    let mut res = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    if created {
        res.insert_header((header::LOCATION, location(&row)));
    }
    Ok(res
        .insert_header((header::ETAG, etag(KIND, &row.id, row.version)))
        .json(Commitment::from(&row)))
}

fn upsert(
    conn: &mut AnyConnection,
    caller: &Caller,
    code: &str,
    plan: &str,
    number: i32,
    input: &CommitmentInput,
    if_match: Option<&str>,
) -> ApiResult<(CommitmentRow, bool)> {
    require_targets(conn, code, plan, number)?;
    crate::locks::check_commitments(conn, code, plan)?;
    let now = Timestamp::now().to_db();
    let existing = CommitmentRow::find(conn, code, plan, number)?;
    let live = existing.as_ref().filter(|r| r.deleted_at.is_none());
    match (live, if_match) {
        (Some(cur), tag) => check_if_match(tag, &etag(KIND, &cur.id, cur.version))?,
        (None, Some(tag)) if tag.trim() != "*" => {
            return Err(ApiError::precondition_failed(
                "If-Match was sent but the commitment does not exist.",
            ))
        }
        _ => {}
    }
    match existing {
        None => {
            let base = CommitmentRow {
                id: uuid::Uuid::now_v7().to_string(),
                member_state: code.to_string(),
                work_plan: plan.to_string(),
                guideline_number: number,
                status: String::new(),
                lead_institution: None,
                actions: None,
                target_date: None,
                evidence_urls: "[]".into(),
                budget_allocated: None,
                currency: None,
                version: 1,
                created_at: now.clone(),
                updated_at: now,
                deleted_at: None,
            };
            let row = row_values(input, &base);
            row.insert(conn)?;
            AuditEventRow::record(
                conn,
                caller.actor(),
                "create",
                KIND,
                &row.id,
                None::<&()>,
                Some(&view(&row)),
            )?;
            Ok((row, true))
        }
        Some(before) => {
            let revived = before.deleted_at.is_some();
            let mut after = row_values(input, &before);
            after.deleted_at = None;
            if after == before {
                return Ok((before, false));
            }
            after.version = before.version + 1;
            after.updated_at = now;
            if revived {
                after.created_at = after.updated_at.clone();
            }
            if !after.update(conn, before.version)? {
                return Err(ApiError::precondition_failed(
                    "The commitment changed concurrently; reload it and retry.",
                ));
            }
            let action = if revived { "create" } else { "update" };
            let before_view = (!revived).then(|| view(&before));
            AuditEventRow::record(
                conn,
                caller.actor(),
                action,
                KIND,
                &after.id,
                before_view.as_ref(),
                Some(&view(&after)),
            )?;
            Ok((after, revived))
        }
    }
}

async fn load_live(
    state: &AppState,
    code: String,
    plan: String,
    number: i32,
) -> ApiResult<CommitmentRow> {
    run_db(&state.pool, move |conn| {
        require_targets(conn, &code, &plan, number)?;
        CommitmentRow::find(conn, &code, &plan, number)?
            .filter(|r| r.deleted_at.is_none())
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "{code} has no commitment on {plan} guideline {number}."
                ))
            })
    })
    .await
}

/// Get one commitment.
#[utoipa::path(
    tag = "commitments",
    params(
        ("code" = String, Path, description = "Member state (ISO alpha-3)", example = "ARG"),
        ("work_plan" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16),
        ("number" = i32, Path, description = "Guideline number", example = 12, minimum = 1),
    ),
    responses(
        (status = 200, description = "The commitment", body = Commitment, headers(("ETag" = String, description = "Version"))),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{code}/commitments/{work_plan}/{number}")]
pub async fn get_commitment(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> ApiResult<HttpResponse> {
    let (code, plan, number) = natural_key(path.into_inner())?;
    let row = load_live(&state, code, plan, number).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(KIND, &row.id, row.version)))
        .json(Commitment::from(&row)))
}

/// Delete a commitment. It remains as a tombstone for synchronising clients
/// (`include_deleted=true`) and in its history; a later PUT records it again. Honours `If-Match`.
/// 409 while the state's submission for a cycle on this work plan is submitted or validated.
#[utoipa::path(
    tag = "commitments",
    params(
        ("code" = String, Path, description = "Member state (ISO alpha-3)", example = "ARG"),
        ("work_plan" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16),
        ("number" = i32, Path, description = "Guideline number", example = 12, minimum = 1),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; 412 when stale"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 409, response = crate::api::problems::Conflict),
        (status = 412, response = crate::api::problems::PreconditionFailed),
    )
)]
#[delete("/{code}/commitments/{work_plan}/{number}")]
pub async fn delete_commitment(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> ApiResult<HttpResponse> {
    let (code, plan, number) = natural_key(path.into_inner())?;
    caller.require_write_state(&code)?;
    let if_match = if_match(&req)?;
    run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            require_targets(conn, &code, &plan, number)?;
            crate::locks::check_commitments(conn, &code, &plan)?;
            let before = CommitmentRow::find(conn, &code, &plan, number)?
                .filter(|r| r.deleted_at.is_none())
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "{code} has no commitment on {plan} guideline {number}."
                    ))
                })?;
            check_if_match(if_match.as_deref(), &etag(KIND, &before.id, before.version))?;
            let now = Timestamp::now().to_db();
            let after = CommitmentRow {
                version: before.version + 1,
                updated_at: now.clone(),
                deleted_at: Some(now),
                ..before.clone()
            };
            if !after.update(conn, before.version)? {
                return Err(ApiError::precondition_failed(
                    "The commitment changed concurrently; reload it and retry.",
                ));
            }
            AuditEventRow::record(
                conn,
                caller.actor(),
                "delete",
                KIND,
                &after.id,
                Some(&view(&before)),
                Some(&view(&after)),
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every change to a commitment (status and all other fields), oldest first, with who and when.
#[utoipa::path(
    tag = "commitments",
    params(
        ("code" = String, Path, description = "Member state (ISO alpha-3)", example = "ARG"),
        ("work_plan" = String, Path, description = "Work-plan code", example = "WP2", max_length = 16),
        ("number" = i32, Path, description = "Guideline number", example = 12, minimum = 1),
    ),
    responses(
        (status = 200, description = "The history", body = Page<HistoryEntry>),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{code}/commitments/{work_plan}/{number}/history")]
pub async fn list_commitment_history(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> ApiResult<HttpResponse> {
    let (code, plan, number) = natural_key(path.into_inner())?;
    let events = run_db(&state.pool, move |conn| {
        require_targets(conn, &code, &plan, number)?;
        let row = CommitmentRow::find(conn, &code, &plan, number)?.ok_or_else(|| {
            ApiError::not_found(format!(
                "{code} has no commitment on {plan} guideline {number}."
            ))
        })?;
        Ok(AuditEventRow::for_resource(
            conn,
            KIND,
            &row.id,
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

/// Filters of the commitment list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommitmentListParams {
    #[param(example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<String>,
    #[param(example = "WP2", max_length = 16)]
    pub work_plan: Option<String>,
    /// Section key of the work plan (needs `work_plan`).
    #[param(example = "prevention", max_length = 32)]
    pub section: Option<String>,
    /// Guideline number, or `WP2:12`.
    #[param(example = "WP2:12", max_length = 24)]
    pub guideline: Option<String>,
    pub status: Option<CommitmentStatus>,
    /// Only commitments changed at or after this instant (RFC 3339).
    #[param(example = "2026-01-01T00:00:00Z")]
    pub updated_since: Option<String>,
    /// Also list deleted commitments, as tombstones with `deleted_at`.
    pub include_deleted: Option<bool>,
    /// `csv` for a CSV download of every matching commitment (same as `Accept: text/csv`).
    #[param(inline)]
    pub format: Option<csv::Format>,
    /// Items per page, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    #[param(max_length = 512)]
    pub cursor: Option<String>,
}

const CSV_HEADERS: &[&str] = &[
    "id",
    "member_state",
    "work_plan",
    "guideline",
    "status",
    "lead_institution",
    "actions",
    "target_date",
    "evidence_urls",
    "budget_allocated",
    "currency",
    "version",
    "created_at",
    "updated_at",
    "deleted_at",
];

fn csv_cells(r: &CommitmentRow) -> Vec<String> {
    let c = Commitment::from(r);
    vec![
        c.id,
        c.member_state,
        c.work_plan,
        c.guideline.to_string(),
        c.status.as_str().into(),
        csv::opt(&c.lead_institution),
        csv::opt(&c.actions),
        csv::opt(&c.target_date),
        csv::join(&c.evidence_urls),
        csv::opt(&c.budget_allocated),
        csv::opt(&c.currency),
        c.version.to_string(),
        c.created_at.to_db(),
        c.updated_at.to_db(),
        c.deleted_at.map(|t| t.to_db()).unwrap_or_default(),
    ]
}

/// List commitments, ordered by member state, work plan and guideline. `Accept: text/csv` or
/// `format=csv` streams every matching commitment as CSV.
#[utoipa::path(
    tag = "commitments",
    params(CommitmentListParams),
    responses((status = 200, description = "A page of commitments (JSON) or all of them (CSV)",
        content((Page<Commitment> = "application/json"), (String = "text/csv")),
        headers(("Link" = String, description = "Next page, when there is one"))))
)]
#[get("")]
pub async fn list_commitments(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<CommitmentListParams>,
) -> ApiResult<HttpResponse> {
    let q = query.0;
    if let Some(ms) = &q.member_state {
        MemberStateCode::parse(ms).map_err(|m| ApiError::invalid("member_state", m))?;
    }
    bounded("work_plan", q.work_plan.as_deref(), 16)?;
    bounded("section", q.section.as_deref(), 32)?;
    bounded("guideline", q.guideline.as_deref(), 24)?;
    if q.section.is_some() && q.work_plan.is_none() {
        return Err(ApiError::invalid(
            "section",
            "needs work_plan (section keys belong to a work plan)",
        ));
    }
    let mut work_plan = q.work_plan;
    let guideline = match q.guideline.as_deref() {
        None => None,
        Some(g) => {
            let (plan, number) = match g.split_once(':') {
                Some((p, n)) => (Some(p.to_string()), n),
                None => (None, g),
            };
            let n = number
                .parse::<i32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "guideline",
                        "must be a guideline number or WORKPLAN:NUMBER such as WP2:12",
                    )
                })?;
            if let Some(p) = plan {
                if work_plan.as_ref().is_some_and(|w| w != &p) {
                    return Err(ApiError::invalid(
                        "guideline",
                        "names another work plan than work_plan",
                    ));
                }
                work_plan = Some(p);
            }
            Some(n)
        }
    };
    let filter = Filter {
        member_state: q.member_state,
        work_plan,
        section: q.section,
        guideline,
        status: q.status.map(|s| s.as_str().to_string()),
        updated_since: updated_since(q.updated_since.as_deref())?,
        include_deleted: q.include_deleted.unwrap_or(false),
    };
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let limit = page.limit()?;
    // Validated for CSV too, though CSV streams everything and ignores them.
    let after: Option<Key> = page.after(KIND)?;
    if csv::wanted(&req, q.format) {
        return Ok(csv::stream(
            &state.pool,
            "commitments.csv",
            CSV_HEADERS,
            move |conn, after: Option<Key>, n| {
                Ok(CommitmentRow::list(conn, &filter, after.as_ref(), n)?)
            },
            CommitmentRow::key,
            csv_cells,
        ));
    }
    let rows = run_db(&state.pool, move |conn| {
        Ok(CommitmentRow::list(
            conn,
            &filter,
            after.as_ref(),
            limit + 1,
        )?)
    })
    .await?;
    Ok(Page::from_rows(rows, limit, KIND, CommitmentRow::key, |r| {
        Commitment::from(&r)
    })
    .respond(&req))
}
