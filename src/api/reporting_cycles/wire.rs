//! Wire types of the reporting cycles: the cycle as read, created and patched, the paths, the
//! submission list's filters and a transition's body.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{CycleStatus, MemberStateCode};
use crate::error::{ApiError, ApiResult};
use crate::models::reporting_cycle::ReportingCycleRow;

/// A reporting cycle as served: the stored row.
pub type ReportingCycle = ReportingCycleRow;

/// A new reporting cycle.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReportingCycle {
    /// `YYYY-YYYY`, the years it covers.
    #[schema(example = "2019-2020", pattern = "^[0-9]{4}-[0-9]{4}$")]
    pub code: String,
    #[schema(example = "WP2", max_length = 16)]
    pub work_plan: String,
    #[schema(example = 2019, minimum = 1990, maximum = 2100)]
    pub period_from: i32,
    #[schema(example = 2020, minimum = 1990, maximum = 2100)]
    pub period_to: i32,
    #[schema(example = "2021-03-31", format = Date)]
    pub due_date: String,
    /// `open` (the default) or `closed` (takes no submissions until reopened).
    pub status: Option<CycleStatus>,
}

/// Changes to a cycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportingCyclePatch {
    #[schema(example = "2021-06-30", format = Date)]
    pub due_date: Option<String>,
    pub status: Option<CycleStatus>,
}

/// The path of a cycle.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CyclePath {
    /// Cycle code
    #[param(example = "2019-2020", max_length = 9)]
    pub code: String,
}

/// The path of a member state's submission in a cycle.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SubmissionPath {
    /// Cycle code
    #[param(example = "2019-2020", max_length = 9)]
    pub code: String,
    /// Member state (ISO alpha-3)
    #[param(example = "ARG")]
    pub member_state: String,
}

impl SubmissionPath {
    /// The cycle code and the member state, once the member state is well-formed (else 422).
    pub fn checked(self) -> ApiResult<(String, String)> {
        MemberStateCode::parse(&self.member_state)
            .map_err(|m| ApiError::invalid("member_state", m))?;
        Ok((self.code, self.member_state))
    }
}

/// Delta sync of the submission list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmissionListParams {
    /// Only submissions whose status changed at or after this instant (RFC 3339); a state that never
    /// left `draft` counts as changed when the cycle was opened. Completeness figures follow the
    /// values, commitments and events, which their own lists sync.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-01-01T00:00:00Z")]
    pub updated_since: Option<String>,
    /// Accepted by every list so that a syncing client can send the same parameters everywhere.
    /// Submissions are never deleted, so it changes nothing here.
    pub include_deleted: Option<bool>,
}

/// What returning a submission takes: a transition comment, required here.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ReturnBody {
    /// Why the report goes back to the state.
    #[schema(
        max_length = 5000,
        example = "Please add the 2020 disaggregation by sex."
    )]
    pub comment: String,
}

/// A transition's comment.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// Required to return a submission; optional otherwise.
    #[schema(
        max_length = 5000,
        example = "Please add the 2020 disaggregation by sex."
    )]
    pub comment: Option<String>,
}
