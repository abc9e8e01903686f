//! The `validation_rules` table: the admin-defined rules of data quality.

use diesel::prelude::*;

use crate::db::schema::validation_rules as vr;
use crate::db::AnyConnection;
use crate::quality::rule::{Importance, MissingValueStrategy, Operator};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = vr, treat_none_as_null = true)]
pub struct ValidationRuleRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    /// Canonical text of the parsed left expression.
    pub left_expr: String,
    pub operator: Operator,
    pub right_expr: String,
    pub importance: Importance,
    pub missing_value_strategy: MissingValueStrategy,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

/// Filters of the rule list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub importance: Option<Importance>,
    pub updated_since: Option<String>,
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
