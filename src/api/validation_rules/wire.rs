//! Wire types of validation rules: the rule as read, as written (POST and PUT), and the list's
//! filters.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::models::validation_rule::ValidationRuleRow;
use crate::quality::rule::{Importance, MissingValueStrategy, Operator};
use crate::timestamp::Timestamp;

/// A validation rule: `left operator right`, evaluated per member state and period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6a", "code": "CONVICTED_LE_PROSECUTED",
    "name": "Convictions do not exceed prosecutions", "description": "A person convicted was prosecuted first.",
    "left": "#{PERSONS_CONVICTED}", "operator": "less_than_or_equal_to", "right": "#{PERSONS_PROSECUTED}",
    "importance": "blocking", "missing_value_strategy": "skip_if_any_value_missing", "version": 1,
    "created_at": "2026-11-24T10:00:00.000000Z", "updated_at": "2026-11-24T10:00:00.000000Z", "deleted_at": null
}))]
pub struct ValidationRule {
    pub id: String,
    #[schema(example = "CONVICTED_LE_PROSECUTED")]
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    /// The left expression, in canonical form (as parsed and printed back).
    #[schema(example = "#{PERSONS_CONVICTED}")]
    pub left: String,
    pub operator: Operator,
    #[schema(example = "#{PERSONS_PROSECUTED}")]
    pub right: String,
    pub importance: Importance,
    pub missing_value_strategy: MissingValueStrategy,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set on deleted rules (tombstones, listed with `include_deleted=true`).
    pub deleted_at: Option<Timestamp>,
}

impl From<&ValidationRuleRow> for ValidationRule {
    fn from(r: &ValidationRuleRow) -> Self {
        ValidationRule {
            id: r.id.clone(),
            code: r.code.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            left: r.left_expr.clone(),
            operator: r.operator,
            right: r.right_expr.clone(),
            importance: r.importance,
            missing_value_strategy: r.missing_value_strategy,
            version: r.version,
            created_at: Timestamp::from_db(&r.created_at),
            updated_at: Timestamp::from_db(&r.updated_at),
            deleted_at: r.deleted_at.as_deref().map(Timestamp::from_db),
        }
    }
}

/// A validation rule as written by POST and PUT (PUT replaces every field). Expressions:
/// `#{INDICATOR}` (its total), `#{INDICATOR|dimension=code,...}` (one disaggregated value),
/// numbers, `+ - * /`, unary `-` and parentheses.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidationRuleInput {
    /// Unique among live rules: `A-Z`, `0-9`, `_`, starting with a letter.
    #[schema(
        example = "CONVICTED_LE_PROSECUTED",
        pattern = "^[A-Z][A-Z0-9_]*$",
        max_length = 64
    )]
    pub code: String,
    #[schema(
        example = "Convictions do not exceed prosecutions",
        min_length = 1,
        max_length = 300
    )]
    pub name: String,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[schema(example = "#{PERSONS_CONVICTED}", max_length = 2000)]
    pub left: String,
    pub operator: Operator,
    #[schema(example = "#{PERSONS_PROSECUTED}", max_length = 2000)]
    pub right: String,
    /// Defaults to `warning`.
    pub importance: Option<Importance>,
    /// Defaults to `skip_if_all_values_missing`.
    pub missing_value_strategy: Option<MissingValueStrategy>,
}

/// Filters of the rule list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ValidationRuleListParams {
    /// Only rules of this importance.
    pub importance: Option<Importance>,
}
