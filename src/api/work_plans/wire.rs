//! What work plans, guidelines and mandates look like on the wire, and the list filters.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::models::work_plan::{GuidelineRow, MandateRow, WorkPlanRow};
use crate::timestamp::Timestamp;

/// A work plan in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkPlanSummary {
    #[schema(example = "WP2")]
    pub code: String,
    #[schema(
        example = "Second Work Plan against Trafficking in Persons in the Western Hemisphere"
    )]
    pub title: String,
    #[schema(example = "2015-01-01", format = Date)]
    pub period_start: String,
    #[schema(example = "2020-12-31", format = Date)]
    pub period_end: String,
    pub version: i32,
    pub updated_at: Timestamp,
}

/// A section of a work plan, grouping guidelines.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Key used by `?section=` and by guidelines.
    #[schema(example = "prevention", pattern = "^[a-z][a-z0-9_]{0,31}$")]
    pub key: String,
    #[schema(example = "Guidelines on prevention", min_length = 1, max_length = 500)]
    pub title: String,
}

/// A work plan with its aims, principles and sections.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkPlan {
    #[schema(example = "WP2")]
    pub code: String,
    #[schema(
        example = "Second Work Plan against Trafficking in Persons in the Western Hemisphere"
    )]
    pub title: String,
    #[schema(example = "2015-01-01", format = Date)]
    pub period_start: String,
    #[schema(example = "2020-12-31", format = Date)]
    pub period_end: String,
    pub note: Option<String>,
    pub aims: Vec<String>,
    pub principles: Vec<String>,
    pub sections: Vec<Section>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A guideline as served: the stored row.
pub type Guideline = GuidelineRow;

/// A mandate as served: the stored row.
pub type Mandate = MandateRow;

/// Filters of the guideline list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GuidelineListParams {
    /// Only guidelines of this section (see the plan's `sections`).
    #[param(example = "prevention", max_length = 32)]
    pub section: Option<String>,
}

/// A guideline of a new work plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGuideline {
    #[schema(example = 1, minimum = 1, maximum = 10000)]
    pub number: i32,
    /// Key of one of the plan's sections.
    #[schema(example = "general", max_length = 32)]
    pub section: String,
    #[schema(min_length = 1, max_length = 10000)]
    pub text: String,
}

/// A mandate of a new work plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMandate {
    #[schema(example = 1, minimum = 1, maximum = 10000)]
    pub number: i32,
    #[schema(min_length = 1, max_length = 10000)]
    pub text: String,
}

/// A new work plan with all its guidelines.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkPlan {
    /// Upper-case letters, digits, `-` and `_`, up to 16 characters.
    #[schema(example = "WP3", pattern = "^[A-Z0-9_-]{2,16}$")]
    pub code: String,
    #[schema(
        example = "Third Work Plan against Trafficking in Persons in the Western Hemisphere",
        min_length = 1,
        max_length = 500
    )]
    pub title: String,
    #[schema(example = "2021-01-01", format = Date)]
    pub period_start: String,
    #[schema(example = "2025-12-31", format = Date)]
    pub period_end: String,
    #[schema(max_length = 5000)]
    pub note: Option<String>,
    #[serde(default)]
    pub aims: Vec<String>,
    #[serde(default)]
    pub principles: Vec<String>,
    #[schema(min_items = 1)]
    pub sections: Vec<Section>,
    #[schema(min_items = 1)]
    pub guidelines: Vec<NewGuideline>,
    #[serde(default)]
    pub mandates: Vec<NewMandate>,
}

impl From<&WorkPlanRow> for WorkPlanSummary {
    fn from(r: &WorkPlanRow) -> Self {
        WorkPlanSummary {
            code: r.code.clone(),
            title: r.title.clone(),
            period_start: r.period_start.clone(),
            period_end: r.period_end.clone(),
            version: r.version,
            updated_at: r.updated_at,
        }
    }
}
