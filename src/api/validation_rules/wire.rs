//! Wire types of validation rules: the rule as read, as written (POST and PUT), and the list's
//! filters.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::models::validation_rule::ValidationRuleRow;
use crate::quality::rule::{Importance, MissingValueStrategy, Operator};

/// A validation rule as served: the stored row.
pub type ValidationRule = ValidationRuleRow;

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
