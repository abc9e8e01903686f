//! Records written whole from one input type ([`Replaceable`]): POST builds a new record from the
//! input, PUT rebuilds the current one from a full input, and PATCH is a JSON merge patch
//! (RFC 7396) of the input the current record shows: omitted fields stay, `null` clears an
//! optional field. All three run through the versioned-write pipeline of [`write`](super::write).

use std::borrow::Cow;
use std::marker::PhantomData;

use actix_web::{HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::api::http::extract::decode_json;
use crate::api::http::precondition::IfMatch;
use crate::api::http::write::{self, Versioned};
use crate::auth::Writer;
use crate::db::{AnyConnection, Pool};
use crate::error::{ApiError, ApiResult};

/// A record built and checked from one input type on create, replace and patch.
pub trait Replaceable: Versioned {
    type Input: Serialize + DeserializeOwned + ToSchema + Clone + Send + Sync + 'static;

    /// The record `input` describes: a new one (`before` is `None`) or `before` changed (same id
    /// and creation time).
    fn build(
        conn: &mut AnyConnection,
        writer: &Writer,
        input: &Self::Input,
        before: Option<&Self>,
    ) -> ApiResult<Self>;
}

/// A record deleted as a tombstone: it stays for synchronising clients (`include_deleted`) and
/// in its history, and reads as 404.
pub trait Tombstoned: Replaceable {
    /// The record marked deleted now (the pipeline stamps the version and time).
    fn tombstone(&self) -> Self;
}

/// The new record `input` describes, with its identity: for a creation written by a handler of
/// its own ([`create`] does this itself).
pub fn build_new<R: Replaceable>(
    conn: &mut AnyConnection,
    writer: &Writer,
    input: &R::Input,
) -> ApiResult<R> {
    let mut record = R::build(conn, writer, input, None)?;
    record.adopt(None);
    Ok(record)
}

/// POST: creates the record `input` describes, behind the request's `Idempotency-Key`.
pub async fn create<R: Replaceable>(
    req: &HttpRequest,
    pool: &Pool,
    writer: Writer,
    input: R::Input,
) -> ApiResult<HttpResponse> {
    write::create(req, pool, writer, input, |conn, writer, input| {
        R::build(conn, writer, input, None)
    })
    .await
}

/// PUT: record `id` rebuilt from `input` (honours `If-Match`; an identical input changes nothing).
pub async fn replace<R: Replaceable>(
    pool: &Pool,
    writer: Writer,
    id: String,
    precondition: IfMatch,
    input: R::Input,
) -> ApiResult<HttpResponse> {
    write::update(
        pool,
        writer,
        id,
        precondition,
        "update",
        move |conn, scope, before: &R| R::build(conn, scope.writer(), &input, Some(before)),
    )
    .await
}

/// PATCH: record `id` rebuilt from its own input with `patch` merged in; `action` names the
/// change in the audit trail (`update`, or for instance `deactivate`).
pub async fn patch<R: Replaceable>(
    pool: &Pool,
    writer: Writer,
    id: String,
    precondition: IfMatch,
    action: &'static str,
    patch: MergePatch<R::Input>,
) -> ApiResult<HttpResponse> {
    write::update(
        pool,
        writer,
        id,
        precondition,
        action,
        move |conn, scope, before: &R| {
            let input = patch.apply(&before.view())?;
            R::build(conn, scope.writer(), &input, Some(before))
        },
    )
    .await
}

/// DELETE: record `id` marked deleted ([`Tombstoned`]); 204.
pub async fn delete<R: Tombstoned>(
    pool: &Pool,
    writer: Writer,
    id: String,
    precondition: IfMatch,
) -> ApiResult<HttpResponse> {
    write::change(
        pool,
        writer,
        id,
        precondition,
        "delete",
        |_, _, before: &R| Ok(before.tombstone()),
    )
    .await
    .map(write::no_content)
}

/// A JSON merge patch of a `T`: the members to change, `null` for "clear".
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct MergePatch<T> {
    members: Map<String, Value>,
    #[serde(skip)]
    of: PhantomData<fn() -> T>,
}

impl<T: ToSchema + DeserializeOwned> MergePatch<T> {
    /// A patch of these members.
    pub fn of(members: Value) -> Self {
        let members = match members {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        Self {
            members,
            of: PhantomData,
        }
    }

    /// The `T` that `current` shows (its members that are fields of `T`) with the patch merged
    /// in, decoded and checked like a request body: an unknown or mistyped member is a 422
    /// naming it.
    pub fn apply(&self, current: &impl Serialize) -> ApiResult<T> {
        let fields = field_names(&T::schema());
        let mut doc = match serde_json::to_value(current).map_err(ApiError::internal)? {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        doc.retain(|k, _| fields.iter().any(|f| f == k));
        merge(&mut doc, &self.members);
        let bytes = serde_json::to_vec(&doc).map_err(ApiError::internal)?;
        decode_json(&bytes)
    }
}

/// Merges `patch` into `doc`: objects member by member, anything else (a `null` included, which
/// every input reads as "none") replaces.
fn merge(doc: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        match (doc.get_mut(k), v) {
            (Some(Value::Object(inner)), Value::Object(p)) => merge(inner, p),
            _ => {
                doc.insert(k.clone(), v.clone());
            }
        }
    }
}

fn field_names(schema: &RefOr<Schema>) -> Vec<String> {
    match schema {
        RefOr::T(Schema::Object(o)) => o.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The patch is documented as its input with no member required.
impl<T: ToSchema> PartialSchema for MergePatch<T> {
    fn schema() -> RefOr<Schema> {
        match T::schema() {
            RefOr::T(Schema::Object(mut o)) => {
                o.required.clear();
                o.description = Some(format!(
                    "JSON merge patch (RFC 7396) of {}: omitted fields stay, `null` clears an optional field.",
                    T::name()
                ));
                RefOr::T(Schema::Object(o))
            }
            other => other,
        }
    }
}

impl<T: ToSchema> ToSchema for MergePatch<T> {
    fn name() -> Cow<'static, str> {
        let input = T::name();
        Cow::Owned(format!("{}Patch", input.trim_end_matches("Input")))
    }
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        T::schemas(schemas);
    }
}
