//! The `national_authorities` table: the register of national authorities (mandates 8 and 9).

use diesel::prelude::*;

use crate::db::schema::national_authorities as na;
use crate::db::text_enum::JsonText;
use crate::db::text_search::{like_pattern, lower, lower_opt};
use crate::db::AnyConnection;
use crate::domain::AuthorityRole;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = na, treat_none_as_null = true)]
pub struct NationalAuthorityRow {
    pub id: String,
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
    /// ISO 639-1 codes, stored as a JSON array.
    pub languages: JsonText<Vec<String>>,
    pub designated_on: Option<String>,
    pub active: bool,
    pub notes: Option<String>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

/// Filters of the register list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub member_state: Option<String>,
    pub role: Option<AuthorityRole>,
    pub active: Option<bool>,
    /// Case-insensitive substring of institution, unit, contact name, position or email.
    pub q: Option<String>,
    pub updated_since: Option<String>,
}

impl NationalAuthorityRow {
    crate::find_by_key!(na, id: &str);

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
            q = q.filter(na::updated_at.ge(since.clone()));
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

    crate::insert_row!(na);
    crate::versioned_update!(na, id);
}
