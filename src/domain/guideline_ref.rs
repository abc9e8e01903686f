//! A reference to a guideline of a work plan.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A guideline of a work plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuidelineRef {
    #[schema(example = "WP2", max_length = 16)]
    pub work_plan: String,
    #[schema(example = 45, minimum = 1)]
    pub number: i32,
}
