//! The connection pool, and running database work off the actix workers.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};

use super::{AnyConnection, DatabaseUrl};

/// Opens connections for the pool from a validated [`DatabaseUrl`].
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        self.url
            .connect()
            .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// Builds the pool and opens its first connection, so an unreachable server or unwritable file
/// is reported at start with the backend's own message instead of at the first request.
pub fn build(url: &DatabaseUrl, max_size: u32) -> Result<Pool, String> {
    // Fail fast with the real cause: r2d2 would only say "timed out waiting for connection".
    url.connect().map_err(|e| {
        format!(
            "cannot open {} database {}: {e}",
            url.backend_name(),
            url.redacted()
        )
    })?;
    r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .build(Manager { url: url.clone() })
        .map_err(|e| {
            format!(
                "cannot open {} database {}: {e}",
                url.backend_name(),
                url.redacted()
            )
        })
}

/// Why database work could not even start: no connection could be had, or the blocking task
/// died. Errors of the work itself are the caller's own type.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("blocking task failed: {0}")]
    Blocking(String),
}

/// Runs `f` with a pooled connection on actix's blocking thread pool.
pub async fn run<F, T, E>(pool: &Pool, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<RunError> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().map_err(|e| E::from(RunError::Pool(e)))?;
        f(&mut conn)
    })
    .await
    .map_err(|e| E::from(RunError::Blocking(e.to_string())))?
}

/// Whether a failed transaction may simply be run again: it lost a serialization conflict or was
/// chosen as a deadlock victim, and rolled back whole.
pub trait Retryable {
    fn is_retryable(&self) -> bool;
}

impl Retryable for diesel::result::Error {
    fn is_retryable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
            Error::DatabaseError(_, info) => info.message().contains("deadlock detected"),
            _ => false,
        }
    }
}

/// How many times a transaction that lost a serialization conflict or a deadlock is run in all.
pub const ATTEMPTS: usize = 4;

/// Runs `f` in one write transaction. On SQLite it starts with `BEGIN IMMEDIATE` so concurrent
/// writers queue on the busy timeout instead of failing on a lock upgrade; the transaction is
/// registered with diesel's transaction manager, so nested work (batch inserts) uses savepoints.
/// A transaction that failed retryably (a serialization failure, a deadlock) is run again, up to
/// [`ATTEMPTS`] times in all, after a short pause; the last failure is returned (a 503).
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, mut f: F) -> Result<T, E>
where
    F: FnMut(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error> + Retryable,
{
    let mut attempt = 1;
    loop {
        match transaction_once(conn, &mut f) {
            Err(e) if e.is_retryable() && attempt < ATTEMPTS => {
                log::info!("transaction attempt {attempt} lost a conflict; running it again");
                std::thread::sleep(Duration::from_millis(5 << attempt));
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn transaction_once<T, E, F>(conn: &mut AnyConnection, f: &mut F) -> Result<T, E>
where
    F: FnMut(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    use diesel::Connection;
    match conn {
        AnyConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            let result = f(conn);
            let AnyConnection::Sqlite(inner) = conn else {
                return Err(diesel::result::Error::BrokenTransactionManager.into());
            };
            match result {
                Ok(value) => match AnsiTransactionManager::commit_transaction(inner) {
                    Ok(()) => Ok(value),
                    Err(e) => {
                        let _ = AnsiTransactionManager::rollback_transaction(inner);
                        Err(e.into())
                    }
                },
                Err(e) => {
                    let _ = AnsiTransactionManager::rollback_transaction(inner);
                    Err(e)
                }
            }
        }
        AnyConnection::Postgresql(_) => conn.transaction(|c| f(c)),
    }
}
