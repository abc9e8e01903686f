//! `/api/v1/training-events`: training given by member states and the General Secretariat
//! (guidelines 12, 32 and 45; mandates 1 to 5).

use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::csv;
use crate::api::http::extract::JsonBody;
use crate::api::http::history::HistoryEntry;
use crate::api::http::idempotency::{self, Created};
use crate::api::http::pagination::{Page, PageParams};
use crate::api::http::query;
use crate::api::http::run_db;
use crate::api::{check_if_match, etag, if_match, updated_since};
use crate::auth::Caller;
use crate::db::{self, pool::write_transaction, AnyConnection};
use crate::domain::{contact, Audience, MemberStateCode, Role};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::models::audit_event::{Actor, AuditEventRow};
use crate::models::member_state::MemberStateRow;
use crate::models::training_event::{
    sort_audiences, Filter, Key, TrainingEventRecord, TrainingEventRow,
};
use crate::models::work_plan::GuidelineRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

const KIND: &str = "training_event";
const NOT_FOUND: &str = "No such training event.";
const MAX_GUIDELINES: usize = 50;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_training_events)
        .service(create_training_event)
        .service(get_training_event)
        .service(replace_training_event)
        .service(update_training_event)
        .service(delete_training_event)
        .service(list_training_event_history);
}

/// How the training was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    InPerson,
    Virtual,
    /// Some participants in the room, some online.
    Hybrid,
}

impl Modality {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InPerson => "in_person",
            Self::Virtual => "virtual",
            Self::Hybrid => "hybrid",
        }
    }

    pub fn from_db(s: &str) -> Self {
        match s {
            "in_person" => Self::InPerson,
            "virtual" => Self::Virtual,
            _ => Self::Hybrid,
        }
    }
}

/// A guideline of a work plan, by plan code and number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuidelineRef {
    /// Work-plan code.
    #[schema(example = "WP2", min_length = 1, max_length = 16)]
    pub work_plan: String,
    /// Guideline number within the plan.
    #[schema(example = 45, minimum = 1)]
    pub number: i32,
}

/// A training event.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6a", "member_state": "ARG",
    "organizer": "Ministerio de Seguridad", "title": "Identificación de víctimas de trata en pasos fronterizos",
    "description": "Taller para fuerzas federales y personal de migraciones.", "start_date": "2026-03-10",
    "end_date": "2026-03-12", "city": "Posadas", "modality": "in_person",
    "audiences": ["police", "migration"], "guidelines": [{"work_plan": "WP2", "number": 45}],
    "participants_total": 40, "participants_women": 22, "participants_men": 18, "partners": "OIM; UNODC",
    "version": 1, "created_at": "2026-03-13T14:02:11.482113Z", "updated_at": "2026-03-13T14:02:11.482113Z",
    "deleted_at": null
}))]
pub struct TrainingEvent {
    pub id: String,
    /// Host member state (ISO 3166-1 alpha-3); `null` for a regional event of the General Secretariat.
    pub member_state: Option<String>,
    /// Institution that organised the event.
    pub organizer: String,
    pub title: String,
    pub description: Option<String>,
    /// First day.
    #[schema(format = Date)]
    pub start_date: String,
    /// Last day (on or after `start_date`; equal for a one-day event).
    #[schema(format = Date)]
    pub end_date: String,
    pub city: Option<String>,
    pub modality: Modality,
    /// Who was trained, in code-list order.
    pub audiences: Vec<Audience>,
    /// Guidelines the event addressed, ordered by work plan and number.
    pub guidelines: Vec<GuidelineRef>,
    /// Number of participants, when known.
    pub participants_total: Option<i32>,
    /// Of whom women, when known.
    pub participants_women: Option<i32>,
    /// Of whom men, when known.
    pub participants_men: Option<i32>,
    /// Partner organisations, free text.
    pub partners: Option<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set on deleted events (tombstones, listed with `include_deleted=true`).
    pub deleted_at: Option<Timestamp>,
}

impl From<&TrainingEventRecord> for TrainingEvent {
    fn from(rec: &TrainingEventRecord) -> Self {
        let r = &rec.row;
        TrainingEvent {
            id: r.id.clone(),
            member_state: r.member_state.clone(),
            organizer: r.organizer.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            start_date: r.start_date.clone(),
            end_date: r.end_date.clone(),
            city: r.city.clone(),
            modality: Modality::from_db(&r.modality),
            audiences: rec
                .audiences
                .iter()
                .filter_map(|a| Audience::parse(a))
                .collect(),
            guidelines: rec
                .guidelines
                .iter()
                .map(|(plan, number)| GuidelineRef {
                    work_plan: plan.clone(),
                    number: *number,
                })
                .collect(),
            participants_total: r.participants_total,
            participants_women: r.participants_women,
            participants_men: r.participants_men,
            partners: r.partners.clone(),
            version: r.version,
            created_at: Timestamp::from_db(&r.created_at),
            updated_at: Timestamp::from_db(&r.updated_at),
            deleted_at: r.deleted_at.as_deref().map(Timestamp::from_db),
        }
    }
}

/// A training event as written by POST and PUT (PUT replaces every field).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingEventInput {
    /// Host member state (ISO alpha-3), or `null` for a regional event (admin only). When omitted:
    /// a reporter's own state; for an admin, a regional event on POST and the current host on PUT.
    #[serde(
        default,
        deserialize_with = "crate::api::http::extract::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<Option<String>>,
    #[schema(example = "Ministerio de Seguridad", min_length = 1, max_length = 300)]
    pub organizer: String,
    #[schema(
        example = "Identificación de víctimas de trata en pasos fronterizos",
        min_length = 1,
        max_length = 300
    )]
    pub title: String,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    #[schema(example = "2026-03-10", format = Date)]
    pub start_date: String,
    /// On or after `start_date`.
    #[schema(example = "2026-03-12", format = Date)]
    pub end_date: String,
    #[schema(example = "Posadas", max_length = 200)]
    pub city: Option<String>,
    pub modality: Modality,
    /// Who was trained; each code at most once.
    #[serde(default)]
    #[schema(example = json!(["police", "migration"]), max_items = 11)]
    pub audiences: Vec<Audience>,
    /// Guidelines the event addressed; each must exist and appear at most once.
    #[serde(default)]
    #[schema(example = json!([{"work_plan": "WP2", "number": 45}]), max_items = 50)]
    pub guidelines: Vec<GuidelineRef>,
    /// Number of participants; required when women or men are given.
    #[schema(example = 40, minimum = 0)]
    pub participants_total: Option<i32>,
    /// Women among the participants; women + men never exceed the total.
    #[schema(example = 22, minimum = 0)]
    pub participants_women: Option<i32>,
    /// Men among the participants.
    #[schema(example = 18, minimum = 0)]
    pub participants_men: Option<i32>,
    /// Partner organisations, free text.
    #[schema(example = "OIM; UNODC", max_length = 1000)]
    pub partners: Option<String>,
}

/// Changes to an event; omitted fields stay, `null` clears an optional field (and `member_state:
/// null` makes the event regional, admin only).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingEventPatch {
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, pattern = "^[A-Z]{3}$")]
    pub member_state: Option<Option<String>>,
    #[schema(min_length = 1, max_length = 300)]
    pub organizer: Option<String>,
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Option<Option<String>>,
    #[schema(format = Date)]
    pub start_date: Option<String>,
    #[schema(format = Date)]
    pub end_date: Option<String>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub city: Option<Option<String>>,
    pub modality: Option<Modality>,
    #[schema(max_items = 11)]
    pub audiences: Option<Vec<Audience>>,
    #[schema(max_items = 50)]
    pub guidelines: Option<Vec<GuidelineRef>>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<i32>, minimum = 0)]
    pub participants_total: Option<Option<i32>>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<i32>, minimum = 0)]
    pub participants_women: Option<Option<i32>>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<i32>, minimum = 0)]
    pub participants_men: Option<Option<i32>>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub partners: Option<Option<String>>,
}

impl TrainingEventPatch {
    fn apply(self, current: &TrainingEvent) -> TrainingEventInput {
        fn pick<T: Clone>(new: Option<Option<T>>, old: &Option<T>) -> Option<T> {
            new.unwrap_or_else(|| old.clone())
        }
        TrainingEventInput {
            member_state: Some(pick(self.member_state, &current.member_state)),
            organizer: self.organizer.unwrap_or_else(|| current.organizer.clone()),
            title: self.title.unwrap_or_else(|| current.title.clone()),
            description: pick(self.description, &current.description),
            start_date: self
                .start_date
                .unwrap_or_else(|| current.start_date.clone()),
            end_date: self.end_date.unwrap_or_else(|| current.end_date.clone()),
            city: pick(self.city, &current.city),
            modality: self.modality.unwrap_or(current.modality),
            audiences: self.audiences.unwrap_or_else(|| current.audiences.clone()),
            guidelines: self
                .guidelines
                .unwrap_or_else(|| current.guidelines.clone()),
            participants_total: pick(self.participants_total, &current.participants_total),
            participants_women: pick(self.participants_women, &current.participants_women),
            participants_men: pick(self.participants_men, &current.participants_men),
            partners: pick(self.partners, &current.partners),
        }
    }
}

/// 403 unless the caller may write events hosted by `member_state` (`None`: regional, admin only).
fn require_write(caller: &Caller, member_state: Option<&str>) -> ApiResult<()> {
    match member_state {
        Some(code) => caller.require_write_state(code),
        None if caller.is_admin() => Ok(()),
        None if caller.role == Role::Viewer => {
            Err(ApiError::forbidden("Viewers have read-only access."))
        }
        None => Err(ApiError::forbidden(
            "Regional events (no member_state) are reported by the General Secretariat (admin) only; \
             a reporter's events are hosted by its own member state.",
        )),
    }
}

/// The host a write is for: `given` (`Some(None)`: regional) or, when absent, the reporter's own
/// state (an admin's: regional). Checked for scope, then for existence.
fn target_state(
    conn: &mut AnyConnection,
    caller: &Caller,
    given: Option<Option<&str>>,
) -> ApiResult<Option<String>> {
    let code = match given {
        Some(code) => code.map(str::to_string),
        None if caller.is_admin() => None,
        None => caller.member_state.clone(),
    };
    let Some(code) = code else {
        require_write(caller, None)?;
        return Ok(None);
    };
    MemberStateCode::parse(&code).map_err(|m| ApiError::invalid("/member_state", m))?;
    caller.require_write_state(&code)?;
    if !MemberStateRow::exists(conn, &code)? {
        return Err(ApiError::invalid(
            "/member_state",
            format!("{code} is not an OAS member state"),
        ));
    }
    Ok(Some(code))
}

/// Validates every field at once (guidelines against the catalog); returns the record to store
/// (id, version and times left to the caller).
fn validate(
    conn: &mut AnyConnection,
    input: &TrainingEventInput,
    member_state: Option<String>,
) -> ApiResult<TrainingEventRecord> {
    let mut errors = Vec::new();
    let mut text = |field: &str, value: Option<&String>, max: usize| -> Option<String> {
        let v = value?;
        match contact::text(v, max) {
            Ok(ok) => Some(ok),
            Err(m) => {
                errors.push(FieldError::new(format!("/{field}"), m));
                None
            }
        }
    };
    let organizer = text("organizer", Some(&input.organizer), 300);
    let title = text("title", Some(&input.title), 300);
    let description = text("description", input.description.as_ref(), 5000);
    let city = text("city", input.city.as_ref(), 200);
    let partners = text("partners", input.partners.as_ref(), 1000);

    let mut date = |field: &str, raw: &str| match contact::date(raw) {
        Ok(d) => Some(d),
        Err(m) => {
            errors.push(FieldError::new(format!("/{field}"), m));
            None
        }
    };
    let start = date("start_date", &input.start_date);
    let end = date("end_date", &input.end_date);
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            errors.push(FieldError::new(
                "/end_date",
                format!("must be on or after start_date ({s})"),
            ));
        }
    }

    let counts = [
        ("participants_total", input.participants_total),
        ("participants_women", input.participants_women),
        ("participants_men", input.participants_men),
    ];
    for (field, value) in counts {
        if value.is_some_and(|n| n < 0) {
            errors.push(FieldError::new(format!("/{field}"), "must not be negative"));
        }
    }
    let parts = i64::from(input.participants_women.unwrap_or(0))
        + i64::from(input.participants_men.unwrap_or(0));
    match input.participants_total {
        None if input.participants_women.is_some() || input.participants_men.is_some() => {
            errors.push(FieldError::new(
                "/participants_total",
                "is required when participants_women or participants_men is given",
            ));
        }
        Some(total) if total >= 0 && parts > i64::from(total) => {
            errors.push(FieldError::new(
                "/participants_total",
                format!(
                    "must be at least participants_women + participants_men ({parts}): the parts never exceed the total"
                ),
            ));
        }
        _ => {}
    }

    let mut audiences: Vec<String> = Vec::new();
    for (i, a) in input.audiences.iter().enumerate() {
        if audiences.iter().any(|x| x == a.as_str()) {
            errors.push(FieldError::new(format!("/audiences/{i}"), "is repeated"));
        } else {
            audiences.push(a.as_str().to_string());
        }
    }
    sort_audiences(&mut audiences);

    let mut guidelines: Vec<(String, i32)> = Vec::new();
    if input.guidelines.len() > MAX_GUIDELINES {
        errors.push(FieldError::new(
            "/guidelines",
            format!("must have at most {MAX_GUIDELINES} guidelines"),
        ));
    } else {
        for (i, g) in input.guidelines.iter().enumerate() {
            let at = format!("/guidelines/{i}");
            if g.work_plan.is_empty() || g.work_plan.chars().count() > 16 {
                errors.push(FieldError::new(
                    format!("{at}/work_plan"),
                    "must be a work-plan code such as WP2",
                ));
            } else if g.number < 1 {
                errors.push(FieldError::new(
                    format!("{at}/number"),
                    "must be at least 1",
                ));
            } else if guidelines
                .iter()
                .any(|(p, n)| *p == g.work_plan && *n == g.number)
            {
                errors.push(FieldError::new(at, "is repeated"));
            } else if GuidelineRow::find(conn, &g.work_plan, g.number)?.is_none() {
                errors.push(FieldError::new(
                    at,
                    format!(
                        "{} guideline {} does not exist (see GET /api/v1/work-plans/{}/guidelines)",
                        g.work_plan, g.number, g.work_plan
                    ),
                ));
            } else {
                guidelines.push((g.work_plan.clone(), g.number));
            }
        }
    }
    guidelines.sort();

    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let iso = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    Ok(TrainingEventRecord {
        row: TrainingEventRow {
            id: String::new(),
            member_state,
            organizer: organizer.unwrap_or_default(),
            title: title.unwrap_or_default(),
            description,
            start_date: iso(start),
            end_date: iso(end),
            city,
            modality: input.modality.as_str().to_string(),
            participants_total: input.participants_total,
            participants_women: input.participants_women,
            participants_men: input.participants_men,
            partners,
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
            deleted_at: None,
        },
        audiences,
        guidelines,
    })
}

fn audit_view(rec: &TrainingEventRecord) -> serde_json::Value {
    serde_json::to_value(TrainingEvent::from(rec)).unwrap_or_default()
}

/// Filters of the training-event list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrainingEventListParams {
    /// Only events hosted by this member state.
    #[param(example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<String>,
    /// Only events that end on or after this date (with `to`: events overlapping the range).
    #[param(example = "2026-01-01", format = Date)]
    pub from: Option<String>,
    /// Only events that start on or before this date.
    #[param(example = "2026-12-31", format = Date)]
    pub to: Option<String>,
    // `audience` and `guideline` are here for the spec: `list_filter` reads them from the raw
    // query string, because serde_urlencoded cannot decode a repeated key.
    /// Only events that trained any of these audiences; repeat the parameter for several
    /// (`audience=police&audience=judges`: events with police, judges or both).
    #[param(style = Form, explode, inline)]
    pub audience: Option<Vec<Audience>>,
    /// Only events that addressed any of these guidelines, as `WORK_PLAN:NUMBER`; repeatable
    /// like `audience`.
    #[param(style = Form, explode, max_items = 50, example = json!(["WP2:45"]))]
    pub guideline: Option<Vec<String>>,
    #[param(inline)]
    pub modality: Option<Modality>,
    /// Case-insensitive text in the title, organizer or city.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only events changed at or after this instant (RFC 3339).
    #[param(example = "2026-01-01T00:00:00Z")]
    pub updated_since: Option<String>,
    /// Also list deleted events, as tombstones with `deleted_at`.
    pub include_deleted: Option<bool>,
    /// `csv` for a CSV download of every matching event (same as `Accept: text/csv`).
    #[param(inline)]
    pub format: Option<csv::Format>,
    /// Items per page, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page.
    #[param(max_length = 512)]
    pub cursor: Option<String>,
}

/// `WP2:45` into its plan and number.
fn guideline_filter(raw: &str) -> ApiResult<(String, i32)> {
    let invalid = || ApiError::invalid("guideline", "must be WORK_PLAN:NUMBER such as WP2:45");
    let (plan, number) = raw.split_once(':').ok_or_else(invalid)?;
    let number: i32 = number.parse().map_err(|_| invalid())?;
    if plan.is_empty() || plan.chars().count() > 16 || number < 1 {
        return Err(invalid());
    }
    Ok((plan.to_string(), number))
}

fn date_filter(name: &str, raw: Option<&str>) -> ApiResult<Option<String>> {
    raw.map(|d| {
        contact::date(d)
            .map(|d| d.to_string())
            .map_err(|m| ApiError::invalid(name, m))
    })
    .transpose()
}

/// Reads the list's query: the ordinary parameters and the repeatable `audience` and `guideline`.
fn list_filter(query: &str) -> ApiResult<(Filter, PageParams, Option<csv::Format>)> {
    let (q, repeated): (TrainingEventListParams, _) =
        query::decode(query, &["audience", "guideline"])?;
    if let Some(ms) = &q.member_state {
        MemberStateCode::parse(ms).map_err(|m| ApiError::invalid("member_state", m))?;
    }
    if q.q.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::invalid("q", "must be at most 200 characters"));
    }
    let from = date_filter("from", q.from.as_deref())?;
    let to = date_filter("to", q.to.as_deref())?;
    if let (Some(f), Some(t)) = (&from, &to) {
        if t < f {
            return Err(ApiError::invalid(
                "to",
                format!("must be on or after from ({f})"),
            ));
        }
    }
    let mut audiences: Vec<String> = Vec::new();
    for raw in repeated.values("audience") {
        let a = Audience::parse(&raw).ok_or_else(|| {
            let codes: Vec<&str> = Audience::ALL.iter().map(|a| a.as_str()).collect();
            ApiError::invalid("audience", format!("must be one of {}", codes.join(", ")))
        })?;
        if !audiences.iter().any(|x| x == a.as_str()) {
            audiences.push(a.as_str().to_string());
        }
    }
    let raw_guidelines = repeated.values("guideline");
    if raw_guidelines.len() > MAX_GUIDELINES {
        return Err(ApiError::invalid(
            "guideline",
            format!("may be repeated at most {MAX_GUIDELINES} times"),
        ));
    }
    let guidelines = raw_guidelines
        .iter()
        .map(|g| guideline_filter(g))
        .collect::<ApiResult<Vec<_>>>()?;
    let filter = Filter {
        member_state: q.member_state,
        from,
        to,
        audiences,
        guidelines,
        modality: q.modality.map(|m| m.as_str().to_string()),
        q: q.q.filter(|t| !t.is_empty()),
        updated_since: updated_since(q.updated_since.as_deref())?,
        include_deleted: q.include_deleted.unwrap_or(false),
    };
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok((filter, page, q.format))
}

const CSV_HEADERS: &[&str] = &[
    "id",
    "member_state",
    "organizer",
    "title",
    "description",
    "start_date",
    "end_date",
    "city",
    "modality",
    "audiences",
    "guidelines",
    "participants_total",
    "participants_women",
    "participants_men",
    "partners",
    "version",
    "created_at",
    "updated_at",
    "deleted_at",
];

/// One CSV row: audiences as `police;judges`, guidelines as `WP2:12;WP2:45`.
pub fn csv_cells(e: &TrainingEvent) -> Vec<String> {
    let audiences: Vec<String> = e.audiences.iter().map(|a| a.as_str().into()).collect();
    let guidelines: Vec<String> = e
        .guidelines
        .iter()
        .map(|g| format!("{}:{}", g.work_plan, g.number))
        .collect();
    vec![
        e.id.clone(),
        csv::opt(&e.member_state),
        e.organizer.clone(),
        e.title.clone(),
        csv::opt(&e.description),
        e.start_date.clone(),
        e.end_date.clone(),
        csv::opt(&e.city),
        e.modality.as_str().into(),
        csv::join(&audiences),
        csv::join(&guidelines),
        csv::opt(&e.participants_total),
        csv::opt(&e.participants_women),
        csv::opt(&e.participants_men),
        csv::opt(&e.partners),
        e.version.to_string(),
        e.created_at.to_db(),
        e.updated_at.to_db(),
        e.deleted_at.map(|t| t.to_db()).unwrap_or_default(),
    ]
}

/// List training events, ordered by start date, then id (creation order within a day). `from` and
/// `to` select events overlapping the range, both edges included; `audience` and `guideline` may be
/// repeated and match events with any of the values. `Accept: text/csv` or `format=csv` streams every
/// matching event as CSV, one row per event, audiences and guidelines as `;`-joined cells.
#[utoipa::path(
    tag = "training-events",
    params(TrainingEventListParams),
    responses((status = 200, description = "A page of events (JSON) or all of them (CSV)",
        content((Page<TrainingEvent> = "application/json"), (String = "text/csv")),
        headers(("Link" = String, description = "Next page, when there is one"))))
)]
#[get("")]
pub async fn list_training_events(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let (filter, page, format) = list_filter(req.query_string())?;
    let limit = page.limit()?;
    // Validated for CSV too, though CSV streams everything and ignores them.
    let after: Option<Key> = page.after(KIND)?;
    if csv::wanted(&req, format) {
        return Ok(csv::stream(
            &state.pool,
            "training-events.csv",
            CSV_HEADERS,
            move |conn, after: Option<Key>, n| {
                Ok(TrainingEventRecord::list(conn, &filter, after.as_ref(), n)?)
            },
            TrainingEventRecord::key,
            |r| csv_cells(&TrainingEvent::from(r)),
        ));
    }
    let rows = run_db(&state.pool, move |conn| {
        Ok(TrainingEventRecord::list(
            conn,
            &filter,
            after.as_ref(),
            limit + 1,
        )?)
    })
    .await?;
    Ok(
        Page::from_rows(rows, limit, KIND, TrainingEventRecord::key, |r| {
            TrainingEvent::from(&r)
        })
        .respond(&req),
    )
}

/// Report a training event. A reporter reports its own state's events (`member_state` may be
/// omitted); regional events (`member_state: null`) are the General Secretariat's (admin). Systems
/// on unreliable networks should send an `Idempotency-Key`: a retry with the same key and body
/// answers the first response again instead of reporting the event twice.
#[utoipa::path(
    tag = "training-events",
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body replay the first response; same key, other body: 422")),
    request_body(content = TrainingEventInput, example = json!({
        "member_state": "ARG", "organizer": "Ministerio de Seguridad",
        "title": "Identificación de víctimas de trata en pasos fronterizos",
        "description": "Taller para fuerzas federales y personal de migraciones.",
        "start_date": "2026-03-10", "end_date": "2026-03-12", "city": "Posadas", "modality": "in_person",
        "audiences": ["police", "migration"], "guidelines": [{"work_plan": "WP2", "number": 45}],
        "participants_total": 40, "participants_women": 22, "participants_men": 18, "partners": "OIM; UNODC"
    })),
    responses(
        (status = 201, description = "Created (or, for a repeated Idempotency-Key, the first response again)", body = TrainingEvent,
            headers(("Location" = String, description = "URL of the event"), ("ETag" = String, description = "Version"))),
        (status = 403, response = crate::api::problems::Forbidden),
    )
)]
#[post("")]
pub async fn create_training_event(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<TrainingEventInput>,
) -> ApiResult<HttpResponse> {
    let input = body.0;
    let key = idempotency::key_from(&req)?;
    let hash = idempotency::fingerprint(&req, &input);
    let who = caller.clone();
    idempotency::create(&state.pool, &caller, key, hash, move |conn| {
        let ms = target_state(
            conn,
            &who,
            input.member_state.as_ref().map(|m| m.as_deref()),
        )?;
        let mut rec = validate(conn, &input, ms)?;
        let now = Timestamp::now().to_db();
        rec.row.id = uuid::Uuid::now_v7().to_string();
        rec.row.created_at = now.clone();
        rec.row.updated_at = now;
        rec.insert(conn)?;
        let view = audit_view(&rec);
        AuditEventRow::record(
            conn,
            who.actor(),
            "create",
            KIND,
            &rec.row.id,
            None::<&()>,
            Some(&view),
        )?;
        Ok(Created {
            location: format!("/api/v1/training-events/{}", rec.row.id),
            etag: Some(etag(KIND, &rec.row.id, rec.row.version)),
            body: view,
        })
    })
    .await
}

/// The event, unless it does not exist or was deleted (404).
fn find_live(conn: &mut AnyConnection, id: &str) -> ApiResult<TrainingEventRecord> {
    TrainingEventRecord::find(conn, id)?
        .filter(|r| r.row.deleted_at.is_none())
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))
}

/// Get one training event (404 once deleted).
#[utoipa::path(
    tag = "training-events",
    params(("id" = String, Path, description = "Event id (UUID)", max_length = 64)),
    responses(
        (status = 200, description = "The event", body = TrainingEvent, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{id}")]
pub async fn get_training_event(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let rec = run_db(&state.pool, move |conn| find_live(conn, &id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(KIND, &rec.row.id, rec.row.version)))
        .json(TrainingEvent::from(&rec)))
}

/// Replaces an event with `next(current)` in one transaction: scope (of the current and of the
/// new host), If-Match, validation and the audit trail. An unchanged result changes nothing.
async fn change<F>(
    req: &HttpRequest,
    caller: Caller,
    state: &AppState,
    id: String,
    next: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(&TrainingEvent) -> TrainingEventInput + Send + 'static,
{
    let if_match = if_match(req)?;
    let rec = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let before = find_live(conn, &id)?;
            require_write(&caller, before.row.member_state.as_deref())?;
            check_if_match(
                if_match.as_deref(),
                &etag(KIND, &before.row.id, before.row.version),
            )?;
            let input = next(&TrainingEvent::from(&before));
            let ms = target_state(
                conn,
                &caller,
                input.member_state.as_ref().map(|m| m.as_deref()),
            )?;
            let mut after = validate(conn, &input, ms)?;
            after.row.id = before.row.id.clone();
            after.row.version = before.row.version;
            after.row.created_at = before.row.created_at.clone();
            after.row.updated_at = before.row.updated_at.clone();
            if after == before {
                return Ok(before);
            }
            after.row.version = before.row.version + 1;
            after.row.updated_at = Timestamp::now().to_db();
            if !after.update(conn, before.row.version)? {
                return Err(ApiError::precondition_failed(
                    "The event changed concurrently; reload it and retry.",
                ));
            }
            AuditEventRow::record(
                conn,
                caller.actor(),
                "update",
                KIND,
                &after.row.id,
                Some(&audit_view(&before)),
                Some(&audit_view(&after)),
            )?;
            Ok(after)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(KIND, &rec.row.id, rec.row.version)))
        .json(TrainingEvent::from(&rec)))
}

/// Replace every field of an event (omitted optional fields become null; an omitted
/// `member_state` keeps the current host). Honours `If-Match`; an identical PUT changes nothing.
#[utoipa::path(
    tag = "training-events",
    params(("id" = String, Path, description = "Event id (UUID)", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; 412 when stale")),
    request_body = TrainingEventInput,
    responses(
        (status = 200, description = "The event after the change", body = TrainingEvent, headers(("ETag" = String, description = "New version"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 409, response = crate::api::problems::Conflict),
        (status = 412, response = crate::api::problems::PreconditionFailed),
    )
)]
#[put("/{id}")]
pub async fn replace_training_event(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<TrainingEventInput>,
) -> ApiResult<HttpResponse> {
    let mut input = body.0;
    change(&req, caller, &state, id.into_inner(), move |current| {
        if input.member_state.is_none() {
            input.member_state = Some(current.member_state.clone());
        }
        input
    })
    .await
}

/// Change some fields of an event. Honours `If-Match`.
#[utoipa::path(
    tag = "training-events",
    params(("id" = String, Path, description = "Event id (UUID)", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; 412 when stale")),
    request_body(content = TrainingEventPatch, example = json!({"participants_total": 42, "participants_women": 24, "audiences": ["police", "migration", "judges"]})),
    responses(
        (status = 200, description = "The event after the change", body = TrainingEvent, headers(("ETag" = String, description = "New version"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 409, response = crate::api::problems::Conflict),
        (status = 412, response = crate::api::problems::PreconditionFailed),
    )
)]
#[patch("/{id}")]
pub async fn update_training_event(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<TrainingEventPatch>,
) -> ApiResult<HttpResponse> {
    let patch = body.0;
    change(&req, caller, &state, id.into_inner(), move |current| {
        patch.apply(current)
    })
    .await
}

/// Delete an event. It remains as a tombstone for synchronising clients (`include_deleted=true`)
/// and in its history; GET answers 404 from then on. Honours `If-Match`.
#[utoipa::path(
    tag = "training-events",
    params(("id" = String, Path, description = "Event id (UUID)", max_length = 64),
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
pub async fn delete_training_event(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let if_match = if_match(&req)?;
    let id = id.into_inner();
    run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let before = find_live(conn, &id)?;
            require_write(&caller, before.row.member_state.as_deref())?;
            check_if_match(
                if_match.as_deref(),
                &etag(KIND, &before.row.id, before.row.version),
            )?;
            let now = Timestamp::now().to_db();
            let mut after = before.clone();
            after.row.version = before.row.version + 1;
            after.row.updated_at = now.clone();
            after.row.deleted_at = Some(now);
            if !after.update(conn, before.row.version)? {
                return Err(ApiError::precondition_failed(
                    "The event changed concurrently; reload it and retry.",
                ));
            }
            AuditEventRow::record(
                conn,
                caller.actor(),
                "delete",
                KIND,
                &after.row.id,
                Some(&audit_view(&before)),
                Some(&audit_view(&after)),
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every version of an event, oldest first, with who changed it and when (deleted events too:
/// the last entry is then the deletion).
#[utoipa::path(
    tag = "training-events",
    params(("id" = String, Path, description = "Event id (UUID)", max_length = 64)),
    responses(
        (status = 200, description = "The event's history", body = Page<HistoryEntry>),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{id}/history")]
pub async fn list_training_event_history(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let events = run_db(&state.pool, move |conn| {
        TrainingEventRecord::find(conn, &id)?.ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
        Ok(AuditEventRow::for_resource(conn, KIND, &id, 0, i64::MAX)?)
    })
    .await?;
    let items: Vec<HistoryEntry> = events.into_iter().map(HistoryEntry::from).collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
