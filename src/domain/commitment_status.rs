//! How far a member state has come on a guideline of a work plan.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How far a member state has come on a guideline.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentStatus {
    NotStarted,
    Planned,
    InProgress,
    Implemented,
    NotApplicable,
}

crate::text_enum!(CommitmentStatus {
    NotStarted => "not_started",
    Planned => "planned",
    InProgress => "in_progress",
    Implemented => "implemented",
    NotApplicable => "not_applicable",
});
