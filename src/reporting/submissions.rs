//! Each member state's submission in a cycle, as computed from its data, and the review workflow:
//! which transition leads from which status to which.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use super::completeness::{completeness, Completeness};
use crate::db::AnyConnection;
use crate::domain::SubmissionStatus;
use crate::error::{ApiError, ApiResult};
use crate::models::commitment::{self, CommitmentRow};
use crate::models::indicator::IndicatorRow;
use crate::models::member_state::MemberStateRow;
use crate::models::reporting_cycle::{ReportingCycleRow, SubmissionRow};
use crate::models::training_event::{Filter as EventFilter, TrainingEventRecord};
use crate::models::work_plan::GuidelineRow;
use crate::quality::validation::ViolationCounts;
use crate::timestamp::Timestamp;

/// A member state's submission in a cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submission {
    #[schema(example = "2019-2020")]
    pub cycle: String,
    #[schema(example = "ARG")]
    pub member_state: String,
    /// Name in the negotiated language.
    #[schema(example = "Argentina")]
    pub name: String,
    pub status: SubmissionStatus,
    /// The comment of the last transition (required when returned).
    pub comment: Option<String>,
    pub completeness: Completeness,
    /// Commitments recorded on the cycle's work plan.
    #[schema(example = 41)]
    pub commitments_recorded: usize,
    /// Guidelines of the cycle's work plan.
    #[schema(example = 60)]
    pub commitments_expected: usize,
    /// Training events hosted by the state overlapping the cycle's years.
    #[schema(example = 3)]
    pub training_events: usize,
    pub version: i32,
    /// When the status last changed (`null` while never touched).
    pub updated_at: Option<Timestamp>,
    pub updated_by: Option<String>,
}

/// How many per member state.
fn tally(states: impl IntoIterator<Item = String>) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for s in states {
        *counts.entry(s).or_default() += 1;
    }
    counts
}

/// Every member state's submission in the cycle (all 35; untouched ones are `draft`), by code.
pub fn submissions_of(
    conn: &mut AnyConnection,
    cycle: &ReportingCycleRow,
    lang: &str,
) -> ApiResult<Vec<Submission>> {
    submissions_in(conn, cycle, lang, None)
}

/// [`submissions_of`] of every state, or only of `only`.
fn submissions_in(
    conn: &mut AnyConnection,
    cycle: &ReportingCycleRow,
    lang: &str,
    only: Option<&str>,
) -> ApiResult<Vec<Submission>> {
    let mut states = MemberStateRow::list(conn, None, 1000)?;
    states.retain(|s| only.is_none_or(|o| o == s.code));
    let codes: Vec<String> = states.iter().map(|s| s.code.clone()).collect();
    let violations = crate::quality::validation::violations_by_state(conn, cycle, &codes)?;
    let rows: HashMap<String, SubmissionRow> = SubmissionRow::for_cycle(conn, &cycle.code)?
        .into_iter()
        .map(|s| (s.member_state.clone(), s))
        .collect();
    let indicators: Vec<String> = IndicatorRow::all(conn)?
        .into_iter()
        .map(|i| i.code)
        .collect();
    let mut reported: HashMap<String, HashSet<(String, i32)>> = HashMap::new();
    for (ms, ind, year) in
        ReportingCycleRow::reported(conn, cycle.period_from, cycle.period_to, None)?
    {
        reported.entry(ms).or_default().insert((ind, year));
    }
    let guidelines = GuidelineRow::list(conn, &cycle.work_plan, None, None, 100_000)?.len();
    let cf = commitment::Filter {
        work_plan: Some(cycle.work_plan.clone()),
        ..Default::default()
    };
    let commitments = tally(
        CommitmentRow::list(conn, &cf, None, 1_000_000)?
            .into_iter()
            .map(|c| c.member_state),
    );
    let ef = EventFilter {
        from: Some(format!("{:04}-01-01", cycle.period_from)),
        to: Some(format!("{:04}-12-31", cycle.period_to)),
        ..Default::default()
    };
    let events = tally(
        TrainingEventRecord::list(conn, &ef, None, 1_000_000)?
            .into_iter()
            .filter_map(|e| e.row.member_state),
    );
    let empty = HashSet::new();
    Ok(states
        .into_iter()
        .map(|s| {
            let row = rows.get(&s.code);
            Submission {
                cycle: cycle.code.clone(),
                member_state: s.code.clone(),
                name: s.name_in(lang).to_string(),
                status: row.map_or(SubmissionStatus::Draft, |r| r.status),
                comment: row.and_then(|r| r.comment.clone()),
                completeness: Completeness {
                    violations: ViolationCounts::of(
                        violations.get(&s.code).map_or(&[][..], Vec::as_slice),
                    ),
                    ..completeness(
                        &indicators,
                        cycle.period_from,
                        cycle.period_to,
                        reported.get(&s.code).unwrap_or(&empty),
                    )
                },
                commitments_recorded: commitments.get(&s.code).copied().unwrap_or(0),
                commitments_expected: guidelines,
                training_events: events.get(&s.code).copied().unwrap_or(0),
                version: row.map_or(0, |r| r.version),
                updated_at: row.map(|r| r.updated_at),
                updated_by: row.map(|r| r.updated_by.clone()),
            }
        })
        .collect())
}

/// Member state `ms`'s submission in the cycle, or 404.
pub fn submission_of(
    conn: &mut AnyConnection,
    cycle: &ReportingCycleRow,
    ms: &str,
    lang: &str,
) -> ApiResult<Submission> {
    submissions_in(conn, cycle, lang, Some(ms))?
        .into_iter()
        .find(|s| s.member_state == ms)
        .ok_or_else(|| ApiError::not_found(format!("No member state with code {ms}.")))
}

/// A step of the review workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Submit,
    Return,
    Validate,
    Reopen,
}

impl Transition {
    pub const ALL: [Transition; 4] = [Self::Submit, Self::Return, Self::Validate, Self::Reopen];

    /// The action name, in paths and in the audit trail.
    pub fn name(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Return => "return",
            Self::Validate => "validate",
            Self::Reopen => "reopen",
        }
    }

    /// The status this transition leads to from `from`, if it may follow it.
    pub fn next(self, from: SubmissionStatus) -> Option<SubmissionStatus> {
        use SubmissionStatus::*;
        match (self, from) {
            (Self::Submit, Draft | Returned) => Some(Submitted),
            (Self::Return, Submitted) => Some(Returned),
            (Self::Validate, Submitted) => Some(Validated),
            (Self::Reopen, Submitted | Returned | Validated) => Some(Draft),
            _ => None,
        }
    }

    /// Whether it may be taken in a closed cycle (only reopening is).
    pub fn allowed_when_closed(self) -> bool {
        self == Self::Reopen
    }

    /// [`Self::next`], or 409 naming the transitions allowed from `from`.
    pub fn apply(self, from: SubmissionStatus) -> ApiResult<SubmissionStatus> {
        self.next(from).ok_or_else(|| {
            let allowed: Vec<&str> = Self::ALL
                .into_iter()
                .filter(|t| t.next(from).is_some())
                .map(Self::name)
                .collect();
            ApiError::conflict(format!(
                "Cannot {} a {from} submission. Allowed from {from}: {}.",
                self.name(),
                allowed.join(", ")
            ))
        })
    }
}
