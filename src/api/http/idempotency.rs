//! Safe retries of creating POSTs: the same `Idempotency-Key` and body replay the first response
//! (same id, nothing created twice); the same key with another body is a 422. Keys are stored in
//! the database, per user, in the transaction that creates the resource, so they survive restarts
//! and concurrent retries race on the key's primary key instead of creating twice.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::api::http::run_db;
use crate::auth::Caller;
use crate::db::{pool::write_transaction, AnyConnection, Pool};
use crate::error::{ApiError, ApiResult};
use crate::models::idempotency_key::IdempotencyKeyRow;
use crate::timestamp::Timestamp;

pub const HEADER: &str = "idempotency-key";

/// The `Idempotency-Key` header of a creating POST, declared once for the document.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// 1 to 255 printable ASCII characters chosen by the client. The same key and body replay
    /// the first response (with `Idempotent-Replayed: true`); the same key with another body: 422.
    #[serde(rename = "Idempotency-Key")]
    #[param(
        rename = "Idempotency-Key",
        max_length = 255,
        example = "arg-2026-03-13-0001"
    )]
    pub key: Option<String>,
}
const REPLAYED: &str = "idempotent-replayed";

/// The `Idempotency-Key` header: 1 to 255 printable ASCII characters, when sent.
pub fn key_from(req: &HttpRequest) -> ApiResult<Option<String>> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::invalid("Idempotency-Key", "must be printable ASCII"))?;
    if text.is_empty() || text.len() > 255 || !text.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(ApiError::invalid(
            "Idempotency-Key",
            "must be 1 to 255 printable ASCII characters without spaces",
        ));
    }
    Ok(Some(text.to_string()))
}

/// Fingerprint of a request: method, path, the caller's scope (role and member state) and the
/// canonical JSON of its body. The scope is in it so that a key used before an administrator
/// moved the user to another state or role does not replay what the user could no longer do.
pub fn fingerprint(req: &HttpRequest, caller: &Caller, body: &impl serde::Serialize) -> String {
    let canonical = serde_json::to_string(body).unwrap_or_default();
    let digest = Sha256::new()
        .chain_update(req.method().as_str())
        .chain_update(b"\n")
        .chain_update(req.path())
        .chain_update(b"\n")
        .chain_update(caller.role.as_str())
        .chain_update(b"\n")
        .chain_update(caller.member_state.as_deref().unwrap_or(""))
        .chain_update(b"\n")
        .chain_update(canonical.as_bytes())
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a creating handler produced, as it will be sent (and replayed).
#[derive(Debug, Clone)]
pub struct Created {
    pub location: String,
    pub etag: Option<String>,
    pub body: serde_json::Value,
}

impl Created {
    fn response(&self, status: StatusCode, replayed: bool) -> HttpResponse {
        let mut res = HttpResponse::build(status);
        res.insert_header((header::LOCATION, self.location.clone()));
        if let Some(tag) = &self.etag {
            res.insert_header((header::ETAG, tag.clone()));
        }
        if replayed {
            res.insert_header((
                HeaderName::from_static(REPLAYED),
                HeaderValue::from_static("true"),
            ));
        }
        res.json(&self.body)
    }
}

enum Lookup {
    Fresh,
    Replay(Created, StatusCode),
}

fn lookup(conn: &mut AnyConnection, user_id: &str, key: &str, hash: &str) -> ApiResult<Lookup> {
    match IdempotencyKeyRow::find(conn, user_id, key)? {
        None => Ok(Lookup::Fresh),
        Some(row) if row.request_hash == hash => {
            let body = serde_json::from_str(&row.body).map_err(ApiError::internal)?;
            let etag = row.etag;
            let status = StatusCode::from_u16(row.status as u16).unwrap_or(StatusCode::CREATED);
            Ok(Lookup::Replay(
                Created {
                    location: row.location.unwrap_or_default(),
                    etag,
                    body,
                },
                status,
            ))
        }
        Some(_) => Err(ApiError::invalid(
            "Idempotency-Key",
            "was already used with a different request (another body, or before your role or member \
             state changed); use a new key for a new request",
        )),
    }
}

/// Runs `create` in one write transaction, honouring an optional idempotency key.
pub async fn create<F>(
    pool: &Pool,
    caller: &Caller,
    key: Option<String>,
    hash: String,
    create: F,
) -> ApiResult<HttpResponse>
where
    F: Fn(&mut AnyConnection) -> ApiResult<Created> + Send + 'static,
{
    let user_id = caller.user_id.clone();
    let outcome = run_db(pool, move |conn| {
        let attempt: ApiResult<_> = write_transaction(conn, |conn| {
            if let Some(k) = &key {
                if let Lookup::Replay(created, status) = lookup(conn, &user_id, k, &hash)? {
                    return Ok((created, status, true));
                }
            }
            let created = create(conn)?;
            if let Some(k) = &key {
                IdempotencyKeyRow {
                    user_id: user_id.clone(),
                    idempotency_key: k.clone(),
                    request_hash: hash.clone(),
                    status: 201,
                    location: Some(created.location.clone()),
                    etag: created.etag.clone(),
                    body: created.body.to_string(),
                    created_at: Timestamp::now(),
                }
                .insert(conn)?;
            }
            Ok((created, StatusCode::CREATED, false))
        });
        match (attempt, &key) {
            // A concurrent request with the same key committed first: answer as it did.
            (Err(e), Some(k))
                if e.status() == StatusCode::CONFLICT
                    || e.status() == StatusCode::SERVICE_UNAVAILABLE =>
            {
                match lookup(conn, &user_id, k, &hash)? {
                    Lookup::Replay(created, status) => Ok((created, status, true)),
                    Lookup::Fresh => Err(e),
                }
            }
            (result, _) => result,
        }
    })
    .await?;
    let (created, status, replayed) = outcome;
    Ok(created.response(status, replayed))
}
