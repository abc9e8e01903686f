//! `GET /api/v1/reporting-cycles/{code}/submissions/{member_state}/validation`: every validation
//! rule and built-in consistency check evaluated on a state's values for the cycle's years.
//! Registered in the reporting-cycle scope.

use actix_web::{get, web, HttpResponse};

use crate::api::http::run_db;
use crate::api::reporting_cycles::SubmissionPath;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::models::member_state::MemberStateRow;
use crate::quality::validation::{violations, ValidationReport};
use crate::reporting;
use crate::state::AppState;

/// Validate a state's submission: each live validation rule per period of the cycle, and the
/// built-in consistency checks (as `importance: warning`). While a `blocking` violation remains,
/// `submit` and `validate` answer 409 (`urn:palermo:problem:validation-failed`) with the same list.
#[utoipa::path(
    tag = "reporting-cycles",
    params(SubmissionPath),
    responses(
        (status = 200, description = "The violations, by period", body = ValidationReport,
            example = json!({"violations": [{"rule": "CONVICTED_LE_PROSECUTED", "importance": "blocking", "period": "2019",
                "left_value": 12.0, "right_value": 10.0,
                "message": "Convictions do not exceed prosecutions: #{PERSONS_CONVICTED} (12) <= #{PERSONS_PROSECUTED} (10) fails"}]})),
    )
)]
#[get("/{code}/submissions/{member_state}/validation")]
pub async fn get_submission_validation(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<SubmissionPath>,
) -> ApiResult<HttpResponse> {
    let (code, ms) = path.into_inner().checked()?;
    let report = run_db(&state.pool, move |conn| {
        let cycle = reporting::cycle(conn, &code)?;
        if !MemberStateRow::exists(conn, &ms)? {
            return Err(ApiError::not_found(format!(
                "No member state with code {ms}."
            )));
        }
        Ok(ValidationReport {
            violations: violations(conn, &cycle, &ms)?,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
