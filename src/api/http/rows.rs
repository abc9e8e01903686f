//! What table rows share on the pipelines: the part of [`Versioned`](super::write::Versioned)
//! every row implements the same way, the problem of a uniqueness conflict, and the
//! declaration of a list ([`listing!`](crate::listing)) with its CSV cells.

use serde::Serialize;
use serde_json::Value;

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

/// Inside `impl Versioned for Row`: `id`, `version`, `updated_at`, `stamp` and `adopt` for a row
/// with the fields `$id`, `version`, `created_at` and `updated_at` (and `deleted_at`, dated by `stamp`, when
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
        fn updated_at(&self) -> $crate::timestamp::Timestamp {
            self$(.$row)?.updated_at
        }
        fn stamp(&mut self, version: i32, updated_at: $crate::timestamp::Timestamp) {
            self$(.$row)?.version = version;
            self$(.$row)?.updated_at = updated_at;
            $crate::versioned_fields!(@deleted self [$($row)?] updated_at $($tomb)?);
        }
        fn adopt(&mut self, before: Option<&Self>) {
            let this = &mut (*self)$(.$row)?;
            match before {
                Some(b) => {
                    this.$id.clone_from(&b$(.$row)?.$id);
                    this.created_at = b$(.$row)?.created_at;
                }
                None => {
                    if this.$id.is_empty() {
                        this.$id = $crate::api::http::write::new_id();
                    }
                    this.version = 1;
                    this.created_at = $crate::timestamp::Timestamp::now();
                    this.updated_at = this.created_at;
                }
            }
        }
    };
    (@deleted $s:ident [$($row:ident)?] $at:ident) => {};
    (@deleted $s:ident [$($row:ident)?] $at:ident tombstoned) => {
        // A deletion is dated by the change that made it (only live rows are ever changed).
        if let Some(deleted_at) = &mut $s$(.$row)?.deleted_at {
            *deleted_at = $at;
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

/// `pub struct $name` and its [`Listing`](crate::api::http::list::Listing): the rows `$row` the `fetch` clause reads (up to `limit`
/// matching the filter, in the list's order, after the keyset position), each served as `$item`
/// (`From<&Row>`, or `Self` for a row served as stored), keyed by the `key` clause; a cursor of
/// kind `$kind`, the CSV file `$csv` with the columns `$header`s, their cells the item's fields of
/// those names unless a `cells` clause says otherwise.
///
/// ```ignore
/// listing! {
///     /// The things, by name.
///     Things: ThingRow => Self, "thing", "things.csv", ["id", "name"];
///     fetch(conn, f: Filter, after: String, limit) => ThingRow::list(conn, f, after, limit);
///     key(r) => r.name.clone();
/// }
/// ```
#[macro_export]
macro_rules! listing {
    ($(#[doc = $doc:tt])* $name:ident: $row:ty => $item:tt, $kind:literal, $csv:literal,
        [$($header:literal),+ $(,)?];
        fetch($conn:ident, $filter:ident: $fty:ty, $after:ident: $kty:ty, $limit:ident) => $fetch:expr;
        key($kr:ident) => $key:expr;
        $(cells($cr:ident) => $cells:expr;)?) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $crate::api::http::list::Listing for $name {
            const KIND: &'static str = $kind;
            const CSV_NAME: &'static str = $csv;
            const CSV_HEADERS: &'static [&'static str] = &[$($header),+];
            type Filter = $fty;
            type Row = $row;
            type Key = $kty;
            type Item = $crate::secretariat_row!(@type $row, $item);

            fn fetch(
                $conn: &mut $crate::db::AnyConnection,
                $filter: &$fty,
                $after: Option<&$kty>,
                $limit: i64,
            ) -> ::diesel::QueryResult<Vec<$row>> {
                $fetch
            }
            fn key($kr: &$row) -> $kty {
                $key
            }
            fn item(row: $row) -> Self::Item {
                $crate::listing!(@item row, $item)
            }
            $(fn csv_cells($cr: &$row) -> Vec<String> {
                $cells
            })?
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
