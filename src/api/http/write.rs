//! The versioned-write pipeline every resource uses:
//! load → authorize → precondition (`If-Match`) → apply → version-guarded write → audit, all in
//! one write transaction, then the response with its `ETag`. A resource supplies only what
//! differs ([`Versioned`]): its table, its owner, how it looks on the wire and in the audit trail.
//! Creation goes through the same steps (build → authorize → insert → audit) behind an
//! `Idempotency-Key`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use diesel::QueryResult;
use serde::Serialize;

use crate::api::http::idempotency::{self, Created};
use crate::api::http::precondition::{etag, IfMatch};
use crate::api::http::run_db;
use crate::auth::{Owner, Scope, Writer};
use crate::db::{pool::write_transaction, AnyConnection, Pool};
use crate::domain::MemberStateCode;
use crate::error::{ApiError, ApiResult};
use crate::models::audit_event::AuditEventRow;
use crate::models::member_state::MemberStateRow;
use crate::timestamp::Timestamp;

/// A stored record with a version, written only through this pipeline.
pub trait Versioned: Clone + PartialEq + Send + 'static {
    /// Resource type in the audit trail, the change feed and ETags.
    const KIND: &'static str;
    /// What it is called in messages ("register entry").
    const NOUN: &'static str;
    /// The wire form, also what the audit trail keeps.
    type View: Serialize;
    /// The table, and the column `id` names, whose row a change locks first.
    const TABLE: &'static str;
    const KEY_COLUMN: &'static str = "id";

    /// Locks the stored row `id` for the rest of the transaction: concurrent changes of one record
    /// queue, so an unconditional write never loses to a version race and of several writers
    /// with the same `If-Match` exactly one wins.
    fn lock(conn: &mut AnyConnection, id: &str) -> QueryResult<()> {
        crate::db::locks::row(conn, Self::TABLE, Self::KEY_COLUMN, id)
    }

    /// The live record (a deleted one is `None`).
    fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Self>>;
    fn insert(&self, conn: &mut AnyConnection) -> QueryResult<()>;
    /// Writes `self` over the stored row if that is still at `expected_version`.
    fn store(&self, conn: &mut AnyConnection, expected_version: i32) -> QueryResult<bool>;

    fn id(&self) -> &str;
    fn version(&self) -> i32;
    fn updated_at(&self) -> Timestamp;
    /// Sets the version and the time of the change.
    fn stamp(&mut self, version: i32, updated_at: Timestamp);
    /// Gives a record as built its identity: for a change, `before`'s id and creation time; for
    /// a new record (`before` is `None`), a new id where the builder left it empty, version 1 and
    /// the current time. A resource's builder therefore never does this bookkeeping
    /// (`versioned_fields!` writes it).
    fn adopt(&mut self, before: Option<&Self>);
    /// Whose data it is: decides who may write it.
    fn owner(&self) -> Owner<'_>;
    fn view(&self) -> Self::View;
    /// Path of the resource, for `Location` and the change feed.
    fn location(&self) -> String;

    /// The problem of a failed insert or store; override to explain a uniqueness rule.
    fn write_error(&self, e: diesel::result::Error) -> ApiError {
        e.into()
    }
}

/// The record's current ETag.
pub fn etag_of<R: Versioned>(r: &R) -> String {
    etag(R::KIND, r.id(), r.version())
}

/// 200 with the record and its `ETag`.
pub fn respond<R: Versioned>(r: &R) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag_of(r)))
        .json(r.view())
}

fn view_json<R: Versioned>(r: &R) -> ApiResult<serde_json::Value> {
    serde_json::to_value(r.view()).map_err(ApiError::internal)
}

/// The live record `id`, or 404.
pub fn load<R: Versioned>(conn: &mut AnyConnection, id: &str) -> ApiResult<R> {
    R::find(conn, id)?.ok_or_else(|| ApiError::not_found(format!("No such {}.", R::NOUN)))
}

/// Records a change of `R` in the audit trail (inside the write's transaction).
pub fn audit<R: Versioned>(
    conn: &mut AnyConnection,
    scope: &Scope<'_>,
    action: &str,
    before: Option<&R>,
    after: Option<&R>,
) -> ApiResult<()> {
    let id = after
        .or(before)
        .map(|r| r.id().to_string())
        .unwrap_or_default();
    let before = before.map(view_json).transpose()?;
    let after = after.map(view_json).transpose()?;
    AuditEventRow::record(
        conn,
        scope.actor(),
        action,
        R::KIND,
        &id,
        before.as_ref(),
        after.as_ref(),
    )?;
    Ok(())
}

/// Changes record `id` inside the caller's transaction. `apply` gets the authorized scope and the
/// current record and returns the record as it should be (the same id); a result equal to the
/// current record changes nothing (same version, no audit event).
pub fn change_in<R, F>(
    conn: &mut AnyConnection,
    writer: &Writer,
    id: &str,
    precondition: &IfMatch,
    action: &str,
    apply: F,
) -> ApiResult<R>
where
    R: Versioned,
    F: FnOnce(&mut AnyConnection, &Scope<'_>, &R) -> ApiResult<R>,
{
    R::lock(conn, id)?;
    let before: R = load(conn, id)?;
    let scope = writer.scope(before.owner())?;
    precondition.check(&etag_of(&before))?;
    let mut after = apply(conn, &scope, &before)?;
    after.adopt(Some(&before));
    // The new owner must be writable too (a record moved to another state).
    let scope = writer.scope(after.owner())?;
    after.stamp(before.version(), before.updated_at());
    if after == before {
        return Ok(before);
    }
    after.stamp(before.version() + 1, Timestamp::now());
    if !after
        .store(conn, before.version())
        .map_err(|e| after.write_error(e))?
    {
        return Err(ApiError::precondition_failed(format!(
            "The {} changed concurrently; reload it and retry.",
            R::NOUN
        )));
    }
    audit(conn, &scope, action, Some(&before), Some(&after))?;
    Ok(after)
}

/// [`change_in`] in its own write transaction; `apply` may run again when the transaction is
/// retried after a lost conflict.
pub async fn change<R, F>(
    pool: &Pool,
    writer: Writer,
    id: String,
    precondition: IfMatch,
    action: &'static str,
    apply: F,
) -> ApiResult<R>
where
    R: Versioned,
    F: FnMut(&mut AnyConnection, &Scope<'_>, &R) -> ApiResult<R> + Send + 'static,
{
    let mut apply = apply;
    run_db(pool, move |conn| {
        write_transaction(conn, |conn| {
            change_in(conn, &writer, &id, &precondition, action, &mut apply)
        })
    })
    .await
}

/// [`change`], answered with the record after it and its `ETag`.
pub async fn update<R, F>(
    pool: &Pool,
    writer: Writer,
    id: String,
    precondition: IfMatch,
    action: &'static str,
    apply: F,
) -> ApiResult<HttpResponse>
where
    R: Versioned,
    F: FnMut(&mut AnyConnection, &Scope<'_>, &R) -> ApiResult<R> + Send + 'static,
{
    Ok(respond(
        &change(pool, writer, id, precondition, action, apply).await?,
    ))
}

/// 204, the answer to a deletion (a [`change`] that marks the record deleted).
pub fn no_content<R>(_deleted: R) -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// 200 with the live record `id` and its `ETag`, or 404.
pub async fn read<R: Versioned>(pool: &Pool, id: String) -> ApiResult<HttpResponse> {
    let record: R = run_db(pool, move |conn| load(conn, &id)).await?;
    Ok(respond(&record))
}

/// Inserts the record `build` makes from `input`, authorized for its owner and audited as
/// `create`, behind the request's `Idempotency-Key` (whose fingerprint covers `input`).
pub async fn create<R, I, F>(
    req: &HttpRequest,
    pool: &Pool,
    writer: Writer,
    input: I,
    build: F,
) -> ApiResult<HttpResponse>
where
    R: Versioned,
    I: Serialize + Send + 'static,
    F: Fn(&mut AnyConnection, &Writer, &I) -> ApiResult<R> + Send + 'static,
{
    let key = idempotency::key_from(req)?;
    let caller = writer.caller().clone();
    let hash = idempotency::fingerprint(req, &caller, &input);
    idempotency::create(pool, &caller, key, hash, move |conn| {
        let mut record = build(conn, &writer, &input)?;
        record.adopt(None);
        let scope = writer.scope(record.owner())?;
        record.insert(conn).map_err(|e| record.write_error(e))?;
        audit(conn, &scope, "create", None, Some(&record))?;
        Ok(Created {
            location: record.location(),
            etag: Some(etag_of(&record)),
            body: view_json(&record)?,
        })
    })
    .await
}

/// A new id for a record (UUIDv7: creation order is id order).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The member state a write is for: `given` (the body's `member_state`), or when absent the
/// reporter's own. Checked in this order: well-formed, writable by the writer (403), a member
/// state (422). `field` is the JSON pointer named in errors.
pub fn target_state(
    conn: &mut AnyConnection,
    writer: &Writer,
    given: Option<&str>,
    field: &str,
) -> ApiResult<String> {
    let code = match (given, writer.own_state()) {
        (Some(code), _) => code.to_string(),
        (None, Some(own)) => own.to_string(),
        (None, None) => return Err(ApiError::invalid(field, "is required")),
    };
    MemberStateCode::parse(&code).map_err(|m| ApiError::invalid(field, m))?;
    writer.scope(Owner::State(&code))?;
    member_state_exists(conn, &code, field)?;
    Ok(code)
}

/// 422 naming `field` unless `code` is an OAS member state.
pub fn member_state_exists(conn: &mut AnyConnection, code: &str, field: &str) -> ApiResult<()> {
    if MemberStateRow::exists(conn, code)? {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("{code} is not an OAS member state"),
        ))
    }
}
