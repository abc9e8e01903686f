//! `/api/v1/training-events`: training given by member states and the General Secretariat
//! (guidelines 12, 32 and 45; mandates 1 to 5).

mod filters;
mod record;
mod wire;

use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

pub use record::Events;
pub use wire::{
    GuidelineRef, TrainingEvent, TrainingEventInput, TrainingEventListParams, TrainingEventPatch,
};

use crate::api::http::history;
use crate::api::http::idempotency::IdempotencyKey;
use crate::api::http::list::{self, ListParams, ListQuery};
use crate::api::http::pagination::{Page, PageParams};
use crate::api::http::precondition::{IdPath, IfMatch};
use crate::api::http::replace;
use crate::api::http::write;
use crate::auth::{Caller, With, Writer};
use crate::error::{ApiError, ApiResult};
use crate::models::training_event::TrainingEventRecord;
use crate::state::AppState;
use crate::timestamp::Timestamp;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_training_events)
        .service(create_training_event)
        .service(get_training_event)
        .service(replace_training_event)
        .service(update_training_event)
        .service(delete_training_event)
        .service(list_training_event_history);
}

/// List training events, ordered by start date, then id (creation order within a day). `from` and
/// `to` select events overlapping the range, both edges included; `audience` and `guideline` may be
/// repeated and match events with any of the values. `Accept: text/csv` or `format=csv` streams every
/// matching event as CSV, one row per event, audiences and guidelines as `;`-joined cells.
#[utoipa::path(
    tag = "training-events",
    params(TrainingEventListParams, ListParams),
    responses((status = 200, description = "A page of events (JSON) or all of them (CSV)",
        content((Page<TrainingEvent> = "application/json"), (String = "text/csv")),
        headers(("Link" = String, description = "Next page, when there is one"))))
)]
#[get("")]
pub async fn list_training_events(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let (ListQuery { filter, list }, repeated) = ListQuery::<TrainingEventListParams>::parse(
        req.query_string(),
        &["audience", "guideline"],
    )?;
    let filter = filters::filter(filter, &repeated, &list)?;
    list::respond::<Events>(&req, &state.pool, filter, &list).await
}

/// Report a training event. A reporter reports its own state's events (`member_state` may be
/// omitted); regional events (`member_state: null`) are the General Secretariat's (admin). Systems
/// on unreliable networks should send an `Idempotency-Key`: a retry with the same key and body
/// answers the first response again instead of reporting the event twice.
#[utoipa::path(
    tag = "training-events",
    params(IdempotencyKey),
    request_body(content = TrainingEventInput, example = json!({
        "member_state": "ARG", "organizer": "Ministerio de Seguridad",
        "title": "Identificación de víctimas de trata en pasos fronterizos",
        "description": "Taller para fuerzas federales y personal de migraciones.",
        "start_date": "2026-03-10", "end_date": "2026-03-12", "city": "Posadas", "modality": "in_person",
        "audiences": ["police", "migration"], "guidelines": [{"work_plan": "WP2", "number": 45}],
        "participants_total": 40, "participants_women": 22, "participants_men": 18, "partners": "OIM; UNODC"
    })),
    responses(
        (status = 201, description = "Created (or, for a repeated Idempotency-Key, the first response again)", body = TrainingEvent,
            headers(("Location" = String, description = "URL of the event"), ("ETag" = String, description = "Version"))),
    )
)]
#[post("")]
pub async fn create_training_event(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: With<Writer, TrainingEventInput>,
) -> ApiResult<HttpResponse> {
    let With(writer, input) = body;
    replace::create::<TrainingEventRecord>(&req, &state.pool, writer, input).await
}

/// Delete an event. It remains as a tombstone for synchronising clients (`include_deleted=true`)
/// and in its history; GET answers 404 from then on. Honours `If-Match`.
#[utoipa::path(
    tag = "training-events",
    params(IdPath, IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, response = crate::api::problems::Conflict),
    )
)]
#[delete("/{id}")]
pub async fn delete_training_event(
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
    precondition: IfMatch,
    writer: Writer,
) -> ApiResult<HttpResponse> {
    write::change(
        &state.pool,
        writer,
        path.into_inner().id,
        precondition,
        "delete",
        |_, _, before: &TrainingEventRecord| {
            let mut after = before.clone();
            // The pipeline dates it with the change (see `stamp`).
            after.row.deleted_at = Some(Timestamp::now().to_db());
            Ok(after)
        },
    )
    .await
    .map(write::no_content)
}

crate::record_routes! {
    tag = "training-events", record = TrainingEventRecord, view = TrainingEvent,
    input = TrainingEventInput,
    patch = TrainingEventPatch;
    /// Get one training event (404 once deleted).
    get get_training_event("The event");
    /// Replace every field of an event (omitted optional fields become null; an omitted
    /// `member_state` keeps the current host). Honours `If-Match`; an identical PUT changes nothing.
    put replace_training_event("The event after the change");
    /// Change some fields of an event. Honours `If-Match`.
    patch update_training_event("The event after the change",
        {"participants_total": 42, "participants_women": 24, "audiences": ["police", "migration", "judges"]});
    /// Every version of an event, oldest first, with who changed it and when (deleted events too:
    /// the last entry is then the deletion).
    history list_training_event_history("The event's history", |conn, id| {
        TrainingEventRecord::find(conn, id)?
            .map(drop)
            .ok_or_else(|| ApiError::not_found("No such training event."))
    });
}
