//! Implementation of a work plan, by guideline and by member state.

use std::collections::HashMap;

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{answer, StatusCounts, MANY};
use crate::api::http::csv::{self, Format};
use crate::api::http::extract::{bounded, QueryParams};
use crate::api::http::language;
use crate::api::http::run_db;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::models::commitment::{self, CommitmentRow};
use crate::models::member_state::MemberStateRow;
use crate::models::work_plan::{GuidelineRow, WorkPlanRow};
use crate::state::AppState;
use crate::timestamp::Timestamp;

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
    pub format: Option<Format>,
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
    let WorkPlanParam {
        work_plan: plan,
        format,
    } = query.0;
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
        let mut by_g: HashMap<i32, StatusCounts> = HashMap::new();
        let mut by_s: HashMap<String, StatusCounts> = HashMap::new();
        for r in CommitmentRow::list(conn, &f, None, MANY)? {
            by_g.entry(r.guideline_number).or_default().add(r.status);
            by_s.entry(r.member_state).or_default().add(r.status);
        }
        let by_guideline = guidelines
            .iter()
            .map(|g| GuidelineImplementation {
                number: g.number,
                section: g.section.clone(),
                states: by_g
                    .remove(&g.number)
                    .unwrap_or_default()
                    .out_of(states.len()),
            })
            .collect();
        let by_member_state = states
            .iter()
            .map(|s| StateImplementation {
                member_state: s.code.clone(),
                name: s.name_in(lang).to_string(),
                guidelines: by_s
                    .remove(&s.code)
                    .unwrap_or_default()
                    .out_of(guidelines.len()),
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
    let headers = [&["guideline", "section"][..], &StatusCounts::HEADERS].concat();
    Ok(answer(
        lang,
        csv::wanted(&req, format),
        &report,
        &headers,
        |r: &ImplementationReport| {
            r.by_guideline
                .iter()
                .map(|g| {
                    [
                        vec![g.number.to_string(), g.section.clone()],
                        g.states.cells(),
                    ]
                    .concat()
                })
                .collect()
        },
    ))
}
