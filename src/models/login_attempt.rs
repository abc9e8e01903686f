//! The `login_attempts` table: sign-in attempts per throttle key in the current fixed window.
//! Every statement is one atomic upsert or update, so concurrent sign-ins on any number of palermo
//! processes share one count. Written in SQL common to both backends (`?N` parameters on SQLite).

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use crate::db::AnyConnection;

/// A key's window after a reservation, or at the moment one was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct Window {
    #[diesel(sql_type = BigInt)]
    pub window_start: i64,
    #[diesel(sql_type = BigInt)]
    pub attempts: i64,
}

/// Counts one attempt for `key` unless its window, started after `expired_before`, already holds
/// `max` attempts; an expired window starts anew at `now`. `Ok(Ok(window))` when the attempt was
/// counted, `Ok(Err(window))` when it was refused (the full window, for `Retry-After`).
pub fn reserve(
    conn: &mut AnyConnection,
    key: &str,
    now: i64,
    expired_before: i64,
    max: i64,
) -> QueryResult<Result<Window, Window>> {
    let reserved = load(
        conn,
        "INSERT INTO login_attempts (throttle_key, window_start, attempts) VALUES ($1, $2, 1) \
         ON CONFLICT (throttle_key) DO UPDATE SET \
           attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.attempts + 1 END, \
           window_start = CASE WHEN login_attempts.window_start <= $3 THEN excluded.window_start ELSE login_attempts.window_start END \
         WHERE login_attempts.window_start <= $3 OR login_attempts.attempts < $4 \
         RETURNING window_start, attempts",
        &[Bind::Text(key), Bind::Int(now), Bind::Int(expired_before), Bind::Int(max)],
    )?;
    if let Some(window) = reserved.into_iter().next() {
        return Ok(Ok(window));
    }
    let current = load(
        conn,
        "SELECT window_start, attempts FROM login_attempts WHERE throttle_key = $1",
        &[Bind::Text(key)],
    )?;
    Ok(Err(current.into_iter().next().unwrap_or(Window {
        window_start: now,
        attempts: max,
    })))
}

/// Gives back one attempt of `key`'s current window (the attempt was not checked, or succeeded).
pub fn release(conn: &mut AnyConnection, key: &str) -> QueryResult<()> {
    execute(
        conn,
        "UPDATE login_attempts SET attempts = attempts - 1 WHERE throttle_key = $1 AND attempts > 0",
        &[Bind::Text(key)],
    )
}

/// Forgets `key` (a successful sign-in clears its username's failures).
pub fn clear(conn: &mut AnyConnection, key: &str) -> QueryResult<()> {
    execute(
        conn,
        "DELETE FROM login_attempts WHERE throttle_key = $1",
        &[Bind::Text(key)],
    )
}

/// Deletes the windows started at or before `expired_before`.
pub fn purge(conn: &mut AnyConnection, expired_before: i64) -> QueryResult<()> {
    execute(
        conn,
        "DELETE FROM login_attempts WHERE window_start <= $1",
        &[Bind::Int(expired_before)],
    )
}

/// A parameter of the statements above, bound in order.
enum Bind<'a> {
    Text(&'a str),
    Int(i64),
}

/// `sql` with `$N` parameters (written `?N` for SQLite) bound to `binds`, boxed for `backend`.
macro_rules! bound {
    ($sql:expr, $binds:expr, $backend:ty) => {{
        let mut query = diesel::sql_query($sql).into_boxed::<$backend>();
        for bind in $binds {
            query = match bind {
                Bind::Text(t) => query.bind::<Text, _>(*t),
                Bind::Int(n) => query.bind::<BigInt, _>(*n),
            };
        }
        query
    }};
}

fn load(conn: &mut AnyConnection, sql: &str, binds: &[Bind<'_>]) -> QueryResult<Vec<Window>> {
    match conn {
        AnyConnection::Postgresql(pg) => bound!(sql, binds, diesel::pg::Pg).load(pg),
        AnyConnection::Sqlite(lite) => {
            bound!(sql.replace('$', "?"), binds, diesel::sqlite::Sqlite).load(lite)
        }
    }
}

fn execute(conn: &mut AnyConnection, sql: &str, binds: &[Bind<'_>]) -> QueryResult<()> {
    match conn {
        AnyConnection::Postgresql(pg) => bound!(sql, binds, diesel::pg::Pg).execute(pg)?,
        AnyConnection::Sqlite(lite) => {
            bound!(sql.replace('$', "?"), binds, diesel::sqlite::Sqlite).execute(lite)?
        }
    };
    Ok(())
}
