//! Planner statistics. SQLite has none until asked, and without them it cannot tell which index
//! of a filtered list is selective (a dimension filter across states then walks the wrong index).
//! PostgreSQL's autovacuum analyzes a table that changed, but up to a minute later: reads right
//! after a large first import were planned on no statistics at all.

use diesel::RunQueryDsl;

use super::AnyConnection;

/// Refreshes SQLite's statistics of the tables that changed much since they were last analyzed
/// (`PRAGMA optimize`: about tenfold growth, so over a table's life the cost adds up to about one
/// more full read); a no-op on PostgreSQL. Sampled statistics (`analysis_limit`) were tried and
/// misjudge the dimension indexes. On PostgreSQL, `indicator_values` is analyzed when it has
/// never been, or when more of its rows changed since than it held then (it at least doubled):
/// about one sampled read (30,000 rows, whatever the table's size) per doubling.
/// Call it after a large write, outside its transaction.
pub fn refresh(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(c) => {
            diesel::sql_query("PRAGMA optimize").execute(c)?;
            Ok(())
        }
        AnyConnection::Postgresql(c) => {
            // The change counter is the server's, flushed about once a second: a batch just
            // committed may be counted by the next one.
            diesel::sql_query(
                "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_stat_user_tables s \
                 ON s.relid = c.oid WHERE c.oid = 'indicator_values'::regclass \
                 AND (c.reltuples < 0 OR s.n_mod_since_analyze > greatest(c.reltuples, 1000))) \
                 THEN ANALYZE indicator_values; END IF; END $$",
            )
            .execute(c)?;
            Ok(())
        }
    }
}
