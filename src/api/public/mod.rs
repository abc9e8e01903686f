//! `/api/v1/public`: the public view, without a token. Values of validated submissions only,
//! confidential values never, small counts withheld together with the cells that would give
//! them away (`reporting::suppression`); answers are cacheable and each client address is
//! throttled.

mod cache;
mod throttle;
mod wire;

use std::collections::HashSet;

use actix_web::{get, web, HttpRequest, HttpResponse};
use utoipa::ToResponse;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::precondition::{IfNoneMatch, NotModified};
pub use wire::{PublicBiennialReport, PublicFlag, PublicValue};
use wire::{PublicBiennialState, PublicCycleParams, PublicHemisphere};

use crate::api::http::client_address::TrustedProxies;
use crate::api::http::extract::{bounded, QueryParams};
use crate::api::http::language;
use crate::api::http::list::ListQuery;
use crate::api::http::pagination::{Page, PageParams};
use crate::api::http::run_db;
use crate::api::indicator_values::{repeatable_filters, value_filter, ValueListParams};
use crate::domain::{SubmissionStatus, ValueFlag};
use crate::error::{ApiError, ApiResult};
use crate::models::indicator_value::{IndicatorValueRow, Key};
use crate::models::member_state::MemberStateRow;
use crate::models::reporting_cycle::SubmissionRow;
use crate::reporting::{self, publication};
use crate::state::AppState;
use throttle::RateLimiter;

/// Too many requests to the public view from this client address; `Retry-After` says how many
/// seconds to wait.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u32, description = "Seconds to wait before retrying.")),
    example = json!({"type": "urn:palermo:problem:too-many-requests", "title": "Too many requests", "status": 429,
        "detail": "Too many requests to the public view from this address (at most 120 a minute); retry in 1 seconds."})
)]
pub struct Throttled(pub crate::error::Problem);

/// Where the public view is served; its answers never carry `no-store`.
pub const PREFIX: &str = "/api/v1/public/";

/// Cursor kind of the public value list (a cursor of the full list is refused here).
const KIND: &str = "public_indicator_value";

/// The public view's settings and its throttle.
#[derive(Debug)]
pub struct PublicView {
    /// Counts from 1 to this minus one are withheld.
    pub min_cell: i64,
    throttle: RateLimiter,
}

impl PublicView {
    pub fn new(min_cell: i64, per_minute: u32) -> Self {
        Self {
            min_cell,
            throttle: RateLimiter::new(per_minute),
        }
    }

    /// Counts the request against its client address (429 past the budget).
    fn admit(&self, req: &HttpRequest, proxies: &TrustedProxies) -> ApiResult<()> {
        self.throttle.admit(&proxies.client_address(req))
    }
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_public_indicator_values)
        .service(get_public_biennial_report);
}

/// List the public indicator values: validated data only, small counts withheld, no token.
/// In natural-key order (indicator, member state, period, disaggregation), with the value list's
/// filters (`flag` selects by the flag the state reported, and may not be `confidential`; a
/// selected value that is withheld still shows `suppressed`). Only values of validated
/// submissions are public: a member state's values whose year falls in a reporting cycle its
/// submission is validated for; and of those only totals and values broken down by one
/// dimension. Each group (indicator, member state, period) is protected as a whole before any of
/// it is shown: confidential values, and counts from 1 to `PALERMO_PUBLIC_MIN_CELL - 1` (default
/// 5), are withheld (`value: null`, `flag: "suppressed"`); then, for every dimension the group is
/// broken down by, the equation "total = sum of the values by that dimension" must hold no
/// withheld value or at least two, so that none can be recomputed from a shown total and its
/// shown siblings: where it holds one, its smallest shown value is withheld too (zeros last, the
/// total only when nothing else is left), until every equation is safe. A group without a total
/// counts its total as withheld. A withheld value is withheld in every page and filter. Answers
/// carry a strong `ETag` (`If-None-Match` gives 304) and `Cache-Control: public`.
#[utoipa::path(
    tag = "public",
    security(),
    params(ValueListParams, PageParams, IfNoneMatch),
    responses(
        (status = 200, description = "A page of public values", body = Page<PublicValue>,
            headers(("ETag" = String, description = "Strong entity tag of this answer, for `If-None-Match`."),
                ("Cache-Control" = String, description = "`public, max-age=60`.")),
            example = json!({"items": [
                {"indicator": "VICTIMS_DETECTED", "member_state": "ARG", "period": "2019", "disaggregation": {}, "value": 40, "flag": null, "source": "Ministerio Público Fiscal"},
                {"indicator": "VICTIMS_DETECTED", "member_state": "ARG", "period": "2019", "disaggregation": {"sex": "female"}, "value": null, "flag": "suppressed", "source": null},
                {"indicator": "VICTIMS_DETECTED", "member_state": "ARG", "period": "2019", "disaggregation": {"sex": "male"}, "value": null, "flag": "suppressed", "source": null},
                {"indicator": "VICTIMS_DETECTED", "member_state": "ARG", "period": "2019", "disaggregation": {"sex": "unknown"}, "value": 20, "flag": null, "source": null}
            ], "next_cursor": null})),
        (status = 304, response = NotModified),
        (status = 429, response = Throttled),
    )
)]
#[get("/indicator-values")]
pub async fn list_public_indicator_values(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    state.public.admit(&req, &state.proxies)?;
    let (ListQuery { filter, list }, repeated) =
        ListQuery::<ValueListParams>::parse(req.query_string(), &repeatable_filters())?;
    for (name, given) in [
        ("updated_since", list.updated_since.is_some()),
        ("include_deleted", list.include_deleted.is_some()),
        ("format", list.format.is_some()),
    ] {
        if given {
            return Err(ApiError::invalid(
                name,
                "is not offered by the public view (only the value list's filters, limit and cursor)",
            ));
        }
    }
    let filter = value_filter(filter, &repeated, &list)?;
    if filter.flag == Some(ValueFlag::Confidential) {
        return Err(ApiError::invalid(
            "flag",
            "confidential values are never public: provisional, estimated or below_threshold",
        ));
    }
    let page = list.page();
    let limit = page.limit()?;
    let after: Option<Key> = page.after(KIND)?;
    let min_cell = state.public.min_cell;
    let rows = run_db(&state.pool, move |conn| {
        let f = publication::public_filter(conn, filter, None)?;
        let rows = IndicatorValueRow::list(conn, &f, after.as_ref(), limit + 1)?;
        Ok(publication::publish(conn, rows, min_cell)?)
    })
    .await?;
    let page = Page::from_rows(rows, limit, KIND, |p| p.row.key(), PublicValue::from);
    cache::respond(&req, &page, page.link(&req), None)
}

/// Get the public biennial report of a reporting cycle: validated data only, no token.
/// For every member state
/// whether its submission is validated, and hemisphere totals of count indicators per year and
/// over the cycle, from validated submissions only. A total sums the state totals the public
/// value list shows and nothing else: a withheld state total is left out (and counted in
/// `withheld`), never added, since a sum holding it would give it away. Cacheable like the value
/// list (`ETag`, `If-None-Match`, `Cache-Control: public`).
#[utoipa::path(
    tag = "public",
    security(),
    params(PublicCycleParams, IfNoneMatch, ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt")),
    responses(
        (status = 200, description = "The public biennial report", body = PublicBiennialReport,
            headers(("ETag" = String, description = "Strong entity tag of this answer, for `If-None-Match`."),
                ("Cache-Control" = String, description = "`public, max-age=60`."),
                ("Content-Language" = String, description = "Language of the member states' names."))),
        (status = 304, response = NotModified),
        (status = 404, response = crate::api::problems::NotFound),
        (status = 429, response = Throttled),
    )
)]
#[get("/reports/biennial")]
pub async fn get_public_biennial_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: QueryParams<PublicCycleParams>,
) -> ApiResult<HttpResponse> {
    state.public.admit(&req, &state.proxies)?;
    let code = query.0.cycle;
    bounded("cycle", Some(&code), 9)?;
    let lang = language::negotiate(&req);
    let min_cell = state.public.min_cell;
    let report = run_db(&state.pool, move |conn| {
        let cycle = reporting::cycle(conn, &code)?;
        let validated: HashSet<String> = SubmissionRow::for_cycle(conn, &cycle.code)?
            .into_iter()
            .filter(|s| s.status == SubmissionStatus::Validated)
            .map(|s| s.member_state)
            .collect();
        let states: Vec<PublicBiennialState> = MemberStateRow::list(conn, None, 1000)?
            .into_iter()
            .map(|s| PublicBiennialState {
                validated: validated.contains(&s.code),
                name: s.name_in(lang).to_string(),
                member_state: s.code,
            })
            .collect();
        let (count_totals, cycle_count_totals) = publication::count_totals(conn, &cycle, min_cell)?;
        Ok(PublicBiennialReport {
            hemisphere: PublicHemisphere {
                member_states: states.len(),
                validated: states.iter().filter(|s| s.validated).count(),
                count_totals,
                cycle_count_totals,
            },
            cycle: cycle.code,
            work_plan: cycle.work_plan,
            period_from: cycle.period_from,
            period_to: cycle.period_to,
            member_states: states,
        })
    })
    .await?;
    cache::respond(&req, &report, None, Some(lang))
}
