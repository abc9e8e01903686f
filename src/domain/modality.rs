//! How a training event was delivered.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How the training was delivered.
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
pub enum Modality {
    InPerson,
    Virtual,
    /// Some participants in the room, some online.
    Hybrid,
}

crate::text_enum!(Modality {
    InPerson => "in_person",
    Virtual => "virtual",
    Hybrid => "hybrid",
});
