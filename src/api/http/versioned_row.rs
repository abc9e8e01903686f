//! What every [`Versioned`](super::write::Versioned) table row implements the same way: its
//! storage calls, its id, version and time of change, and the problem of a uniqueness conflict.

use crate::error::ApiError;

/// Inside `impl Versioned for Row`: `find`, `insert`, `store`, `id`, `version`, `updated_at` and
/// `stamp` for a row with the inherent `find`/`insert`/`update` of the models and the fields
/// `$id`, `version` and `updated_at`.
#[macro_export]
macro_rules! versioned_row {
    ($id:ident) => {
        fn find(
            conn: &mut $crate::db::AnyConnection,
            id: &str,
        ) -> ::diesel::QueryResult<Option<Self>> {
            Self::find(conn, id)
        }
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
        fn id(&self) -> &str {
            &self.$id
        }
        fn version(&self) -> i32 {
            self.version
        }
        fn updated_at(&self) -> &str {
            &self.updated_at
        }
        fn stamp(&mut self, version: i32, updated_at: &str) {
            self.version = version;
            self.updated_at = updated_at.to_string();
        }
    };
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
