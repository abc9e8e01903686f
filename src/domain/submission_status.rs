//! Where a reporting cycle and a member state's submission in it stand (mandate 10).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether a cycle accepts submissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum CycleStatus {
    Open,
    Closed,
}

crate::text_enum!(CycleStatus {
    Open => "open",
    Closed => "closed",
});

/// Where a member state's submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum SubmissionStatus {
    Draft,
    Submitted,
    Returned,
    Validated,
}

crate::text_enum!(SubmissionStatus {
    Draft => "draft",
    Submitted => "submitted",
    Returned => "returned",
    Validated => "validated",
});

impl SubmissionStatus {
    /// Statuses that lock a state's data.
    pub const LOCKING: [SubmissionStatus; 2] = [Self::Submitted, Self::Validated];
}
