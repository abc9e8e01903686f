//! The `reporting_cycles` and `submissions` tables (mandate 10), and the locks they put on a
//! member state's data while its submission is under review or validated.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{indicator_values, reporting_cycles as rc, submissions as sub};
use crate::db::AnyConnection;
use crate::domain::{CycleStatus, SubmissionStatus};
use crate::timestamp::Timestamp;

/// A reporting cycle.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, ToSchema,
)]
#[diesel(table_name = rc)]
#[schema(as = ReportingCycle, example = json!({"code": "2019-2020", "work_plan": "WP2", "period_from": 2019, "period_to": 2020, "due_date": "2021-03-31",
    "status": "open", "version": 1, "created_at": "2026-11-22T20:43:03.123456Z", "updated_at": "2026-11-22T20:43:03.123456Z"}))]
pub struct ReportingCycleRow {
    pub code: String,
    pub work_plan: String,
    /// First year reported.
    pub period_from: i32,
    /// Last year reported.
    pub period_to: i32,
    #[schema(format = Date)]
    pub due_date: String,
    pub status: CycleStatus,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = sub, treat_none_as_null = true)]
pub struct SubmissionRow {
    pub cycle: String,
    pub member_state: String,
    pub status: SubmissionStatus,
    pub comment: Option<String>,
    pub version: i32,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

crate::keyset_list!(ReportingCycleRow, rc, code);

impl ReportingCycleRow {
    crate::versioned_queries!(rc, code: &str);

    /// Distinct (member_state, indicator, year) with a live total value (no disaggregation) in the
    /// years `from`..=`to` (a cycle's, or any window).
    pub fn reported(
        conn: &mut AnyConnection,
        from: i32,
        to: i32,
        member_state: Option<&str>,
    ) -> QueryResult<Vec<(String, String, i32)>> {
        let mut q = indicator_values::table
            .filter(indicator_values::deleted_at.is_null())
            .filter(indicator_values::disaggregation.eq(""))
            .filter(indicator_values::period.ge(from.to_string()))
            .filter(indicator_values::period.le(format!("{to}~")))
            .select((
                indicator_values::member_state,
                indicator_values::indicator,
                indicator_values::period,
            ))
            .distinct()
            .into_boxed();
        if let Some(ms) = member_state {
            q = q.filter(indicator_values::member_state.eq(ms.to_string()));
        }
        let rows: Vec<(String, String, String)> = q.load(conn)?;
        let mut out: Vec<(String, String, i32)> = rows
            .into_iter()
            .map(|(m, i, p)| (m, i, p.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)))
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }
}

impl SubmissionRow {
    crate::versioned_queries!(sub, cycle: &str, member_state: &str);

    pub fn for_cycle(conn: &mut AnyConnection, cycle: &str) -> QueryResult<Vec<Self>> {
        sub::table
            .filter(sub::cycle.eq(cycle.to_string()))
            .select(Self::as_select())
            .load(conn)
    }

    /// (member state, first year, last year) of every validated submission (of `cycle`, or of
    /// all cycles): the data the public view may show.
    pub fn validated_years(
        conn: &mut AnyConnection,
        cycle: Option<&str>,
    ) -> QueryResult<Vec<(String, i32, i32)>> {
        let mut q = sub::table
            .inner_join(rc::table.on(rc::code.eq(sub::cycle)))
            .filter(sub::status.eq(SubmissionStatus::Validated))
            .select((sub::member_state, rc::period_from, rc::period_to))
            .order((sub::member_state, rc::period_from))
            .into_boxed();
        if let Some(c) = cycle {
            q = q.filter(sub::cycle.eq(c.to_string()));
        }
        q.load(conn)
    }

    /// Cycles (code, years, work plan) in which `member_state`'s submission locks its data.
    pub fn locking_cycles(
        conn: &mut AnyConnection,
        member_state: &str,
    ) -> QueryResult<Vec<(String, i32, i32, String)>> {
        sub::table
            .inner_join(rc::table.on(rc::code.eq(sub::cycle)))
            .filter(sub::member_state.eq(member_state.to_string()))
            .filter(sub::status.eq_any(SubmissionStatus::LOCKING))
            .select((rc::code, rc::period_from, rc::period_to, rc::work_plan))
            .load(conn)
    }
}
