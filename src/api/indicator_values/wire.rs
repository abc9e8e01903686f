//! Wire types of indicator values: the value as read, the batch import's body, options and
//! summary, and the list's filters.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::indicator_import::{RawRow, RowError};
use crate::models::indicator_value::IndicatorValueRow;

/// A reported value as served: the stored row.
pub type IndicatorValue = IndicatorValueRow;

/// A batch of values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// Up to 10,000 values.
    #[schema(value_type = Vec<crate::openapi::types::BatchRow>, max_items = 10000)]
    pub values: Vec<RawRow>,
}

/// How a batch is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Any invalid row: 422 and nothing written.
    Atomic,
    /// Valid rows written, invalid rows reported.
    Partial,
}

/// Options of the import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Validate and count, write nothing.
    pub dry_run: Option<bool>,
    /// `atomic` (default) or `partial`.
    #[param(inline)]
    pub mode: Option<Mode>,
}

/// The import summary. `received = created + updated + unchanged + deleted + rejected`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"received": 3, "created": 1, "updated": 1, "unchanged": 0, "deleted": 0, "rejected": 1, "written": true, "dry_run": false, "mode": "partial",
    "errors": [{"index": 2, "field": "disaggregation/sex", "code": "unknown_code", "message": "\"girl\" is not a code of dimension sex (female, male, other, unknown)"}], "errors_total": 1,
    "warnings": [{"index": 0, "rule": "disaggregation_exceeds_total", "code": "disaggregation_exceeds_total", "message": "ARG PERSONS_CONVICTED 2019: the values by sex (12) sum above the total (10)"}]}))]
pub struct ImportSummary {
    pub received: usize,
    /// New values (including values deleted before and sent again).
    pub created: usize,
    /// Stored values whose value, flag, comment or source changed.
    pub updated: usize,
    /// Values identical to what is stored (nothing written for them), and deletions of values
    /// already deleted or never stored.
    pub unchanged: usize,
    /// Values deleted (SDMX-CSV lines with `ACTION` `D`; always 0 for a JSON batch).
    pub deleted: usize,
    /// Invalid rows, each described in `errors`.
    pub rejected: usize,
    /// Whether anything was written (false for dry runs and refused atomic batches).
    pub written: bool,
    pub dry_run: bool,
    pub mode: Mode,
    /// The first 1,000 errors, by row.
    pub errors: Vec<RowError>,
    /// How many errors there are in all (more than `errors` lists when past 1,000).
    pub errors_total: usize,
    /// Consistency checks of the groups (member state, indicator, period) the batch touched, on
    /// the stored state after it; a warning never rejects a row.
    pub warnings: Vec<crate::quality::checks::ImportWarning>,
}

/// A refused atomic batch: a problem document (RFC 9457) extended with the import summary; its
/// `errors` carry `index` and `code` besides `field` and `message`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRejected {
    #[serde(rename = "type")]
    #[schema(example = "urn:palermo:problem:import-rejected")]
    pub problem_type: String,
    #[schema(example = "Batch rejected")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(
        example = "1 of 3 values is invalid; nothing was written. Fix the rows listed in errors and send the batch again."
    )]
    pub detail: String,
    #[serde(flatten)]
    pub summary: ImportSummary,
}

/// The 422 of the import: either a refused atomic batch (every summary field present, each error
/// with `index` and `code`) or a request-level problem (too many values, a bad query parameter)
/// with only the problem fields.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ImportProblem {
    #[serde(rename = "type")]
    #[schema(example = "urn:palermo:problem:import-rejected")]
    problem_type: String,
    #[schema(example = "Batch rejected")]
    title: String,
    #[schema(example = 422)]
    status: u16,
    detail: String,
    received: Option<usize>,
    created: Option<usize>,
    updated: Option<usize>,
    unchanged: Option<usize>,
    deleted: Option<usize>,
    rejected: Option<usize>,
    written: Option<bool>,
    dry_run: Option<bool>,
    #[schema(inline)]
    mode: Option<Mode>,
    errors: Option<Vec<ImportProblemError>>,
    warnings: Option<Vec<crate::quality::checks::ImportWarning>>,
}

/// An error of the import's 422: row errors carry `index` and `code`.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ImportProblemError {
    index: Option<usize>,
    field: String,
    code: Option<String>,
    message: String,
}

/// Filters of the value list. Any dimension filters too: `sex=female&age_group=child` keeps values
/// whose disaggregation includes those codes.
// The repeatable ones (`member_state`, the dimensions) are declared here for the document but
// read from the query's repeated values.
#[allow(dead_code)]
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ValueListParams {
    #[param(example = "VICTIMS_DETECTED", max_length = 64)]
    pub indicator: Option<String>,
    /// Repeatable: `member_state=ARG&member_state=BRA`.
    #[param(example = json!(["ARG"]), explode = true, style = Form)]
    pub member_state: Option<Vec<String>>,
    #[param(example = "2015", max_length = 7)]
    pub period_from: Option<String>,
    /// Inclusive; `2019` includes `2019-Q4` and `2019-12`.
    #[param(example = "2020", max_length = 7)]
    pub period_to: Option<String>,
    #[param(example = "female")]
    pub sex: Option<String>,
    pub age_group: Option<String>,
    pub form_of_exploitation: Option<String>,
    pub citizenship: Option<String>,
    pub sector: Option<String>,
    #[param(example = "provisional")]
    pub flag: Option<String>,
    /// How SDMX-CSV names member states in `REF_AREA`: `alpha3` (default, `ARG`) or `m49`
    /// (`032`). Other representations name them by alpha-3 whatever it says.
    #[param(inline)]
    pub ref_area: Option<super::sdmx::RefArea>,
}
