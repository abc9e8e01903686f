//! The three roles of palermo.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a user may do: `admin` (OAS General Secretariat: everything), `reporter` (one member
/// state's national authority or system: read all, write its own state's data), `viewer` (read all).
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
pub enum Role {
    Admin,
    Reporter,
    Viewer,
}

crate::text_enum!(Role {
    Admin => "admin",
    Reporter => "reporter",
    Viewer => "viewer",
});
