//! `/api/v1/reports`: what mandate 10 asks for: implementation of the work plan by guideline and by
//! state, a country profile, and the biennial report of a reporting cycle with hemisphere totals.

use std::collections::{BTreeMap, HashMap, HashSet};

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::http::extract::{bounded, QueryParams};
use crate::api::http::language;
use crate::api::http::run_db;
use crate::api::national_authorities::NationalAuthority;
use crate::api::reporting_cycles::{completeness, submissions_of, Completeness, SubmissionStatus};
use crate::auth::Caller;
use crate::db::{self, AnyConnection};
use crate::domain::AuthorityRole;
use crate::domain::MemberStateCode;
use crate::error::{ApiError, ApiResult};
use crate::models::commitment::{self, CommitmentRow};
use crate::models::indicator::IndicatorRow;
use crate::models::member_state::MemberStateRow;
use crate::models::national_authority::{Filter as AuthorityFilter, NationalAuthorityRow};
use crate::models::reporting_cycle::ReportingCycleRow;
use crate::models::training_event::{Filter as EventFilter, TrainingEventRecord};
use crate::models::work_plan::{GuidelineRow, WorkPlanRow};
use crate::state::AppState;
use crate::timestamp::Timestamp;

const MANY: i64 = 1_000_000;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_implementation_report)
        .service(get_member_state_report)
        .service(get_biennial_report);
}

/// Commitments counted by status; `no_commitment` counts states (or guidelines) with none recorded.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct StatusCounts {
    pub not_started: usize,
    pub planned: usize,
    pub in_progress: usize,
    pub implemented: usize,
    pub not_applicable: usize,
    pub no_commitment: usize,
}

impl StatusCounts {
    fn add(&mut self, status: &str) {
        match status {
            "not_started" => self.not_started += 1,
            "planned" => self.planned += 1,
            "in_progress" => self.in_progress += 1,
            "implemented" => self.implemented += 1,
            "not_applicable" => self.not_applicable += 1,
            _ => {}
        }
    }

    fn recorded(&self) -> usize {
        self.not_started + self.planned + self.in_progress + self.implemented + self.not_applicable
    }
}

/// One guideline in the implementation report.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuidelineImplementation {
    #[schema(example = 12)]
    pub number: i32,
    #[schema(example = "general")]
    pub section: String,
    /// How many of the 35 states are at each status.
    pub states: StatusCounts,
}

/// One member state in the implementation report.
#[derive(Debug, Serialize, ToSchema)]
pub struct StateImplementation {
    #[schema(example = "ARG")]
    pub member_state: String,
    #[schema(example = "Argentina")]
    pub name: String,
    /// How many of the plan's guidelines are at each status.
    pub guidelines: StatusCounts,
}

/// Implementation of a work plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImplementationReport {
    #[schema(example = "WP2")]
    pub work_plan: String,
    pub generated_at: Timestamp,
    pub by_guideline: Vec<GuidelineImplementation>,
    pub by_member_state: Vec<StateImplementation>,
}

/// The work plan of the implementation report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WorkPlanParam {
    #[param(example = "WP2", max_length = 16)]
    pub work_plan: String,
    /// `csv`: one row per guideline (same as `Accept: text/csv`).
    #[param(inline)]
    pub format: Option<crate::api::http::csv::Format>,
}

/// Per guideline, how many member states are at each status; per state, how many guidelines are.
/// Deleted commitments are not counted.
#[utoipa::path(
    tag = "reports",
    params(WorkPlanParam, ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt")),
    responses(
        (status = 200, description = "The implementation report (JSON, or CSV by guideline)", content((ImplementationReport = "application/json"), (String = "text/csv"))),
        (status = 404, response = crate::api::problems::NotFound),
    )
)]
#[get("/implementation")]
pub async fn get_implementation_report(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: QueryParams<WorkPlanParam>,
) -> ApiResult<HttpResponse> {
    let want_csv = crate::api::http::csv::wanted(&req, query.0.format);
    let plan = query.0.work_plan;
    bounded("work_plan", Some(&plan), 16)?;
    let lang = language::negotiate(&req);
    let report = run_db(&state.pool, move |conn| {
        WorkPlanRow::find(conn, &plan)?
            .ok_or_else(|| ApiError::not_found(format!("No work plan {plan}.")))?;
        let guidelines = GuidelineRow::list(conn, &plan, None, None, MANY)?;
        let states = MemberStateRow::list(conn, None, 1000)?;
        let f = commitment::Filter {
            work_plan: Some(plan.clone()),
            ..Default::default()
        };
        let rows = CommitmentRow::list(conn, &f, None, MANY)?;
        let mut by_g: HashMap<i32, StatusCounts> = HashMap::new();
        let mut by_s: HashMap<String, StatusCounts> = HashMap::new();
        for r in &rows {
            by_g.entry(r.guideline_number).or_default().add(&r.status);
            by_s.entry(r.member_state.clone())
                .or_default()
                .add(&r.status);
        }
        let by_guideline = guidelines
            .iter()
            .map(|g| {
                let mut c = by_g.remove(&g.number).unwrap_or_default();
                c.no_commitment = states.len().saturating_sub(c.recorded());
                GuidelineImplementation {
                    number: g.number,
                    section: g.section.clone(),
                    states: c,
                }
            })
            .collect();
        let by_member_state = states
            .iter()
            .map(|s| {
                let mut c = by_s.remove(&s.code).unwrap_or_default();
                c.no_commitment = guidelines.len().saturating_sub(c.recorded());
                StateImplementation {
                    member_state: s.code.clone(),
                    name: s.name_in(lang).to_string(),
                    guidelines: c,
                }
            })
            .collect();
        Ok(ImplementationReport {
            work_plan: plan,
            generated_at: Timestamp::now(),
            by_guideline,
            by_member_state,
        })
    })
    .await?;
    if want_csv {
        let mut out = crate::api::http::csv::line(&[
            "guideline",
            "section",
            "not_started",
            "planned",
            "in_progress",
            "implemented",
            "not_applicable",
            "no_commitment",
        ]);
        for g in &report.by_guideline {
            let c = &g.states;
            out.push_str(&crate::api::http::csv::line(&[
                g.number.to_string(),
                g.section.clone(),
                c.not_started.to_string(),
                c.planned.to_string(),
                c.in_progress.to_string(),
                c.implemented.to_string(),
                c.not_applicable.to_string(),
                c.no_commitment.to_string(),
            ]));
        }
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(out));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_LANGUAGE, lang))
        .json(report))
}

/// Training counted for a report.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct TrainingSummary {
    pub events: usize,
    pub participants_total: i64,
    pub participants_women: i64,
    pub participants_men: i64,
    /// Per audience: events and participants of events that trained it.
    #[schema(value_type = Object, example = json!({"police": {"events": 2, "participants": 80}}))]
    pub by_audience: BTreeMap<String, AudienceCount>,
}

/// Events and participants for one audience.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct AudienceCount {
    pub events: usize,
    pub participants: i64,
}

fn training(
    conn: &mut AnyConnection,
    member_state: Option<&str>,
    from: i32,
    to: i32,
) -> ApiResult<(TrainingSummary, HashMap<String, TrainingSummary>)> {
    let f = EventFilter {
        member_state: member_state.map(str::to_string),
        from: Some(format!("{from:04}-01-01")),
        to: Some(format!("{to:04}-12-31")),
        ..Default::default()
    };
    let events = TrainingEventRecord::list(conn, &f, None, MANY)?;
    let mut total = TrainingSummary::default();
    let mut per_state: HashMap<String, TrainingSummary> = HashMap::new();
    for e in &events {
        let mut targets = vec![&mut total];
        let slot;
        if let Some(ms) = &e.row.member_state {
            slot = per_state.entry(ms.clone()).or_default();
            targets.push(slot);
        }
        for t in targets {
            t.events += 1;
            t.participants_total += i64::from(e.row.participants_total.unwrap_or(0));
            t.participants_women += i64::from(e.row.participants_women.unwrap_or(0));
            t.participants_men += i64::from(e.row.participants_men.unwrap_or(0));
            for a in &e.audiences {
                let c = t.by_audience.entry(a.clone()).or_default();
                c.events += 1;
                c.participants += i64::from(e.row.participants_total.unwrap_or(0));
            }
        }
    }
    Ok((total, per_state))
}

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

/// A member state's profile: register entries, commitments by status, training (events,
/// participants by audience and sex) and indicator coverage over the years `from`..`to`.
#[utoipa::path(
    tag = "reports",
    params(("code" = String, Path, description = "Member state (ISO alpha-3)", example = "ARG"), YearsParams,
        ("Accept-Language" = Option<String>, Header, description = "en, es, fr or pt")),
    responses(
        (status = 200, description = "The profile", body = MemberStateReport),
        (status = 404, response = crate::api::problems::NotFound),
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
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    let to = query.0.to.unwrap_or(this_year);
    let from = query.0.from.unwrap_or(to - 9);
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
    let lang = language::negotiate(&req);
    let report = run_db(&state.pool, move |conn| {
        let ms = MemberStateRow::find(conn, &code)?
            .ok_or_else(|| ApiError::not_found(format!("No member state with code {code}.")))?;
        let af = AuthorityFilter {
            member_state: Some(code.clone()),
            active: Some(true),
            ..Default::default()
        };
        let mut authorities: Vec<NationalAuthority> =
            NationalAuthorityRow::list(conn, &af, None, MANY)?
                .iter()
                .map(NationalAuthority::from)
                .collect();
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
            commitments.add(&r.status);
        }
        let (training, _) = training(conn, Some(&code), from, to)?;
        let window = ReportingCycleRow {
            code: String::new(),
            work_plan: String::new(),
            period_from: from,
            period_to: to,
            due_date: String::new(),
            status: String::new(),
            version: 0,
            created_at: String::new(),
            updated_at: String::new(),
        };
        let reported = window.reported(conn, Some(&code))?;
        let mut years: BTreeMap<String, Vec<i32>> = BTreeMap::new();
        for (_, ind, y) in &reported {
            years.entry(ind.clone()).or_default().push(*y);
        }
        let set: HashSet<(String, i32)> = reported.into_iter().map(|(_, i, y)| (i, y)).collect();
        let codes: Vec<String> = IndicatorRow::all(conn)?
            .into_iter()
            .map(|i| i.code)
            .collect();
        let indicator_completeness = completeness(&codes, from, to, &set);
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
            indicator_completeness,
            indicators: years
                .into_iter()
                .map(|(indicator, years)| IndicatorCoverage { indicator, years })
                .collect(),
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_LANGUAGE, lang))
        .json(report))
}

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
    #[schema(value_type = Object)]
    pub commitments_by_section: BTreeMap<String, StatusCounts>,
    /// Sums of the total values (no disaggregation) of count indicators, per indicator and year.
    pub count_totals: Vec<CountTotal>,
}

/// The hemisphere total of a count indicator in one year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountTotal {
    #[schema(example = "VICTIMS_DETECTED")]
    pub indicator: String,
    #[schema(example = 2019)]
    pub year: i32,
    /// Sum over the states that reported a total.
    #[schema(example = 1234)]
    pub total: u64,
    /// How many states reported a total.
    #[schema(example = 12)]
    pub states: usize,
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

/// Sums of total values of count indicators per indicator and year over the cycle.
fn count_totals(conn: &mut AnyConnection, cycle: &ReportingCycleRow) -> ApiResult<Vec<CountTotal>> {
    use crate::models::indicator_value::{Filter, IndicatorValueRow};
    let mut out = Vec::new();
    for ind in IndicatorRow::all(conn)?
        .into_iter()
        .filter(|i| i.value_type == crate::domain::ValueType::Count)
    {
        let f = Filter {
            indicator: Some(ind.code.clone()),
            period_from: Some(cycle.period_from.to_string()),
            period_to: Some(cycle.period_to.to_string()),
            ..Default::default()
        };
        let mut sums: BTreeMap<i32, (u64, HashSet<String>)> = BTreeMap::new();
        for v in IndicatorValueRow::list(conn, &f, None, MANY)?
            .into_iter()
            .filter(|v| v.disaggregation.is_empty())
        {
            let year = v.period.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
            let n: u64 = v.value.as_deref().and_then(|t| t.parse().ok()).unwrap_or(0);
            let e = sums.entry(year).or_default();
            e.0 += n;
            e.1.insert(v.member_state);
        }
        out.extend(sums.into_iter().map(|(year, (total, states))| CountTotal {
            indicator: ind.code.clone(),
            year,
            total,
            states: states.len(),
        }));
    }
    Ok(out)
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
    pub format: Option<crate::api::http::csv::Format>,
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
    let want_csv = crate::api::http::csv::wanted(&req, query.0.format);
    let code = query.0.cycle;
    bounded("cycle", Some(&code), 9)?;
    let lang = language::negotiate(&req);
    let report = run_db(&state.pool, move |conn| {
        let cycle = ReportingCycleRow::find(conn, &code)?
            .ok_or_else(|| ApiError::not_found(format!("No reporting cycle {code}.")))?;
        let subs = submissions_of(conn, &cycle, lang)?;
        let af = AuthorityFilter {
            active: Some(true),
            role: Some(AuthorityRole::NationalPointOfContact),
            ..Default::default()
        };
        let with_contact: HashSet<String> = NationalAuthorityRow::list(conn, &af, None, MANY)?
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
            per_state
                .entry(r.member_state.clone())
                .or_default()
                .add(&r.status);
            by_section
                .entry(
                    sections
                        .get(&r.guideline_number)
                        .cloned()
                        .unwrap_or_default(),
                )
                .or_default()
                .add(&r.status);
            all.add(&r.status);
        }
        let guidelines = plan_guidelines.len();
        all.no_commitment = (guidelines * subs.len()).saturating_sub(all.recorded());
        let (training_total, training_by_state) =
            training(conn, None, cycle.period_from, cycle.period_to)?;
        let vf = crate::models::indicator_value::Filter {
            period_from: Some(cycle.period_from.to_string()),
            period_to: Some(cycle.period_to.to_string()),
            ..Default::default()
        };
        let indicator_values = crate::models::indicator_value::IndicatorValueRow::count(conn, &vf)?;
        let count_totals = count_totals(conn, &cycle)?;
        let states: Vec<BiennialState> = subs
            .into_iter()
            .map(|s| {
                let mut c = per_state.remove(&s.member_state).unwrap_or_default();
                c.no_commitment = guidelines.saturating_sub(c.recorded());
                let t = training_by_state.get(&s.member_state);
                BiennialState {
                    has_point_of_contact: with_contact.contains(&s.member_state),
                    member_state: s.member_state,
                    name: s.name,
                    submission: s.status,
                    completeness: s.completeness,
                    commitments: c,
                    training_events: t.map_or(0, |t| t.events),
                    participants_total: t.map_or(0, |t| t.participants_total),
                }
            })
            .collect();
        let hemisphere = HemisphereTotals {
            member_states: states.len(),
            submitted: states
                .iter()
                .filter(|s| s.submission == SubmissionStatus::Submitted)
                .count(),
            validated: states
                .iter()
                .filter(|s| s.submission == SubmissionStatus::Validated)
                .count(),
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
    })
    .await?;
    if want_csv {
        let mut out = crate::api::http::csv::line(&[
            "member_state",
            "name",
            "submission",
            "completeness_percent",
            "has_point_of_contact",
            "not_started",
            "planned",
            "in_progress",
            "implemented",
            "not_applicable",
            "no_commitment",
            "training_events",
            "participants_total",
        ]);
        for st in &report.member_states {
            let c = &st.commitments;
            let status = serde_json::to_value(st.submission)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            out.push_str(&crate::api::http::csv::line(&[
                st.member_state.clone(),
                st.name.clone(),
                status,
                st.completeness.percent.to_string(),
                st.has_point_of_contact.to_string(),
                c.not_started.to_string(),
                c.planned.to_string(),
                c.in_progress.to_string(),
                c.implemented.to_string(),
                c.not_applicable.to_string(),
                c.no_commitment.to_string(),
                st.training_events.to_string(),
                st.participants_total.to_string(),
            ]));
        }
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_LANGUAGE, lang))
            .body(out));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_LANGUAGE, lang))
        .json(report))
}
