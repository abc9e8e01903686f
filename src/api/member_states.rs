//! `/api/v1/member-states`: the 35 OAS member states.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::extract::QueryParams;
use crate::api::http::language;
use crate::api::http::list::{ListParams, ListQuery};
use crate::api::http::pagination::Page;
use crate::api::http::run_db;
use crate::auth::Caller;
use crate::db;
use crate::domain::MemberStateCode;
use crate::error::{ApiError, ApiResult};
use crate::models::member_state::MemberStateRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_member_states).service(get_member_state);
    // Commitments are addressed by their natural key under the member state.
    crate::api::commitments::configure_by_member_state(cfg);
}

/// UN M49 subregion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Subregion {
    NorthAmerica,
    CentralAmerica,
    Caribbean,
    SouthAmerica,
}

impl Subregion {
    fn as_str(self) -> &'static str {
        match self {
            Subregion::NorthAmerica => "north_america",
            Subregion::CentralAmerica => "central_america",
            Subregion::Caribbean => "caribbean",
            Subregion::SouthAmerica => "south_america",
        }
    }
}

/// Names in the four official OAS languages.
#[derive(Debug, Serialize, ToSchema)]
pub struct Names {
    #[schema(example = "Argentina")]
    pub en: String,
    #[schema(example = "Argentina")]
    pub es: String,
    #[schema(example = "Argentine")]
    pub fr: String,
    #[schema(example = "Argentina")]
    pub pt: String,
}

/// Membership status (informational: data for past periods stays reportable).
#[derive(Debug, Serialize, ToSchema)]
pub struct Membership {
    /// `member`, `not_participating`, `withdrawn` or `disputed`.
    #[schema(example = "member")]
    pub status: String,
    /// Date the status took effect, when known.
    #[schema(example = json!(null))]
    pub since: Option<String>,
    #[schema(example = json!(null))]
    pub note: Option<String>,
}

/// An OAS member state.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberState {
    /// ISO 3166-1 alpha-3 code.
    #[schema(example = "ARG")]
    pub code: String,
    /// ISO 3166-1 alpha-2 code.
    #[schema(example = "AR")]
    pub alpha2: String,
    /// UN M49 numeric code.
    #[schema(example = "032")]
    pub m49: String,
    /// Name in the language negotiated by `Accept-Language` (see `Content-Language`).
    #[schema(example = "Argentina")]
    pub name: String,
    pub names: Names,
    pub subregion: Subregion,
    pub membership: Membership,
    /// When this reference entry last changed (it changes only by migration).
    pub updated_at: Timestamp,
}

impl MemberState {
    fn from_row(r: MemberStateRow, lang: &str) -> Self {
        let subregion = match r.subregion.as_str() {
            "north_america" => Subregion::NorthAmerica,
            "central_america" => Subregion::CentralAmerica,
            "caribbean" => Subregion::Caribbean,
            _ => Subregion::SouthAmerica,
        };
        MemberState {
            name: r.name_in(lang).to_string(),
            code: r.code,
            alpha2: r.alpha2,
            m49: r.m49,
            names: Names {
                en: r.name_en,
                es: r.name_es,
                fr: r.name_fr,
                pt: r.name_pt,
            },
            subregion,
            membership: Membership {
                status: r.membership_status,
                since: r.membership_since,
                note: r.membership_note,
            },
            updated_at: Timestamp::from_db(&r.updated_at),
        }
    }
}

/// Filters of the member-state list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberStateListParams {
    /// Only states of this subregion.
    pub subregion: Option<Subregion>,
}

/// List member states, ordered by code. Names follow `Accept-Language` (en, es, fr, pt).
#[utoipa::path(
    tag = "member-states",
    params(MemberStateListParams, ListParams, ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt", example = "es")),
    responses((status = 200, description = "A page of member states", body = Page<MemberState>,
        headers(("Content-Language" = String, description = "Language of `name`"), ("Link" = String, description = "Next page, when there is one"))))
)]
#[get("")]
pub async fn list_member_states(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: ListQuery<MemberStateListParams>,
) -> ApiResult<HttpResponse> {
    let page = query.list.page();
    let limit = page.limit()?;
    let after: Option<String> = page.after("member_states")?;
    let subregion = query.filter.subregion;
    let since = query.list.since()?;
    let lang = language::negotiate(&req);
    let rows = run_db(&state.pool, move |conn| {
        // 35 rows: filter after the keyset read rather than growing the query.
        let mut rows = MemberStateRow::list(conn, after.as_deref(), 1000)?;
        if let Some(s) = subregion {
            rows.retain(|r| r.subregion == s.as_str());
        }
        if let Some(since) = &since {
            rows.retain(|r| &r.updated_at >= since);
        }
        rows.truncate((limit + 1) as usize);
        Ok(rows)
    })
    .await?;
    let mut res = Page::from_rows(
        rows,
        limit,
        "member_states",
        |r| r.code.clone(),
        |r| MemberState::from_row(r, lang),
    )
    .respond(&req);
    res.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        header::HeaderValue::from_static(lang),
    );
    Ok(res)
}

/// Get one member state by its ISO 3166-1 alpha-3 code.
#[utoipa::path(
    tag = "member-states",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-3 code", example = "ARG"),
        ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt", example = "fr")),
    responses(
        (status = 200, description = "The member state", body = MemberState, headers(("Content-Language" = String, description = "Language of `name`"))),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/{code}")]
pub async fn get_member_state(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code = code.into_inner();
    MemberStateCode::parse(&code).map_err(|m| ApiError::invalid("code", m))?;
    let lang = language::negotiate(&req);
    let shown = code.clone();
    let row = run_db(&state.pool, move |conn| {
        MemberStateRow::find(conn, &code)?
            .ok_or_else(|| ApiError::not_found(format!("No member state with code {shown}.")))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_LANGUAGE, lang))
        .json(MemberState::from_row(row, lang)))
}
