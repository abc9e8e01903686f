//! Planner statistics. PostgreSQL keeps them itself (autovacuum analyzes a table that changed);
//! SQLite has none until asked, and without them it cannot tell which index of a filtered list is
//! selective (a dimension filter across states then walks the wrong index).

use diesel::RunQueryDsl;

use super::AnyConnection;

/// Refreshes SQLite's statistics of the tables that changed much since they were last analyzed
/// (`PRAGMA optimize`: about tenfold growth, so over a table's life the cost adds up to about one
/// more full read); a no-op on PostgreSQL. Sampled statistics (`analysis_limit`) were tried and
/// misjudge the dimension indexes. Call it after a large write, outside its transaction.
pub fn refresh(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(c) => {
            diesel::sql_query("PRAGMA optimize").execute(c)?;
            Ok(())
        }
        AnyConnection::Postgresql(_) => Ok(()),
    }
}
