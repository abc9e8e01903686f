//! `/api/v1/national-authorities`: the register of national authorities (mandates 8 and 9).

use actix_web::http::header;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{check_if_match, etag, if_match, updated_since};
use crate::auth::Caller;
use crate::csv;
use crate::db::{self, pool::write_transaction, AnyConnection};
use crate::domain::{contact, MemberStateCode};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::{bounded, JsonBody, QueryParams};
use crate::history::HistoryEntry;
use crate::idempotency::{self, Created};
use crate::models::audit_event::{Actor, AuditEventRow};
use crate::models::member_state::MemberStateRow;
use crate::models::national_authority::{Filter, NationalAuthorityRow};
use crate::pagination::{Page, PageParams};
use crate::state::AppState;
use crate::timestamp::Timestamp;

const KIND: &str = "national_authority";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_national_authorities)
        .service(create_national_authority)
        .service(get_national_authority)
        .service(replace_national_authority)
        .service(update_national_authority)
        .service(delete_national_authority)
        .service(list_national_authority_history);
}

/// What an authority is in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityRole {
    /// The national point of contact (at most one active per member state).
    NationalPointOfContact,
    CoordinatingBody,
    FocalPoint,
}

impl AuthorityRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NationalPointOfContact => "national_point_of_contact",
            Self::CoordinatingBody => "coordinating_body",
            Self::FocalPoint => "focal_point",
        }
    }

    pub fn from_db(s: &str) -> Self {
        match s {
            "national_point_of_contact" => Self::NationalPointOfContact,
            "coordinating_body" => Self::CoordinatingBody,
            _ => Self::FocalPoint,
        }
    }

    /// Order in the published register: the point of contact first.
    pub fn rank(self) -> u8 {
        match self {
            Self::NationalPointOfContact => 0,
            Self::CoordinatingBody => 1,
            Self::FocalPoint => 2,
        }
    }
}

/// An entry of the register of national authorities.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6a", "member_state": "ARG", "role": "national_point_of_contact",
    "institution": "Ministerio de Justicia y Derechos Humanos", "unit": "Programa Nacional de Rescate",
    "contact_name": "María Pérez", "position_title": "Coordinadora", "email": "rescate@jus.gob.ar",
    "phone": "+54 11 5300 4000", "address": "Sarmiento 329, Buenos Aires", "website": "https://www.argentina.gob.ar/justicia",
    "languages": ["es", "en"], "designated_on": "2024-03-01", "active": true, "notes": null, "version": 1,
    "created_at": "2026-11-22T20:43:03.123456Z", "updated_at": "2026-11-22T20:43:03.123456Z"
}))]
pub struct NationalAuthority {
    pub id: String,
    /// ISO 3166-1 alpha-3 code of the member state.
    pub member_state: String,
    pub role: AuthorityRole,
    pub institution: String,
    pub unit: Option<String>,
    pub contact_name: Option<String>,
    pub position_title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    /// ISO 639-1 codes of the languages the authority works in.
    pub languages: Vec<String>,
    #[schema(format = Date)]
    pub designated_on: Option<String>,
    /// Inactive entries are kept with their history; only active ones appear in the register.
    pub active: bool,
    pub notes: Option<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&NationalAuthorityRow> for NationalAuthority {
    fn from(r: &NationalAuthorityRow) -> Self {
        NationalAuthority {
            id: r.id.clone(),
            member_state: r.member_state.clone(),
            role: AuthorityRole::from_db(&r.role),
            institution: r.institution.clone(),
            unit: r.unit.clone(),
            contact_name: r.contact_name.clone(),
            position_title: r.position_title.clone(),
            email: r.email.clone(),
            phone: r.phone.clone(),
            address: r.address.clone(),
            website: r.website.clone(),
            languages: serde_json::from_str(&r.languages).unwrap_or_default(),
            designated_on: r.designated_on.clone(),
            active: r.active,
            notes: r.notes.clone(),
            version: r.version,
            created_at: Timestamp::from_db(&r.created_at),
            updated_at: Timestamp::from_db(&r.updated_at),
        }
    }
}

/// A register entry as written by POST and PUT (PUT replaces every field).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NationalAuthorityInput {
    /// Member state (ISO alpha-3). A reporter may omit it: its own state is used.
    #[schema(example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<String>,
    pub role: AuthorityRole,
    #[schema(
        example = "Ministerio de Justicia y Derechos Humanos",
        min_length = 1,
        max_length = 300
    )]
    pub institution: String,
    #[schema(max_length = 300)]
    pub unit: Option<String>,
    #[schema(max_length = 200)]
    pub contact_name: Option<String>,
    #[schema(max_length = 200)]
    pub position_title: Option<String>,
    #[schema(example = "rescate@jus.gob.ar", format = Email, max_length = 254)]
    pub email: Option<String>,
    /// `+` and 7 to 15 digits, spaces allowed.
    #[schema(example = "+54 11 5300 4000", max_length = 30)]
    pub phone: Option<String>,
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// http(s) URL.
    #[schema(example = "https://www.argentina.gob.ar/justicia", max_length = 2048)]
    pub website: Option<String>,
    /// ISO 639-1 codes.
    #[serde(default)]
    #[schema(example = json!(["es", "en"]), max_items = 20)]
    pub languages: Vec<String>,
    #[schema(example = "2024-03-01", format = Date)]
    pub designated_on: Option<String>,
    /// Defaults to true.
    pub active: Option<bool>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

/// Changes to a register entry; omitted fields stay, `null` clears an optional field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NationalAuthorityPatch {
    pub role: Option<AuthorityRole>,
    #[schema(max_length = 300)]
    pub institution: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub unit: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub position_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 30)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    pub website: Option<Option<String>>,
    #[schema(max_items = 20)]
    pub languages: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>, format = Date)]
    pub designated_on: Option<Option<String>>,
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub notes: Option<Option<String>>,
}

impl NationalAuthorityPatch {
    fn apply(self, current: &NationalAuthority) -> NationalAuthorityInput {
        let pick =
            |new: Option<Option<String>>, old: &Option<String>| new.unwrap_or_else(|| old.clone());
        NationalAuthorityInput {
            member_state: Some(current.member_state.clone()),
            role: self.role.unwrap_or(current.role),
            institution: self
                .institution
                .unwrap_or_else(|| current.institution.clone()),
            unit: pick(self.unit, &current.unit),
            contact_name: pick(self.contact_name, &current.contact_name),
            position_title: pick(self.position_title, &current.position_title),
            email: pick(self.email, &current.email),
            phone: pick(self.phone, &current.phone),
            address: pick(self.address, &current.address),
            website: pick(self.website, &current.website),
            languages: self.languages.unwrap_or_else(|| current.languages.clone()),
            designated_on: pick(self.designated_on, &current.designated_on),
            active: Some(self.active.unwrap_or(current.active)),
            notes: pick(self.notes, &current.notes),
        }
    }
}

/// Validates every field at once; returns the row values (id, version and times left to the caller).
fn validate(
    input: &NationalAuthorityInput,
    member_state: &str,
) -> Result<NationalAuthorityRow, ApiError> {
    let mut errors = Vec::new();
    let mut check = |field: &str,
                     value: &Option<String>,
                     f: &dyn Fn(&str) -> Result<String, String>|
     -> Option<String> {
        match value {
            None => None,
            Some(v) => match f(v) {
                Ok(ok) => Some(ok),
                Err(m) => {
                    errors.push(FieldError::new(format!("/{field}"), m));
                    None
                }
            },
        }
    };
    let institution = check("institution", &Some(input.institution.clone()), &|v| {
        contact::text(v, 300)
    });
    let unit = check("unit", &input.unit, &|v| contact::text(v, 300));
    let contact_name = check("contact_name", &input.contact_name, &|v| {
        contact::text(v, 200)
    });
    let position_title = check("position_title", &input.position_title, &|v| {
        contact::text(v, 200)
    });
    let email = check("email", &input.email, &contact::email);
    let phone = check("phone", &input.phone, &contact::phone);
    let address = check("address", &input.address, &|v| contact::text(v, 500));
    let website = check("website", &input.website, &contact::web_url);
    let designated_on = check("designated_on", &input.designated_on, &|v| {
        contact::date(v).map(|d| d.to_string())
    });
    let notes = check("notes", &input.notes, &|v| contact::text(v, 2000));
    if input.languages.len() > 20 {
        errors.push(FieldError::new(
            "/languages",
            "must have at most 20 languages",
        ));
    }
    let mut languages: Vec<String> = Vec::new();
    for (i, l) in input.languages.iter().enumerate() {
        match contact::language(l) {
            Ok(code) if !languages.contains(&code) => languages.push(code),
            Ok(_) => errors.push(FieldError::new(format!("/languages/{i}"), "is repeated")),
            Err(m) => errors.push(FieldError::new(format!("/languages/{i}"), m)),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(NationalAuthorityRow {
        id: String::new(),
        member_state: member_state.to_string(),
        role: input.role.as_str().to_string(),
        institution: institution.unwrap_or_default(),
        unit,
        contact_name,
        position_title,
        email,
        phone,
        address,
        website,
        languages: serde_json::to_string(&languages).unwrap_or_else(|_| "[]".into()),
        designated_on,
        active: input.active.unwrap_or(true),
        notes,
        version: 1,
        created_at: String::new(),
        updated_at: String::new(),
    })
}

/// The member state a write is for: the body's, or the reporter's own; checked for scope and existence.
fn target_state(
    conn: &mut AnyConnection,
    caller: &Caller,
    given: Option<&str>,
) -> ApiResult<String> {
    let code = match (given, caller.member_state.as_deref()) {
        (Some(code), _) => code.to_string(),
        (None, Some(own)) if !caller.is_admin() => own.to_string(),
        (None, _) => return Err(ApiError::invalid("/member_state", "is required")),
    };
    MemberStateCode::parse(&code).map_err(|m| ApiError::invalid("/member_state", m))?;
    caller.require_write_state(&code)?;
    if !MemberStateRow::exists(conn, &code)? {
        return Err(ApiError::invalid(
            "/member_state",
            format!("{code} is not an OAS member state"),
        ));
    }
    Ok(code)
}

fn contact_conflict(e: ApiError, member_state: &str) -> ApiError {
    if e.status() == actix_web::http::StatusCode::CONFLICT {
        ApiError::conflict(format!(
            "{member_state} already has an active national point of contact: deactivate it (DELETE) or change its role first."
        ))
    } else {
        e
    }
}

fn audit_view(row: &NationalAuthorityRow) -> serde_json::Value {
    serde_json::to_value(NationalAuthority::from(row)).unwrap_or_default()
}

/// Filters of the register list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NationalAuthorityListParams {
    /// Only this member state's entries.
    #[param(example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<String>,
    pub role: Option<AuthorityRole>,
    /// Only active (true) or inactive (false) entries.
    pub active: Option<bool>,
    /// Case-insensitive text in institution, unit, contact name, position or email.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only entries changed at or after this instant (RFC 3339).
    #[param(example = "2026-01-01T00:00:00Z")]
    pub updated_since: Option<String>,
    /// Accepted by every list so that a syncing client can send the same parameters everywhere.
    /// Entries are never deleted: DELETE deactivates them and they stay listed with `active: false`
    /// (and a new `updated_at`), so it changes nothing here.
    pub include_deleted: Option<bool>,
    /// `csv` for a CSV download of every matching entry (same as `Accept: text/csv`).
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
    "role",
    "institution",
    "unit",
    "contact_name",
    "position_title",
    "email",
    "phone",
    "address",
    "website",
    "languages",
    "designated_on",
    "active",
    "notes",
    "version",
    "created_at",
    "updated_at",
];

pub fn csv_cells(r: &NationalAuthority) -> Vec<String> {
    vec![
        r.id.clone(),
        r.member_state.clone(),
        r.role.as_str().into(),
        r.institution.clone(),
        csv::opt(&r.unit),
        csv::opt(&r.contact_name),
        csv::opt(&r.position_title),
        csv::opt(&r.email),
        csv::opt(&r.phone),
        csv::opt(&r.address),
        csv::opt(&r.website),
        csv::join(&r.languages),
        csv::opt(&r.designated_on),
        r.active.to_string(),
        csv::opt(&r.notes),
        r.version.to_string(),
        r.created_at.to_db(),
        r.updated_at.to_db(),
    ]
}

/// List register entries, ordered by creation. `Accept: text/csv` or `format=csv` streams every
/// matching entry as CSV.
#[utoipa::path(
    tag = "national-authorities",
    params(NationalAuthorityListParams),
    responses((status = 200, description = "A page of entries (JSON) or all of them (CSV)",
        content((Page<NationalAuthority> = "application/json"), (String = "text/csv")),
        headers(("Link" = String, description = "Next page, when there is one"))))
)]
#[get("")]
pub async fn list_national_authorities(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<NationalAuthorityListParams>,
) -> ApiResult<HttpResponse> {
    let q = query.0;
    if let Some(ms) = &q.member_state {
        MemberStateCode::parse(ms).map_err(|m| ApiError::invalid("member_state", m))?;
    }
    bounded("q", q.q.as_deref(), 200)?;
    let filter = Filter {
        member_state: q.member_state,
        role: q.role.map(|r| r.as_str().to_string()),
        active: q.active,
        q: q.q.filter(|t| !t.is_empty()),
        updated_since: updated_since(q.updated_since.as_deref())?,
    };
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let limit = page.limit()?;
    // Validated for CSV too, though CSV streams everything and ignores them.
    let after: Option<String> = page.after(KIND)?;
    if csv::wanted(&req, q.format) {
        return Ok(csv::stream(
            &state.pool,
            "national-authorities.csv",
            CSV_HEADERS,
            move |conn, after: Option<String>, n| {
                Ok(NationalAuthorityRow::list(
                    conn,
                    &filter,
                    after.as_deref(),
                    n,
                )?)
            },
            |r: &NationalAuthorityRow| r.id.clone(),
            |r| csv_cells(&NationalAuthority::from(r)),
        ));
    }
    let rows = db::run(&state.pool, move |conn| {
        Ok(NationalAuthorityRow::list(
            conn,
            &filter,
            after.as_deref(),
            limit + 1,
        )?)
    })
    .await?;
    Ok(Page::from_rows(
        rows,
        limit,
        KIND,
        |r| r.id.clone(),
        |r| NationalAuthority::from(&r),
    )
    .respond(&req))
}

/// Add an entry to the register. Reporters add entries of their own state only. Safe to retry
/// with `Idempotency-Key`. A second active national point of contact for a state is a 409.
#[utoipa::path(
    tag = "national-authorities",
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body replay the first response; same key, other body: 422")),
    request_body(content = NationalAuthorityInput, example = json!({
        "member_state": "ARG", "role": "national_point_of_contact", "institution": "Ministerio de Justicia y Derechos Humanos",
        "contact_name": "María Pérez", "email": "rescate@jus.gob.ar", "phone": "+54 11 5300 4000",
        "website": "https://www.argentina.gob.ar/justicia", "languages": ["es", "en"], "designated_on": "2024-03-01"
    })),
    responses(
        (status = 201, description = "Created", body = NationalAuthority, headers(("Location" = String, description = "URL of the entry"), ("ETag" = String, description = "Version"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[post("")]
pub async fn create_national_authority(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    body: JsonBody<NationalAuthorityInput>,
) -> ApiResult<HttpResponse> {
    let input = body.0;
    let key = idempotency::key_from(&req)?;
    let hash = idempotency::fingerprint(&req, &input);
    let who = caller.clone();
    idempotency::create(&state.pool, &caller, key, hash, move |conn| {
        let ms = target_state(conn, &who, input.member_state.as_deref())?;
        let mut row = validate(&input, &ms)?;
        let now = Timestamp::now().to_db();
        row.id = uuid::Uuid::now_v7().to_string();
        row.created_at = now.clone();
        row.updated_at = now;
        row.insert(conn)
            .map_err(|e| contact_conflict(e.into(), &ms))?;
        AuditEventRow::record(
            conn,
            Actor::User(&who),
            "create",
            KIND,
            &row.id,
            None::<&()>,
            Some(&audit_view(&row)),
        )?;
        Ok(Created {
            location: format!("/api/v1/national-authorities/{}", row.id),
            etag: Some(etag(KIND, &row.id, row.version)),
            body: audit_view(&row),
        })
    })
    .await
}

async fn load(state: &AppState, id: String) -> ApiResult<NationalAuthorityRow> {
    db::run(&state.pool, move |conn| {
        NationalAuthorityRow::find(conn, &id)?
            .ok_or_else(|| ApiError::not_found("No such register entry."))
    })
    .await
}

/// Get one register entry.
#[utoipa::path(
    tag = "national-authorities",
    params(("id" = String, Path, description = "Entry id (UUID)", max_length = 64)),
    responses(
        (status = 200, description = "The entry", body = NationalAuthority, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{id}")]
pub async fn get_national_authority(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let row = load(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(KIND, &row.id, row.version)))
        .json(NationalAuthority::from(&row)))
}

/// Replaces an entry's fields with `next(current)` in one transaction: scope, If-Match, the
/// one-contact rule and the audit trail. An unchanged result changes nothing (same version).
async fn change<F>(
    req: &HttpRequest,
    caller: Caller,
    state: &AppState,
    id: String,
    action: &'static str,
    next: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(&NationalAuthority) -> ApiResult<NationalAuthorityInput> + Send + 'static,
{
    let if_match = if_match(req)?;
    let row = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let before = NationalAuthorityRow::find(conn, &id)?
                .ok_or_else(|| ApiError::not_found("No such register entry."))?;
            caller.require_write_state(&before.member_state)?;
            check_if_match(if_match.as_deref(), &etag(KIND, &before.id, before.version))?;
            let input = next(&NationalAuthority::from(&before))?;
            if input
                .member_state
                .as_deref()
                .is_some_and(|ms| ms != before.member_state)
            {
                return Err(ApiError::invalid(
                    "/member_state",
                    "cannot change: create an entry for the other state instead",
                ));
            }
            let mut after = validate(&input, &before.member_state)?;
            after.id = before.id.clone();
            after.version = before.version;
            after.created_at = before.created_at.clone();
            after.updated_at = before.updated_at.clone();
            if after == before {
                return Ok(before);
            }
            after.version = before.version + 1;
            after.updated_at = Timestamp::now().to_db();
            if !after
                .update(conn, before.version)
                .map_err(|e| contact_conflict(e.into(), &before.member_state))?
            {
                return Err(ApiError::precondition_failed(
                    "The entry changed concurrently; reload it and retry.",
                ));
            }
            AuditEventRow::record(
                conn,
                Actor::User(&caller),
                action,
                KIND,
                &after.id,
                Some(&audit_view(&before)),
                Some(&audit_view(&after)),
            )?;
            Ok(after)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(KIND, &row.id, row.version)))
        .json(NationalAuthority::from(&row)))
}

/// Replace every field of an entry (omitted optional fields become null). Honours `If-Match`;
/// an identical PUT changes nothing.
#[utoipa::path(
    tag = "national-authorities",
    params(("id" = String, Path, description = "Entry id (UUID)", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; 412 when stale")),
    request_body = NationalAuthorityInput,
    responses(
        (status = 200, description = "The entry after the change", body = NationalAuthority, headers(("ETag" = String, description = "New version"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 409, response = crate::api::problems::Conflict),
        (status = 412, response = crate::api::problems::PreconditionFailed),
    )
)]
#[put("/{id}")]
pub async fn replace_national_authority(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NationalAuthorityInput>,
) -> ApiResult<HttpResponse> {
    let input = body.0;
    change(&req, caller, &state, id.into_inner(), "update", move |_| {
        Ok(input)
    })
    .await
}

/// Change some fields of an entry. Honours `If-Match`.
#[utoipa::path(
    tag = "national-authorities",
    params(("id" = String, Path, description = "Entry id (UUID)", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; 412 when stale")),
    request_body(content = NationalAuthorityPatch, example = json!({"email": "trata@jus.gob.ar", "phone": null})),
    responses(
        (status = 200, description = "The entry after the change", body = NationalAuthority, headers(("ETag" = String, description = "New version"))),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 409, response = crate::api::problems::Conflict),
        (status = 412, response = crate::api::problems::PreconditionFailed),
    )
)]
#[patch("/{id}")]
pub async fn update_national_authority(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NationalAuthorityPatch>,
) -> ApiResult<HttpResponse> {
    let patch = body.0;
    change(
        &req,
        caller,
        &state,
        id.into_inner(),
        "update",
        move |current| Ok(patch.apply(current)),
    )
    .await
}

/// Deactivate an entry: it leaves the published register, keeps its history, and can be
/// reactivated with PATCH `{"active": true}`. Honours `If-Match`.
#[utoipa::path(
    tag = "national-authorities",
    params(("id" = String, Path, description = "Entry id (UUID)", max_length = 64),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read; 412 when stale")),
    responses(
        (status = 200, description = "The deactivated entry", body = NationalAuthority),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 412, response = crate::api::problems::PreconditionFailed),
    )
)]
#[delete("/{id}")]
pub async fn delete_national_authority(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    change(
        &req,
        caller,
        &state,
        id.into_inner(),
        "deactivate",
        |current| {
            Ok(NationalAuthorityPatch {
                active: Some(false),
                ..Default::default()
            }
            .apply(current))
        },
    )
    .await
}

/// Every version of an entry, oldest first, with who changed it and when.
#[utoipa::path(
    tag = "national-authorities",
    params(("id" = String, Path, description = "Entry id (UUID)", max_length = 64)),
    responses(
        (status = 200, description = "The entry's history", body = Page<HistoryEntry>),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{id}/history")]
pub async fn list_national_authority_history(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let events = db::run(&state.pool, move |conn| {
        NationalAuthorityRow::find(conn, &id)?
            .ok_or_else(|| ApiError::not_found("No such register entry."))?;
        Ok(AuditEventRow::for_resource(conn, KIND, &id)?)
    })
    .await?;
    let items: Vec<HistoryEntry> = events.into_iter().map(HistoryEntry::from).collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
