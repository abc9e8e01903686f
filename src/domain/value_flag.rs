//! The flag a reported indicator value may carry.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A qualification of a reported value.
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
pub enum ValueFlag {
    Provisional,
    Estimated,
    BelowThreshold,
    /// The value is withheld (`null`).
    Confidential,
}

crate::text_enum!(ValueFlag {
    Provisional => "provisional",
    Estimated => "estimated",
    BelowThreshold => "below_threshold",
    Confidential => "confidential",
});

impl ValueFlag {
    /// The codes, for messages: `provisional, estimated, ...`.
    pub fn codes() -> String {
        let codes: Vec<&str> = Self::ALL.iter().map(|f| f.as_str()).collect();
        codes.join(", ")
    }
}
