//! What table rows share on the pipelines: the part of [`Versioned`](super::write::Versioned)
//! every row implements the same way, the problem of a uniqueness conflict, and the lists of
//! rows ordered by a text key whose only filter is `updated_since` ([`Since`]).

use std::marker::PhantomData;

use diesel::QueryResult;
use serde::Serialize;
use serde_json::Value;

use crate::api::http::list::Listing;
use crate::db::rows::Keyset;
use crate::db::AnyConnection;
use crate::error::ApiError;

/// Inside `impl Versioned for Row`: `find`, `insert`, `store`, `id`, `version`, `updated_at` and
/// `stamp` for a row with the inherent `find`/`insert`/`update` of the models and the fields
/// `$id`, `version` and `updated_at`. `versioned_row!(id, tombstoned)` is for a row deleted as a
/// tombstone (a `deleted_at` field): `find` sees live rows only, and `stamp` dates a deletion.
#[macro_export]
macro_rules! versioned_row {
    (@write $id:ident $(, $tomb:ident)?) => {
        fn insert(&self, conn: &mut $crate::db::AnyConnection) -> ::diesel::QueryResult<()> {
            Self::insert(self, conn)
        }
        fn store(
            &self,
            conn: &mut $crate::db::AnyConnection,
            expected_version: i32,
        ) -> ::diesel::QueryResult<bool> {
            self.update(conn, expected_version)
        }
        $crate::versioned_fields!($id $(, $tomb)?);
    };
    ($id:ident) => {
        fn find(
            conn: &mut $crate::db::AnyConnection,
            id: &str,
        ) -> ::diesel::QueryResult<Option<Self>> {
            Self::find(conn, id)
        }
        $crate::versioned_row!(@write $id);
    };
    ($id:ident, tombstoned) => {
        fn find(
            conn: &mut $crate::db::AnyConnection,
            id: &str,
        ) -> ::diesel::QueryResult<Option<Self>> {
            Ok(Self::find(conn, id)?.filter(|r| r.deleted_at.is_none()))
        }
        $crate::versioned_row!(@write $id, tombstoned);
    };
}

/// Inside `impl Versioned for Row`: `id`, `version`, `updated_at` and `stamp` for a row with the
/// fields `$id`, `version` and `updated_at` (and `deleted_at`, dated by `stamp`, when
/// `tombstoned`). `versioned_fields!(in row: id)` is for a record whose stored row is its field
/// `row`: the fields are the row's.
#[macro_export]
macro_rules! versioned_fields {
    ($id:ident $(, $tomb:ident)?) => {
        $crate::versioned_fields!(@of [] $id $(, $tomb)?);
    };
    (in $row:ident: $id:ident $(, $tomb:ident)?) => {
        $crate::versioned_fields!(@of [$row] $id $(, $tomb)?);
    };
    (@of [$($row:ident)?] $id:ident $(, $tomb:ident)?) => {
        fn id(&self) -> &str {
            &self$(.$row)?.$id
        }
        fn version(&self) -> i32 {
            self$(.$row)?.version
        }
        fn updated_at(&self) -> &str {
            &self$(.$row)?.updated_at
        }
        fn stamp(&mut self, version: i32, updated_at: &str) {
            self$(.$row)?.version = version;
            self$(.$row)?.updated_at = updated_at.to_string();
            $crate::versioned_fields!(@deleted self [$($row)?] updated_at $($tomb)?);
        }
    };
    (@deleted $s:ident [$($row:ident)?] $at:ident) => {};
    (@deleted $s:ident [$($row:ident)?] $at:ident tombstoned) => {
        // A deletion is dated by the change that made it (only live rows are ever changed).
        if let Some(deleted_at) = &mut $s$(.$row)?.deleted_at {
            *deleted_at = $at.to_string();
        }
    };
}

/// `impl Versioned` for a row of the Secretariat's own data named `$kind`, in `$table` keyed by `$id`, shown
/// as `$view` (`From<&Row>`, or `Self` for a row served as stored), found at `$base/{id}`; a uniqueness conflict is `$explain(&$field)`.
#[macro_export]
macro_rules! secretariat_row {
    ($row:ty, $kind:literal, $table:literal, $view:tt, $id:ident, $base:literal, $explain:ident($field:ident)) => {
        impl $crate::api::http::write::Versioned for $row {
            const KIND: &'static str = $kind;
            const NOUN: &'static str = $kind;
            type View = $crate::secretariat_row!(@type $row, $view);
            const TABLE: &'static str = $table;
            const KEY_COLUMN: &'static str = stringify!($id);

            $crate::versioned_row!($id);

            fn owner(&self) -> $crate::auth::Owner<'_> {
                $crate::auth::Owner::Secretariat
            }
            fn view(&self) -> Self::View {
                $crate::secretariat_row!(@view self, $view)
            }
            fn location(&self) -> String {
                format!(concat!($base, "/{}"), self.$id)
            }
            fn write_error(&self, e: ::diesel::result::Error) -> $crate::error::ApiError {
                $crate::api::http::rows::conflict_as(e, || $explain(&self.$field))
            }
        }
    };
    // A row served as it is stored names its view `Self`.
    (@type $row:ty, Self) => { $row };
    (@type $row:ty, $view:ty) => { $view };
    (@view $s:ident, Self) => { $s.clone() };
    (@view $s:ident, $view:ty) => { <$view>::from($s) };
}

/// `pub struct $name` and its [`Listing`]: the rows of `$row` in the order of their text `id`
/// (creation order), read by the row's own `list(conn, &filter, after, limit)`, each served as
/// `$item` (`From<&Row>`, or `Self` for a row served as stored), a cursor of kind `$kind`, the
/// CSV file `$csv` with the columns `$header`s.
#[macro_export]
macro_rules! id_listing {
    ($(#[doc = $doc:tt])* $name:ident: $row:ty, $filter:ty, $item:tt, $kind:literal, $csv:literal,
        [$($header:literal),+ $(,)?]) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $crate::api::http::list::Listing for $name {
            const KIND: &'static str = $kind;
            const CSV_NAME: &'static str = $csv;
            const CSV_HEADERS: &'static [&'static str] = &[$($header),+];
            type Filter = $filter;
            type Row = $row;
            type Key = String;
            type Item = $crate::secretariat_row!(@type $row, $item);

            fn fetch(
                conn: &mut $crate::db::AnyConnection,
                filter: &$filter,
                after: Option<&String>,
                limit: i64,
            ) -> ::diesel::QueryResult<Vec<$row>> {
                <$row>::list(conn, filter, after.map(String::as_str), limit)
            }
            fn key(row: &$row) -> String {
                row.id.clone()
            }
            fn item(row: $row) -> Self::Item {
                $crate::id_listing!(@item row, $item)
            }
        }
    };
    (@item $row:ident, Self) => { $row };
    (@item $row:ident, $item:ty) => { <$item>::from(&$row) };
}

/// The problem of a failed write: `explain()` for a uniqueness conflict, the usual one otherwise.
pub fn conflict_as(e: diesel::result::Error, explain: impl FnOnce() -> ApiError) -> ApiError {
    let e = ApiError::from(e);
    if e.status() == actix_web::http::StatusCode::CONFLICT {
        explain()
    } else {
        e
    }
}

/// Rows listed by a text key (also the cursor), filtered by `updated_since` only.
pub trait KeyedRow: Keyset + Clone + Send + 'static {
    /// Cursor kind of the list.
    const CURSOR_KIND: &'static str;
    const CSV_NAME: &'static str;
    const CSV_HEADERS: &'static [&'static str];
    type Item: Serialize;

    fn key(&self) -> String;
    fn item(&self) -> Self::Item;
    fn csv_cells(&self) -> Vec<String> {
        csv_cells_of(&self.item(), Self::CSV_HEADERS)
    }
}

/// The list of a [`KeyedRow`]; its filter is the validated `updated_since`.
pub struct Since<R>(PhantomData<R>);

impl<R: KeyedRow> Listing for Since<R> {
    const KIND: &'static str = R::CURSOR_KIND;
    const CSV_NAME: &'static str = R::CSV_NAME;
    const CSV_HEADERS: &'static [&'static str] = R::CSV_HEADERS;
    type Filter = Option<String>;
    type Row = R;
    type Key = String;
    type Item = R::Item;

    fn fetch(
        conn: &mut AnyConnection,
        since: &Option<String>,
        after: Option<&String>,
        limit: i64,
    ) -> QueryResult<Vec<R>> {
        R::list(conn, after.map(String::as_str), since.as_deref(), limit)
    }
    fn key(row: &R) -> String {
        row.key()
    }
    fn item(row: R) -> R::Item {
        R::item(&row)
    }
    fn csv_cells(row: &R) -> Vec<String> {
        row.csv_cells()
    }
}

/// The CSV cells of a list item: for each header (a field, or `a.b` inside an object) its JSON
/// value as text: a string as it is, null empty, a list's items joined with `;`, others as JSON.
pub fn csv_cells_of(item: &impl Serialize, headers: &[&str]) -> Vec<String> {
    fn cell(v: &Value) -> String {
        match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(";"),
            other => other.to_string(),
        }
    }
    let json = serde_json::to_value(item).unwrap_or_default();
    headers
        .iter()
        .map(|h| {
            cell(
                json.pointer(&format!("/{}", h.replace('.', "/")))
                    .unwrap_or(&Value::Null),
            )
        })
        .collect()
}
