//! How cycles and submissions go through the pipelines: a new cycle's validation, the versioned
//! records (a submission's id is `{cycle}/{member_state}`) and the cycle list.

use diesel::QueryResult;
use serde::Serialize;

use super::wire::{NewReportingCycle, ReportingCycle};
use crate::api::http::write::Versioned;
use crate::auth::Owner;
use crate::db::rows::Keyset;
use crate::db::AnyConnection;
use crate::domain::{contact, CycleStatus, SubmissionStatus};
use crate::error::{ApiError, FieldError};
use crate::models::reporting_cycle::{ReportingCycleRow, SubmissionRow};
use crate::timestamp::Timestamp;

/// Validates every field at once; returns the row (times left to the caller).
pub fn validate(b: &NewReportingCycle) -> Result<ReportingCycleRow, ApiError> {
    let mut e = Vec::new();
    let years_ok = |y: i32| (1990..=2100).contains(&y);
    if !years_ok(b.period_from) {
        e.push(FieldError::new(
            "/period_from",
            "must be a year between 1990 and 2100",
        ));
    }
    if !years_ok(b.period_to) || b.period_to < b.period_from {
        e.push(FieldError::new(
            "/period_to",
            "must be a year between period_from and 2100",
        ));
    }
    if b.code != format!("{}-{}", b.period_from, b.period_to) {
        e.push(FieldError::new(
            "/code",
            "must be PERIOD_FROM-PERIOD_TO, e.g. 2019-2020",
        ));
    }
    if let Err(m) = contact::date(&b.due_date) {
        e.push(FieldError::new("/due_date", m));
    }
    if b.work_plan.len() > 16 {
        e.push(FieldError::new("/work_plan", "is not a work plan"));
    }
    if !e.is_empty() {
        return Err(ApiError::validation(e));
    }
    Ok(ReportingCycleRow {
        code: b.code.clone(),
        work_plan: b.work_plan.clone(),
        period_from: b.period_from,
        period_to: b.period_to,
        due_date: b.due_date.clone(),
        status: b.status.unwrap_or(CycleStatus::Open),
        version: 1,
        created_at: Timestamp::now(),
        updated_at: Timestamp::now(),
    })
}

impl Versioned for ReportingCycleRow {
    const KIND: &'static str = "reporting_cycle";
    const NOUN: &'static str = "reporting cycle";
    type View = ReportingCycle;
    const TABLE: &'static str = "reporting_cycles";
    const KEY_COLUMN: &'static str = "code";

    crate::versioned_row!(code);
    fn owner(&self) -> Owner<'_> {
        Owner::Secretariat
    }
    fn view(&self) -> ReportingCycle {
        self.clone()
    }
    fn location(&self) -> String {
        format!("/api/v1/reporting-cycles/{}", self.code)
    }
}

crate::listing! {
    /// The cycle list, ordered by code; the filter is `updated_since`.
    Cycles: ReportingCycleRow => Self, "reporting_cycle", "reporting-cycles.csv", [
        "code", "work_plan", "period_from", "period_to", "due_date", "status", "version",
        "created_at", "updated_at",
    ];
    fetch(conn, since: Option<Timestamp>, after: String, limit) =>
        ReportingCycleRow::list(conn, after.map(String::as_str), *since, limit);
    key(r) => r.code.clone();
}

/// A stored submission under its audit id `{cycle}/{member_state}`.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionRecord {
    id: String,
    pub row: SubmissionRow,
}

impl SubmissionRecord {
    pub fn new(row: SubmissionRow) -> Self {
        Self {
            id: format!("{}/{}", row.cycle, row.member_state),
            row,
        }
    }
}

/// A submission as the audit trail keeps it.
#[derive(Debug, Serialize)]
pub struct SubmissionAudit {
    cycle: String,
    member_state: String,
    status: SubmissionStatus,
    comment: Option<String>,
    version: i32,
}

impl Versioned for SubmissionRecord {
    const KIND: &'static str = "submission";
    const NOUN: &'static str = "submission";
    type View = SubmissionAudit;
    const TABLE: &'static str = "submissions";
    // The audit id `{cycle}/{member_state}` (35 rows a cycle: no index needed).
    const KEY_COLUMN: &'static str = "cycle || '/' || member_state";

    fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Self>> {
        let Some((cycle, ms)) = id.split_once('/') else {
            return Ok(None);
        };
        Ok(SubmissionRow::find(conn, cycle, ms)?.map(Self::new))
    }
    fn insert(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        self.row.insert(conn)
    }
    fn store(&self, conn: &mut AnyConnection, expected_version: i32) -> QueryResult<bool> {
        self.row.update(conn, expected_version)
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> i32 {
        self.row.version
    }
    fn updated_at(&self) -> Timestamp {
        self.row.updated_at
    }
    fn stamp(&mut self, version: i32, updated_at: Timestamp) {
        self.row.version = version;
        self.row.updated_at = updated_at;
    }
    /// A submission is keyed by its cycle and state, and its first transition
    /// (`transitions.rs`) writes the new row with its times itself: nothing to adopt.
    fn adopt(&mut self, _before: Option<&Self>) {}
    fn owner(&self) -> Owner<'_> {
        Owner::State(&self.row.member_state)
    }
    fn view(&self) -> SubmissionAudit {
        SubmissionAudit {
            cycle: self.row.cycle.clone(),
            member_state: self.row.member_state.clone(),
            status: self.row.status,
            comment: self.row.comment.clone(),
            version: self.row.version,
        }
    }
    fn location(&self) -> String {
        format!(
            "/api/v1/reporting-cycles/{}/submissions/{}",
            self.row.cycle, self.row.member_state
        )
    }
}
