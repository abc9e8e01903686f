//! How validation rules go through the pipelines: validation of the input against the catalog
//! into a row, the versioned record (deletion leaves a tombstone) and the list.

use super::wire::{ValidationRule, ValidationRuleInput};
use crate::api::http::rows::conflict_as;
use crate::api::http::write::Versioned;
use crate::auth::Owner;
use crate::domain::contact;
use crate::error::{ApiError, FieldErrors};
use crate::indicator_import::Catalog;
use crate::models::validation_rule::{Filter, ValidationRuleRow};
use crate::quality::rule::{self, Importance, MissingValueStrategy};
use crate::timestamp::Timestamp;

fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    code.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Validates every field at once, parsing both expressions against the catalog; returns the row
/// with the expressions in canonical form (id, version and times left to the caller).
pub fn validate(
    input: &ValidationRuleInput,
    catalog: &Catalog,
) -> Result<ValidationRuleRow, ApiError> {
    let mut errors = FieldErrors::default();
    if !valid_code(&input.code) {
        errors.add(
            "/code",
            "must be 1 to 64 characters A-Z, 0-9 or _, starting with a letter",
        );
    }
    let name = errors.check("/name", contact::text(&input.name, 300));
    let description = errors.check_opt("/description", input.description.as_deref(), |d| {
        contact::text(d, 2000)
    });
    let mut side = |field: &str, text: &str| match rule::check_expression(field, text, catalog) {
        Ok(e) => Some(e.to_string()),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let left = side("/left", &input.left);
    let right = side("/right", &input.right);
    match (name, left, right) {
        (Some(name), Some(left_expr), Some(right_expr)) if errors.is_empty() => {
            Ok(ValidationRuleRow {
                id: String::new(),
                code: input.code.clone(),
                name,
                description,
                left_expr,
                operator: input.operator,
                right_expr,
                importance: input.importance.unwrap_or(Importance::Warning),
                missing_value_strategy: input
                    .missing_value_strategy
                    .unwrap_or(MissingValueStrategy::SkipIfAllValuesMissing),
                version: 1,
                created_at: Timestamp::now(),
                updated_at: Timestamp::now(),
                deleted_at: None,
            })
        }
        _ => Err(errors.error()),
    }
}

impl Versioned for ValidationRuleRow {
    const KIND: &'static str = "validation_rule";
    const NOUN: &'static str = "validation rule";
    type View = ValidationRule;
    const TABLE: &'static str = "validation_rules";

    crate::versioned_row!(id, tombstoned);
    fn owner(&self) -> Owner<'_> {
        Owner::Secretariat
    }
    fn view(&self) -> ValidationRule {
        self.clone()
    }
    fn location(&self) -> String {
        format!("/api/v1/validation-rules/{}", self.id)
    }
    fn write_error(&self, e: diesel::result::Error) -> ApiError {
        conflict_as(e, || {
            ApiError::conflict(format!(
                "A validation rule with code {} exists: change or delete it first.",
                self.code
            ))
        })
    }
}

crate::listing! {
    /// The rule list, ordered by creation (id).
    Rules: ValidationRuleRow => Self, "validation_rule", "validation-rules.csv", [
        "id", "code", "name", "description", "left", "operator", "right", "importance",
        "missing_value_strategy", "version", "created_at", "updated_at", "deleted_at",
    ];
    fetch(conn, f: Filter, after: String, limit) =>
        ValidationRuleRow::list(conn, f, after.map(String::as_str), limit);
    key(r) => r.id.clone();
}
