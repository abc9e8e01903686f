//! The connection enum over both backends and the parsing of `DATABASE_URL`.
//!
//! diesel's `MultiConnection::establish` tries each backend in turn and silently falls back to a
//! SQLite file named like the URL; palermo decides the backend itself and refuses malformed URLs.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};

/// A database connection to whichever backend `DATABASE_URL` selected.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

impl AnyConnection {
    /// Whether this is a PostgreSQL connection, for the few queries written per backend.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgresql(_))
    }
}

/// A validated `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `postgres://` or `postgresql://` URL, passed to libpq as is (so `sslmode` etc. work).
    Postgres(String),
    /// Path of a SQLite database file (or `:memory:` for throwaway use).
    Sqlite(String),
}

impl DatabaseUrl {
    /// Parses `DATABASE_URL`: `postgres://...`/`postgresql://...` select PostgreSQL, `sqlite://PATH`
    /// or a plain path select SQLite; anything else that looks like a URL is refused.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("DATABASE_URL is empty".into());
        }
        if let Some((scheme, rest)) = trimmed.split_once("://") {
            return match scheme.to_ascii_lowercase().as_str() {
                "postgres" | "postgresql" => {
                    let host_part = rest.split(['/', '?']).next().unwrap_or("");
                    if host_part.is_empty() && !rest.contains("host=") {
                        Err(format!(
                            "DATABASE_URL {:?} names no PostgreSQL host (expected postgres://user:password@host:port/database)",
                            redact(trimmed)
                        ))
                    } else {
                        Ok(Self::Postgres(trimmed.to_string()))
                    }
                }
                "sqlite" => {
                    if rest.is_empty() {
                        Err("DATABASE_URL sqlite:// names no file".into())
                    } else {
                        Ok(Self::Sqlite(rest.to_string()))
                    }
                }
                other => Err(format!(
                    "DATABASE_URL has unsupported scheme {other:?}: use postgres://... for PostgreSQL or a file path for SQLite"
                )),
            };
        }
        if let Some((scheme, _)) = trimmed.split_once(':') {
            let s = scheme.to_ascii_lowercase();
            if s.starts_with("postgres") || s == "sqlite" || s == "mysql" || s == "file" {
                return Err(format!(
                    "DATABASE_URL {:?} looks like a malformed URL (expected postgres://user:password@host:port/database or a file path)",
                    redact(trimmed)
                ));
            }
        }
        Ok(Self::Sqlite(trimmed.to_string()))
    }

    /// The URL with any password replaced, for messages and logs.
    pub fn redacted(&self) -> String {
        match self {
            Self::Postgres(url) => redact(url),
            Self::Sqlite(path) => path.clone(),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgresql",
            Self::Sqlite(_) => "sqlite",
        }
    }

    /// Opens one connection to the selected backend, with palermo's session settings applied.
    pub fn connect(&self) -> Result<AnyConnection, ConnectionError> {
        match self {
            Self::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                conn.batch_execute("SET TIME ZONE 'UTC'")
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(AnyConnection::Postgresql(conn))
            }
            Self::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // WAL for concurrent readers, FULL sync so an acknowledged commit survives a crash or
                // power loss, foreign keys enforced, and writers wait instead of failing at once.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                super::text_search::register_unicode_lower(&mut conn)
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

/// Hides the password of a `scheme://user:password@host` URL.
fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.split_once('@') {
            let user = userinfo.split(':').next().unwrap_or("");
            return format!("{scheme}://{user}:***@{host}");
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_select_sqlite() {
        assert_eq!(
            DatabaseUrl::parse("palermo.db"),
            Ok(DatabaseUrl::Sqlite("palermo.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("/data/p.db"),
            Ok(DatabaseUrl::Sqlite("/data/p.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db"),
            Ok(DatabaseUrl::Sqlite("/tmp/x.db".into()))
        );
    }

    #[test]
    fn postgres_urls_select_postgres() {
        let url = "postgres://u:p@127.0.0.1:5432/db?sslmode=require";
        assert_eq!(
            DatabaseUrl::parse(url),
            Ok(DatabaseUrl::Postgres(url.into()))
        );
        assert!(DatabaseUrl::parse("postgresql://h/db").is_ok());
    }

    #[test]
    fn typos_are_refused_instead_of_becoming_sqlite_files() {
        for bad in [
            "postgress://u@h/db",
            "postgres:/h/db",
            "postgres://",
            "mysql://h/db",
            "http://x",
            "  ",
        ] {
            assert!(DatabaseUrl::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        let url = DatabaseUrl::parse("postgres://u:secret@h/db").expect("valid");
        assert!(!url.redacted().contains("secret"));
    }
}
