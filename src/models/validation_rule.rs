//! The `validation_rules` table: the admin-defined rules of data quality.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::validation_rules as vr;
use crate::db::AnyConnection;
use crate::quality::rule::{Importance, MissingValueStrategy, Operator};
use crate::timestamp::Timestamp;

// Served as stored.
/// A validation rule: `left operator right`, evaluated per member state and period.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, ToSchema,
)]
#[diesel(table_name = vr, treat_none_as_null = true)]
#[schema(as = ValidationRule, example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6a", "code": "CONVICTED_LE_PROSECUTED",
    "name": "Convictions do not exceed prosecutions", "description": "A person convicted was prosecuted first.",
    "left": "#{PERSONS_CONVICTED}", "operator": "less_than_or_equal_to", "right": "#{PERSONS_PROSECUTED}",
    "importance": "blocking", "missing_value_strategy": "skip_if_any_value_missing", "version": 1,
    "created_at": "2026-11-24T10:00:00.000000Z", "updated_at": "2026-11-24T10:00:00.000000Z", "deleted_at": null
}))]
pub struct ValidationRuleRow {
    pub id: String,
    #[schema(example = "CONVICTED_LE_PROSECUTED")]
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    /// The left expression, in canonical form (as parsed and printed back).
    #[serde(rename = "left")]
    #[schema(example = "#{PERSONS_CONVICTED}")]
    pub left_expr: String,
    pub operator: Operator,
    #[serde(rename = "right")]
    #[schema(example = "#{PERSONS_PROSECUTED}")]
    pub right_expr: String,
    pub importance: Importance,
    pub missing_value_strategy: MissingValueStrategy,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set on deleted rules (tombstones, listed with `include_deleted=true`).
    pub deleted_at: Option<Timestamp>,
}

/// Filters of the rule list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub importance: Option<Importance>,
    pub updated_since: Option<Timestamp>,
    pub include_deleted: bool,
}

impl ValidationRuleRow {
    crate::versioned_queries!(vr, id: &str);

    crate::tombstoned_list!(vr, id, Filter, eq(importance));

    /// Every live rule, in creation order.
    pub fn live(conn: &mut AnyConnection) -> QueryResult<Vec<Self>> {
        vr::table
            .filter(vr::deleted_at.is_null())
            .order(vr::id)
            .select(Self::as_select())
            .load(conn)
    }
}
