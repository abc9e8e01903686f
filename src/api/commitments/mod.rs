//! Guideline commitments: a member state's undertaking on one guideline of a work plan, written
//! with an idempotent PUT on its natural key `/member-states/{code}/commitments/{work_plan}/{number}`.

mod record;
mod wire;

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub use wire::{Commitment, CommitmentInput};

use crate::api::http::extract::QueryParams;
use crate::api::http::history;
use crate::api::http::pagination::{Page, PageParams};
use crate::api::http::precondition::IfMatch;
use crate::api::http::run_db;
use crate::api::http::write::{self, Versioned};
use crate::auth::{Caller, Owner, With, Writer};
use crate::db::pool::write_transaction;
use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};
use crate::models::commitment::{CommitmentRow, Key};
use crate::state::AppState;
use crate::timestamp::Timestamp;
use record::Commitments;
use wire::{CommitmentListParams, CommitmentPath};

/// Routes under `/member-states` (the natural key).
pub fn configure_by_member_state(cfg: &mut ServiceConfig) {
    cfg.service(put_commitment)
        .service(get_commitment)
        .service(delete_commitment)
        .service(list_commitment_history);
}

/// Routes under `/commitments` (the list across states).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_commitments);
}

/// Record or update a commitment. Idempotent: sending the same body again changes nothing (same
/// version, no new history entry). 201 when it creates, 200 otherwise. Reporters write their own
/// state's commitments only. Honours `If-Match`.
#[utoipa::path(
    tag = "commitments",
    params(CommitmentPath, IfMatch),
    request_body(content = CommitmentInput, example = json!({
        "status": "in_progress", "lead_institution": "Ministerio de Seguridad",
        "actions": "Training module for federal police academies.", "target_date": "2026-12-31",
        "evidence_urls": ["https://www.argentina.gob.ar/seguridad/trata"], "budget_allocated": 250000, "currency": "ARS"
    })),
    responses(
        (status = 200, description = "Updated, or unchanged", body = Commitment, headers(("ETag" = String, description = "Version"))),
        (status = 201, description = "Created", body = Commitment, headers(("Location" = String, description = "URL"), ("ETag" = String, description = "Version"))),
        // Declared: `complete()` takes paths under /api/v1/member-states for /api/v1/me.
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[put("/{code}/commitments/{work_plan}/{number}")]
pub async fn put_commitment(
    state: web::Data<AppState>,
    path: web::Path<CommitmentPath>,
    precondition: IfMatch,
    body: With<Writer, CommitmentInput>,
) -> ApiResult<HttpResponse> {
    let With(writer, input) = body;
    let key = record::natural_key(path.into_inner())?;
    writer.scope(Owner::State(&key.0))?;
    let input = record::validate(&input)?;
    let (row, created) = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            upsert(conn, &writer, &key, &input, &precondition)
        })
    })
    .await?;
    if !created {
        return Ok(write::respond(&row));
    }
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, row.location()))
        .insert_header((header::ETAG, write::etag_of(&row)))
        .json(row.view()))
}

/// Writes `input` on `key`: a change of the live commitment, else a creation (anew, or over a
/// tombstone, which keeps its id). Returns the commitment and whether it was created.
fn upsert(
    conn: &mut AnyConnection,
    writer: &Writer,
    key: &Key,
    input: &CommitmentInput,
    precondition: &IfMatch,
) -> ApiResult<(CommitmentRow, bool)> {
    let existing = record::find(conn, key)?;
    crate::locks::check_commitments(conn, &key.0, &key.1)?;
    if let Some(live) = existing.as_ref().filter(|r| r.deleted_at.is_none()) {
        let row = write::change_in(
            conn,
            writer,
            &live.id,
            precondition,
            "update",
            |_, _, before| Ok(record::with_input(before, input)),
        )?;
        return Ok((row, false));
    }
    // No ETag names a commitment that does not exist (an ETag never contains a comma).
    precondition.check(",").map_err(|_| {
        ApiError::precondition_failed("If-Match was sent but the commitment does not exist.")
    })?;
    let scope = writer.scope(Owner::State(&key.0))?;
    let mut row = record::fresh(key, input);
    // Two first writes of one key race: the loser's transaction is run again (see
    // `write_transaction`) and then finds the winner's commitment to update.
    match existing {
        None => row.insert(conn).map_err(|e| {
            let e = row.write_error(e);
            if e.status() == StatusCode::CONFLICT {
                e.retryable()
            } else {
                e
            }
        })?,
        Some(tombstone) => {
            row.id = tombstone.id;
            row.version = tombstone.version + 1;
            if !row.store(conn, tombstone.version)? {
                return Err(ApiError::precondition_failed(
                    "The commitment changed concurrently; reload it and retry.",
                )
                .retryable());
            }
        }
    }
    write::audit(conn, &scope, "create", None, Some(&row))?;
    Ok((row, true))
}

/// Get one commitment.
#[utoipa::path(
    tag = "commitments",
    params(CommitmentPath),
    responses(
        (status = 200, description = "The commitment", body = Commitment, headers(("ETag" = String, description = "Version"))),
    )
)]
#[get("/{code}/commitments/{work_plan}/{number}")]
pub async fn get_commitment(
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<CommitmentPath>,
) -> ApiResult<HttpResponse> {
    let key = record::natural_key(path.into_inner())?;
    let row = run_db(&state.pool, move |conn| {
        let live = record::find(conn, &key)?.filter(|r| r.deleted_at.is_none());
        live.ok_or_else(|| record::missing(&key))
    })
    .await?;
    Ok(write::respond(&row))
}

/// Delete a commitment. It remains as a tombstone for synchronising clients
/// (`include_deleted=true`) and in its history; a later PUT records it again. Honours `If-Match`.
/// 409 while the state's submission for a cycle on this work plan is submitted or validated.
#[utoipa::path(
    tag = "commitments",
    params(CommitmentPath, IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, response = crate::api::problems::Forbidden),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[delete("/{code}/commitments/{work_plan}/{number}")]
pub async fn delete_commitment(
    state: web::Data<AppState>,
    path: web::Path<CommitmentPath>,
    precondition: IfMatch,
    writer: Writer,
) -> ApiResult<HttpResponse> {
    let key = record::natural_key(path.into_inner())?;
    writer.scope(Owner::State(&key.0))?;
    run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let existing = record::find(conn, &key)?;
            crate::locks::check_commitments(conn, &key.0, &key.1)?;
            let live = existing
                .filter(|r| r.deleted_at.is_none())
                .ok_or_else(|| record::missing(&key))?;
            write::change_in(
                conn,
                &writer,
                &live.id,
                &precondition,
                "delete",
                |_, _, before: &CommitmentRow| {
                    Ok(CommitmentRow {
                        deleted_at: Some(Timestamp::now()),
                        ..before.clone()
                    })
                },
            )
        })
    })
    .await
    .map(write::no_content)
}

/// Every change to a commitment (status and all other fields), oldest first, with who and when.
#[utoipa::path(
    tag = "commitments",
    params(CommitmentPath, PageParams),
    responses(
        (status = 200, description = "The history", body = Page<history::HistoryEntry>),
    )
)]
#[get("/{code}/commitments/{work_plan}/{number}/history")]
pub async fn list_commitment_history(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<CommitmentPath>,
    page: QueryParams<PageParams>,
) -> ApiResult<HttpResponse> {
    let key = record::natural_key(path.into_inner())?;
    let id = run_db(&state.pool, move |conn| {
        Ok(record::find(conn, &key)?
            .ok_or_else(|| record::missing(&key))?
            .id)
    })
    .await?;
    history::respond(
        &req,
        &state.pool,
        CommitmentRow::KIND,
        id,
        page.0,
        |_, _| Ok(()),
    )
    .await
}

crate::record_routes! {
    tag = "commitments", view = Commitment;
    /// List commitments, ordered by member state, work plan and guideline. `Accept: text/csv` or
    /// `format=csv` streams every matching commitment as CSV.
    list list_commitments("A page of commitments (JSON) or all of them (CSV)", Commitments,
        CommitmentListParams, record::filter);
}
