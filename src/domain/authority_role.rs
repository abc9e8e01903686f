//! What an authority is in the register of national authorities.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an authority is in the register.
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
pub enum AuthorityRole {
    /// The national point of contact (at most one active per member state).
    NationalPointOfContact,
    CoordinatingBody,
    FocalPoint,
}

crate::text_enum!(AuthorityRole {
    NationalPointOfContact => "national_point_of_contact",
    CoordinatingBody => "coordinating_body",
    FocalPoint => "focal_point",
});

impl AuthorityRole {
    /// Order in the published register: the point of contact first.
    pub fn rank(self) -> u8 {
        self as u8
    }
}
