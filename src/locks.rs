//! Locks of mandate 10: while a member state's submission for a reporting cycle is `submitted` or
//! `validated`, its reporters cannot change that state's indicator values for the cycle's years
//! or its commitments on the cycle's work plan (409). Administrators are not locked out.

use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};
use crate::models::reporting_cycle::SubmissionRow;

/// 409 when a reporter would change `member_state`'s values of a locked year.
pub fn check_values(
    conn: &mut AnyConnection,
    caller: &Caller,
    member_state: &str,
    years: &[i32],
) -> ApiResult<()> {
    if caller.is_admin() {
        return Ok(());
    }
    for (cycle, from, to, _) in SubmissionRow::locking_cycles(conn, member_state)? {
        if let Some(y) = years.iter().find(|y| (from..=to).contains(*y)) {
            return Err(ApiError::conflict(format!(
                "{member_state}'s submission for reporting cycle {cycle} is under review or validated: values of {y} are locked. \
                 Ask the General Secretariat to return or reopen it."
            )));
        }
    }
    Ok(())
}

/// 409 when a reporter would change `member_state`'s commitments on a locked work plan.
pub fn check_commitments(
    conn: &mut AnyConnection,
    caller: &Caller,
    member_state: &str,
    work_plan: &str,
) -> ApiResult<()> {
    if caller.is_admin() {
        return Ok(());
    }
    for (cycle, _, _, plan) in SubmissionRow::locking_cycles(conn, member_state)? {
        if plan == work_plan {
            return Err(ApiError::conflict(format!(
                "{member_state}'s submission for reporting cycle {cycle} is under review or validated: its {plan} commitments are locked. \
                 Ask the General Secretariat to return or reopen it."
            )));
        }
    }
    Ok(())
}
