//! Wire types of the register of national authorities: the entry as read, as written (POST and
//! PUT) and as patched, and the list's filters.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

/// Changes to a register entry; omitted fields stay, `null` clears an optional field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NationalAuthorityPatch {
    pub role: Option<AuthorityRole>,
    #[schema(max_length = 300)]
    pub institution: Option<String>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub unit: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub position_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 30)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    pub website: Option<Option<String>>,
    #[schema(max_items = 20)]
    pub languages: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, format = Date)]
    pub designated_on: Option<Option<String>>,
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "crate::api::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub notes: Option<Option<String>>,
}

impl NationalAuthorityPatch {
    pub fn apply(self, current: &NationalAuthority) -> NationalAuthorityInput {
        let pick =
            |new: Option<Option<String>>, old: &Option<String>| new.unwrap_or_else(|| old.clone());
        NationalAuthorityInput {
            member_state: Some(current.member_state.clone()),
            role: self.role.unwrap_or(current.role),
            institution: self
                .institution
                .unwrap_or_else(|| current.institution.clone()),
            unit: pick(self.unit, &current.unit),
            contact_name: pick(self.contact_name, &current.contact_name),
            position_title: pick(self.position_title, &current.position_title),
            email: pick(self.email, &current.email),
            phone: pick(self.phone, &current.phone),
            address: pick(self.address, &current.address),
            website: pick(self.website, &current.website),
            languages: self
                .languages
                .unwrap_or_else(|| current.languages.get().clone()),
            designated_on: pick(self.designated_on, &current.designated_on),
            active: Some(self.active.unwrap_or(current.active)),
            notes: pick(self.notes, &current.notes),
        }
    }
}

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
