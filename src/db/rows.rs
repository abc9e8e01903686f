//! Queries many tables share: the keyset read of a list (rows ordered by a text key, after a
//! cursor's key, changed at or after an instant) and the version-guarded write of a row.

/// Rows read a page at a time in the order of a text key.
pub trait Keyset: Sized {
    /// Up to `limit` rows ordered by key, after `after`, changed at or after `since`.
    fn list(
        conn: &mut crate::db::AnyConnection,
        after: Option<&str>,
        since: Option<crate::timestamp::Timestamp>,
        limit: i64,
    ) -> diesel::QueryResult<Vec<Self>>;
}

/// `keyset_list!(Row, table, key)`: [`Keyset`] for `Row`, the rows of `table` ordered by its
/// text column `key`, with `updated_at` at or after `since`.
#[macro_export]
macro_rules! keyset_list {
    ($row:ty, $table:ident, $key:ident) => {
        impl $crate::db::rows::Keyset for $row {
            fn list(
                conn: &mut $crate::db::AnyConnection,
                after: Option<&str>,
                since: Option<$crate::timestamp::Timestamp>,
                limit: i64,
            ) -> ::diesel::QueryResult<Vec<Self>> {
                let mut q = $table::table
                    .select(Self::as_select())
                    .order($table::$key)
                    .into_boxed();
                if let Some(after) = after {
                    q = q.filter($table::$key.gt(after.to_string()));
                }
                if let Some(since) = since {
                    q = q.filter($table::updated_at.ge(since));
                }
                q.limit(limit).load(conn)
            }
        }
    };
}

/// Inside `impl Row`: `pub fn list(conn, f, after, limit)` for a table of tombstoned records
/// ordered by their text `$key`: up to `limit` rows after `after`, live ones only unless
/// `f.include_deleted`, changed at or after `f.updated_since`, and whatever else `$body` adds to
/// the query `$q` from the filter `$f` (of type `$filter`, which has those two fields).
/// `tombstoned_list!(table, key, Filter, eq(a, b))` adds `a = f.a` for each of the filter's
/// optional fields named like their column, when it is given.
#[macro_export]
macro_rules! tombstoned_list {
    ($table:ident, $key:ident, $filter:ty, eq($($field:ident),+)) => {
        $crate::tombstoned_list!($table, $key, f: $filter, |q| {
            $(if let Some(v) = f.$field.clone() {
                q = q.filter($table::$field.eq(v));
            })+
            q
        });
    };
    ($table:ident, $key:ident, $f:ident: $filter:ty, |$q:ident| $body:block) => {
        /// Up to `limit` rows matching the filter, in key (creation) order, after `after`.
        pub fn list(
            conn: &mut $crate::db::AnyConnection,
            $f: &$filter,
            after: Option<&str>,
            limit: i64,
        ) -> ::diesel::QueryResult<Vec<Self>> {
            let mut $q = $table::table
                .select(Self::as_select())
                .order($table::$key)
                .into_boxed();
            if !$f.include_deleted {
                $q = $q.filter($table::deleted_at.is_null());
            }
            if let Some(since) = &$f.updated_since {
                $q = $q.filter($table::updated_at.ge(*since));
            }
            if let Some(after) = after {
                $q = $q.filter($table::$key.gt(after.to_string()));
            }
            let $q = $body;
            $q.limit(limit).load(conn)
        }
    };
}

/// Inside `impl Row`: `pub fn update(&self, conn, expected_version)`, which writes the row (its
/// `AsChangeset`) over the one of `$table` with the same `$key`s if that is still at
/// `expected_version`; false when it was not. `fn $name, ...` names the function otherwise.
#[macro_export]
macro_rules! versioned_update {
    ($table:ident, $($key:ident),+) => {
        $crate::versioned_update!(fn update, $table, $($key),+);
    };
    (fn $name:ident, $table:ident, $($key:ident),+) => {
        /// Writes the row if the stored one is still at `expected_version`; false when it was not.
        pub fn $name(
            &self,
            conn: &mut $crate::db::AnyConnection,
            expected_version: i32,
        ) -> ::diesel::QueryResult<bool> {
            let n = ::diesel::update(
                $table::table
                    $(.filter($table::$key.eq(self.$key.clone())))+
                    .filter($table::version.eq(expected_version)),
            )
            .set(self)
            .execute(conn)?;
            Ok(n == 1)
        }
    };
}

/// Inside `impl Row`: `pub fn find(conn, key…)`, the row of `$table` with that primary key (one
/// argument a key column, in order), if any.
#[macro_export]
macro_rules! find_by_key {
    ($table:ident, $arg:ident: $ty:ty) => {
        $crate::find_by_key!(@find $table, ($arg.to_owned()), $arg: $ty);
    };
    ($table:ident, $($arg:ident: $ty:ty),+) => {
        $crate::find_by_key!(@find $table, ($($arg.to_owned()),+), $($arg: $ty),+);
    };
    (@find $table:ident, $key:expr, $($arg:ident: $ty:ty),+) => {
        /// The row with this key, if any.
        pub fn find(
            conn: &mut $crate::db::AnyConnection,
            $($arg: $ty),+
        ) -> ::diesel::QueryResult<Option<Self>> {
            $table::table
                .find($key)
                .select(Self::as_select())
                .first(conn)
                .optional()
        }
    };
}

/// Inside `impl Row`: `pub fn insert(&self, conn)`, which inserts the row into `$table`.
#[macro_export]
macro_rules! insert_row {
    ($table:ident) => {
        /// Inserts the row.
        pub fn insert(&self, conn: &mut $crate::db::AnyConnection) -> ::diesel::QueryResult<()> {
            ::diesel::insert_into($table::table)
                .values(self)
                .execute(conn)
                .map(|_| ())
        }
    };
}

/// Inside `impl Row`: the queries of a versioned row of `$table` with the primary key `$key`s
/// (columns and fields of the same name): `find` ([`find_by_key!`]), `insert` ([`insert_row!`])
/// and the version-guarded `update` ([`versioned_update!`]).
#[macro_export]
macro_rules! versioned_queries {
    ($table:ident, $($key:ident: $ty:ty),+) => {
        $crate::find_by_key!($table, $($key: $ty),+);
        $crate::insert_row!($table);
        $crate::versioned_update!($table, $($key),+);
    };
}

/// `after_key!(t::a => x, t::b => y, ...)`: the condition that the key columns `(a, b, ...)` come
/// after the values `(x, y, ...)` in key order (each value cloned), for a keyset list on a
/// composite key: `a > x OR (a = x AND (b > y OR ...))`.
#[macro_export]
macro_rules! after_key {
    ($col:expr => $v:expr) => {
        $col.gt($v.clone())
    };
    ($col:expr => $v:expr, $($rest:tt)+) => {
        $col.gt($v.clone())
            .or($col.eq($v.clone()).and($crate::after_key!($($rest)+)))
    };
}
