//! `/api/v1/reports`: what mandate 10 asks for: implementation of the work plan by guideline and by
//! state, a country profile, and the biennial report of a reporting cycle with hemisphere totals.
//! Read-only: each report is computed from the records when asked for.

mod biennial;
mod implementation;
mod member_state;

use std::collections::{BTreeMap, HashMap};

use actix_web::http::header;
use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub use biennial::{
    get_biennial_report, BiennialReport, BiennialState, CountTotal, CycleParams, HemisphereTotals,
};
pub use implementation::{
    get_implementation_report, GuidelineImplementation, ImplementationReport, StateImplementation,
    WorkPlanParam,
};
pub use member_state::{
    get_member_state_report, IndicatorCoverage, MemberStateReport, YearsParams,
};

use crate::api::http::csv;
use crate::db::AnyConnection;
use crate::error::ApiResult;
use crate::models::training_event::{Filter as EventFilter, TrainingEventRecord};

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
    /// CSV headers of [`Self::cells`].
    const HEADERS: [&'static str; 6] = [
        "not_started",
        "planned",
        "in_progress",
        "implemented",
        "not_applicable",
        "no_commitment",
    ];

    fn add(&mut self, status: impl std::fmt::Display) {
        match status.to_string().as_str() {
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

    /// The counts recorded, and `no_commitment` as what of `expected` is not.
    fn out_of(mut self, expected: usize) -> Self {
        self.no_commitment = expected.saturating_sub(self.recorded());
        self
    }

    fn cells(&self) -> Vec<String> {
        [
            self.not_started,
            self.planned,
            self.in_progress,
            self.implemented,
            self.not_applicable,
            self.no_commitment,
        ]
        .iter()
        .map(usize::to_string)
        .collect()
    }
}

/// Training counted for a report.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct TrainingSummary {
    pub events: usize,
    pub participants_total: i64,
    pub participants_women: i64,
    pub participants_men: i64,
    /// Per audience: events and participants of events that trained it.
    #[schema(example = json!({"police": {"events": 2, "participants": 80}}))]
    pub by_audience: BTreeMap<String, AudienceCount>,
}

/// Events and participants for one audience.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct AudienceCount {
    pub events: usize,
    pub participants: i64,
}

impl TrainingSummary {
    fn count(&mut self, e: &TrainingEventRecord) {
        let participants = i64::from(e.row.participants_total.unwrap_or(0));
        self.events += 1;
        self.participants_total += participants;
        self.participants_women += i64::from(e.row.participants_women.unwrap_or(0));
        self.participants_men += i64::from(e.row.participants_men.unwrap_or(0));
        for a in &e.audiences {
            let c = self.by_audience.entry(a.as_str().to_string()).or_default();
            c.events += 1;
            c.participants += participants;
        }
    }
}

/// Training in the years `from..=to` (of one state's events, or all), in total and per host state.
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
    let mut total = TrainingSummary::default();
    let mut per_state: HashMap<String, TrainingSummary> = HashMap::new();
    for e in TrainingEventRecord::list(conn, &f, None, MANY)? {
        total.count(&e);
        if let Some(ms) = &e.row.member_state {
            per_state.entry(ms.clone()).or_default().count(&e);
        }
    }
    Ok((total, per_state))
}

/// The report in `lang` as JSON, or as CSV (`headers`, then the rows `rows` makes of it) when
/// `csv` is asked for.
fn answer<T: Serialize>(
    lang: &str,
    csv: bool,
    report: &T,
    headers: &[&str],
    rows: impl FnOnce(&T) -> Vec<Vec<String>>,
) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CONTENT_LANGUAGE, lang.to_string()));
    if !csv {
        return res.json(report);
    }
    let mut out = csv::line(headers);
    for row in rows(report) {
        out.push_str(&csv::line(&row));
    }
    res.content_type("text/csv; charset=utf-8").body(out)
}
