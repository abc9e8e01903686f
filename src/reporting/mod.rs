//! Mandate 10's domain logic, shared by the reporting-cycle and report endpoints and by the
//! writes a submission locks: submissions and their workflow, completeness of a state's
//! indicator table, and the locks. Storage in, `ApiResult`/`QueryResult` out; nothing of HTTP.

pub mod completeness;
pub mod count_sums;
pub mod locks;
pub mod publication;
pub mod submissions;
pub mod suppression;

use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};
use crate::models::reporting_cycle::ReportingCycleRow;

/// The cycle `code`, or 404.
pub fn cycle(conn: &mut AnyConnection, code: &str) -> ApiResult<ReportingCycleRow> {
    ReportingCycleRow::find(conn, code)?
        .ok_or_else(|| ApiError::not_found(format!("No reporting cycle {code}.")))
}
