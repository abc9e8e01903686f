//! `GET /api/v1/register`: the published register of national authorities, one entry per member
//! state (all 35, also those with nothing registered), as the General Secretariat distributes it.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::csv;
use crate::api::http::extract::QueryParams;
use crate::api::http::language;
use crate::api::http::rows::csv_cells_of;
use crate::api::http::run_db;
use crate::api::national_authorities::NationalAuthority;
use crate::auth::Caller;
use crate::domain::{AuthorityRole, Subregion};
use crate::error::ApiResult;
use crate::models::member_state::MemberStateRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_register);
}

/// One member state in the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterEntry {
    #[schema(example = "ARG")]
    pub member_state: String,
    /// Name in the negotiated language (`Content-Language`).
    #[schema(example = "Argentina")]
    pub name: String,
    pub subregion: Subregion,
    /// The active national point of contact, or `null` when none is registered.
    pub point_of_contact: Option<NationalAuthority>,
    /// Every active authority of the state: the point of contact first, then coordinating bodies,
    /// then focal points, each by institution.
    pub authorities: Vec<NationalAuthority>,
}

/// The published register.
#[derive(Debug, Serialize, ToSchema)]
pub struct Register {
    /// When this register was produced.
    pub generated_at: Timestamp,
    /// Member states listed.
    #[schema(example = 35)]
    pub member_states: usize,
    /// How many of them have an active national point of contact.
    #[schema(example = 12)]
    pub with_point_of_contact: usize,
    /// One entry per member state, by code.
    pub items: Vec<RegisterEntry>,
}

/// Filters of the register.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegisterParams {
    /// Only states of this subregion.
    pub subregion: Option<Subregion>,
    /// `csv` for one row per authority (and one row for each state with none).
    #[param(inline)]
    pub format: Option<csv::Format>,
}

const CSV_HEADERS: &[&str] = &[
    "member_state",
    "member_state_name",
    "subregion",
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
    "updated_at",
];

/// The register of national authorities of all 35 member states, with each state's active point of
/// contact first. Names follow `Accept-Language` (en, es, fr, pt). JSON, or CSV with
/// `Accept: text/csv` / `format=csv`.
#[utoipa::path(
    tag = "national-authorities",
    params(RegisterParams, ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt", example = "es")),
    responses((status = 200, description = "The register", content((Register = "application/json"), (String = "text/csv")),
        headers(("Content-Language" = String, description = "Language of the state names"))))
)]
#[get("")]
pub async fn get_register(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<RegisterParams>,
) -> ApiResult<HttpResponse> {
    let lang = language::negotiate(&req);
    let q = query.0;
    csv::refuse_sdmx(q.format)?;
    let (states, authorities) = run_db(&state.pool, |conn| {
        Ok((
            MemberStateRow::list(conn, None, 1000)?,
            NationalAuthority::all_active(conn)?,
        ))
    })
    .await?;
    let mut items = Vec::new();
    for s in states {
        let subregion = s.subregion;
        if q.subregion.is_some_and(|wanted| wanted != subregion) {
            continue;
        }
        let mut mine: Vec<NationalAuthority> = authorities
            .iter()
            .filter(|a| a.member_state == s.code)
            .cloned()
            .collect();
        mine.sort_by(|a, b| {
            (a.role.rank(), a.institution.to_lowercase())
                .cmp(&(b.role.rank(), b.institution.to_lowercase()))
        });
        let point_of_contact = mine
            .iter()
            .find(|a| a.role == AuthorityRole::NationalPointOfContact)
            .cloned();
        items.push(RegisterEntry {
            member_state: s.code.clone(),
            name: s.name_in(lang).to_string(),
            subregion,
            point_of_contact,
            authorities: mine,
        });
    }
    if csv::wanted(&req, q.format) {
        let mut out = csv::line(CSV_HEADERS);
        for e in &items {
            let region = e.subregion.to_string();
            if e.authorities.is_empty() {
                let mut cells = vec![e.member_state.clone(), e.name.clone(), region.clone()];
                cells.resize(CSV_HEADERS.len(), String::new());
                out.push_str(&csv::line(&cells));
            }
            for a in &e.authorities {
                // The authority's cells are its wire fields, as in its own CSV.
                let head = [e.member_state.clone(), e.name.clone(), region.clone()];
                let cells = [&head[..], &csv_cells_of(a, &CSV_HEADERS[3..])].concat();
                out.push_str(&csv::line(&cells));
            }
        }
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_LANGUAGE, lang))
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"register.csv\"",
            ))
            .body(out));
    }
    let with_point_of_contact = items
        .iter()
        .filter(|e| e.point_of_contact.is_some())
        .count();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_LANGUAGE, lang))
        .json(Register {
            generated_at: Timestamp::now(),
            member_states: items.len(),
            with_point_of_contact,
            items,
        }))
}
