//! The three roles of palermo.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a user may do: `admin` (OAS General Secretariat: everything), `reporter` (one member
/// state's national authority or system: read all, write its own state's data), `viewer` (read all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Reporter,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reporter => "reporter",
            Role::Viewer => "viewer",
        }
    }

    pub fn from_db(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Role::Admin),
            "reporter" => Some(Role::Reporter),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}
