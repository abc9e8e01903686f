//! Migrations embedded in the binary, one set per backend.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::AnyConnection;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the names of those applied.
pub fn run_pending(conn: &mut AnyConnection) -> Result<Vec<String>, BoxError> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE)?,
        AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES)?,
    };
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// True when every embedded migration has been applied.
pub fn all_applied(conn: &mut AnyConnection) -> Result<bool, BoxError> {
    let pending = match conn {
        AnyConnection::Sqlite(c) => c.has_pending_migration(SQLITE)?,
        AnyConnection::Postgresql(c) => c.has_pending_migration(POSTGRES)?,
    };
    Ok(!pending)
}
