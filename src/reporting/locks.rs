//! Locks of mandate 10: while a member state's submission for a reporting cycle is `submitted` or
//! `validated`, nobody (administrators included) can change that state's indicator values for the
//! cycle's years or its commitments on the cycle's work plan (409): the submission must be
//! returned or reopened first, so validated data stay frozen.

use std::collections::HashMap;

use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};
use crate::models::reporting_cycle::SubmissionRow;

/// Locked years per member state, with the cycle that locks them.
#[derive(Debug, Default)]
pub struct ValueLocks {
    by_state: HashMap<String, Vec<(String, i32, i32)>>,
}

impl ValueLocks {
    /// Loads the locks of the given states.
    pub fn load<'a>(
        conn: &mut AnyConnection,
        states: impl IntoIterator<Item = &'a str>,
    ) -> ApiResult<Self> {
        let mut by_state = HashMap::new();
        for s in states {
            if by_state.contains_key(s) {
                continue;
            }
            let cycles = SubmissionRow::locking_cycles(conn, s)?
                .into_iter()
                .map(|(c, from, to, _)| (c, from, to))
                .collect();
            by_state.insert(s.to_string(), cycles);
        }
        Ok(Self { by_state })
    }

    /// The cycle locking `member_state`'s values of `year`, if any.
    pub fn locking(&self, member_state: &str, year: i32) -> Option<&str> {
        self.by_state
            .get(member_state)?
            .iter()
            .find(|(_, from, to)| (*from..=*to).contains(&year))
            .map(|(c, _, _)| c.as_str())
    }
}

/// Why a value is locked, for problem details and row errors.
pub fn value_message(member_state: &str, year: i32, cycle: &str) -> String {
    format!(
        "{member_state}'s submission for reporting cycle {cycle} is submitted or validated: its {year} values are locked until the \
         General Secretariat returns or reopens it"
    )
}

/// 409 when `member_state`'s values of `year` are locked.
pub fn check_value(conn: &mut AnyConnection, member_state: &str, year: i32) -> ApiResult<()> {
    let locks = ValueLocks::load(conn, [member_state])?;
    match locks.locking(member_state, year) {
        Some(cycle) => Err(ApiError::conflict(value_message(member_state, year, cycle))),
        None => Ok(()),
    }
}

/// 409 when `member_state`'s commitments on `work_plan` are locked.
pub fn check_commitments(
    conn: &mut AnyConnection,
    member_state: &str,
    work_plan: &str,
) -> ApiResult<()> {
    for (cycle, _, _, plan) in SubmissionRow::locking_cycles(conn, member_state)? {
        if plan == work_plan {
            return Err(ApiError::conflict(format!(
                "{member_state}'s submission for reporting cycle {cycle} is submitted or validated: its {plan} commitments are \
                 locked until the General Secretariat returns or reopens it."
            )));
        }
    }
    Ok(())
}
