//! The UN M49 subregion of a member state.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// UN M49 subregion.
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
pub enum Subregion {
    NorthAmerica,
    CentralAmerica,
    Caribbean,
    SouthAmerica,
}

crate::text_enum!(Subregion {
    NorthAmerica => "north_america",
    CentralAmerica => "central_america",
    Caribbean => "caribbean",
    SouthAmerica => "south_america",
});
