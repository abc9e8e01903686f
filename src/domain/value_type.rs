//! What kind of value an indicator takes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What kind of value an indicator takes.
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
pub enum ValueType {
    /// Non-negative integer.
    Count,
    Number,
    /// 0 to 100.
    Percent,
    Boolean,
    /// Up to 2000 characters.
    Text,
}

crate::text_enum!(ValueType {
    Count => "count",
    Number => "number",
    Percent => "percent",
    Boolean => "boolean",
    Text => "text",
});
