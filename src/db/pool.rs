//! The connection pool, and running database work off the actix workers.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};

use super::{AnyConnection, DatabaseUrl};
use crate::error::ApiError;

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

/// Runs `f` with a pooled connection on actix's blocking thread pool.
pub async fn run<F, T>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().map_err(ApiError::from_pool)?;
        f(&mut conn)
    })
    .await
    .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
}

/// Runs `f` in one write transaction. On SQLite it starts with `BEGIN IMMEDIATE` so concurrent
/// writers queue on the busy timeout instead of failing on a lock upgrade; the transaction is
/// registered with diesel's transaction manager, so nested work (batch inserts) uses savepoints.
pub fn write_transaction<T, F>(conn: &mut AnyConnection, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    use diesel::Connection;
    match conn {
        AnyConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            let result = f(conn);
            let AnyConnection::Sqlite(inner) = conn else {
                return Err(ApiError::internal("connection changed backend"));
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
        AnyConnection::Postgresql(_) => conn.transaction(f),
    }
}
