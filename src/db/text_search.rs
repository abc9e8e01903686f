//! Case-insensitive text search, the same on both backends: `lower(column) LIKE '%term%'` with the
//! term lowercased in Rust and its wildcards escaped.

use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;

diesel::define_sql_function! {
    /// SQL `lower()` on a nullable text column.
    #[sql_name = "lower"]
    fn lower_opt(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

diesel::define_sql_function! {
    /// SQL `lower()`.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// `%` and `_` are literal in user searches.
pub fn like_pattern(q: &str) -> String {
    let escaped = q
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// SQLite's built-in `lower()` folds ASCII letters only, so "PROTECCIÓN" would never match
/// "protección". This replaces it, on one connection, with Unicode lowercasing (what PostgreSQL's
/// `lower()` does in a UTF-8 database). SQLite functions are untyped: the one registration serves
/// `lower` and `lower_opt`, NULL in giving NULL out.
pub fn register_unicode_lower(conn: &mut SqliteConnection) -> QueryResult<()> {
    lower_opt_utils::register_impl(conn, |x: Option<String>| x.map(|s| s.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::{Nullable, Text};

    #[derive(QueryableByName)]
    struct Folded {
        #[diesel(sql_type = Nullable<Text>)]
        folded: Option<String>,
    }

    fn fold(conn: &mut SqliteConnection, text: Option<&str>) -> Option<String> {
        diesel::sql_query("SELECT lower(?) AS folded")
            .bind::<Nullable<Text>, _>(text)
            .get_result::<Folded>(conn)
            .expect("query")
            .folded
    }

    #[test]
    fn sqlite_lower_folds_every_letter_after_registration() {
        let mut conn = SqliteConnection::establish(":memory:").expect("sqlite");
        conn.batch_execute("SELECT 1").expect("ready");
        assert_eq!(
            fold(&mut conn, Some("PROTECCIÓN")).as_deref(),
            Some("protecciÓn")
        );
        register_unicode_lower(&mut conn).expect("register");
        assert_eq!(
            fold(&mut conn, Some("PROTECCIÓN")).as_deref(),
            Some("protección")
        );
        assert_eq!(
            fold(&mut conn, Some("ÉTAT D'HAÏTI")).as_deref(),
            Some("état d'haïti")
        );
        assert_eq!(fold(&mut conn, None), None);
    }

    #[test]
    fn search_wildcards_are_literal() {
        assert_eq!(like_pattern("50%_Ñ\\"), "%50\\%\\_ñ\\\\%");
    }
}
