//! Wire types of commitments: the commitment as read and as written (PUT), its natural-key path
//! and the list's filters.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::CommitmentStatus;
use crate::models::commitment::CommitmentRow;

/// A commitment as served: the stored row.
pub type Commitment = CommitmentRow;

/// The commitment as written by PUT (every field; omitted optional fields become null).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    pub status: CommitmentStatus,
    #[schema(example = "Ministerio de Seguridad", max_length = 300)]
    pub lead_institution: Option<String>,
    /// What the state undertakes to do.
    #[schema(max_length = 5000)]
    pub actions: Option<String>,
    #[schema(example = "2026-12-31", format = Date)]
    pub target_date: Option<String>,
    /// http(s) links to evidence (laws, reports, programmes).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub evidence_urls: Vec<String>,
    /// Amount allocated, non-negative, at most two decimals; requires `currency`.
    #[schema(example = 250000.0, minimum = 0, maximum = 1_000_000_000_000_000.0_f64)]
    pub budget_allocated: Option<f64>,
    /// ISO 4217 currency code; only with `budget_allocated`.
    #[schema(example = "ARS", pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
}

/// The natural key of a commitment, from the path (checked by `record::natural_key`).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CommitmentPath {
    /// Member state (ISO alpha-3)
    #[param(example = "ARG")]
    pub code: String,
    /// Work-plan code
    #[param(example = "WP2", max_length = 16)]
    pub work_plan: String,
    /// Guideline number
    #[param(value_type = i32, example = 12, minimum = 1)]
    pub number: String,
}

/// Filters of the commitment list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommitmentListParams {
    #[param(example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<String>,
    #[param(example = "WP2", max_length = 16)]
    pub work_plan: Option<String>,
    /// Section key of the work plan (needs `work_plan`).
    #[param(example = "prevention", max_length = 32)]
    pub section: Option<String>,
    /// Guideline number, or `WP2:12`.
    #[param(example = "WP2:12", max_length = 24)]
    pub guideline: Option<String>,
    pub status: Option<CommitmentStatus>,
}
