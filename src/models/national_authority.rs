//! The `national_authorities` table: the register of national authorities (mandates 8 and 9).

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::national_authorities as na;
use crate::db::text_enum::JsonText;
use crate::db::text_search::{like_pattern, lower, lower_opt};
use crate::db::AnyConnection;
use crate::domain::AuthorityRole;
use crate::timestamp::Timestamp;

/// An entry of the register of national authorities.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset, Serialize, ToSchema,
)]
#[diesel(table_name = na, treat_none_as_null = true)]
#[schema(example = json!({
    "id": "0193a0b4-7c1e-7d3a-9f7e-2b8f4c1d5e6a", "member_state": "ARG", "role": "national_point_of_contact",
    "institution": "Ministerio de Justicia y Derechos Humanos", "unit": "Programa Nacional de Rescate",
    "contact_name": "María Pérez", "position_title": "Coordinadora", "email": "rescate@jus.gob.ar",
    "phone": "+54 11 5300 4000", "address": "Sarmiento 329, Buenos Aires", "website": "https://www.argentina.gob.ar/justicia",
    "languages": ["es", "en"], "designated_on": "2024-03-01", "active": true, "notes": null, "version": 1,
    "created_at": "2026-11-22T20:43:03.123456Z", "updated_at": "2026-11-22T20:43:03.123456Z"
}))]
pub struct NationalAuthority {
    pub id: String,
    /// ISO 3166-1 alpha-3 code of the member state.
    pub member_state: String,
    pub role: AuthorityRole,
    pub institution: String,
    pub unit: Option<String>,
    pub contact_name: Option<String>,
    pub position_title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    /// ISO 639-1 codes of the languages the authority works in.
    #[schema(value_type = Vec<String>)]
    pub languages: JsonText<Vec<String>>,
    #[schema(format = Date)]
    pub designated_on: Option<String>,
    /// Inactive entries are kept with their history; only active ones appear in the register.
    pub active: bool,
    pub notes: Option<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Filters of the register list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub member_state: Option<String>,
    pub role: Option<AuthorityRole>,
    pub active: Option<bool>,
    /// Case-insensitive substring of institution, unit, contact name, position or email.
    pub q: Option<String>,
    pub updated_since: Option<Timestamp>,
}

impl NationalAuthority {
    crate::versioned_queries!(na, id: &str);

    /// Up to `limit` entries matching `f`, ordered by id (creation order), after `after`.
    pub fn list(
        conn: &mut AnyConnection,
        f: &Filter,
        after: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut q = na::table
            .select(Self::as_select())
            .order(na::id)
            .into_boxed();
        if let Some(ms) = &f.member_state {
            q = q.filter(na::member_state.eq(ms.clone()));
        }
        if let Some(role) = f.role {
            q = q.filter(na::role.eq(role));
        }
        if let Some(active) = f.active {
            q = q.filter(na::active.eq(active));
        }
        if let Some(since) = &f.updated_since {
            q = q.filter(na::updated_at.ge(*since));
        }
        if let Some(text) = &f.q {
            let p = like_pattern(text);
            q = q.filter(
                lower(na::institution)
                    .like(p.clone())
                    .escape('\\')
                    .or(lower_opt(na::unit).like(p.clone()).escape('\\'))
                    .or(lower_opt(na::contact_name).like(p.clone()).escape('\\'))
                    .or(lower_opt(na::position_title).like(p.clone()).escape('\\'))
                    .or(lower_opt(na::email).like(p).escape('\\')),
            );
        }
        if let Some(after) = after {
            q = q.filter(na::id.gt(after.to_string()));
        }
        q.limit(limit).load(conn)
    }

    /// Every active entry, for the published register.
    pub fn all_active(conn: &mut AnyConnection) -> QueryResult<Vec<Self>> {
        na::table
            .filter(na::active.eq(true))
            .order((na::member_state, na::id))
            .select(Self::as_select())
            .load(conn)
    }
}
