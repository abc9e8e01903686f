//! A member state's profile over a span of years.

use std::collections::{BTreeMap, HashSet};

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{answer, training, StatusCounts, TrainingSummary, MANY};
use crate::api::http::extract::QueryParams;
use crate::api::http::language;
use crate::api::http::run_db;
use crate::api::national_authorities::NationalAuthority;
use crate::auth::Caller;
use crate::domain::{AuthorityRole, MemberStateCode};
use crate::error::{ApiError, ApiResult};
use crate::models::commitment::{self, CommitmentRow};
use crate::models::indicator::IndicatorRow;
use crate::models::member_state::MemberStateRow;
use crate::models::national_authority::Filter as AuthorityFilter;
use crate::models::reporting_cycle::ReportingCycleRow;
use crate::reporting::completeness::{completeness, Completeness};
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// Indicator coverage of one state.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorCoverage {
    #[schema(example = "VICTIMS_DETECTED")]
    pub indicator: String,
    /// Years with at least one value.
    #[schema(example = json!([2019, 2020]))]
    pub years: Vec<i32>,
}

/// A member state's profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberStateReport {
    #[schema(example = "ARG")]
    pub member_state: String,
    #[schema(example = "Argentina")]
    pub name: String,
    pub from: i32,
    pub to: i32,
    pub generated_at: Timestamp,
    /// Active point of contact, if any.
    pub point_of_contact: Option<NationalAuthority>,
    /// Every active authority of the state.
    pub authorities: Vec<NationalAuthority>,
    /// The state's commitments on every work plan, by status.
    pub commitments: StatusCounts,
    /// Events hosted by the state that overlap the years.
    pub training: TrainingSummary,
    /// Catalog indicators x years, and how many of them have values.
    pub indicator_completeness: Completeness,
    pub indicators: Vec<IndicatorCoverage>,
}

/// Years of a profile.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct YearsParams {
    /// First year (default: 10 years ago).
    #[param(example = 2019, minimum = 1990, maximum = 2100)]
    pub from: Option<i32>,
    /// Last year (default: this year).
    #[param(example = 2020, minimum = 1990, maximum = 2100)]
    pub to: Option<i32>,
}

impl YearsParams {
    /// The years asked for, defaults filled in, or 422.
    fn span(&self) -> ApiResult<(i32, i32)> {
        let this_year = chrono::Datelike::year(&chrono::Utc::now());
        let to = self.to.unwrap_or(this_year);
        let from = self.from.unwrap_or(to - 9);
        if !(1990..=2100).contains(&from) {
            return Err(ApiError::invalid(
                "from",
                "must be a year between 1990 and 2100",
            ));
        }
        if !(1990..=2100).contains(&to) || to < from {
            return Err(ApiError::invalid(
                "to",
                "must be a year between from and 2100",
            ));
        }
        Ok((from, to))
    }
}

/// A member state's profile: register entries, commitments by status, training (events,
/// participants by audience and sex) and indicator coverage over the years `from`..`to`.
#[utoipa::path(
    tag = "reports",
    params(("code" = String, Path, description = "Member state (ISO alpha-3)", example = "ARG"), YearsParams,
        ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt")),
    responses(
        (status = 200, description = "The profile", body = MemberStateReport),
    )
)]
#[get("/member-states/{code}")]
pub async fn get_member_state_report(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: QueryParams<YearsParams>,
) -> ApiResult<HttpResponse> {
    let code = code.into_inner();
    MemberStateCode::parse(&code).map_err(|m| ApiError::invalid("code", m))?;
    let (from, to) = query.0.span()?;
    let lang = language::negotiate(&req);
    let report = run_db(&state.pool, move |conn| {
        let ms = MemberStateRow::find(conn, &code)?
            .ok_or_else(|| ApiError::not_found(format!("No member state with code {code}.")))?;
        let af = AuthorityFilter {
            member_state: Some(code.clone()),
            active: Some(true),
            ..Default::default()
        };
        let mut authorities = NationalAuthority::list(conn, &af, None, MANY)?;
        authorities.sort_by_key(|a| a.role.rank());
        let point_of_contact = authorities
            .iter()
            .find(|a| a.role == AuthorityRole::NationalPointOfContact)
            .cloned();
        let mut commitments = StatusCounts::default();
        let cf = commitment::Filter {
            member_state: Some(code.clone()),
            ..Default::default()
        };
        for r in CommitmentRow::list(conn, &cf, None, MANY)? {
            commitments.add(r.status);
        }
        let (training, _) = training(conn, Some(&code), from, to)?;
        let reported = ReportingCycleRow::reported(conn, from, to, Some(&code))?;
        let mut years: BTreeMap<String, Vec<i32>> = BTreeMap::new();
        for (_, ind, y) in &reported {
            years.entry(ind.clone()).or_default().push(*y);
        }
        let set: HashSet<(String, i32)> = reported.into_iter().map(|(_, i, y)| (i, y)).collect();
        let codes: Vec<String> = IndicatorRow::all(conn)?
            .into_iter()
            .map(|i| i.code)
            .collect();
        Ok(MemberStateReport {
            member_state: ms.code.clone(),
            name: ms.name_in(lang).to_string(),
            from,
            to,
            generated_at: Timestamp::now(),
            point_of_contact,
            authorities,
            commitments,
            training,
            indicator_completeness: completeness(&codes, from, to, &set),
            indicators: years
                .into_iter()
                .map(|(indicator, years)| IndicatorCoverage { indicator, years })
                .collect(),
        })
    })
    .await?;
    Ok(answer(lang, false, &report, &[], |_| Vec::new()))
}
