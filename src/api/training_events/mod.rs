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

use crate::api::http::list::{self, ListParams, ListQuery};
use crate::api::http::pagination::Page;
use crate::auth::Bearer;
use crate::error::{ApiError, ApiResult};
use crate::models::training_event::TrainingEventRecord;
use crate::state::AppState;

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
    responses((status = 200, description = "A page of events (JSON) or all of them (CSV)", body = Page<TrainingEvent>))
)]
#[get("")]
pub async fn list_training_events(
    req: HttpRequest,
    who: Bearer,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let (ListQuery { filter, list }, repeated) = ListQuery::<TrainingEventListParams>::parse(
        req.query_string(),
        &["audience", "guideline"],
    )?;
    let filter = filters::filter(filter, &repeated, &list)?;
    list::respond_signed_in::<Events>(&req, &state.pool, who, filter, &list).await
}

crate::record_routes! {
    tag = "training-events", record = TrainingEventRecord, view = TrainingEvent,
    input = TrainingEventInput,
    patch = TrainingEventPatch;
    /// Report a training event. A reporter reports its own state's events (`member_state` may be
    /// omitted); regional events (`member_state: null`) are the General Secretariat's (admin). Systems
    /// on unreliable networks should send an `Idempotency-Key`: a retry with the same key and body
    /// answers the first response again instead of reporting the event twice.
    create create_training_event("Created (or, for a repeated Idempotency-Key, the first response again)", {
        "member_state": "ARG", "organizer": "Ministerio de Seguridad",
        "title": "Identificación de víctimas de trata en pasos fronterizos",
        "description": "Taller para fuerzas federales y personal de migraciones.",
        "start_date": "2026-03-10", "end_date": "2026-03-12", "city": "Posadas", "modality": "in_person",
        "audiences": ["police", "migration"], "guidelines": [{"work_plan": "WP2", "number": 45}],
        "participants_total": 40, "participants_women": 22, "participants_men": 18, "partners": "OIM; UNODC"
    });
    /// Get one training event (404 once deleted).
    get get_training_event("The event");
    /// Replace every field of an event (omitted optional fields become null; an omitted
    /// `member_state` keeps the current host). Honours `If-Match`; an identical PUT changes nothing.
    put replace_training_event("The event after the change");
    /// Change some fields of an event. Honours `If-Match`.
    patch update_training_event("The event after the change",
        {"participants_total": 42, "participants_women": 24, "audiences": ["police", "migration", "judges"]});
    /// Delete an event. It remains as a tombstone for synchronising clients (`include_deleted=true`)
    /// and in its history; GET answers 404 from then on. Honours `If-Match`.
    delete delete_training_event;
    /// Every version of an event, oldest first, with who changed it and when (deleted events too:
    /// the last entry is then the deletion).
    history list_training_event_history("The event's history", |conn, id| {
        TrainingEventRecord::find(conn, id)?
            .map(drop)
            .ok_or_else(|| ApiError::not_found("No such training event."))
    });
}
