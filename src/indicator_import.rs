//! The batch import of indicator values: each row validated against its indicator (type, period
//! form, allowed dimensions, code lists, member state, scope), then compared with what is stored
//! and written in one transaction: created, updated, or unchanged when identical.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::db::AnyConnection;
use crate::domain::{contact, Disaggregation, Period, Periodicity, ValueFlag};
use crate::error::ApiError;
use crate::models::indicator::{code_lists, IndicatorRow};
use crate::models::member_state::MemberStateRow;

mod apply;
mod raw_row;
pub use crate::domain::ValueType;
pub use apply::{apply, Counts};
pub use raw_row::{RawDisaggregation, RawRow, FIELDS};

/// Most values accepted in one batch.
pub const MAX_VALUES: usize = 10_000;

/// Errors listed in an import summary; past them, errors are only counted (`errors_total`).
pub const MAX_ERRORS_LISTED: usize = 1_000;

/// An indicator as the importer needs it.
#[derive(Debug, Clone)]
pub struct Spec {
    pub value_type: ValueType,
    pub periodicity: Periodicity,
    pub dimensions: HashSet<String>,
}

/// The catalog, member states and code lists, loaded once per batch.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub indicators: HashMap<String, Spec>,
    pub codes: HashMap<String, HashSet<String>>,
    pub states: HashSet<String>,
}

impl Catalog {
    pub fn load(conn: &mut AnyConnection) -> Result<Self, ApiError> {
        let mut indicators = HashMap::new();
        for r in IndicatorRow::all(conn)? {
            let (value_type, periodicity) = (r.value_type, r.periodicity);
            let dimensions = r.dimensions.get().iter().cloned().collect();
            indicators.insert(
                r.code.clone(),
                Spec {
                    value_type,
                    periodicity,
                    dimensions,
                },
            );
        }
        let codes = code_lists(conn)?
            .into_iter()
            .map(|(d, c)| (d, c.into_iter().collect()))
            .collect();
        let states = MemberStateRow::list(conn, None, 1000)?
            .into_iter()
            .map(|s| s.code)
            .collect();
        Ok(Self {
            indicators,
            codes,
            states,
        })
    }
}

/// One rejected row of a batch.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct RowError {
    /// Position of the row in `values` (from 0).
    #[schema(example = 3)]
    pub index: usize,
    /// The offending field of the row.
    #[schema(example = "disaggregation/sex")]
    pub field: String,
    /// Stable machine-readable code: `invalid_row`, `unknown_field`, `unknown_member_state`,
    /// `unknown_indicator`, `invalid_period`, `unknown_dimension`, `unknown_code`, `invalid_value`,
    /// `value_out_of_range`, `value_required`, `invalid_flag`, `invalid_text`, `duplicate_key`,
    /// `locked` (the state's submission for a cycle covering the period is submitted or validated).
    #[schema(example = "unknown_code")]
    pub code: String,
    #[schema(example = "\"girl\" is not a code of dimension sex (female, male, other, unknown)")]
    pub message: String,
}

impl RowError {
    /// The error `code` of row `index`'s `field` (empty: the row as a whole).
    pub fn new(index: usize, field: &str, code: &str, message: impl Into<String>) -> Self {
        RowError {
            index,
            field: field.to_string(),
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// A row that passed validation, in stored form.
#[derive(Debug, Clone)]
pub struct ValidRow {
    pub index: usize,
    pub indicator: String,
    pub member_state: String,
    pub period: String,
    pub disaggregation: String,
    pub value: Option<String>,
    pub flag: Option<ValueFlag>,
    pub comment: Option<String>,
    pub source: Option<String>,
    /// What the row asks for: an upsert (every JSON row) or a deletion (SDMX `ACTION=D`).
    pub action: RowAction,
}

/// What a valid row does to its natural key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    /// Create or update the value (a tombstone is recorded anew).
    Upsert,
    /// Delete the value, leaving a tombstone. A key never stored gets a tombstone carrying the
    /// row's content (so an export with its tombstones imports to the same state).
    Delete,
    /// Delete the value if it is stored; the row gave only the key.
    DeleteKey,
}

/// A batch after validation: what the import then locks, compares and writes.
#[derive(Debug, Default)]
pub struct Checked {
    /// Rows received.
    pub received: usize,
    /// The valid rows, in the order sent, each key once.
    pub valid: Vec<ValidRow>,
    /// Errors of the invalid rows.
    pub errors: Vec<RowError>,
    /// How many rows are invalid.
    pub rejected: usize,
}

impl ValidRow {
    /// The natural key: member state, indicator, period, disaggregation.
    pub fn key(&self) -> (&str, &str, &str, &str) {
        (
            &self.member_state,
            &self.indicator,
            &self.period,
            &self.disaggregation,
        )
    }

    pub fn year(&self) -> i32 {
        year_of(&self.period)
    }
}

/// The calendar year of a stored period (`2019`, `2019-Q1`, `2019-03`).
pub fn year_of(period: &str) -> i32 {
    period.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

/// The member state a row names (or the reporter's own when it names none), before validation:
/// used to refuse a batch that touches another state's data as a whole.
pub fn row_state<'a>(raw: &'a RawRow, own_state: Option<&'a str>) -> Option<&'a str> {
    match &raw.member_state {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => own_state,
    }
}

/// Validates one row of the batch; `own_state` is the reporter's state (`None` for an
/// administrator), used when the row names none.
pub fn validate(
    index: usize,
    raw: &RawRow,
    catalog: &Catalog,
    own_state: Option<&str>,
) -> Result<ValidRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut err = |field: &str, code: &str, message: String| {
        errors.push(RowError::new(index, field, code, message));
    };
    if !raw.is_object {
        err("", "invalid_row", "must be an object".into());
        return Err(errors);
    }
    // One error for all of a row's unknown fields, however many.
    if let Some((first, others)) = raw.unknown.split_first() {
        let mut message = format!(
            "is not a field of an indicator value ({})",
            FIELDS.join(", ")
        );
        if raw.unknown_total > 1 {
            let named = if others.is_empty() {
                String::new()
            } else {
                format!(": {}", others.join(", "))
            };
            let more = raw.unknown_total.saturating_sub(raw.unknown.len());
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            message.push_str(&format!(
                "; the row has {} unknown fields in all{named}{more}",
                raw.unknown_total
            ));
        }
        err(first, "unknown_field", message);
    }
    let member_state = match (raw.member_state.as_ref(), own_state) {
        (Some(Value::String(s)), _) => Some(s.clone()),
        (None | Some(Value::Null), Some(own)) => Some(own.to_string()),
        (None | Some(Value::Null), _) => {
            err("member_state", "invalid_row", "is required".into());
            None
        }
        (Some(_), _) => {
            err("member_state", "invalid_row", "must be a string".into());
            None
        }
    };
    if let Some(ms) = &member_state {
        if !catalog.states.contains(ms) {
            err(
                "member_state",
                "unknown_member_state",
                format!("{ms:?} is not an OAS member state (ISO alpha-3, e.g. ARG)"),
            );
        }
    }
    let spec = match raw.indicator.as_ref() {
        Some(Value::String(code)) => match catalog.indicators.get(code) {
            Some(spec) => Some((code.clone(), spec)),
            None => {
                err(
                    "indicator",
                    "unknown_indicator",
                    format!("{code:?} is not in the indicator catalog"),
                );
                None
            }
        },
        _ => {
            err(
                "indicator",
                "invalid_row",
                "is required and must be a string".into(),
            );
            None
        }
    };
    let mut period = None;
    match (raw.period.as_ref().and_then(Value::as_str), &spec) {
        (Some(p), Some((_, s))) => match Period::parse(p, s.periodicity) {
            Ok(p) => period = Some(p),
            Err(m) => err("period", "invalid_period", m),
        },
        (None, _) => err(
            "period",
            "invalid_row",
            "is required and must be a string".into(),
        ),
        _ => {}
    }
    let mut pairs = BTreeMap::new();
    match &raw.disaggregation {
        None | Some(RawDisaggregation::Null) => {}
        Some(RawDisaggregation::Pairs(map)) => {
            for (dim, code) in map {
                // Built only for an error: a valid row allocates no field names.
                let field = || format!("disaggregation/{dim}");
                let Some(code) = code.as_str() else {
                    err(&field(), "invalid_row", "must be a code (string)".into());
                    continue;
                };
                match (&spec, catalog.codes.get(dim)) {
                    (_, None) => err(
                        &field(),
                        "unknown_dimension",
                        format!("{dim:?} is not a dimension"),
                    ),
                    (Some((ind, s)), Some(_)) if !s.dimensions.contains(dim) => err(
                        &field(),
                        "unknown_dimension",
                        format!("{ind} is not broken down by {dim}"),
                    ),
                    (_, Some(codes)) if !codes.contains(code) => {
                        let mut list: Vec<&String> = codes.iter().collect();
                        list.sort();
                        let list: Vec<&str> = list.iter().map(|s| s.as_str()).collect();
                        err(
                            &field(),
                            "unknown_code",
                            format!(
                                "{code:?} is not a code of dimension {dim} ({})",
                                list.join(", ")
                            ),
                        )
                    }
                    _ => {
                        pairs.insert(dim.clone(), code.to_string());
                    }
                }
            }
        }
        Some(RawDisaggregation::NotObject) => err(
            "disaggregation",
            "invalid_row",
            "must be an object of dimension: code ({} for the total)".into(),
        ),
    }
    let flag = match raw.flag.as_ref() {
        None | Some(Value::Null) => None,
        Some(v) => {
            let flag = v.as_str().and_then(ValueFlag::parse);
            if flag.is_none() {
                err(
                    "flag",
                    "invalid_flag",
                    format!("must be one of {}", ValueFlag::codes()),
                );
            }
            flag
        }
    };
    let value = match (raw.value.as_ref(), &spec) {
        (None | Some(Value::Null), _) if flag == Some(ValueFlag::Confidential) => None,
        (None | Some(Value::Null), _) => {
            err(
                "value",
                "value_required",
                "is required (only a confidential value may be null)".into(),
            );
            None
        }
        (Some(v), Some((_, s))) => match s.value_type.canonical(v) {
            Ok(c) => Some(c),
            Err((code, m)) => {
                err("value", code, m);
                None
            }
        },
        (Some(_), None) => None,
    };
    let mut optional_text = |key: &str, field: &Option<Value>, max: usize| match field {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match contact::text(s, max) {
            Ok(t) => Some(t),
            Err(m) => {
                err(key, "invalid_text", m);
                None
            }
        },
        Some(_) => {
            err(key, "invalid_text", "must be a string".into());
            None
        }
    };
    let comment = optional_text("comment", &raw.comment, 2000);
    let source = optional_text("source", &raw.source, 500);
    if !errors.is_empty() {
        return Err(errors);
    }
    match (member_state, spec, period) {
        (Some(member_state), Some((indicator, _)), Some(period)) => Ok(ValidRow {
            index,
            indicator,
            member_state,
            period: period.to_string(),
            disaggregation: Disaggregation::new(pairs).canonical(),
            value,
            flag,
            comment,
            source,
            action: RowAction::Upsert,
        }),
        _ => Err(vec![RowError::new(
            index,
            "",
            "invalid_row",
            "is incomplete",
        )]),
    }
}

/// Keeps the first row of each natural key; every later row with the same key is rejected as a
/// `duplicate_key` (pushed to `errors`, counted in `rejected`).
pub fn reject_repeated_keys(
    rows: Vec<ValidRow>,
    errors: &mut Vec<RowError>,
    rejected: &mut usize,
) -> Vec<ValidRow> {
    let repeated: Vec<bool> = {
        let mut seen = HashSet::with_capacity(rows.len());
        rows.iter().map(|r| !seen.insert(r.key())).collect()
    };
    let mut kept = Vec::with_capacity(rows.len());
    for (row, repeated) in rows.into_iter().zip(repeated) {
        if repeated {
            *rejected += 1;
            errors.push(RowError::new(
                row.index,
                "",
                "duplicate_key",
                "repeats the member_state, indicator, period and disaggregation of an earlier row",
            ));
        } else {
            kept.push(row);
        }
    }
    kept
}
