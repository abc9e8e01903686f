//! Wire types of commitments: the commitment as read and as written (PUT), its natural-key path
//! and the list's filters.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::CommitmentStatus;
use crate::models::commitment::CommitmentRow;
use crate::timestamp::Timestamp;

/// A member state's commitment on a guideline.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6b", "member_state": "ARG", "work_plan": "WP2", "guideline": 12,
    "status": "in_progress", "lead_institution": "Ministerio de Seguridad",
    "actions": "Training module for federal police academies.", "target_date": "2026-12-31",
    "evidence_urls": ["https://www.argentina.gob.ar/seguridad/trata"], "budget_allocated": 250000.0, "currency": "ARS",
    "version": 3, "created_at": "2026-01-10T12:00:00.000000Z", "updated_at": "2026-06-01T09:30:00.000000Z", "deleted_at": null
}))]
pub struct Commitment {
    pub id: String,
    pub member_state: String,
    pub work_plan: String,
    /// Guideline number within the work plan.
    pub guideline: i32,
    pub status: CommitmentStatus,
    pub lead_institution: Option<String>,
    pub actions: Option<String>,
    #[schema(format = Date)]
    pub target_date: Option<String>,
    pub evidence_urls: Vec<String>,
    pub budget_allocated: Option<f64>,
    /// ISO 4217 code of `budget_allocated`.
    pub currency: Option<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set on deleted commitments (tombstones, listed with `include_deleted=true`).
    pub deleted_at: Option<Timestamp>,
}

impl From<&CommitmentRow> for Commitment {
    fn from(r: &CommitmentRow) -> Self {
        Commitment {
            id: r.id.clone(),
            member_state: r.member_state.clone(),
            work_plan: r.work_plan.clone(),
            guideline: r.guideline_number,
            status: r.status,
            lead_institution: r.lead_institution.clone(),
            actions: r.actions.clone(),
            target_date: r.target_date.clone(),
            evidence_urls: r.evidence_urls.get().clone(),
            budget_allocated: r.budget_allocated,
            currency: r.currency.clone(),
            version: r.version,
            created_at: Timestamp::from_db(&r.created_at),
            updated_at: Timestamp::from_db(&r.updated_at),
            deleted_at: r.deleted_at.as_deref().map(Timestamp::from_db),
        }
    }
}

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
