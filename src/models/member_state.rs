//! The `member_states` table: the 35 OAS member states, seeded by migration.

use diesel::prelude::*;

use crate::db::schema::member_states;
use crate::db::AnyConnection;
use crate::domain::Subregion;
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = member_states)]
pub struct MemberStateRow {
    pub code: String,
    pub alpha2: String,
    pub m49: String,
    pub name_en: String,
    pub name_es: String,
    pub name_fr: String,
    pub name_pt: String,
    pub subregion: Subregion,
    pub membership_status: String,
    pub membership_since: Option<String>,
    pub membership_note: Option<String>,
    pub updated_at: Timestamp,
}

impl MemberStateRow {
    /// Up to `limit` states ordered by code, after `after` when given.
    pub fn list(
        conn: &mut AnyConnection,
        after: Option<&str>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let mut q = member_states::table
            .select(Self::as_select())
            .order(member_states::code)
            .into_boxed();
        if let Some(after) = after {
            q = q.filter(member_states::code.gt(after.to_string()));
        }
        q.limit(limit).load(conn)
    }

    crate::find_by_key!(member_states, code: &str);

    pub fn exists(conn: &mut AnyConnection, code: &str) -> QueryResult<bool> {
        Ok(Self::find(conn, code)?.is_some())
    }

    /// The name in `lang` (`en`, `es`, `fr`, `pt`), English otherwise.
    pub fn name_in(&self, lang: &str) -> &str {
        match lang {
            "es" => &self.name_es,
            "fr" => &self.name_fr,
            "pt" => &self.name_pt,
            _ => &self.name_en,
        }
    }
}
