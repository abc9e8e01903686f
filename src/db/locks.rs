//! Transaction-scoped locks, the one place that knows how each backend takes them. On
//! PostgreSQL they are row locks and advisory locks held until the transaction ends; on SQLite
//! every one is a no-op, because its write transactions are already serialized by
//! `BEGIN IMMEDIATE` and the database lock is held to commit.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::RunQueryDsl;

use super::AnyConnection;

/// Takes the lock of row `key_column = key` of `table` until the transaction ends, so writers of
/// one record queue on PostgreSQL as they do on SQLite, whose write transactions are already
/// serialized by `BEGIN IMMEDIATE`. `table` and `key_column` are names from the code, never input.
pub fn row(
    conn: &mut AnyConnection,
    table: &'static str,
    key_column: &'static str,
    key: &str,
) -> diesel::QueryResult<()> {
    match conn {
        AnyConnection::Postgresql(pg) => {
            diesel::sql_query(format!(
                "SELECT 1 FROM {table} WHERE {key_column} = $1 FOR UPDATE"
            ))
            .bind::<diesel::sql_types::Text, _>(key)
            .execute(pg)?;
            Ok(())
        }
        AnyConnection::Sqlite(_) => Ok(()),
    }
}

/// How an advisory lock is held: shared with other shared holders, or alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Shared,
    Exclusive,
}

/// Takes the advisory lock `key` in `mode` until the transaction ends. Taken outside a
/// transaction it would end with its own statement, so that is refused.
pub fn advisory(conn: &mut AnyConnection, key: i64, mode: Mode) -> diesel::QueryResult<()> {
    let AnyConnection::Postgresql(pg) = conn else {
        return Ok(());
    };
    let in_transaction = AnsiTransactionManager::transaction_manager_status_mut(pg)
        .transaction_depth()?
        .is_some();
    if !in_transaction {
        return Err(diesel::result::Error::QueryBuilderError(
            "a transaction-scoped lock is taken inside a transaction".into(),
        ));
    }
    let function = match mode {
        Mode::Shared => "pg_advisory_xact_lock_shared",
        Mode::Exclusive => "pg_advisory_xact_lock",
    };
    diesel::sql_query(format!("SELECT {function}($1)"))
        .bind::<diesel::sql_types::BigInt, _>(key)
        .execute(pg)?;
    Ok(())
}
