//! The `reporting_cycles` and `submissions` tables (mandate 10), and the locks they put on a
//! member state's data while its submission is under review or validated.

use diesel::prelude::*;

use crate::db::schema::{indicator_values, reporting_cycles as rc, submissions as sub};
use crate::db::AnyConnection;
use crate::domain::{CycleStatus, SubmissionStatus};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rc)]
pub struct ReportingCycleRow {
    pub code: String,
    pub work_plan: String,
    pub period_from: i32,
    pub period_to: i32,
    pub due_date: String,
    pub status: CycleStatus,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = sub, treat_none_as_null = true)]
pub struct SubmissionRow {
    pub cycle: String,
    pub member_state: String,
    pub status: SubmissionStatus,
    pub comment: Option<String>,
    pub version: i32,
    pub updated_at: String,
    pub updated_by: String,
}

impl ReportingCycleRow {
    pub fn find(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<Self>> {
        rc::table
            .find(code)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    pub fn list(
        conn: &mut AnyConnection,
        after: Option<&str>,
        since: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut q = rc::table
            .order(rc::code)
            .select(Self::as_select())
            .into_boxed();
        if let Some(a) = after {
            q = q.filter(rc::code.gt(a.to_string()));
        }
        if let Some(since) = since {
            q = q.filter(rc::updated_at.ge(since.to_string()));
        }
        q.limit(limit).load(conn)
    }

    pub fn insert(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        diesel::insert_into(rc::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    pub fn update(&self, conn: &mut AnyConnection, expected_version: i32) -> QueryResult<bool> {
        let n = diesel::update(
            rc::table
                .filter(rc::code.eq(self.code.clone()))
                .filter(rc::version.eq(expected_version)),
        )
        .set(self)
        .execute(conn)?;
        Ok(n == 1)
    }

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
    pub fn find(
        conn: &mut AnyConnection,
        cycle: &str,
        member_state: &str,
    ) -> QueryResult<Option<Self>> {
        sub::table
            .find((cycle.to_string(), member_state.to_string()))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    pub fn for_cycle(conn: &mut AnyConnection, cycle: &str) -> QueryResult<Vec<Self>> {
        sub::table
            .filter(sub::cycle.eq(cycle.to_string()))
            .select(Self::as_select())
            .load(conn)
    }

    pub fn insert(&self, conn: &mut AnyConnection) -> QueryResult<()> {
        diesel::insert_into(sub::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Writes `self` over the stored row if that is still at `expected_version`.
    pub fn update(&self, conn: &mut AnyConnection, expected_version: i32) -> QueryResult<bool> {
        let n = diesel::update(
            sub::table
                .find((self.cycle.clone(), self.member_state.clone()))
                .filter(sub::version.eq(expected_version)),
        )
        .set(self)
        .execute(conn)?;
        Ok(n == 1)
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
