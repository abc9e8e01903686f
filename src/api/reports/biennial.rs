//! Mandate 10's biennial report of a reporting cycle, with hemisphere totals.

use std::collections::{BTreeMap, HashMap, HashSet};

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{answer, training, StatusCounts, TrainingSummary, MANY};
use crate::api::http::csv::{self, Format};
use crate::api::http::extract::{bounded, QueryParams};
use crate::api::http::language;
use crate::api::http::run_db;
use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::domain::{AuthorityRole, SubmissionStatus};
use crate::error::ApiResult;
use crate::models::commitment::{self, CommitmentRow};
use crate::models::indicator::IndicatorRow;
use crate::models::indicator_value::{Filter as ValueFilter, IndicatorValueRow};
use crate::models::national_authority::{Filter as AuthorityFilter, NationalAuthority};
use crate::models::reporting_cycle::ReportingCycleRow;
use crate::models::work_plan::GuidelineRow;
use crate::reporting::completeness::Completeness;
use crate::reporting::count_sums::CountSums;
pub use crate::reporting::count_sums::{CountTotal, CycleCountTotal};
use crate::reporting::{self, submissions::submissions_of};
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// One member state in the biennial report.
#[derive(Debug, Serialize, ToSchema)]
pub struct BiennialState {
    #[schema(example = "ARG")]
    pub member_state: String,
    #[schema(example = "Argentina")]
    pub name: String,
    pub submission: SubmissionStatus,
    pub completeness: Completeness,
    pub has_point_of_contact: bool,
    /// Commitments on the cycle's work plan, by status.
    pub commitments: StatusCounts,
    pub training_events: usize,
    pub participants_total: i64,
}

/// Hemisphere totals of the biennial report.
#[derive(Debug, Serialize, ToSchema)]
pub struct HemisphereTotals {
    pub member_states: usize,
    pub submitted: usize,
    pub validated: usize,
    pub with_point_of_contact: usize,
    /// All states' commitments on the work plan, by status.
    pub commitments: StatusCounts,
    /// All events overlapping the cycle's years, regional ones included.
    pub training: TrainingSummary,
    /// Values reported for the cycle's years.
    pub indicator_values: usize,
    /// Mean of the states' indicator completeness, in percent.
    #[schema(example = 41.3)]
    pub indicator_coverage: f64,
    /// Commitments on the work plan by section and status.
    pub commitments_by_section: BTreeMap<String, StatusCounts>,
    /// Sums of the total values (no disaggregation) of count indicators, per indicator and year.
    pub count_totals: Vec<CountTotal>,
    /// The same sums over the whole cycle (all its years), per indicator: the figure the
    /// biennial report leads with.
    pub cycle_count_totals: Vec<CycleCountTotal>,
}

/// The biennial report of a cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct BiennialReport {
    #[schema(example = "2019-2020")]
    pub cycle: String,
    pub work_plan: String,
    pub period_from: i32,
    pub period_to: i32,
    pub generated_at: Timestamp,
    pub member_states: Vec<BiennialState>,
    pub hemisphere: HemisphereTotals,
}

/// The values of `cycle`'s years (of `indicator`, or all).
fn values_of(cycle: &ReportingCycleRow, indicator: Option<String>) -> ValueFilter {
    ValueFilter {
        indicator,
        period_from: Some(cycle.period_from.to_string()),
        period_to: Some(cycle.period_to.to_string()),
        ..Default::default()
    }
}

/// Sums of total values of count indicators per indicator and year over the cycle, and per
/// indicator over the whole cycle, from the totals alone (one per state, indicator and period:
/// the cost does not grow with breakdowns).
fn count_totals(
    conn: &mut AnyConnection,
    cycle: &ReportingCycleRow,
) -> ApiResult<(Vec<CountTotal>, Vec<CycleCountTotal>)> {
    let indicators: Vec<String> = IndicatorRow::all(conn)?
        .into_iter()
        .filter(|i| i.value_type == crate::domain::ValueType::Count)
        .map(|i| i.code)
        .collect();
    if indicators.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let f = ValueFilter {
        indicators,
        totals_only: true,
        ..values_of(cycle, None)
    };
    let mut sums = CountSums::default();
    for v in IndicatorValueRow::list(conn, &f, None, MANY)? {
        sums.add(&v.indicator, &v.period, &v.member_state, v.value.as_deref());
    }
    Ok(sums.totals(false))
}

/// The cycle of the biennial report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CycleParams {
    #[param(example = "2019-2020", max_length = 9)]
    pub cycle: String,
    /// `csv`: one row per member state (same as `Accept: text/csv`).
    #[param(inline)]
    pub format: Option<Format>,
}

/// The report of `cycle` with its submissions, the states' names in `lang`.
fn biennial(conn: &mut AnyConnection, code: &str, lang: &str) -> ApiResult<BiennialReport> {
    let cycle = reporting::cycle(conn, code)?;
    let subs = submissions_of(conn, &cycle, lang)?;
    let af = AuthorityFilter {
        active: Some(true),
        role: Some(AuthorityRole::NationalPointOfContact),
        ..Default::default()
    };
    let with_contact: HashSet<String> = NationalAuthority::list(conn, &af, None, MANY)?
        .into_iter()
        .map(|a| a.member_state)
        .collect();
    let cf = commitment::Filter {
        work_plan: Some(cycle.work_plan.clone()),
        ..Default::default()
    };
    let plan_guidelines = GuidelineRow::list(conn, &cycle.work_plan, None, None, MANY)?;
    let sections: HashMap<i32, String> = plan_guidelines
        .iter()
        .map(|g| (g.number, g.section.clone()))
        .collect();
    let mut per_state: HashMap<String, StatusCounts> = HashMap::new();
    let mut by_section: BTreeMap<String, StatusCounts> = BTreeMap::new();
    let mut all = StatusCounts::default();
    for r in CommitmentRow::list(conn, &cf, None, MANY)? {
        let section = sections.get(&r.guideline_number).cloned();
        per_state
            .entry(r.member_state.clone())
            .or_default()
            .add(r.status);
        by_section
            .entry(section.unwrap_or_default())
            .or_default()
            .add(r.status);
        all.add(r.status);
    }
    let guidelines = plan_guidelines.len();
    let all = all.out_of(guidelines * subs.len());
    let (training_total, training_by_state) =
        training(conn, None, cycle.period_from, cycle.period_to)?;
    let indicator_values = IndicatorValueRow::count(conn, &values_of(&cycle, None))?;
    let (count_totals, cycle_count_totals) = count_totals(conn, &cycle)?;
    let states: Vec<BiennialState> = subs
        .into_iter()
        .map(|s| {
            let t = training_by_state.get(&s.member_state);
            BiennialState {
                has_point_of_contact: with_contact.contains(&s.member_state),
                commitments: per_state
                    .remove(&s.member_state)
                    .unwrap_or_default()
                    .out_of(guidelines),
                member_state: s.member_state,
                name: s.name,
                submission: s.status,
                completeness: s.completeness,
                training_events: t.map_or(0, |t| t.events),
                participants_total: t.map_or(0, |t| t.participants_total),
            }
        })
        .collect();
    let with_status = |status| states.iter().filter(|s| s.submission == status).count();
    let hemisphere = HemisphereTotals {
        member_states: states.len(),
        submitted: with_status(SubmissionStatus::Submitted),
        validated: with_status(SubmissionStatus::Validated),
        with_point_of_contact: states.iter().filter(|s| s.has_point_of_contact).count(),
        commitments: all,
        training: training_total,
        indicator_values,
        indicator_coverage: if states.is_empty() {
            0.0
        } else {
            (states.iter().map(|s| s.completeness.percent).sum::<f64>() / states.len() as f64
                * 10.0)
                .round()
                / 10.0
        },
        commitments_by_section: by_section,
        count_totals,
        cycle_count_totals,
    };
    Ok(BiennialReport {
        cycle: cycle.code.clone(),
        work_plan: cycle.work_plan.clone(),
        period_from: cycle.period_from,
        period_to: cycle.period_to,
        generated_at: Timestamp::now(),
        member_states: states,
        hemisphere,
    })
}

/// Mandate 10's biennial report: for every member state its submission status, indicator
/// completeness, point of contact, commitments and training in the cycle's years, plus hemisphere totals.
#[utoipa::path(
    tag = "reports",
    params(CycleParams, ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt")),
    responses(
        (status = 200, description = "The biennial report (JSON, or CSV by member state)", content((BiennialReport = "application/json"), (String = "text/csv"))),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/biennial")]
pub async fn get_biennial_report(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<CycleParams>,
) -> ApiResult<HttpResponse> {
    let CycleParams { cycle, format } = query.0;
    bounded("cycle", Some(&cycle), 9)?;
    let lang = language::negotiate(&req);
    let report = run_db(&state.pool, move |conn| biennial(conn, &cycle, lang)).await?;
    let headers = [
        &[
            "member_state",
            "name",
            "submission",
            "completeness_percent",
            "has_point_of_contact",
        ][..],
        &StatusCounts::HEADERS,
        &["training_events", "participants_total"],
    ]
    .concat();
    Ok(answer(
        lang,
        csv::wanted(&req, format),
        &report,
        &headers,
        |r: &BiennialReport| {
            r.member_states
                .iter()
                .map(|st| {
                    let head = vec![
                        st.member_state.clone(),
                        st.name.clone(),
                        st.submission.as_str().to_string(),
                        st.completeness.percent.to_string(),
                        st.has_point_of_contact.to_string(),
                    ];
                    let tail = vec![
                        st.training_events.to_string(),
                        st.participants_total.to_string(),
                    ];
                    [head, st.commitments.cells(), tail].concat()
                })
                .collect()
        },
    ))
}
