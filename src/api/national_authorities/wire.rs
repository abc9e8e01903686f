//! Wire types of the register of national authorities: the entry as read, as written (POST and
//! PUT) and as patched, and the list's filters.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::http::replace::MergePatch;
use crate::domain::AuthorityRole;
pub use crate::models::national_authority::NationalAuthority;

/// A register entry as written by POST and PUT (PUT replaces every field).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NationalAuthorityInput {
    /// Member state (ISO alpha-3). A reporter may omit it: its own state is used.
    #[schema(example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<String>,
    pub role: AuthorityRole,
    #[schema(
        example = "Ministerio de Justicia y Derechos Humanos",
        min_length = 1,
        max_length = 300
    )]
    pub institution: String,
    #[schema(max_length = 300)]
    pub unit: Option<String>,
    #[schema(max_length = 200)]
    pub contact_name: Option<String>,
    #[schema(max_length = 200)]
    pub position_title: Option<String>,
    #[schema(example = "rescate@jus.gob.ar", format = Email, max_length = 254)]
    pub email: Option<String>,
    /// `+` and 7 to 15 digits, spaces allowed.
    #[schema(example = "+54 11 5300 4000", max_length = 30)]
    pub phone: Option<String>,
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// http(s) URL.
    #[schema(example = "https://www.argentina.gob.ar/justicia", max_length = 2048)]
    pub website: Option<String>,
    /// ISO 639-1 codes.
    #[serde(default)]
    #[schema(example = json!(["es", "en"]), max_items = 20)]
    pub languages: Vec<String>,
    #[schema(example = "2024-03-01", format = Date)]
    pub designated_on: Option<String>,
    /// Defaults to true.
    pub active: Option<bool>,
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

/// Changes to a register entry: a JSON merge patch of its input.
pub type NationalAuthorityPatch = MergePatch<NationalAuthorityInput>;

/// Filters of the register list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NationalAuthorityListParams {
    /// Only this member state's entries.
    #[param(example = "ARG", pattern = "^[A-Z]{3}$")]
    pub member_state: Option<String>,
    pub role: Option<AuthorityRole>,
    /// Only active (true) or inactive (false) entries.
    pub active: Option<bool>,
    /// Case-insensitive text in institution, unit, contact name, position or email.
    #[param(max_length = 200)]
    pub q: Option<String>,
}
