//! `/api/v1/webhooks/{id}/deliveries`: the delivery log of a subscription, and redelivery.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::wire::{Delivery, DeliveryListParams, DeliveryPath, DeliveryStatus};
use crate::api::http::list::{self, ListParams, ListQuery};
use crate::api::http::pagination::Page;
use crate::api::http::precondition::IdPath;
use crate::api::http::run_db;
use crate::auth::Admin;
use crate::db::pool::write_transaction;
use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};
use crate::models::webhook::WebhookRow;
use crate::models::webhook_delivery::DeliveryRow;
use crate::state::AppState;
use crate::timestamp::Timestamp;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_webhook_deliveries)
        .service(redeliver_webhook_delivery);
}

/// Which deliveries a log page shows.
pub struct LogFilter {
    webhook_id: String,
    status: Option<DeliveryStatus>,
    /// Deliveries created or attempted at or after this time.
    since: Option<Timestamp>,
}

crate::listing! {
    /// The delivery log, oldest first.
    DeliveryLog: DeliveryRow => Delivery, "webhook_delivery", "webhook-deliveries.csv", [
        "id", "webhook_id", "sequence", "type", "status", "attempts", "last_status_code",
        "last_error", "last_attempt_at", "next_attempt_at", "created_at",
    ];
    fetch(conn, f: LogFilter, after: String, limit) => DeliveryRow::list(
        conn, &f.webhook_id, f.status, f.since, after.map(String::as_str), limit,
    );
    key(r) => r.id.clone();
}

/// The live subscription `id`, or 404: a deleted subscription is gone from every read, its
/// delivery log and redelivery included, as `GET /webhooks/{id}` is.
fn subscription(conn: &mut AnyConnection, id: &str) -> ApiResult<WebhookRow> {
    WebhookRow::find(conn, id)?
        .filter(|w| w.deleted_at.is_none())
        .ok_or_else(|| ApiError::not_found("No such webhook."))
}

/// The delivery log of a subscription, oldest first: each event's delivery with its status,
/// attempts, last status code and error, and when a pending one is attempted next.
#[utoipa::path(tag = "webhooks", params(IdPath, DeliveryListParams, ListParams), responses(
    (status = 200, description = "A page of deliveries (JSON) or all of them (CSV)", body = Page<Delivery>),
    (status = 403, response = crate::api::problems::Forbidden)))]
#[get("/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    req: HttpRequest,
    _admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<IdPath>,
    query: ListQuery<DeliveryListParams>,
) -> ApiResult<HttpResponse> {
    let ListQuery { filter, list } = query;
    let since = list.since()?;
    let id = path.into_inner().id;
    let check = id.clone();
    run_db(&state.pool, move |conn| {
        subscription(conn, &check).map(drop)
    })
    .await?;
    let filter = LogFilter {
        webhook_id: id,
        status: filter.status,
        since,
    };
    list::respond::<DeliveryLog>(&req, &state.pool, filter, &list).await
}

/// Send a delivery again now, with the same payload and `webhook-id` (a fresh retry schedule,
/// whatever its status). A delivery of an inactive subscription waits until it is active
/// again; a deleted subscription's deliveries are gone (404).
#[utoipa::path(tag = "webhooks", params(DeliveryPath), responses(
    (status = 202, description = "Queued; the delivery as it now is", body = Delivery)))]
#[post("/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    _admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<DeliveryPath>,
) -> ApiResult<HttpResponse> {
    let DeliveryPath { id, delivery_id } = path.into_inner();
    let row = run_db(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            subscription(conn, &id)?;
            crate::db::locks::row(conn, "webhook_deliveries", "id", &delivery_id)?;
            let not_found = || ApiError::not_found("No such delivery of this webhook.");
            DeliveryRow::find(conn, &id, &delivery_id)?.ok_or_else(not_found)?;
            DeliveryRow::requeue(conn, &delivery_id, &Timestamp::now().to_db())?;
            DeliveryRow::find(conn, &id, &delivery_id)?.ok_or_else(not_found)
        })
    })
    .await?;
    Ok(HttpResponse::Accepted().json(Delivery::from(&row)))
}
