//! Planner statistics. SQLite has none until asked, and without them it cannot tell which index
//! of a filtered list is selective (a dimension filter across states then walks the wrong index).
//! PostgreSQL's autovacuum analyzes a table that changed, but up to a minute later: reads right
//! after a large first import were planned on no statistics at all.

use diesel::RunQueryDsl;

use super::AnyConnection;

/// Refreshes SQLite's statistics of the tables that changed much since they were last analyzed
/// (`PRAGMA optimize`: about tenfold growth, so over a table's life the cost adds up to about one
/// more full read); a no-op on PostgreSQL. Sampled statistics (`analysis_limit`) were tried and
/// misjudge the dimension indexes. On PostgreSQL, `indicator_values` is analyzed when it never
/// was (the first import into a new database); later changes are left to autovacuum, since the
/// planner scales the sampled statistics to the table's current size, and an analysis per
/// doubling cost the first push of 100,000 values about an eighth of its time.
/// Call it after a large write, outside its transaction.
pub fn refresh(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(c) => {
            diesel::sql_query("PRAGMA optimize").execute(c)?;
            Ok(())
        }
        AnyConnection::Postgresql(c) => {
            diesel::sql_query(
                "DO $$ BEGIN IF (SELECT reltuples < 0 FROM pg_class \
                 WHERE oid = 'indicator_values'::regclass) \
                 THEN ANALYZE indicator_values; END IF; END $$",
            )
            .execute(c)?;
            Ok(())
        }
    }
}
