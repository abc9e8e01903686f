//! `/api/v1/member-states`: the 35 OAS member states.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use diesel::QueryResult;

use crate::api::http::language;
use crate::api::http::list::{self, ListParams, ListQuery, Listing};
use crate::api::http::pagination::Page;
use crate::api::http::run_db;
use crate::auth::{Bearer, Caller};
use crate::db::AnyConnection;
use crate::domain::MemberStateCode;
pub use crate::domain::Subregion;
use crate::error::{ApiError, ApiResult};
use crate::models::member_state::MemberStateRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_member_states).service(get_member_state);
    // Commitments are addressed by their natural key under the member state.
    crate::api::commitments::configure_by_member_state(cfg);
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
    fn from_row(r: MemberStateRow, lang: &'static str) -> Self {
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
            subregion: r.subregion,
            membership: Membership {
                status: r.membership_status,
                since: r.membership_since,
                note: r.membership_note,
            },
            updated_at: r.updated_at,
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

/// The member-state list, ordered by code, with names in `lang`.
pub struct States {
    subregion: Option<Subregion>,
    since: Option<Timestamp>,
    lang: &'static str,
}

impl Listing for States {
    const KIND: &'static str = "member_states";
    const CSV_NAME: &'static str = "member-states.csv";
    const CSV_HEADERS: &'static [&'static str] = &[
        "code",
        "alpha2",
        "m49",
        "name",
        "names.en",
        "names.es",
        "names.fr",
        "names.pt",
        "subregion",
        "membership.status",
        "membership.since",
        "membership.note",
        "updated_at",
    ];
    type Filter = States;
    type Row = (MemberStateRow, &'static str);
    type Key = String;
    type Item = MemberState;

    fn fetch(
        conn: &mut AnyConnection,
        f: &States,
        after: Option<&String>,
        limit: i64,
    ) -> QueryResult<Vec<Self::Row>> {
        // 35 rows: filter after the keyset read rather than growing the query.
        let mut rows = MemberStateRow::list(conn, after.map(String::as_str), 1000)?;
        rows.retain(|r| f.subregion.is_none_or(|s| r.subregion == s));
        rows.retain(|r| f.since.is_none_or(|since| r.updated_at >= since));
        Ok(rows
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|r| (r, f.lang))
            .collect())
    }
    fn key((row, _): &Self::Row) -> String {
        row.code.clone()
    }
    fn item((row, lang): Self::Row) -> MemberState {
        MemberState::from_row(row, lang)
    }
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
    who: Bearer,
    state: web::Data<AppState>,
    query: ListQuery<MemberStateListParams>,
) -> ApiResult<HttpResponse> {
    let lang = language::negotiate(&req);
    let filter = States {
        subregion: query.filter.subregion,
        since: query.list.since()?,
        lang,
    };
    let mut res =
        list::respond_signed_in::<States>(&req, &state.pool, who, filter, &query.list).await?;
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
